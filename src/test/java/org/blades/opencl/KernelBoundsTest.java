package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Kernels write straight into Java arrays (Aparapi hands the driver CL_MEM_USE_HOST_PTR memory), so a write past
 * an output would corrupt the JVM heap rather than fail. Each kernel with work-group barriers (where a compiler
 * bug once did exactly that, see kernels/softmax.cl) runs here on outputs followed by a guard region that must
 * come back untouched, on awkward sizes.
 */
class KernelBoundsTest {

    private static final int GUARD = 64;
    private static final float SENTINEL = 4242f;

    @Test
    void reductionsNormsAndSoftmaxWriteOnlyTheirOutputs() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(71);
        for (int[] s : new int[][] {{1, 1, 1}, {3, 17, 1}, {2, 65, 3}, {5, 129, 1}}) {
            int outer = s[0];
            int n = s[1];
            int inner = s[2];
            int numel = outer * n * inner;
            float[] x = OpenClTestSupport.uniform(rng, numel, -3, 3);
            Arrays.fill(x, 0, n * inner, Float.NEGATIVE_INFINITY); // the first row(s) fully masked
            DeviceBuffer bx = k.device().upload(x);
            DeviceBuffer y = guarded(k, numel);
            k.softmax(bx, y, outer, n, inner);
            assertGuard("softmax", y, numel);
            k.logSoftmax(bx, y, outer, n, inner);
            assertGuard("logSoftmax", y, numel);
            DeviceBuffer dx = guarded(k, numel);
            k.softmaxBackward(y, k.device().upload(x), dx, outer, n, inner);
            assertGuard("softmax backward", dx, numel);
            DeviceBuffer r = guarded(k, outer * inner);
            k.reduceSum(k.device().upload(OpenClTestSupport.uniform(rng, numel, -1, 1)), outer, n, inner, 1f, r);
            assertGuard("reduceSum", r, outer * inner);
            DeviceBuffer t = guarded(k, n * inner);
            k.sumTo(k.device().upload(OpenClTestSupport.uniform(rng, numel, -1, 1)), s, t, new int[] {n, inner});
            assertGuard("sumTo", t, n * inner);

            int rows = outer * inner;
            DeviceBuffer ln = guarded(k, rows * n);
            DeviceBuffer mean = guarded(k, rows);
            DeviceBuffer rstd = guarded(k, rows);
            k.layerNorm(k.device().upload(OpenClTestSupport.uniform(rng, rows * n, -1, 1)),
                    k.device().upload(OpenClTestSupport.uniform(rng, n, -1, 1)),
                    k.device().upload(OpenClTestSupport.uniform(rng, n, -1, 1)), ln, mean, rstd, rows, n, 1e-5f);
            assertGuard("layerNorm y", ln, rows * n);
            assertGuard("layerNorm mean", mean, rows);
            assertGuard("layerNorm rstd", rstd, rows);

            if (outer * inner > 1) {
                DeviceBuffer bn = guarded(k, numel);
                DeviceBuffer bm = guarded(k, n);
                DeviceBuffer bs = guarded(k, n);
                BatchNormParams p = new BatchNormParams(guarded(k, n), guarded(k, n), guarded(k, n), guarded(k, n),
                        0.1f, 1e-5f);
                k.batchNorm(BatchNormParams.Mode.TRAIN, k.device().upload(OpenClTestSupport.uniform(rng, numel, -1, 1)),
                        outer, n, inner, p, bn, bm, bs);
                assertGuard("batchNorm y", bn, numel);
                assertGuard("batchNorm mean", bm, n);
                assertGuard("batchNorm running var", p.runningVar(), n);
            }
        }
    }

    private static DeviceBuffer guarded(OpenClKernels k, int n) {
        float[] v = new float[n + GUARD];
        Arrays.fill(v, n, n + GUARD, SENTINEL);
        return k.device().upload(v);
    }

    private static void assertGuard(String what, DeviceBuffer b, int n) {
        float[] v = b.download();
        assertThat(Arrays.copyOfRange(v, n, v.length)).as("%s: the %d floats after its %d outputs", what, GUARD, n)
                .containsOnly(SENTINEL);
    }
}
