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
}
