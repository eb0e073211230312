package org.blades.kernels;

// n = elements of the run.

/**
 * Element-wise float32 loops that C2 leaves scalar (it cannot rule out that two float[] arguments alias, so it
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

    /** Plain twin of {@link #add}. */
    public static void addScalar(float[] dst, int dOff, float[] src, int sOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] += src[sOff + i];
        }
    }
}
