package org.blades.kernels;

// W = row length, rows = how many rows are combined.

/**
 * The vertical half of a separable max pool: the maximum down a few rows, for every column. The Vector API
 * version in {@link PoolKernelsVector} when {@link VectorSupport#ENABLED} (lane-wise max is Math.max, so NaN
 * wins and the bits are the same), else the plain twin here, which is also the tests' oracle.
 */
public final class PoolKernels {
    private PoolKernels() {
    }

    /**
     * out[w] = max over r in [0, rows) of x[off + r * W + w], for w in [0, W); rows >= 1.
     *
     * @param x   rows of W values at off, W apart
     * @param out (W), overwritten
     */
    public static void columnMax(float[] x, int off, int rows, int W, float[] out) {
        if (VectorSupport.ENABLED) {
            PoolKernelsVector.columnMax(x, off, rows, W, out);
        } else {
            columnMaxScalar(x, off, rows, W, out);
        }
    }

    /** Plain twin of {@link #columnMax}. */
    public static void columnMaxScalar(float[] x, int off, int rows, int W, float[] out) {
        System.arraycopy(x, off, out, 0, W);
        for (int r = 1; r < rows; r++) {
            for (int w = 0; w < W; w++) {
                out[w] = Math.max(out[w], x[off + r * W + w]);
            }
        }
    }
}
