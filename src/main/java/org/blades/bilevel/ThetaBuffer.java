package org.blades.bilevel;

import java.util.List;
import org.blades.tensor.DType;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

// P = parameters θ (all elements), n = elements of one parameter

/**
 * A saved copy of θ and the in-place moves of the finite-difference hypergradient, done parameter by parameter on
 * the parameters' own arrays and gradients. Nothing of size P is allocated per step: v stays in the parameters'
 * gradients, where the outer backward put it, until θ⁻ has been evaluated, and the copy is reused across steps.
 * On a model with millions of parameters this bookkeeping would otherwise cost as much as a small forward pass.
 *
 * <p>The arithmetic is {@link ParameterVector#addScaled}'s (float32: {@code p += (float) scale * x}, one rounding
 * of the product, one of the sum) and the norm is {@link ParameterVector#norm}'s (float64 sum of squares in
 * parameter order), so results do not depend on which of the two a caller uses.
 */
final class ThetaBuffer {
    private final List<Tensor> params;
    private final DType dtype;
    private final float[][] saved32; // per parameter (n), float32 models
    private final double[][] saved64; // per parameter (n), float64 models

    ThetaBuffer(ParameterVector theta) {
        this.params = theta.parameters();
        this.dtype = theta.dtype();
        int k = params.size();
        this.saved32 = dtype == DType.F32 ? new float[k][] : null;
        this.saved64 = dtype == DType.F64 ? new double[k][] : null;
        for (int i = 0; i < k; i++) {
            int n = params.get(i).numel();
            if (dtype == DType.F32) {
                saved32[i] = new float[n];
            } else {
                saved64[i] = new double[n];
            }
        }
    }

    /** saved ← θ. */
    void save() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (dtype == DType.F32) {
                System.arraycopy(p.f32(), 0, saved32[i], 0, saved32[i].length);
            } else {
                System.arraycopy(p.f64(), 0, saved64[i], 0, saved64[i].length);
            }
        }
    }

    /** θ ← saved, bit for bit. */
    void restore() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (dtype == DType.F32) {
                System.arraycopy(saved32[i], 0, p.f32(), 0, saved32[i].length);
            } else {
                System.arraycopy(saved64[i], 0, p.f64(), 0, saved64[i].length);
            }
        }
    }

    /** θ ← θ + scale · ∇, ∇ the parameters' accumulated gradients (a parameter without one stays). */
    void addGradient(double scale) {
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g != null) {
                add(i, scale, g.contiguous());
            }
        }
    }

    /** θ ← θ + scale · saved. */
    void addSaved(double scale) {
        for (int i = 0; i < params.size(); i++) {
            if (dtype == DType.F32) {
                axpy(params.get(i).f32(), (float) scale, saved32[i]);
            } else {
                axpy(params.get(i).f64(), scale, saved64[i]);
            }
        }
    }

    /** ‖∇‖ over all parameters' gradients, accumulated in float64 in parameter order. */
    double gradientNorm() {
        double s = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            Tensor d = g.contiguous();
            if (dtype == DType.F32) {
                for (float x : d.f32()) {
                    s += (double) x * x;
                }
            } else {
                for (double x : d.f64()) {
                    s += x * x;
                }
            }
        }
        return Math.sqrt(s);
    }

    private void add(int i, double scale, Tensor x) {
        if (dtype == DType.F32) {
            axpy(params.get(i).f32(), (float) scale, x.f32());
        } else {
            axpy(params.get(i).f64(), scale, x.f64());
        }
    }

    /** y += a·x, (n). */
    private static void axpy(float[] y, float a, float[] x) {
        for (int j = 0; j < y.length; j++) {
            y[j] += a * x[j];
        }
    }

    /** y += a·x, (n). */
    private static void axpy(double[] y, double a, double[] x) {
        for (int j = 0; j < y.length; j++) {
            y[j] += a * x[j];
        }
    }
}
