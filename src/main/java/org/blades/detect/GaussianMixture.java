package org.blades.detect;

import java.util.Arrays;

import org.blades.kernels.Parallel;
import org.blades.tensor.Tensor;

// N = samples, D = feature dimensions, K = components

/**
 * A fitted Gaussian mixture p(x) = sum_k w_k N(x | mu_k, Sigma_k): the one-class detector's density of
 * photographs (the paper's Sec. 3.3, "One-Class Anomaly Detection"). Immutable; fit one with
 * {@link ExpectationMaximization#fit}.
 *
 * <p>Parameters follow scikit-learn's GaussianMixture attributes (weights_, means_, covariances_,
 * precisions_cholesky_), see {@link MixtureMath} for the precision-factor convention. Per-sample
 * log-likelihoods are {@code log sum_k exp(log w_k + log N(x | k))}, the sum taken by log-sum-exp
 * (subtract the row maximum before exponentiating), so likelihoods far below Double.MIN_VALUE, the normal
 * case in 768 dimensions, stay exact.
 */
public final class GaussianMixture {

    private final CovarianceType type;
    private final int k;
    private final int d;
    private final double[] weights; // (K)
    private final double[] means; // (K, D)
    private final double[] covariances; // FULL (K, D, D), DIAG (K, D), SPHERICAL (K); null if built from precisions
    private final double[] precisionsCholesky; // like covariances; FULL upper triangular
    private final double[] logDet; // (K) log det P_k = -1/2 log det Sigma_k

    private GaussianMixture(CovarianceType type, int k, int d, double[] weights, double[] means, double[] covariances,
                            double[] precisionsCholesky) {
        this.type = type;
        this.k = k;
        this.d = d;
        this.weights = weights;
        this.means = means;
        this.covariances = covariances;
        this.precisionsCholesky = precisionsCholesky;
        this.logDet = logDetOf(type, k, d, precisionsCholesky);
    }

    /**
     * A mixture from its covariances; the precision factors are computed (Cholesky through EJML).
     *
     * @param weights     (K), each in [0, 1]
     * @param means       (K, D)
     * @param covariances FULL (K, D, D) symmetric positive definite, DIAG (K, D), SPHERICAL (K) positive
     */
    public static GaussianMixture fromCovariances(CovarianceType type, double[] weights, double[] means,
                                                  double[] covariances) {
        int k = weights.length;
        int d = checkShapes("fromCovariances", type, weights, means, covariances);
        double[] prec = type == CovarianceType.FULL
                ? MixtureMath.precisionCholeskyFromCovariance(covariances, k, d)
                : MixtureMath.precisionCholeskyFromVariances(covariances);
        return new GaussianMixture(type, k, d, weights.clone(), means.clone(), covariances.clone(), prec);
    }

    /**
     * A mixture from its precisions (inverse covariances), as scikit-learn's precisions_init; the
     * covariances are then unknown ({@link #covariances()} is null) and not needed for scoring.
     *
     * @param precisions FULL (K, D, D) symmetric positive definite, DIAG (K, D), SPHERICAL (K) positive
     */
    public static GaussianMixture fromPrecisions(CovarianceType type, double[] weights, double[] means,
                                                 double[] precisions) {
        int k = weights.length;
        int d = checkShapes("fromPrecisions", type, weights, means, precisions);
        double[] prec;
        if (type == CovarianceType.FULL) {
            prec = MixtureMath.precisionCholeskyFromPrecision(precisions, k, d);
        } else {
            prec = new double[precisions.length];
            for (int i = 0; i < prec.length; i++) {
                if (!(precisions[i] > 0) || Double.isInfinite(precisions[i])) {
                    throw new IllegalArgumentException("GaussianMixture.fromPrecisions: precision " + i + " is "
                            + precisions[i] + ", must be positive and finite");
                }
                prec[i] = Math.sqrt(precisions[i]);
            }
        }
        return new GaussianMixture(type, k, d, weights.clone(), means.clone(), null, prec);
    }

