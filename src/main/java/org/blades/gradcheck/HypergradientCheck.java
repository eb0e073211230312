package org.blades.gradcheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.blades.bilevel.Hypergradient;
import org.blades.bilevel.TaskObjective;
import org.blades.tensor.Tensor;

/**
 * Checks the finite-difference hypergradient of Eqs. 15-19 against direct central differences of
 * ℓ₁(θ'(λ)) in each λᵢ, on the caller's own inner and outer losses. Run it in float64 on a small model:
 * the direct differences redo the virtual step 2K times.
 */
public final class HypergradientCheck {
    private HypergradientCheck() {
    }

    /**
     * The step sizes and the tolerance of the comparison.
     *
     * @param alpha        α of the virtual step
     * @param weightDecay  wd of the virtual step
     * @param fdScale      ε·‖v‖ of the finite-difference hypergradient (0.01 in the paper)
     * @param lambdaStep   h of the direct central differences in λ
     * @param maxRelError  |fd − direct| / max(|fd|, |direct|) allowed per task (1e-3)
     * @param minAbsError  absolute error always accepted, for hypergradients that are zero up to rounding
     */
    public record Options(double alpha, double weightDecay, double fdScale, double lambdaStep, double maxRelError,
            double minAbsError) {

        public static Options defaults(double alpha) {
            return new Options(alpha, 1e-3, 0.01, 1e-5, 1e-3, 1e-10);
        }
    }

    /** Per task i: the two hypergradients and their errors. */
    public record Row(int task, double finiteDifference, double direct, double absError, double relError, boolean ok) {
    }

    public record Report(List<Row> rows, Options options) {

        public boolean passed() {
            return rows.stream().allMatch(Row::ok);
        }

        public String format() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "hypergradient check: alpha %.3g, wd %.3g, fd scale %.3g, lambda step %.1e; fails where rel error > %.1e and abs error > %.1e%n",
                    options.alpha, options.weightDecay, options.fdScale, options.lambdaStep, options.maxRelError,
                    options.minAbsError));
            sb.append(String.format(Locale.ROOT, "%4s %16s %16s %10s %10s%n", "task", "finite diff", "direct", "abs err",
                    "rel err"));
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "%4d %16.9e %16.9e %10.2e %10.2e %s%n", r.task, r.finiteDifference,
                        r.direct, r.absError, r.relError, r.ok ? "ok" : "FAIL"));
            }
            return sb.toString();
        }

        public void assertPassed() {
            if (!passed()) {
                throw new AssertionError(format());
            }
        }
    }

    public static <B> Report check(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights, B inner, B outer,
            Options options) {
        Tensor fd = Hypergradient.finiteDifference(objective, lambda, outerWeights, inner, outer, options.alpha,
                options.weightDecay, options.fdScale).hypergradient();
        Tensor direct = Hypergradient.numeric(objective, lambda, outerWeights, inner, outer, options.alpha,
                options.weightDecay, options.lambdaStep);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lambda.numel(); i++) {
            double a = fd.getDouble(i);
            double n = direct.getDouble(i);
            double abs = Math.abs(a - n);
            double scale = Math.max(Math.abs(a), Math.abs(n));
            double rel = scale == 0 ? 0 : abs / scale;
            boolean ok = Double.isFinite(a) && Double.isFinite(n) && (rel <= options.maxRelError || abs <= options.minAbsError);
            rows.add(new Row(i, a, n, abs, rel, ok));
        }
        return new Report(List.copyOf(rows), options);
    }
}
