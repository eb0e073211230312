package org.blades.gradcheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

/**
 * Checks a reverse-mode gradient against central differences, in float64.
 *
 * <p>Legend: N = elements of one checked input, S = elements checked in it (N, or maxElementsPerTensor when
 * sampling), O = elements of the function's output.
 *
 * <p>The output, of any shape, is reduced to the scalar loss L = sum(out * r), r a random tensor fixed by the
 * output shape and the seed: every output element then contributes, with a random sign, so an error in one
 * element cannot hide and symmetric errors cannot cancel. One backward pass of L gives the analytic gradient;
 * for each checked element x_i, (L(x_i + eps) - L(x_i - eps)) / (2 eps), evaluated without the tape, gives the
 * numeric one. The perturbation is written into the input in place and the saved value written back, so the
 * inputs end bit-identical. Two refinements keep float64 rounding out of the comparison: the two perturbed
 * outputs are subtracted element by element before weighting (outputs x_i does not touch cancel exactly, so a
 * large loss does not drown a small gradient), and the divisor is the step actually stored, (x_i + eps) -
 * (x_i - eps), which differs from 2 eps when x_i is large.
 *
 * <pre>
 * Tensor lambda = Tensor.of(new double[] {0.2, 0.3, 0.5}, 3).requiresGrad(true).named("lambda");
 * GradCheck.check(in -&gt; in.get(0).mul(taskLosses).sum(), List.of(lambda), GradCheckOptions.defaults())
 *          .assertPassed();
 * </pre>
 */
public final class GradCheck {
    private GradCheck() {
    }

    public static GradCheckReport check(OpCase opCase, GradCheckOptions options) {
        return check(opCase.name(), opCase.fn(), opCase.inputs().get(), options);
    }

    public static GradCheckReport check(OpCase opCase) {
        return check(opCase, GradCheckOptions.defaults());
    }

