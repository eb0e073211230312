package org.blades.gradcheck;

import java.util.Arrays;
import org.blades.tensor.Autograd;
import org.blades.tensor.Tensor;

/**
 * Ops with deliberately wrong backward rules: the gradient check must catch each of them.
 * Legend: N = elements of x.
 */
public final class WrongOps {
    private WrongOps() {
    }

    /** y = x^2 with dx += dy * 2x * scale[i]: scale all ones is the correct rule. */
    public static Tensor squareScaled(Tensor x, double[] scale) {
        double[] xs = x.toDoubleArray(); // (N)
        double[] ys = new double[xs.length]; // (N)
        for (int i = 0; i < xs.length; i++) {
            ys[i] = xs[i] * xs[i];
        }
        Tensor out = Tensor.of(ys, x.shape());
        return Autograd.record("square (deliberately scaled)", out, new Tensor[] {x}, g -> {
            // forward: y = x^2  =>  dx += dy * 2x, times the deliberate error
            double[] gs = g.toDoubleArray(); // (N)
            double[] dx = new double[xs.length]; // (N)
            for (int i = 0; i < xs.length; i++) {
                dx[i] = gs[i] * 2 * xs[i] * scale[i];
            }
            Autograd.accumulate(x, Tensor.of(dx, x.shape()));
        });
    }

    /** Every element's derivative 1% too large. */
    public static Tensor squareOnePercentOff(Tensor x) {
        double[] scale = new double[x.numel()];
        Arrays.fill(scale, 1.01);
        return squareScaled(x, scale);
    }

    /** Correct everywhere except flat element {@code wrong}, whose derivative is 1% too large. */
    public static Tensor squareWrongAt(Tensor x, int wrong) {
        double[] scale = new double[x.numel()];
        Arrays.fill(scale, 1.0);
        scale[wrong] = 1.01;
        return squareScaled(x, scale);
    }

    /**
     * y = 2x with dx += 2 * mean(dy): right when dy is all ones, as under a plain sum() loss, wrong for any other
     * upstream gradient.
     */
    public static Tensor doubleWithMeanGradient(Tensor x) {
        Tensor out = Tensor.of(x.toDoubleArray(), x.shape()).mul(2.0);
        return Autograd.record("double (mean gradient)", out, new Tensor[] {x}, g -> {
            // forward: y = 2x  =>  dx += 2 dy, here deliberately replaced by its mean
            double[] gs = g.toDoubleArray(); // (N)
            double mean = Arrays.stream(gs).average().orElse(0.0);
            double[] dx = new double[gs.length]; // (N)
            Arrays.fill(dx, 2 * mean);
            Autograd.accumulate(x, Tensor.of(dx, x.shape()));
        });
    }
}
