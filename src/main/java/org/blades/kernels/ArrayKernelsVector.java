package org.blades.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

// L = float lanes per vector, n = elements of the run.

/** Vector API versions of {@link ArrayKernels}' loops. Load only when {@link VectorSupport#ENABLED}. */
final class ArrayKernelsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ArrayKernelsVector() {
    }

    static void add(float[] dst, int dOff, float[] src, int sOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, dst, dOff + i).add(FloatVector.fromArray(S, src, sOff + i))
                    .intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] += src[sOff + i];
        }
    }

    static void sub(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = a[aOff + i] - b[bOff + i];
        }
    }

    static void sum(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    static void sum3(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i))
                    .add(FloatVector.fromArray(S, c, cOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = a[aOff + i] + b[bOff + i] + c[cOff + i];
        }
    }

    static void sub3(float[] dst, int dOff, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i))
                    .sub(FloatVector.fromArray(S, c, cOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = a[aOff + i] - b[bOff + i] - c[cOff + i];
        }
    }
}
