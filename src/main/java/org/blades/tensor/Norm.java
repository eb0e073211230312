package org.blades.tensor;

// Dimensions: R = rows (product of every dimension but the last), C = channels (the last dimension, which
// layer norm normalizes over).

/**
 * Normalisations. Layer norm is a fused primitive in the style of llm.c's layernorm_forward/backward (the
 * per-row mean and reciprocal standard deviation are computed once and saved for backward), pinned in float64
 * to its composition from primitives by the tests. L2 normalisation is composed from primitives.
 */
public final class Norm {
    private Norm() {
    }

    /** torch.nn.functional.normalize's default eps. */
    public static final double L2_DEFAULT_EPS = 1e-12;

    /**
     * Layer normalisation over the last dimension (Ba, Kiros, Hinton 2016, section 3): per row,
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance, as torch.nn.LayerNorm.
     *
     * @param x      (..., C)
     * @param weight (C) or null for no scale
     * @param bias   (C) or null for no shift
     * @param eps    added to the variance, >= 0
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("layerNorm: input must have at least one dimension, got "
                    + x.describe());
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("layerNorm: eps must be finite and >= 0, got " + eps);
        }
        int[] shape = x.shapeRef(); // (rank): (..., C)
        int c = shape[shape.length - 1];
        checkAffine("weight", weight, x, c);
        checkAffine("bias", bias, x, c);
        int rows = c == 0 ? 0 : x.numel() / c;
        Tensor in = x.contiguous().detach(); // (R, C)
        Tensor w = weight == null ? null : weight.contiguous().detach(); // (C)
        Tensor b = bias == null ? null : bias.contiguous().detach(); // (C)
        Tensor out = Tensor.empty(x.dtype(), shape); // (R, C)
        double[] mean = new double[rows]; // (R) saved for backward
        double[] rstd = new double[rows]; // (R) saved for backward: 1 / sqrt(var + eps)
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            double s = 0.0;
            for (int k = 0; k < c; k++) {
                s += in.at(base + k);
            }
            double m = s / c;
            // Two passes: sum((x - m)^2) does not cancel catastrophically as E[x^2] - m^2 would.
            double v = 0.0;
            for (int k = 0; k < c; k++) {
                double xm = in.at(base + k) - m;
                v += xm * xm;
            }
            double rs = 1.0 / Math.sqrt(v / c + eps);
            for (int k = 0; k < c; k++) {
                double norm = (in.at(base + k) - m) * rs;
                double y = norm * (w == null ? 1.0 : w.at(k)) + (b == null ? 0.0 : b.at(k));
                out.put(base + k, y);
            }
            mean[r] = m;
            rstd[r] = rs;
        }
        return Autograd.record("layerNorm", out, new Tensor[] {x, weight, bias}, g -> {
            double[] dw = new double[c]; // (C)
            double[] db = new double[c]; // (C)
            Tensor dx = Tensor.empty(x.dtype(), shape); // (R, C)
            for (int r = 0; r < rows; r++) {
                int base = r * c;
                // forward: norm = (x - mean) * rstd; y = norm * w + b
                //   =>  dnorm = dy * w;  dw += dy * norm;  db += dy;
                //       dx += (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd
                // (the mean terms are the paths through mean and rstd, which depend on the whole row)
                double dnormMean = 0.0;
                double dnormNormMean = 0.0;
                for (int k = 0; k < c; k++) {
                    double norm = (in.at(base + k) - mean[r]) * rstd[r];
                    double dnorm = g.at(base + k) * (w == null ? 1.0 : w.at(k));
                    dnormMean += dnorm;
                    dnormNormMean += dnorm * norm;
                }
                dnormMean /= c;
                dnormNormMean /= c;
                for (int k = 0; k < c; k++) {
                    double dy = g.at(base + k);
                    double norm = (in.at(base + k) - mean[r]) * rstd[r];
                    double dnorm = dy * (w == null ? 1.0 : w.at(k));
                    dw[k] += dy * norm;
                    db[k] += dy;
                    dx.put(base + k, (dnorm - dnormMean - norm * dnormNormMean) * rstd[r]);
                }
            }
            Autograd.accumulate(x, dx);
            if (weight != null && weight.requiresGrad()) {
                Autograd.accumulate(weight, fromDoubles(x.dtype(), dw));
            }
            if (bias != null && bias.requiresGrad()) {
                Autograd.accumulate(bias, fromDoubles(x.dtype(), db));
            }
        });
    }

    private static void checkAffine(String role, Tensor p, Tensor x, int c) {
        if (p == null) {
            return;
        }
        if (p.dim() != 1 || p.size(0) != c || p.dtype() != x.dtype()) {
            throw new IllegalArgumentException("layerNorm: " + role + " must be " + x.dtype() + "(" + c
                    + ",) to match the last dimension of input " + x.describe() + ", got " + p.describe());
        }
    }

    private static Tensor fromDoubles(DType dtype, double[] v /* (C) */) {
        Tensor t = Tensor.empty(dtype, v.length); // (C)
        for (int i = 0; i < v.length; i++) {
            t.put(i, v[i]);
        }
        return t;
    }

    /** {@link #l2Normalize(Tensor, int, double)} with torch's default eps 1e-12. */
    public static Tensor l2Normalize(Tensor x, int axis) {
        return l2Normalize(x, axis, L2_DEFAULT_EPS);
    }

    /**
     * {@code x / max(||x||_2, eps)} along {@code axis}, as torch.nn.functional.normalize(x, 2, axis, eps);
     * composed from primitives.
     */
    public static Tensor l2Normalize(Tensor x, int axis, double eps) {
        if (axis < -x.dim() || axis >= x.dim()) {
            throw new IllegalArgumentException("l2Normalize: axis " + axis + " is out of range for input "
                    + x.describe());
        }
        int a = axis < 0 ? axis + x.dim() : axis;
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("l2Normalize: eps must be finite and >= 0, got " + eps);
        }
        // max(sqrt(s), eps) == sqrt(max(s, eps^2)). Clamping before the sqrt keeps the gradient of an all-zero
        // slice finite (dx = dy / eps, as torch): clamping after it would multiply sqrt'(0) = inf by clamp's 0.
        Tensor norm = x.mul(x).sum(true, a).clamp(eps * eps, Double.POSITIVE_INFINITY).sqrt();
        return x.div(norm);
    }
}
