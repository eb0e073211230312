package org.blades.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A model's parameters seen as one flat vector θ of P elements, in a fixed order, without moving them:
 * the bi-level step saves θ, perturbs it to θ ± εv, and restores it bit for bit (a saved copy, never
 * add-and-subtract, which would not round-trip in float32).
 *
 * <p>Vectors exchanged with this view ({@link #snapshot()}, {@link #gradient()}, the direction of
 * {@link #addScaled}) are dense tensors of shape (P) in the parameters' dtype.
 */
public final class ParameterVector {
    private final List<Tensor> params;
    private final DType dtype;
    private final int size;

    public ParameterVector(List<Tensor> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("ParameterVector: no parameters");
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.dtype = params.get(0).dtype();
        long n = 0;
        for (Tensor p : params) {
            if (p.dtype() != dtype) {
                throw new IllegalArgumentException("ParameterVector: mixed dtypes " + dtype + " and " + p.describe());
            }
            if (!p.isDense()) {
                throw new IllegalArgumentException("ParameterVector: parameter " + p.describe()
                        + " is a strided view; parameters must own dense storage");
            }
            n += p.numel();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ParameterVector: " + n + " elements exceed 2^31-1");
        }
        this.size = (int) n;
    }

    public List<Tensor> parameters() {
        return params;
    }

    /** P, the total number of elements. */
    public int size() {
        return size;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of θ: (P). */
    public Tensor snapshot() {
        Tensor out = Tensor.empty(dtype, size);
        int o = 0;
        for (Tensor p : params) {
            int n = p.numel();
            if (dtype == DType.F32) {
                System.arraycopy(p.rawF(), 0, out.rawF(), o, n);
            } else {
                System.arraycopy(p.rawD(), 0, out.rawD(), o, n);
            }
            o += n;
        }
        return out;
    }

    /** Writes a saved θ back into the parameters, bit for bit. */
    public void restore(Tensor saved) {
        checkVector("restore", saved);
        int o = 0;
        for (Tensor p : params) {
            int n = p.numel();
            if (dtype == DType.F32) {
                System.arraycopy(saved.rawF(), o, p.rawF(), 0, n);
            } else {
                System.arraycopy(saved.rawD(), o, p.rawD(), 0, n);
            }
            o += n;
        }
    }

    /** θ ← θ + alpha·v in place (used for θ ± εv and for plain SGD steps); not recorded on the tape. */
    public void addScaled(double alpha, Tensor v) {
        checkVector("addScaled", v);
        int o = 0;
        for (Tensor p : params) {
            int n = p.numel();
            if (dtype == DType.F32) {
                float[] dst = p.rawF(); // (n)
                float[] src = v.rawF(); // (P)
                float a = (float) alpha;
                for (int i = 0; i < n; i++) {
                    dst[i] += a * src[o + i];
                }
            } else {
                double[] dst = p.rawD(); // (n)
                double[] src = v.rawD(); // (P)
                for (int i = 0; i < n; i++) {
                    dst[i] += alpha * src[o + i];
                }
            }
            o += n;
        }
    }

    /** The accumulated gradients as one vector (zeros for parameters that have none yet): (P). */
    public Tensor gradient() {
        Tensor out = Tensor.zeros(dtype, size);
        int o = 0;
        for (Tensor p : params) {
            int n = p.numel();
            Tensor g = p.grad();
            if (g != null) {
                Tensor gd = g.contiguous();
                if (dtype == DType.F32) {
                    System.arraycopy(gd.rawF(), 0, out.rawF(), o, n);
                } else {
                    System.arraycopy(gd.rawD(), 0, out.rawD(), o, n);
                }
            }
            o += n;
        }
        return out;
    }

    /** Zeroes every parameter's gradient (backward only ever accumulates). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** Euclidean norm of a (P) vector, accumulated in float64. */
    public static double norm(Tensor v) {
        double[] s = {0.0};
        StridedLoop.forEach(v.shapeRef(), v.stridesRef(), v.offset(), (i, k) -> {
            double x = v.at(k);
            s[0] += x * x;
        });
        return Math.sqrt(s[0]);
    }

    private void checkVector(String op, Tensor v) {
        if (v.dtype() != dtype || v.dim() != 1 || v.numel() != size || !v.isDense()) {
            throw new IllegalArgumentException("ParameterVector." + op + ": expected a dense " + dtype + "(" + size
                    + ",) vector, got " + v.describe());
        }
    }
}
