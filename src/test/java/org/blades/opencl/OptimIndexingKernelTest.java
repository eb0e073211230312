package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// n = parameters; T = looked-up tokens, V = vocabulary rows, C = row width.

/**
 * Adam / AdamW against a float64 transcription of torch.optim.Adam / AdamW (the update as the PyTorch docs write
 * it), over several steps; embedding lookup and its accumulating backward against plain loops (exact: copies,
 * and per-column sums in token order, as the oracle adds them).
 *
 * <p>Adam tolerance: the kernel keeps m, v and p in float, the oracle in double; after 3 steps parameters agree to
 * 1e-6 + 1e-5 |ref| (each step moves p by at most about lr = 1e-2, with a relative error of a few float ulp).
 */
class OptimIndexingKernelTest {

    @Test
    void adamAndAdamWMatchTheTorchUpdateOverSeveralSteps() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(51);
        AdamOptions[] options = {AdamOptions.adam(1e-2f), new AdamOptions(1e-2f, 0.8f, 0.99f, 1e-6f, 0.1f, false),
            AdamOptions.adamW(1e-2f, 0.05f)};
        for (AdamOptions o : options) {
            for (int n : new int[] {1, 17, 129}) {
                float[] p = OpenClTestSupport.uniform(rng, n, -1, 1);
                double[] pRef = OpenClTestSupport.widen(p);
                double[] mRef = new double[n];
                double[] vRef = new double[n];
                DeviceBuffer bp = k.device().upload(p);
                DeviceBuffer bm = k.device().allocate(n);
                DeviceBuffer bv = k.device().allocate(n);
                for (int step = 1; step <= 3; step++) {
                    float[] g = OpenClTestSupport.uniform(rng, n, -1, 1);
                    DeviceBuffer bg = k.device().upload(g);
                    k.adamStep(o, step, bp, bg, bm, bv, n);
                    torchStep(o, step, pRef, OpenClTestSupport.widen(g), mRef, vRef);
                }
                String what = o + " n=" + n;
                Tolerance tol = new Tolerance(1e-6, 1e-5);
                TensorCompare.assertClose(what + " p", bp.download(), new int[] {n}, pRef, new int[] {n}, tol);
                TensorCompare.assertClose(what + " m", bm.download(), new int[] {n}, mRef, new int[] {n}, tol);
                TensorCompare.assertClose(what + " v", bv.download(), new int[] {n}, vRef, new int[] {n}, tol);
            }
        }
    }

    /** torch.optim.Adam / AdamW (amsgrad False, maximize False), one step, in double. */
    private static void torchStep(AdamOptions o, int t, double[] p, double[] grad, double[] m, double[] v) {
        double b1 = o.beta1();
        double b2 = o.beta2();
        double lr = o.lr();
        double wd = o.weightDecay();
        for (int i = 0; i < p.length; i++) {
            double g = grad[i];
            if (o.decoupled()) {
                p[i] *= 1 - lr * wd;
            } else {
                g += wd * p[i];
            }
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            double bias1 = 1 - Math.pow(b1, t);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
            p[i] -= lr / bias1 * m[i] / (Math.sqrt(v[i]) / bias2Sqrt + o.eps());
        }
    }

    @Test
    void embeddingLookupAndBackwardWithRepeatedIds() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(53);
        for (int[] tvc : new int[][] {{1, 1, 1}, {17, 3, 65}, {65, 129, 17}, {3, 17, 768}}) {
            int t = tvc[0];
            int v = tvc[1];
            int c = tvc[2];
            int[] ids = new int[t];
            for (int i = 0; i < t; i++) {
                ids[i] = rng.nextInt(v);
            }
            if (t > 2) {
                ids[2] = ids[0]; // a repeated token must receive both gradients
            }
            float[] table = OpenClTestSupport.uniform(rng, v * c, -1, 1);
            float[] dout = OpenClTestSupport.uniform(rng, t * c, -1, 1);
            float[] dtable0 = OpenClTestSupport.uniform(rng, v * c, -1, 1);
            float[] outRef = new float[t * c]; // (T, C)
            float[] dtableRef = dtable0.clone(); // (V, C)
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < c; j++) {
                    outRef[i * c + j] = table[ids[i] * c + j];
                    dtableRef[ids[i] * c + j] += dout[i * c + j];
                }
            }
            DeviceBuffer bt = k.device().upload(table);
            DeviceBuffer bo = k.device().allocate(t * c);
            DeviceBuffer bdo = k.device().upload(dout);
            DeviceBuffer bdt = k.device().upload(dtable0);
            k.embedding(ids, bt, v, c, bo);
            k.embeddingBackward(ids, bdo, bdt, v, c);
            assertThat(bo.download()).as("embedding %s", java.util.Arrays.toString(tvc)).containsExactly(outRef);
            assertThat(bdt.download()).as("embedding backward %s", java.util.Arrays.toString(tvc))
                    .containsExactly(dtableRef);
        }
        DeviceBuffer table = k.device().allocate(6);
        assertThatThrownBy(() -> k.embedding(new int[] {0, 3}, table, 3, 2, k.device().allocate(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 3 at position 1");
    }
}