    /**
     * A mixture from all its parameters as stored (detector files): no factorisation, only shape checks.
     *
     * @param covariances        may be null
     * @param precisionsCholesky FULL (K, D, D) upper triangular with positive diagonal, DIAG (K, D), SPHERICAL (K)
     */
    public static GaussianMixture fromStored(CovarianceType type, double[] weights, double[] means,
                                             double[] covariances, double[] precisionsCholesky) {
        int k = weights.length;
        int d = checkShapes("fromStored", type, weights, means, precisionsCholesky);
        if (covariances != null && covariances.length != precisionsCholesky.length) {
            throw new IllegalArgumentException("GaussianMixture.fromStored: " + covariances.length
                    + " covariance values but " + precisionsCholesky.length + " precision-factor values");
        }
        int size = type.parameterSize(d);
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < size; i++) {
                double v = precisionsCholesky[c * size + i];
                int row = type == CovarianceType.FULL ? i / d : 0;
                int col = type == CovarianceType.FULL ? i % d : 0;
                // the E-step's triangular product reads only the upper triangle: anything below must be 0
                boolean ok = row > col ? v == 0 : (row == col ? v > 0 && v < Double.POSITIVE_INFINITY : Double.isFinite(v));
                if (!ok) {
                    throw new IllegalArgumentException("GaussianMixture.fromStored: precision factor of component " + c
                            + " at " + (type == CovarianceType.FULL ? "(" + row + ", " + col + ")" : "[" + i + "]")
                            + " is " + v + " (need an upper-triangular factor with a positive diagonal)");
                }
            }
        }
        return new GaussianMixture(type, k, d, weights.clone(), means.clone(),
                covariances == null ? null : covariances.clone(), precisionsCholesky.clone());
    }

    /** Arrays computed by the M-step, taken without copying. */
    static GaussianMixture ofOwned(CovarianceType type, int k, int d, double[] weights, double[] means,
                                   double[] covariances, double[] precisionsCholesky) {
        return new GaussianMixture(type, k, d, weights, means, covariances, precisionsCholesky);
    }

    private static int checkShapes(String op, CovarianceType type, double[] weights, double[] means, double[] params) {
        int k = weights.length;
        if (k < 1 || means.length == 0 || means.length % k != 0) {
            throw new IllegalArgumentException("GaussianMixture." + op + ": " + k + " weights and " + means.length
                    + " mean values do not form (K, D) means");
        }
        int d = means.length / k;
        long expected = (long) k * type.parameterSize(d);
        if (params.length != expected) {
            throw new IllegalArgumentException("GaussianMixture." + op + ": " + type.sklearnName() + " with K = " + k
                    + ", D = " + d + " needs " + expected + " covariance/precision values, got " + params.length);
        }
        for (int c = 0; c < k; c++) {
            if (!(weights[c] >= 0 && weights[c] <= 1)) {
                throw new IllegalArgumentException("GaussianMixture." + op + ": weight " + c + " is " + weights[c]
                        + ", must be in [0, 1]");
            }
        }
        return d;
    }

    private static double[] logDetOf(CovarianceType type, int k, int d, double[] prec) {
        double[] out = new double[k]; // (K)
        for (int c = 0; c < k; c++) {
            double s = 0;
            switch (type) {
                case FULL -> {
                    for (int j = 0; j < d; j++) {
                        s += Math.log(prec[c * d * d + j * d + j]);
                    }
                }
                case DIAG -> {
                    for (int j = 0; j < d; j++) {
                        s += Math.log(prec[c * d + j]);
                    }
                }
                case SPHERICAL -> s = d * Math.log(prec[c]);
            }
            out[c] = s;
        }
        return out;
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /** K. */
    public int components() {
        return k;
    }

    /** D. */
    public int dimensions() {
        return d;
    }

    /** (K), copy. */
    public double[] weights() {
        return weights.clone();
    }

    /** (K, D), copy. */
    public double[] means() {
        return means.clone();
    }

    /** FULL (K, D, D), DIAG (K, D), SPHERICAL (K), copy; null for a mixture built from precisions. */
    public double[] covariances() {
        return covariances == null ? null : covariances.clone();
    }

    /** FULL (K, D, D) upper triangular, DIAG (K, D), SPHERICAL (K), copy. */
    public double[] precisionsCholesky() {
        return precisionsCholesky.clone();
    }

    double[] weightsRef() {
        return weights;
    }

    double[] meansRef() {
        return means;
    }

    double[] covariancesRef() {
        return covariances;
    }

    double[] precisionsCholeskyRef() {
        return precisionsCholesky;
    }

    double[] logDetRef() {
        return logDet;
    }

    /** log p(x_n) for each row of {@code x} (N, D) (scikit-learn's score_samples). */
    public double[] scoreSamples(Tensor x) {
        Samples s = samples(x, "scoreSamples");
        return logSumExpRows(weightedLogProb(s), s.n(), k);
    }

    /** Mean of {@link #scoreSamples} (scikit-learn's score). */
    public double score(Tensor x) {
        double[] ll = scoreSamples(x);
        double sum = 0;
        for (double v : ll) {
            sum += v;
        }
        return sum / ll.length;
    }

    /** Posterior probability of each component for each row of {@code x} (N, D): (N, K), rows sum to 1. */
    public double[] predictProba(Tensor x) {
        Samples s = samples(x, "predictProba");
        double[] w = weightedLogProb(s); // (N, K)
        double[] lse = logSumExpRows(w, s.n(), k); // (N)
        for (int r = 0; r < s.n(); r++) {
            for (int c = 0; c < k; c++) {
                w[r * k + c] = Math.exp(w[r * k + c] - lse[r]);
            }
        }
        return w;
    }

    Samples samples(Tensor x, String op) {
        Samples s = Samples.of(x, "GaussianMixture." + op);
        if (s.d() != d) {
            throw new IllegalArgumentException("GaussianMixture." + op + ": features have D = " + s.d()
                    + " but the mixture was fitted on D = " + d);
        }
        return s;
    }

    /** log w_k + log N(x_n | k): (N, K) (scikit-learn's _estimate_weighted_log_prob). */
    double[] weightedLogProb(Samples s) {
        double[] out = new double[s.n() * k]; // (N, K)
        MixtureMath.logGaussian(this, s, out);
        double[] logW = new double[k]; // (K)
        for (int c = 0; c < k; c++) {
            logW[c] = Math.log(weights[c]);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] += logW[i % k];
        }
        return out;
    }

    /**
     * log sum_k exp(a_nk) per row, as scipy.special.logsumexp: the row maximum m is subtracted first,
     * {@code m + log sum_k exp(a_nk - m)}; a row whose maximum is infinite uses m = 0 (so an all -inf
     * row gives -inf, not NaN).
     *
     * @param a (N, K)
     * @return (N)
     */
    static double[] logSumExpRows(double[] a, int n, int k) {
        double[] out = new double[n]; // (N)
        Parallel.parallelForRange(n, 1024, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r * k;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    m = Math.max(m, a[o + c]);
                }
                if (Double.isInfinite(m)) {
                    m = 0;
                }
                double s = 0;
                for (int c = 0; c < k; c++) {
                    s += Math.exp(a[o + c] - m);
                }
                out[r] = Math.log(s) + m;
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "GaussianMixture(" + type.sklearnName() + ", K = " + k + ", D = " + d + ", weights "
                + Arrays.toString(weights) + ")";
    }
}