    public static GradCheckReport check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        return check(f, inputs, GradCheckOptions.defaults());
    }

    /**
     * Checks d sum(f(inputs) * r) / d input for every input that requires a gradient; the others are constants.
     * float32 inputs are replaced by float64 copies with the same name; float64 leaves are used (and perturbed)
     * as they are. Each checked input's existing gradient is zeroed first; afterwards it holds the analytic
     * gradient of the loss.
     *
     * @throws IllegalArgumentException if no input requires a gradient, or f returns a float32 tensor
     */
    public static GradCheckReport check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs,
            GradCheckOptions options) {
        return check("function", f, inputs, options);
    }

    /** As {@link #check(Function, List, GradCheckOptions)}, with a subject named in the report. */
    public static GradCheckReport check(String subject, Function<List<Tensor>, Tensor> f, List<Tensor> inputs,
            GradCheckOptions options) {
        List<Tensor> args = asFloat64(inputs);
        List<String> names = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            // The caller's unnamed tensors stay unnamed: the label lives in the report only.
            names.add(args.get(i).name() != null ? args.get(i).name() : "input[" + i + "]");
        }
        List<Integer> checked = checkedPositions(subject, args, names);
        return new Run(subject, f, args, names, options).execute(checked);
    }

    /** float32 inputs become float64 leaves; a float64 input that is not a leaf is cut from its graph. */
    private static List<Tensor> asFloat64(List<Tensor> inputs) {
        List<Tensor> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            if (t == null) {
                throw new IllegalArgumentException("gradcheck: input " + i + " is null");
            }
            Tensor x = t;
            if (t.dtype() == DType.F32) {
                x = Tensor.of(t.toDoubleArray(), t.shape()).requiresGrad(t.requiresGrad());
            } else if (!t.isLeaf()) {
                // A non-leaf would pass its gradient on to its own inputs instead of keeping it.
                x = t.detach().requiresGrad(true);
            }
            out.add(x == t || t.name() == null ? x : x.named(t.name()));
        }
        return Collections.unmodifiableList(out);
    }

    /** Positions of the inputs to differentiate, each tensor once even if passed twice. */
    private static List<Integer> checkedPositions(String subject, List<Tensor> args, List<String> names) {
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        List<Integer> checked = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Tensor t = args.get(i);
            if (!t.requiresGrad() || seen.put(t, Boolean.TRUE) != null) {
                continue;
            }
            if (overlaps(t)) {
                // Perturbing one stored value would move several logical elements at once.
                throw new IllegalArgumentException("gradcheck " + subject + ": input '" + names.get(i) + "' shape "
                        + Arrays.toString(t.shape()) + " strides " + Arrays.toString(t.strides())
                        + " repeats storage (an expanded view); pass a contiguous copy");
            }
            checked.add(i);
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("gradcheck " + subject + ": none of the " + args.size()
                    + " inputs requires a gradient; mark the tensors to check with requiresGrad(true)");
        }
        return checked;
    }

    private static boolean overlaps(Tensor t) {
        int[] shape = t.shape();
        int[] strides = t.strides();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 1 && strides[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** The flat row-major index i of a tensor of this shape as a multi-index. */
    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /**
     * The flat indices to check in a tensor of n elements: all of them, or k drawn without replacement
     * (partial Fisher-Yates) from a generator seeded by the options' seed and the input's position, sorted.
     */
    static int[] chooseIndices(int n, int position, GradCheckOptions options) {
        int k = options.maxElementsPerTensor();
        int[] all = new int[n]; // (N)
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (k == 0 || k >= n) {
            return all;
        }
        SplittableRandom rng = new SplittableRandom(mix(options.seed(), 0x51ED5A3B1E5L + position));
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        int[] chosen = Arrays.copyOf(all, k); // (S)
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * The output weights r: magnitudes in [0.5, 1.5) so no element is nearly ignored, random signs so errors
     * of opposite sign in symmetric elements do not cancel. Fixed by the shape and the seed.
     */
    static Tensor outputWeights(int[] shape, long seed) {
        SplittableRandom rng = new SplittableRandom(mix(seed, Arrays.hashCode(shape)));
        Tensor r = Tensor.zeros(DType.F64, shape);
        double[] w = r.f64(); // (O)
        for (int i = 0; i < w.length; i++) {
            double magnitude = 0.5 + rng.nextDouble();
            w[i] = rng.nextBoolean() ? magnitude : -magnitude;
        }
        return r;
    }

    /** SplitMix64 finaliser: neighbouring seeds give unrelated streams. */
    private static long mix(long seed, long salt) {
        long z = seed + salt * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Relative error |a - n| / max(|a|, |n|); 0 when both are 0. */
    static double relativeError(double analytic, double numeric) {
        double scale = Math.max(Math.abs(analytic), Math.abs(numeric));
        return scale == 0.0 ? 0.0 : Math.abs(analytic - numeric) / scale;
    }

    /** error / limit, with 0 / 0 = 0: how much of one tolerance an error uses. */
    private static double share(double error, double limit) {
        if (error == 0.0) {
            return 0.0;
        }
        return limit == 0.0 ? Double.POSITIVE_INFINITY : error / limit;
    }

    /** State of one check: the function, its float64 inputs and the fixed output weights. */
    private static final class Run {
        private final String subject;
        private final Function<List<Tensor>, Tensor> f;
        private final List<Tensor> args;
        private final List<String> names;
        private final GradCheckOptions options;
        private final List<GradCheckReport.Row> rows = new ArrayList<>();
        private Tensor weights; // (O), set by the first evaluation

        Run(String subject, Function<List<Tensor>, Tensor> f, List<Tensor> args, List<String> names,
                GradCheckOptions options) {
            this.subject = subject;
            this.f = f;
            this.args = args;
            this.names = names;
            this.options = options;
        }

        GradCheckReport execute(List<Integer> checked) {
            for (int i : checked) {
                args.get(i).zeroGrad();
            }
            Tensor out = evaluate();
            String outName = out.name() != null ? out.name() : "output";
            double[] outValues = out.toDoubleArray(); // (O)
            for (int j = 0; j < outValues.length; j++) {
                if (!Double.isFinite(outValues[j])) {
                    return stop("output", outName, unflatten(j, out.shape()), outValues[j], "");
                }
            }
            weights = outputWeights(out.shape(), options.seed());
            Tensor loss = out.mul(weights).sum();
            if (!Double.isFinite(loss.item())) {
                return stop("loss", "sum(" + outName + " * r)", new int[0], loss.item(), "");
            }
            // A loss that no checked input reaches has no tape: its gradient is zero everywhere.
            if (loss.requiresGrad()) {
                loss.backward();
            }
            for (int i : checked) {
                Tensor x = args.get(i);
                double[] analytic = x.grad() == null ? new double[x.numel()] : x.grad().toDoubleArray(); // (N)
                for (int j = 0; j < analytic.length; j++) {
                    if (!Double.isFinite(analytic[j])) {
                        return stop("analytic gradient", names.get(i), unflatten(j, x.shape()), analytic[j], "");
                    }
                }
                GradCheckReport stopped = compareNumeric(x, i, analytic);
                if (stopped != null) {
                    return stopped;
                }
            }
            return new GradCheckReport(subject, options, rows, null);
        }

        /** Adds a row per chosen element of x; returns a stopped report at the first non-finite value. */
        private GradCheckReport compareNumeric(Tensor x, int position, double[] analytic) {
            String name = names.get(position);
            int[] shape = x.shape();
            double eps = options.eps();
            double[] r = weights.f64(); // (O)
            for (int flat : chooseIndices(x.numel(), position, options)) {
                int[] idx = unflatten(flat, shape);
                double saved = x.getDouble(idx);
                double up = saved + eps;
                double down = saved - eps;
                double[] outPlus; // (O)
                double[] outMinus; // (O)
                try {
                    x.setDouble(up, idx);
                    outPlus = outputs();
                    x.setDouble(down, idx);
                    outMinus = outputs();
                } finally {
                    // Write the saved value back: saved + eps - eps need not round to saved.
                    x.setDouble(saved, idx);
                }
                // L(x+eps) - L(x-eps) = sum_j r_j (out+_j - out-_j), summed as differences: outputs that x_i
                // does not touch cancel exactly, so the rounding noise scales with the outputs x_i moves, not
                // with the whole loss. The step is the one actually stored: x + eps rounds to x's precision.
                double diff = 0.0;
                for (int j = 0; j < r.length; j++) {
                    diff += r[j] * (outPlus[j] - outMinus[j]);
                }
                double numeric = diff / (up - down);
                if (!Double.isFinite(numeric)) {
                    return stop("numeric gradient", name, idx, numeric,
                            "L(x+eps) = " + dot(outPlus, r) + ", L(x-eps) = " + dot(outMinus, r) + ", eps = " + eps);
                }
                double a = analytic[flat];
                double abs = Math.abs(a - numeric);
                double rel = relativeError(a, numeric);
                double budget = Math.min(share(rel, options.maxRelError()), share(abs, options.minAbsError()));
                boolean ok = !(rel > options.maxRelError() && abs > options.minAbsError());
                rows.add(new GradCheckReport.Row(name, idx, a, numeric, abs, rel, budget, ok));
            }
            return null;
        }

        private Tensor evaluate() {
            Tensor out = f.apply(args);
            if (out == null) {
                throw new IllegalArgumentException("gradcheck " + subject + ": the function returned null");
            }
            if (out.dtype() != DType.F64) {
                throw new IllegalArgumentException("gradcheck " + subject + ": the function returned a "
                        + out.dtype() + " tensor; the check runs in float64 (does it cast with to(F32)?)");
            }
            return out;
        }

        /** The output's values without the tape, in row-major order. */
        private double[] outputs() {
            try (var ignored = Autograd.noGrad()) {
                Tensor out = evaluate();
                if (!Arrays.equals(out.shape(), weights.shape())) {
                    throw new IllegalStateException("gradcheck " + subject + ": output shape changed from "
                            + Arrays.toString(weights.shape()) + " to " + Arrays.toString(out.shape())
                            + " under a perturbation");
                }
                return out.toDoubleArray();
            }
        }

        private static double dot(double[] a, double[] b) {
            double sum = 0.0;
            for (int j = 0; j < a.length; j++) {
                sum += a[j] * b[j];
            }
            return sum;
        }

        private GradCheckReport stop(String where, String tensor, int[] index, double value, String detail) {
            return new GradCheckReport(subject, options, rows,
                    new GradCheckReport.NonFinite(where, tensor, index, value, detail));
        }
    }
}
