package org.blades.opencl;

import java.util.SplittableRandom;
import org.blades.kernels.ConvGeometry;
import org.blades.tensor.Activation;
import org.blades.tensor.BatchNorm;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.Pool;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// B = batch (4), C = input channels (3), H/W = image size (9x7), F = conv filters (5), HP/WP = pooled size,
// L = classes (3).

/**
 * One training step of a tiny CNN written twice: with the OpenCL kernels (every tensor on the device; only the
 * inputs, the labels' loss gradient and the results cross) and with the CPU tensor core in float64 with autograd
 * plus a float64 AdamW. The network:
 * x (B, C, H, W) -> conv 3x3 pad 1 (no bias, as in ResNet: before batch norm its true gradient is 0, which Adam
 * would turn into +-lr steps of rounding noise) -> batch norm (train) -> relu -> max pool 2x2 -> global average pool
 * (B, F) -> linear (L, F) + bias -> log-softmax -> mean negative log-likelihood of the labels; then AdamW on every
 * parameter. The loss, every gradient, the running statistics and the updated parameters must agree.
 *
 * <p>Tolerance 1e-5 + 1e-4 |ref|: float32 against float64 through a dozen ops, with batch-norm statistics over
 * 252 values per channel and one AdamW step that moves each parameter by up to lr = 1e-2.
 */
class TinyTrainingStepTest {

    private static final int B = 4;
    private static final int C = 3;
    private static final int H = 9;
    private static final int W = 7;
    private static final int F = 5;
    private static final int L = 3;
    private static final Tolerance TOL = new Tolerance(1e-5, 1e-4);

