package org.blades.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

// L = float lanes per vector, n = elements of the run.

/** Vector API versions of {@link ArrayKernels}' loops. Load only when {@link VectorSupport#ENABLED}. */
final class ArrayKernelsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /*
     * Constant shuffles and masks, folded by C2 into registers. Single-vector rearranges and a blend: the
     * two-vector rearrange of JDK 17 wraps and validates its shuffle on every call (measured 1.7 times slower
     * than the scalar loop).
     */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.iota(S, 0, 2, true); // 0, 2, .., L-2, 0, 2, ..
    private static final VectorShuffle<Float> ODDS = VectorShuffle.iota(S, 1, 2, true); // 1, 3, .., L-1, 1, 3, ..
    private static final VectorShuffle<Float> PAIRS_LO = S.shuffleFromOp(j -> j >> 1); // 0, 0, 1, 1, .., L/2-1
    private static final VectorShuffle<Float> PAIRS_HI = S.shuffleFromOp(j -> L / 2 + (j >> 1));
    private static final VectorMask<Float> UPPER_HALF = S.indexInRange(-L / 2, L / 2); // lanes L/2 .. L-1
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL);

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

    static void neg(float[] dst, int dOff, float[] a, int aOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).neg().intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = -a[aOff + i];
        }
    }

    static void deinterleave(float[] even, int eOff, float[] odd, int oOff, float[] src, int sOff, int n) {
        int k = 0;
        for (; 2 * k + 2 * L <= n; k += L) {
            FloatVector lo = FloatVector.fromArray(S, src, sOff + 2 * k);
            FloatVector hi = FloatVector.fromArray(S, src, sOff + 2 * k + L);
            lo.rearrange(EVENS).blend(hi.rearrange(EVENS), UPPER_HALF).intoArray(even, eOff + k);
            lo.rearrange(ODDS).blend(hi.rearrange(ODDS), UPPER_HALF).intoArray(odd, oOff + k);
        }
        for (; 2 * k + 1 < n; k++) {
            even[eOff + k] = src[sOff + 2 * k];
            odd[oOff + k] = src[sOff + 2 * k + 1];
        }
        if (2 * k < n) {
            even[eOff + k] = src[sOff + 2 * k];
        }
    }

    static void interleave(float[] dst, int dOff, float[] even, int eOff, float[] odd, int oOff, int n) {
        int k = 0;
        for (; 2 * k + 2 * L <= n; k += L) {
            FloatVector e = FloatVector.fromArray(S, even, eOff + k);
            FloatVector o = FloatVector.fromArray(S, odd, oOff + k);
            e.rearrange(PAIRS_LO).blend(o.rearrange(PAIRS_LO), ODD_LANES).intoArray(dst, dOff + 2 * k);
            e.rearrange(PAIRS_HI).blend(o.rearrange(PAIRS_HI), ODD_LANES).intoArray(dst, dOff + 2 * k + L);
        }
        for (; 2 * k + 1 < n; k++) {
            dst[dOff + 2 * k] = even[eOff + k];
            dst[dOff + 2 * k + 1] = odd[oOff + k];
        }
        if (2 * k < n) {
            dst[dOff + 2 * k] = even[eOff + k];
        }
    }
}
