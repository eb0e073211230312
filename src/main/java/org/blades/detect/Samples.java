package org.blades.detect;

import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

/**
 * A feature matrix as the detectors' kernels want it: float64, row-major, dense.
 *
 * <p>Legend: N = samples (rows), D = feature dimensions (columns).
 *
 * @param x (N, D) row-major
 */
record Samples(double[] x, int n, int d) {

    Samples {
        if (n < 0 || d < 1 || (long) n * d != x.length) {
            throw new IllegalArgumentException("samples: " + x.length + " values do not form (" + n + ", " + d + ")");
        }
    }

    /**
     * The rows of a 2-D tensor (float32 or float64) in float64. A dense float64 tensor is used in place,
     * without a copy; callers never write into it.
     */
    static Samples of(Tensor t, String op) {
        if (t.dim() != 2) {
            throw new IllegalArgumentException(op + ": features must be 2-D (N, D), got shape "
                    + java.util.Arrays.toString(t.shape()));
        }
        return new Samples(t.detach().to(DType.F64).contiguous().f64(), t.size(0), t.size(1));
    }

    /** Throws unless every value is finite: one NaN feature would otherwise turn every score into NaN. */
    void requireFinite(String op) {
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException(op + ": feature (" + i / d + ", " + i % d + ") is " + x[i]);
            }
        }
    }
}
