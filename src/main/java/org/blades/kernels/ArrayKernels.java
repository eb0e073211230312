package org.blades.kernels;

import java.util.Arrays;

// n = elements of the run.

/**
 * Element-wise array loops: a parallel fill, and float32 loops that C2 leaves scalar (it cannot rule out that two float[] arguments alias, so it
 * does not vectorise {@code dst[i] += src[i]}): the Vector API versions in {@link ArrayKernelsVector} when
 * {@link VectorSupport#ENABLED}, else the plain twins here, which are also the tests' oracle. Both give the same
 * bits (one float32 addition per element).
 */
public final class ArrayKernels {
    private ArrayKernels() {
    }

    /** dst[dOff + i] += src[sOff + i] for i in [0, n). */
    public static void add(float[] dst, int dOff, float[] src, int sOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.add(dst, dOff, src, sOff, n);
        } else {
            addScalar(dst, dOff, src, sOff, n);
        }
    }

    /** Elements per task of {@link #fill}: large enough that waking a worker pays. */
    private static final int FILL_GRAIN = 1 << 18;

    /**
     * a[from .. to) = v, split over the pool: one core cannot saturate memory bandwidth, and the large fills
     * (zeroGrad, gradient buffers, a weight gradient's scratch) sit on the training step's path.
     */
    public static void fill(float[] a, int from, int to, float v) {
        Parallel.parallelForRange(to - from, FILL_GRAIN, (lo, hi) -> Arrays.fill(a, from + lo, from + hi, v));
    }

    /** Float64 {@link #fill}. */
    public static void fill(double[] a, int from, int to, double v) {
        Parallel.parallelForRange(to - from, FILL_GRAIN, (lo, hi) -> Arrays.fill(a, from + lo, from + hi, v));
    }

    /** Plain twin of {@link #add}. */
    public static void addScalar(float[] dst, int dOff, float[] src, int sOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] += src[sOff + i];
        }
    }
}
