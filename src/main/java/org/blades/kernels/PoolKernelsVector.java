package org.blades.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

// L = float lanes per vector, W = row length, rows = how many rows are combined.

/** Vector API version of {@link PoolKernels}. Load only when {@link VectorSupport#ENABLED}. */
final class PoolKernelsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private PoolKernelsVector() {
    }

    static void columnMax(float[] x, int off, int rows, int W, float[] out) {
        int bound = S.loopBound(W);
        int w = 0;
        for (; w < bound; w += L) {
            FloatVector m = FloatVector.fromArray(S, x, off + w);
            for (int r = 1; r < rows; r++) {
                m = m.max(FloatVector.fromArray(S, x, off + r * W + w));
            }
            m.intoArray(out, w);
        }
        for (; w < W; w++) {
            float m = x[off + w];
            for (int r = 1; r < rows; r++) {
                m = Math.max(m, x[off + r * W + w]);
            }
            out[w] = m;
        }
    }
}