    @Test
    void oneAdamWStepAgreesWithTheCpuBackend() {
        OpenClKernels k = OpenClTestSupport.kernels();
        OpenClDevice d = k.device();
        SplittableRandom rng = new SplittableRandom(61);
        float[] x = OpenClTestSupport.uniform(rng, B * C * H * W, -1, 1);
        float[] convW = OpenClTestSupport.uniform(rng, F * C * 9, -0.5, 0.5);
        float[] gamma = OpenClTestSupport.uniform(rng, F, 0.8, 1.2);
        float[] beta = OpenClTestSupport.uniform(rng, F, -0.1, 0.1);
        float[] linW = OpenClTestSupport.uniform(rng, L * F, -0.5, 0.5);
        float[] linB = OpenClTestSupport.uniform(rng, L, -0.1, 0.1);
        int[] labels = {0, 2, 1, 2};
        AdamOptions adamW = AdamOptions.adamW(1e-2f, 0.01f);

        // ---- CPU, float64, autograd
        Tensor xt = Tensor.of(OpenClTestSupport.widen(x), B, C, H, W);
        Tensor[] params = {
            Tensor.of(OpenClTestSupport.widen(convW), F, C, 3, 3).requiresGrad(true),
            Tensor.of(OpenClTestSupport.widen(gamma), F).requiresGrad(true),
            Tensor.of(OpenClTestSupport.widen(beta), F).requiresGrad(true),
            Tensor.of(OpenClTestSupport.widen(linW), L, F).requiresGrad(true),
            Tensor.of(OpenClTestSupport.widen(linB), L).requiresGrad(true)};
        BatchNorm.Params bnCpu = new BatchNorm.Params(params[1], params[2], Tensor.zeros(params[1].dtype(), F),
                Tensor.ones(params[1].dtype(), F), 0.1, 1e-5);
        Tensor h = Conv.conv2d(xt, params[0], null, Conv2dOptions.of(1, 1));
        h = Activation.relu(BatchNorm.forward(h, bnCpu, BatchNorm.Mode.TRAIN));
        h = Pool.globalAvgPool(Pool.maxPool2d(h, 2, 2, 0)); // (B, F)
        Tensor logits = h.matmul(params[3].transpose(0, 1)).add(params[4]); // (B, L)
        double[] oneHot = new double[B * L];
        for (int b = 0; b < B; b++) {
            oneHot[b * L + labels[b]] = 1;
        }
        Tensor loss = Activation.logSoftmax(logits, 1).mul(Tensor.of(oneHot, B, L)).sum().mul(-1.0 / B);
        loss.backward();

        // ---- OpenCL, float32
        ConvGeometry conv = new ConvGeometry(C, H, W, 3, 3, 1, 1, 1, 1);
        ConvGeometry pool = new ConvGeometry(F, H, W, 2, 2, 2, 2, 0, 0);
        int hp = pool.outH();
        int wp = pool.outW();
        DeviceBuffer bx = d.upload(x);
        DeviceBuffer[] p = {d.upload(convW), d.upload(gamma), d.upload(beta), d.upload(linW), d.upload(linB)};
        DeviceBuffer[] g = new DeviceBuffer[p.length];
        for (int i = 0; i < p.length; i++) {
            g[i] = d.allocate(p[i].length());
        }
        BatchNormParams bn = new BatchNormParams(p[1], p[2], d.allocate(F), d.upload(new float[] {1, 1, 1, 1, 1}),
                0.1f, 1e-5f);
        DeviceBuffer c1 = d.allocate(B * F * H * W); // (B, F, H, W) conv output
        DeviceBuffer n1 = d.allocate(B * F * H * W); // batch-norm output
        DeviceBuffer r1 = d.allocate(B * F * H * W); // relu output
        DeviceBuffer mean = d.allocate(F);
        DeviceBuffer invStd = d.allocate(F);
        DeviceBuffer m1 = d.allocate(B * F * hp * wp); // (B, F, HP, WP) max-pool output
        DeviceBuffer g1 = d.allocate(B * F); // (B, F) global average
        DeviceBuffer z = d.allocate(B * L); // (B, L) logits before bias
        DeviceBuffer lg = d.allocate(B * L); // (B, L) logits
        DeviceBuffer lp = d.allocate(B * L); // (B, L) log-probabilities
        k.conv2d(bx, B, conv, p[0], F, null, c1);
        k.batchNorm(BatchNormParams.Mode.TRAIN, c1, B, F, H * W, bn, n1, mean, invStd);
        k.unary(UnaryOp.RELU, n1, r1, B * F * H * W);
        k.maxPool2d(r1, B, pool, m1);
        k.reduceSum(m1, B * F, hp * wp, 1, 1f / (hp * wp), g1);
        k.sgemm(false, true, B, L, F, 1f, g1, 0, F, p[3], 0, F, 0f, z, 0, L);
        k.binary(BinaryOp.ADD, View.dense(z, B, L), View.dense(p[4], L), lg);
        k.logSoftmax(lg, lp, B, L, 1);
        float[] logProbs = lp.download();
        double lossDevice = 0;
        float[] dlp = new float[B * L]; // (B, L) d loss / d log-probabilities: the edge where the labels enter
        for (int b = 0; b < B; b++) {
            lossDevice -= logProbs[b * L + labels[b]] / (double) B;
            dlp[b * L + labels[b]] = -1f / B;
        }
        DeviceBuffer dlogp = d.upload(dlp);
        DeviceBuffer dlg = d.allocate(B * L);
        DeviceBuffer dg1 = d.allocate(B * F);
        DeviceBuffer dm1 = d.allocate(B * F * hp * wp);
        DeviceBuffer dm1Scaled = d.allocate(B * F * hp * wp);
        DeviceBuffer dr1 = d.allocate(B * F * H * W);
        DeviceBuffer dn1 = d.allocate(B * F * H * W);
        DeviceBuffer dc1 = d.allocate(B * F * H * W);
        k.logSoftmaxBackward(lp, dlogp, dlg, B, L, 1);
        // forward: logits = g1 @ W^T + b  =>  dW += dlogits^T @ g1,  db += sum_b dlogits,  dg1 = dlogits @ W
        k.sgemm(true, false, L, F, B, 1f, dlg, 0, L, g1, 0, F, 1f, g[3], 0, F);
        k.sumTo(dlg, new int[] {B, L}, g[4], new int[] {L});
        k.sgemm(false, false, B, F, L, 1f, dlg, 0, L, p[3], 0, F, 0f, dg1, 0, F);
        // forward: g1 = mean over (HP, WP) of m1  =>  dm1 = dg1 / (HP * WP) broadcast over the pooled positions
        k.copyStrided(new View(dg1, 0, new int[] {B * F, hp * wp}, new int[] {1, 0}), dm1, 0);
        k.unary(UnaryOp.affine(1f / (hp * wp), 0f), dm1, dm1Scaled, B * F * hp * wp);
        k.maxPool2dBackward(r1, B, pool, dm1Scaled, dr1);
        k.unaryBackward(UnaryOp.RELU, n1, r1, dr1, dn1, B * F * H * W);
        k.batchNormBackward(BatchNormParams.Mode.TRAIN, c1, B, F, H * W, p[1], mean, invStd, dn1, dc1, g[1], g[2]);
        k.conv2dBackward(bx, B, conv, p[0], F, dc1, null, g[0], null);

        // ---- compare loss, gradients and running statistics, then one AdamW step on both sides
        TensorCompare.assertClose("loss", new double[] {lossDevice}, new double[] {loss.item()}, new int[] {1}, TOL);
        String[] names = {"conv.weight", "bn.weight", "bn.bias", "fc.weight", "fc.bias"};
        for (int i = 0; i < p.length; i++) {
            int[] shape = params[i].shape();
            TensorCompare.assertClose("grad " + names[i], g[i].download(), shape, params[i].grad().toDoubleArray(),
                    shape, TOL);
        }
        TensorCompare.assertClose("bn.running_mean", bn.runningMean().download(), new int[] {F},
                bnCpu.runningMean().toDoubleArray(), new int[] {F}, TOL);
        TensorCompare.assertClose("bn.running_var", bn.runningVar().download(), new int[] {F},
                bnCpu.runningVar().toDoubleArray(), new int[] {F}, TOL);
        for (int i = 0; i < p.length; i++) {
            int n = p[i].length();
            k.adamStep(adamW, 1, p[i], g[i], d.allocate(n), d.allocate(n), n);
            double[] ref = params[i].toDoubleArray();
            double[] grad = params[i].grad().toDoubleArray();
            for (int j = 0; j < n; j++) {
                // torch AdamW, first step from zero moments: m = (1 - b1) g, v = (1 - b2) g^2
                double m = (1 - adamW.beta1()) * grad[j];
                double v = (1 - adamW.beta2()) * grad[j] * grad[j];
                double bias1 = 1 - adamW.beta1();
                double bias2Sqrt = Math.sqrt(1 - adamW.beta2());
                ref[j] = ref[j] * (1 - adamW.lr() * adamW.weightDecay())
                        - adamW.lr() / bias1 * m / (Math.sqrt(v) / bias2Sqrt + adamW.eps());
            }
            int[] shape = params[i].shape();
            TensorCompare.assertClose("updated " + names[i], p[i].download(), shape, ref, shape, TOL);
        }
    }
}
