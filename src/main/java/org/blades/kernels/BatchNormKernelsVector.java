package org.blades.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

// L = float lanes per vector; len = values in the run; hi + lo = the batch-norm centre (see BatchNormKernels).

/**
 * Vector API versions of {@link BatchNormKernels}' loops: flat loops over L lanes with a scalar tail, no
 * vectors stored or passed to helpers. Load only when {@link VectorSupport#ENABLED}. Sums keep float32 lane
 * accumulators over one run (two independent ones, so the adds overlap) and reduce them into float64 at its
 * end; a run is at most one image plane (12,544 values in ResNet-50), so each lane sums a few hundred terms.
 */
final class BatchNormKernelsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private BatchNormKernelsVector() {
    }

    static void affine(float[] x, int xOff, float[] y, int yOff, float[] r, int rOff, int len, float hi, float lo,
                       float scale, float shift, boolean relu) {
        int bound = S.loopBound(len);
        int i = 0;
        if (r == null && !relu) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).sub(hi).sub(lo).fma(scale, shift).intoArray(y, yOff + i);
            }
        } else if (r == null) {
            for (; i < bound; i += L) {
                // lanewise MAX is Math.max: NaN passes, max(-0, 0) = 0, as the scalar select
                FloatVector.fromArray(S, x, xOff + i).sub(hi).sub(lo).fma(scale, shift).max(0f)
                        .intoArray(y, yOff + i);
            }
        } else if (relu) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).sub(hi).sub(lo).fma(scale, shift)
                        .add(FloatVector.fromArray(S, r, rOff + i)).max(0f).intoArray(y, yOff + i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).sub(hi).sub(lo).fma(scale, shift)
                        .add(FloatVector.fromArray(S, r, rOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < len; i++) {
            float v = Math.fma((x[xOff + i] - hi) - lo, scale, shift);
            if (r != null) {
                v += r[rOff + i];
            }
            y[yOff + i] = relu && v <= 0f ? 0f : v;
        }
    }

    static double sum(float[] x, int off, int len) {
        int bound2 = len - len % (2 * L);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound2; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += x[off + i];
        }
        return s;
    }

    static double sumSquaredDeviations(float[] x, int off, int len, float hi, float lo) {
        int bound2 = len - len % (2 * L);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound2; i += 2 * L) {
            FloatVector c0 = FloatVector.fromArray(S, x, off + i).sub(hi).sub(lo);
            FloatVector c1 = FloatVector.fromArray(S, x, off + i + L).sub(hi).sub(lo);
            a0 = c0.fma(c0, a0);
            a1 = c1.fma(c1, a1);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float c = (x[off + i] - hi) - lo;
            s += c * c;
        }
        return s;
    }

    static void gradientSums(float[] g, float[] y, float[] x, int off, int len, float hi, float lo, double[] acc) {
        int bound = S.loopBound(len);
        FloatVector sumDz = FloatVector.zero(S);
        FloatVector sumDzX = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector dz = FloatVector.fromArray(S, g, off + i);
            if (y != null) {
                VectorMask<Float> cut = FloatVector.fromArray(S, y, off + i).compare(VectorOperators.GT, 0f).not();
                dz = dz.blend(0f, cut);
            }
            FloatVector xc = FloatVector.fromArray(S, x, off + i).sub(hi).sub(lo);
            sumDz = sumDz.add(dz);
            sumDzX = dz.fma(xc, sumDzX);
        }
        double d = sumDz.reduceLanes(VectorOperators.ADD);
        double p = sumDzX.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            int k = off + i;
            float dz = y == null || y[k] > 0f ? g[k] : 0f;
            d += dz;
            p += dz * ((x[k] - hi) - lo);
        }
        acc[0] += d;
        acc[1] += p;
    }

    static void inputGradient(float[] g, float[] y, float[] x, float[] dx, float[] dr, int off, int len, float hi,
                              float lo, float a, float b, float d) {
        int bound = S.loopBound(len);
        int i = 0;
        for (; i < bound; i += L) {
            int k = off + i;
            FloatVector dz = FloatVector.fromArray(S, g, k);
            if (y != null) {
                dz = dz.blend(0f, FloatVector.fromArray(S, y, k).compare(VectorOperators.GT, 0f).not());
            }
            if (dx != null) {
                FloatVector rest = FloatVector.fromArray(S, x, k).sub(hi).sub(lo).fma(b, d);
                dz.fma(FloatVector.broadcast(S, a), rest).intoArray(dx, k);
            }
            if (dr != null) {
                dz.intoArray(dr, k);
            }
        }
        for (; i < len; i++) {
            int k = off + i;
            float dz = y == null || y[k] > 0f ? g[k] : 0f;
            if (dx != null) {
                dx[k] = Math.fma(dz, a, Math.fma((x[k] - hi) - lo, b, d));
            }
            if (dr != null) {
                dr[k] = dz;
            }
        }
    }
}
