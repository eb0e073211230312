package org.blades.kernels;

import java.util.Arrays;

// n = elements of the run.

/**
 * Element-wise array loops: a parallel fill, and float32 loops that C2 leaves scalar (it cannot rule out that two
 * float[] arguments alias, so it does not vectorise {@code dst[i] += src[i]} or {@code dst[i] = a[i] - b[i]}):
 * the Vector API versions in {@link ArrayKernelsVector} when {@link VectorSupport#ENABLED}, else the plain twins
 * here, which are also the tests' oracle. Both give the same bits (the same float32 operations per element).
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

    /** dst[dOff + i] = a[aOff + i] - b[bOff + i] for i in [0, n). */
    public static void sub(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.sub(dst, dOff, a, aOff, b, bOff, n);
        } else {
            subScalar(dst, dOff, a, aOff, b, bOff, n);
        }
    }

    /** dst[dOff + i] = a[aOff + i] + b[bOff + i] for i in [0, n). */
    public static void sum(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.sum(dst, dOff, a, aOff, b, bOff, n);
        } else {
            sumScalar(dst, dOff, a, aOff, b, bOff, n);
        }
    }

    /** dst[dOff + i] = (a[aOff + i] + b[bOff + i]) + c[cOff + i] for i in [0, n). */
    public static void sum3(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                            int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.sum3(dst, dOff, a, aOff, b, bOff, c, cOff, n);
        } else {
            sum3Scalar(dst, dOff, a, aOff, b, bOff, c, cOff, n);
        }
    }

    /** dst[dOff + i] = (a[aOff + i] - b[bOff + i]) - c[cOff + i] for i in [0, n). */
    public static void sub3(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                            int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.sub3(dst, dOff, a, aOff, b, bOff, c, cOff, n);
        } else {
            sub3Scalar(dst, dOff, a, aOff, b, bOff, c, cOff, n);
        }
    }

    /** dst[dOff + i] = -a[aOff + i] for i in [0, n): a sign flip, so -0 for +0 (unlike {@code 0 - a}). */
    public static void neg(float[] dst, int dOff, float[] a, int aOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.neg(dst, dOff, a, aOff, n);
        } else {
            negScalar(dst, dOff, a, aOff, n);
        }
    }

    /**
     * Splits n consecutive elements by parity: even[eOff + k] = src[sOff + 2k] for 2k < n and
     * odd[oOff + k] = src[sOff + 2k + 1] for 2k + 1 < n.
     */
    public static void deinterleave(float[] even, int eOff, float[] odd, int oOff, float[] src, int sOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.deinterleave(even, eOff, odd, oOff, src, sOff, n);
        } else {
            deinterleaveScalar(even, eOff, odd, oOff, src, sOff, n);
        }
    }

    /**
     * The inverse of {@link #deinterleave}: dst[dOff + 2k] = even[eOff + k] for 2k < n and
     * dst[dOff + 2k + 1] = odd[oOff + k] for 2k + 1 < n.
     */
    public static void interleave(float[] dst, int dOff, float[] even, int eOff, float[] odd, int oOff, int n) {
        if (VectorSupport.ENABLED) {
            ArrayKernelsVector.interleave(dst, dOff, even, eOff, odd, oOff, n);
        } else {
            interleaveScalar(dst, dOff, even, eOff, odd, oOff, n);
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

    /** Plain twin of {@link #sub}. */
    public static void subScalar(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = a[aOff + i] - b[bOff + i];
        }
    }

    /** Plain twin of {@link #sum}. */
    public static void sumScalar(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    /** Plain twin of {@link #sum3}. */
    public static void sum3Scalar(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c,
                                  int cOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = a[aOff + i] + b[bOff + i] + c[cOff + i];
        }
    }

    /** Plain twin of {@link #sub3}. */
    public static void sub3Scalar(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c,
                                  int cOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = a[aOff + i] - b[bOff + i] - c[cOff + i];
        }
    }

    /** Plain twin of {@link #neg}. */
    public static void negScalar(float[] dst, int dOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = -a[aOff + i];
        }
    }

    /** Plain twin of {@link #deinterleave}. */
    public static void deinterleaveScalar(float[] even, int eOff, float[] odd, int oOff, float[] src, int sOff,
                                          int n) {
        int k = 0;
        for (; 2 * k + 1 < n; k++) {
            even[eOff + k] = src[sOff + 2 * k];
            odd[oOff + k] = src[sOff + 2 * k + 1];
        }
        if (2 * k < n) {
            even[eOff + k] = src[sOff + 2 * k];
        }
    }

    /** Plain twin of {@link #interleave}. */
    public static void interleaveScalar(float[] dst, int dOff, float[] even, int eOff, float[] odd, int oOff,
                                        int n) {
        int k = 0;
        for (; 2 * k + 1 < n; k++) {
            dst[dOff + 2 * k] = even[eOff + k];
            dst[dOff + 2 * k + 1] = odd[oOff + k];
        }
        if (2 * k < n) {
            dst[dOff + 2 * k] = even[eOff + k];
        }
    }

    /** Plain twin of {@link #add}. */
    public static void addScalar(float[] dst, int dOff, float[] src, int sOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] += src[sOff + i];
        }
    }
}
