package org.blades.opencl;

import java.util.SplittableRandom;
import org.blades.tensor.BatchNorm;
import org.blades.tensor.Norm;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// R = rows, C = channels (layer norm: the normalised last dimension); batch norm: B = batch, C = channels,
// S = positions per channel and sample, M = B * S values per channel.

/**
 * Layer norm and batch norm (TRAIN with the running-statistics update, and EVAL), forward and backward, against
 * Norm.layerNorm and BatchNorm.forward in float64 with autograd, on odd shapes.
 *
 * <p>Tolerances: the statistics are float sums of up to M = 3,575 values (the oracle's are float64), so the
 * normalised outputs and gradients carry errors of about sqrt(M) ulp of the largest term: 1e-5 + 1e-5 |ref|, and
 * 3e-5 + 1e-5 |ref| for the parameter gradients, sums over every row or sample.
 */
class NormKernelTest {

    private static final Tolerance VALUES = new Tolerance(1e-5, 1e-5);
    private static final Tolerance PARAM_GRADS = new Tolerance(3e-5, 1e-5);

    @Test
    void layerNormForwardAndBackward() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(31);
        int[][] shapes = {{1, 1}, {3, 17}, {17, 65}, {1, 129}, {5, 768}, {65, 3}};
        for (int[] s : shapes) {
            int rows = s[0];
            int c = s[1];
            float[] x = OpenClTestSupport.uniform(rng, rows * c, -3, 5);
            float[] w = OpenClTestSupport.uniform(rng, c, 0.5, 1.5);
            float[] b = OpenClTestSupport.uniform(rng, c, -1, 1);
            float[] dy = OpenClTestSupport.uniform(rng, rows * c, -1, 1);
            float[] dx0 = OpenClTestSupport.uniform(rng, rows * c, -1, 1);
            float[] dw0 = OpenClTestSupport.uniform(rng, c, -1, 1);
            float[] db0 = OpenClTestSupport.uniform(rng, c, -1, 1);
            Tensor xt = Tensor.of(OpenClTestSupport.widen(x), s).requiresGrad(true);
            Tensor wt = Tensor.of(OpenClTestSupport.widen(w), c).requiresGrad(true);
            Tensor bt = Tensor.of(OpenClTestSupport.widen(b), c).requiresGrad(true);
            Tensor yt = Norm.layerNorm(xt, wt, bt, 1e-5);
            yt.backward(Tensor.of(OpenClTestSupport.widen(dy), s));

            DeviceBuffer bx = k.device().upload(x);
            DeviceBuffer bw = k.device().upload(w);
            DeviceBuffer bb = k.device().upload(b);
            DeviceBuffer by = k.device().allocate(rows * c);
            DeviceBuffer mean = k.device().allocate(rows);
            DeviceBuffer rstd = k.device().allocate(rows);
            DeviceBuffer bdy = k.device().upload(dy);
            DeviceBuffer bdx = k.device().upload(dx0);
            DeviceBuffer bdw = k.device().upload(dw0);
            DeviceBuffer bdb = k.device().upload(db0);
            k.layerNorm(bx, bw, bb, by, mean, rstd, rows, c, 1e-5f);
            k.layerNormBackward(bx, bw, mean, rstd, bdy, bdx, bdw, bdb, rows, c);
            String what = "layerNorm " + java.util.Arrays.toString(s);
            TensorCompare.assertClose(what + " y", by.download(), s, yt.toDoubleArray(), s, VALUES);
            TensorCompare.assertClose(what + " dx", bdx.download(), s, plus(xt.grad(), dx0), s, VALUES);
            TensorCompare.assertClose(what + " dw", bdw.download(), new int[] {c}, plus(wt.grad(), dw0),
                    new int[] {c}, PARAM_GRADS);
            TensorCompare.assertClose(what + " db", bdb.download(), new int[] {c}, plus(bt.grad(), db0),
                    new int[] {c}, PARAM_GRADS);
        }
    }

    @Test
    void batchNormTrainAndEvalForwardAndBackward() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(33);
        int[][] shapes = {{2, 3, 1, 1}, {3, 17, 5, 5}, {1, 1, 3, 17}, {17, 65}, {5, 3, 13, 55}};
        for (BatchNormParams.Mode mode : BatchNormParams.Mode.values()) {
            for (int[] s : shapes) {
                checkBatchNorm(k, rng, mode, s);
            }
        }
    }

    private static void checkBatchNorm(OpenClKernels k, SplittableRandom rng, BatchNormParams.Mode mode, int[] s) {
        int batch = s[0];
        int c = s[1];
        int sp = s.length == 4 ? s[2] * s[3] : 1;
        int numel = batch * c * sp;
        float[] x = OpenClTestSupport.uniform(rng, numel, -2, 6); // |mean| > std: the centring must not cancel
        float[] gamma = OpenClTestSupport.uniform(rng, c, 0.5, 1.5);
        float[] beta = OpenClTestSupport.uniform(rng, c, -1, 1);
        float[] rMean = OpenClTestSupport.uniform(rng, c, -1, 1);
        float[] rVar = OpenClTestSupport.uniform(rng, c, 0.5, 2);
        float[] dy = OpenClTestSupport.uniform(rng, numel, -1, 1);
        float[] dx0 = OpenClTestSupport.uniform(rng, numel, -1, 1);
        float[] dg0 = OpenClTestSupport.uniform(rng, c, -1, 1);
        float[] db0 = OpenClTestSupport.uniform(rng, c, -1, 1);

        Tensor xt = Tensor.of(OpenClTestSupport.widen(x), s).requiresGrad(true);
        BatchNorm.Params p = new BatchNorm.Params(
                Tensor.of(OpenClTestSupport.widen(gamma), c).requiresGrad(true),
                Tensor.of(OpenClTestSupport.widen(beta), c).requiresGrad(true),
                Tensor.of(OpenClTestSupport.widen(rMean), c), Tensor.of(OpenClTestSupport.widen(rVar), c), 0.1, 1e-5);
        Tensor yt = BatchNorm.forward(xt, p, mode == BatchNormParams.Mode.TRAIN ? BatchNorm.Mode.TRAIN
                : BatchNorm.Mode.EVAL);
        yt.backward(Tensor.of(OpenClTestSupport.widen(dy), s));

        DeviceBuffer bx = k.device().upload(x);
        BatchNormParams bp = new BatchNormParams(k.device().upload(gamma), k.device().upload(beta),
                k.device().upload(rMean), k.device().upload(rVar), 0.1f, 1e-5f);
        DeviceBuffer by = k.device().allocate(numel);
        DeviceBuffer mean = k.device().allocate(c);
        DeviceBuffer invStd = k.device().allocate(c);
        DeviceBuffer bdy = k.device().upload(dy);
        DeviceBuffer bdx = k.device().upload(dx0);
        DeviceBuffer bdg = k.device().upload(dg0);
        DeviceBuffer bdb = k.device().upload(db0);
        k.batchNorm(mode, bx, batch, c, sp, bp, by, mean, invStd);
        k.batchNormBackward(mode, bx, batch, c, sp, bp.gamma(), mean, invStd, bdy, bdx, bdg, bdb);

        String what = "batchNorm " + mode + " " + java.util.Arrays.toString(s);
        int[] cs = {c};
        TensorCompare.assertClose(what + " y", by.download(), s, yt.toDoubleArray(), s, VALUES);
        TensorCompare.assertClose(what + " running mean", bp.runningMean().download(), cs,
                p.runningMean().toDoubleArray(), cs, VALUES);
        TensorCompare.assertClose(what + " running var", bp.runningVar().download(), cs,
                p.runningVar().toDoubleArray(), cs, VALUES);
        TensorCompare.assertClose(what + " dx", bdx.download(), s, plus(xt.grad(), dx0), s, VALUES);
        TensorCompare.assertClose(what + " dgamma", bdg.download(), cs, plus(p.weight().grad(), dg0), cs, PARAM_GRADS);
        TensorCompare.assertClose(what + " dbeta", bdb.download(), cs, plus(p.bias().grad(), db0), cs, PARAM_GRADS);
    }

    private static double[] plus(Tensor grad, float[] initial) {
        double[] g = grad.toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            g[i] += initial[i];
        }
        return g;
    }
}
