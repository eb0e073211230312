package org.blades.kernels;

// len = values in one run (the S contiguous values of one (sample, channel) pair of an (N, C, S) tensor).
// The batch-norm centre is passed as two floats hi + lo (hi = (float) mean, lo = (float) (mean - hi)), so
// x - mean is computed as (x - hi) - lo: exact to about float64 while staying in float32.

/**
 * The float32 loops of batch norm and of the convolution's fused epilogue, over one contiguous run of values:
 * the per-channel affine map with residual and ReLU, the statistics sums, and the backward sums and input
 * gradient. Each entry point uses {@link BatchNormKernelsVector} when {@link VectorSupport#ENABLED} (C2 does not
 * vectorise these loops: the ReLU select and the mask keep it scalar, 6 to 8 times slower), else its plain twin
 * here ({@code ...Scalar}), which is also the tests' oracle. The element-wise kernels give the same bits on both
 * paths (the same fma, the same order per element); the sums differ by rounding (the vector path sums float32
 * lanes per run, the scalar one float64).
 */
public final class BatchNormKernels {
    private BatchNormKernels() {
    }

    /**
     * {@code y[yOff + i] = relu?(fma((x[xOff + i] - hi) - lo, scale, shift) + r[rOff + i])} for i in [0, len);
     * the residual is added to the rounded affine value; relu as torch's (NaN passes through). x and y may be
     * the same array at the same offset.
     *
     * @param r residual, or null
     */
    public static void affine(float[] x, int xOff, float[] y, int yOff, float[] r, int rOff, int len, float hi,
                              float lo, float scale, float shift, boolean relu) {
        if (VectorSupport.ENABLED) {
            BatchNormKernelsVector.affine(x, xOff, y, yOff, r, rOff, len, hi, lo, scale, shift, relu);
        } else {
            affineScalar(x, xOff, y, yOff, r, rOff, len, hi, lo, scale, shift, relu);
        }
    }

    /** Sum of x[off .. off+len). */
    public static double sum(float[] x, int off, int len) {
        return VectorSupport.ENABLED ? BatchNormKernelsVector.sum(x, off, len) : sumScalar(x, off, len);
    }

    /** Sum of ((x[i] - hi) - lo)^2 over [off, off+len). */
    public static double sumSquaredDeviations(float[] x, int off, int len, float hi, float lo) {
        return VectorSupport.ENABLED
                ? BatchNormKernelsVector.sumSquaredDeviations(x, off, len, hi, lo)
                : sumSquaredDeviationsScalar(x, off, len, hi, lo);
    }

    /**
     * Adds {sum dz, sum dz * ((x - hi) - lo)} over [off, off+len) to acc, with dz = g where y > 0, else 0
     * (the ReLU mask from the forward output y), or dz = g when y is null.
     *
     * @param acc {sum dz, sum dz * (x - mean)}, accumulated into
     */
    public static void gradientSums(float[] g, float[] y, float[] x, int off, int len, float hi, float lo,
                                    double[] acc) {
        if (VectorSupport.ENABLED) {
            BatchNormKernelsVector.gradientSums(g, y, x, off, len, hi, lo, acc);
        } else {
            gradientSumsScalar(g, y, x, off, len, hi, lo, acc);
        }
    }

    /**
     * {@code dx[i] = fma(dz, a, fma((x[i] - hi) - lo, b, d))} and {@code dr[i] = dz} over [off, off+len), dz
     * as in {@link #gradientSums}; dx or dr may be null (not written).
     */
    public static void inputGradient(float[] g, float[] y, float[] x, float[] dx, float[] dr, int off, int len,
                                     float hi, float lo, float a, float b, float d) {
        if (VectorSupport.ENABLED) {
            BatchNormKernelsVector.inputGradient(g, y, x, dx, dr, off, len, hi, lo, a, b, d);
        } else {
            inputGradientScalar(g, y, x, dx, dr, off, len, hi, lo, a, b, d);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Scalar twins

    /** Plain twin of {@link #affine}. */
    public static void affineScalar(float[] x, int xOff, float[] y, int yOff, float[] r, int rOff, int len,
                                    float hi, float lo, float scale, float shift, boolean relu) {
        for (int i = 0; i < len; i++) {
            float v = Math.fma((x[xOff + i] - hi) - lo, scale, shift);
            if (r != null) {
                v += r[rOff + i];
            }
            y[yOff + i] = relu && v <= 0f ? 0f : v;
        }
    }

    /** Plain twin of {@link #sum}: float64 accumulation. */
    public static double sumScalar(float[] x, int off, int len) {
        double s = 0.0;
        for (int i = off; i < off + len; i++) {
            s += x[i];
        }
        return s;
    }

    /** Plain twin of {@link #sumSquaredDeviations}. */
    public static double sumSquaredDeviationsScalar(float[] x, int off, int len, float hi, float lo) {
        double s = 0.0;
        for (int i = off; i < off + len; i++) {
            float c = (x[i] - hi) - lo;
            s += c * c;
        }
        return s;
    }

    /** Plain twin of {@link #gradientSums}. */
    public static void gradientSumsScalar(float[] g, float[] y, float[] x, int off, int len, float hi, float lo,
                                          double[] acc) {
        double sumDz = 0.0;
        double sumDzX = 0.0;
        for (int i = off; i < off + len; i++) {
            float dz = y == null || y[i] > 0f ? g[i] : 0f;
            sumDz += dz;
            sumDzX += dz * ((x[i] - hi) - lo);
        }
        acc[0] += sumDz;
        acc[1] += sumDzX;
    }

    /** Plain twin of {@link #inputGradient}. */
    public static void inputGradientScalar(float[] g, float[] y, float[] x, float[] dx, float[] dr, int off,
                                           int len, float hi, float lo, float a, float b, float d) {
        for (int i = off; i < off + len; i++) {
            float dz = y == null || y[i] > 0f ? g[i] : 0f;
            if (dx != null) {
                dx[i] = Math.fma(dz, a, Math.fma((x[i] - hi) - lo, b, d));
            }
            if (dr != null) {
                dr[i] = dz;
            }
        }
    }
}
