package org.blades.gradcheck;

/**
 * Settings of one {@link GradCheck} run. Immutable: change a copy with the {@code with...} methods or build one
 * with {@link #builder()}.
 *
 * <p>An element fails when its relative error exceeds {@code maxRelError} <em>and</em> its absolute error
 * exceeds {@code minAbsError}: the absolute floor exempts gradients that are zero up to rounding, whose
 * relative error is meaningless (DL4J's GradCheckUtil rule).
 *
 * @param eps                  half-width of the central difference, in the input's units
 * @param maxRelError          largest tolerated |a - n| / max(|a|, |n|)
 * @param minAbsError          absolute errors at or below this never fail
 * @param maxElementsPerTensor 0 checks every element; otherwise that many flat indices per input, drawn
 *                             without replacement from a generator seeded by {@code seed}
 * @param seed                 seeds the output weighting r of the loss sum(out * r) and the element sampling
 * @param printLimit           most rows {@link GradCheckReport#format()} prints
 */
public record GradCheckOptions(double eps, double maxRelError, double minAbsError, int maxElementsPerTensor,
        long seed, int printLimit) {

    public static final double DEFAULT_EPS = 1e-6;
    public static final double DEFAULT_MAX_REL_ERROR = 1e-6;
    public static final double DEFAULT_MIN_ABS_ERROR = 1e-8;
    public static final long DEFAULT_SEED = 12345L;
    public static final int DEFAULT_PRINT_LIMIT = 20;

    public GradCheckOptions {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("GradCheckOptions: eps must be a positive finite number, got " + eps);
        }
        if (!(maxRelError >= 0) || !(minAbsError >= 0)) {
            throw new IllegalArgumentException("GradCheckOptions: maxRelError " + maxRelError + " and minAbsError "
                    + minAbsError + " must be >= 0");
        }
        if (maxElementsPerTensor < 0) {
            throw new IllegalArgumentException("GradCheckOptions: maxElementsPerTensor must be >= 0 (0 = all), got "
                    + maxElementsPerTensor);
        }
        if (printLimit < 1) {
            throw new IllegalArgumentException("GradCheckOptions: printLimit must be >= 1, got " + printLimit);
        }
    }

    /** eps 1e-6, maxRelError 1e-6, minAbsError 1e-8, every element, seed 12345, 20 printed rows. */
    public static GradCheckOptions defaults() {
        return new GradCheckOptions(DEFAULT_EPS, DEFAULT_MAX_REL_ERROR, DEFAULT_MIN_ABS_ERROR, 0, DEFAULT_SEED,
                DEFAULT_PRINT_LIMIT);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public GradCheckOptions withEps(double v) {
        return toBuilder().eps(v).build();
    }

    public GradCheckOptions withMaxRelError(double v) {
        return toBuilder().maxRelError(v).build();
    }

    public GradCheckOptions withMinAbsError(double v) {
        return toBuilder().minAbsError(v).build();
    }

    public GradCheckOptions withMaxElementsPerTensor(int v) {
        return toBuilder().maxElementsPerTensor(v).build();
    }

    public GradCheckOptions withSeed(long v) {
        return toBuilder().seed(v).build();
    }

    public GradCheckOptions withPrintLimit(int v) {
        return toBuilder().printLimit(v).build();
    }

    /** The thresholds as one line, printed at the top of every report and CLI table. */
    public String describe() {
        return String.format("eps %s, fail where rel err > %s and abs err > %s, elements per tensor %s, seed %d",
                GradCheckReport.num(eps), GradCheckReport.num(maxRelError), GradCheckReport.num(minAbsError),
                maxElementsPerTensor == 0 ? "all" : "<= " + maxElementsPerTensor, seed);
    }

    /** Mutable staging for an options record; validation happens in {@link #build()}. */
    public static final class Builder {
        private double eps;
        private double maxRelError;
        private double minAbsError;
        private int maxElementsPerTensor;
        private long seed;
        private int printLimit;

        private Builder(GradCheckOptions from) {
            eps = from.eps;
            maxRelError = from.maxRelError;
            minAbsError = from.minAbsError;
            maxElementsPerTensor = from.maxElementsPerTensor;
            seed = from.seed;
            printLimit = from.printLimit;
        }

        public Builder eps(double v) {
            eps = v;
            return this;
        }

        public Builder maxRelError(double v) {
            maxRelError = v;
            return this;
        }

        public Builder minAbsError(double v) {
            minAbsError = v;
            return this;
        }

        public Builder maxElementsPerTensor(int v) {
            maxElementsPerTensor = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder printLimit(int v) {
            printLimit = v;
            return this;
        }

        public GradCheckOptions build() {
            return new GradCheckOptions(eps, maxRelError, minAbsError, maxElementsPerTensor, seed, printLimit);
        }
    }
}
