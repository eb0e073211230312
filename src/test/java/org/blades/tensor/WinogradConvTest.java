package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.blades.kernels.ConvGeometry;
import org.blades.kernels.ConvScalar;
import org.blades.kernels.Parallel;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = input channels, H/W = height/width, O = output channels.

/**
 * {@link Conv}'s float32 Winograd F(2x2, 3x3) path (3x3, stride 1, padding 1, enough tiles per GEMM): forward,
 * input gradient and the fused inference batch norm against the direct convolution {@link ConvScalar}, on odd
 * and even sizes, batches 1, 3 and 8, one GEMM group and several, and bit-identical for 1 and 2 threads.
 */
class WinogradConvTest {

    /**
     * Winograd in float32 against the float64 direct sum. With w ~ N(0, 1/(9C)) and x ~ N(0, 1) the outputs are
     * O(1); the input transform adds up to four inputs, the weight transform up to nine weights (times 1/4), and
     * the output transform sums nine GEMM results, so intermediate values reach a few times the output and each
     * float32 step rounds at 2^-24 of those: about 1e-6 observed at C <= 17. 1e-5 + 1e-4 * |ref| leaves a
     * margin of ten for the larger intermediates while any tile or index error (O(1)) still fails.
     */
    private static final Tolerance WINOGRAD_F32 = Tolerance.of(1e-5, 1e-4);

    /** {N, C, H, W, O}: each Winograd-eligible; the last runs three GEMM groups (529 tiles per image). */
    private static final int[][] SHAPES = {
            {1, 3, 14, 14, 5}, {3, 17, 9, 7, 3}, {8, 3, 5, 5, 17}, {1, 17, 15, 13, 1}, {8, 1, 11, 12, 3},
            {3, 4, 46, 45, 5}};

    private static String describe(int[] s) {
        return "x (" + s[0] + ", " + s[1] + ", " + s[2] + ", " + s[3] + "), O " + s[4];
    }

    @Test
    void theShapesTakeTheWinogradPath() {
        for (int[] s : SHAPES) {
            ConvGeometry g = new ConvGeometry(s[1], s[2], s[3], 3, 3, 1, 1, 1, 1);
            assertThat(Conv.useWinograd(g, s[0], s[1], s[4])).as(describe(s)).isTrue();
            assertThat(Conv.useWinograd(g, s[0], s[4], s[1])).as("input gradient of " + describe(s)).isTrue();
        }
        // ResNet-50's last stage at batch 1 (16 tiles per GEMM) stays on im2col: too few tiles to pay
        assertThat(Conv.useWinograd(new ConvGeometry(512, 7, 7, 3, 3, 1, 1, 1, 1), 1, 512, 512)).isFalse();
        assertThat(Conv.useWinograd(new ConvGeometry(512, 7, 7, 3, 3, 1, 1, 1, 1), 8, 512, 512)).isTrue();
        assertThat(Conv.useWinograd(new ConvGeometry(64, 56, 56, 3, 3, 2, 2, 1, 1), 8, 64, 64)).isFalse();
    }

    @TestFactory
    List<DynamicTest> forwardAndGradientsMatchTheDirectConvolution() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] s : SHAPES) {
            tests.add(DynamicTest.dynamicTest(describe(s), () -> {
                int N = s[0], C = s[1], H = s[2], W = s[3], O = s[4];
                ConvGeometry g = new ConvGeometry(C, H, W, 3, 3, 1, 1, 1, 1);
                Tensor x = Tensor.randn(DType.F32, 11, N, C, H, W).requiresGrad(true);
                Tensor w = Tensor.randn(DType.F32, 12, O, C, 3, 3).mul(1.0 / Math.sqrt(9 * C)).requiresGrad(true);
                Tensor b = Tensor.randn(DType.F32, 13, O).requiresGrad(true);
                Tensor y = Conv.conv2d(x, w, b, Conv2dOptions.of(1, 1));
                Tensor gout = Tensor.randn(DType.F32, 14, y.shape());
                y.backward(gout);

                double[] xs = x.toDoubleArray(); // (N, C, H, W)
                double[] ws = w.toDoubleArray(); // (O, C, 3, 3)
                double[] ys = new double[y.numel()]; // (N, O, H, W)
                ConvScalar.forward(xs, ws, b.toDoubleArray(), ys, N, O, g);
                double[] dx = new double[xs.length]; // (N, C, H, W)
                double[] dw = new double[ws.length]; // (O, C, 3, 3)
                ConvScalar.backward(xs, ws, gout.toDoubleArray(), dx, dw, null, N, O, g);
                TensorCompare.assertClose("out", y.toDoubleArray(), ys, y.shape(), WINOGRAD_F32);
                TensorCompare.assertClose("grad x", x.grad().toDoubleArray(), dx, x.shape(), WINOGRAD_F32);
                // the weight gradient stays im2col + GEMM: N*H*W <= 3*46*45 terms per element, ConvTest's budget
                int terms = N * H * W;
                TensorCompare.assertClose("grad weight", w.grad().toDoubleArray(), dw, w.shape(),
                        Tolerance.of(Math.max(1e-5, terms * 0x1p-24), 1e-5));
            }));
        }
        return tests;
    }

    /** The input gradient overwrites its buffer: a second backward adds the same amount again, exactly. */
    @Test
    void inputGradientAccumulatesAcrossBackwardCalls() {
        Tensor x = Tensor.randn(DType.F32, 21, 3, 4, 9, 9).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F32, 22, 5, 4, 3, 3).mul(0.2);
        Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).sum().backward();
        float[] once = x.grad().toFloatArray();
        Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).sum().backward();
        float[] twice = x.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) {
            assertThat(twice[i]).as("element %d", i).isEqualTo(2 * once[i]);
        }
    }

    private static BatchNorm.Params evalParams(int channels, long seed) {
        Tensor gamma = Tensor.rand(DType.F32, seed, channels).add(0.5);
        Tensor beta = Tensor.randn(DType.F32, seed + 1, channels).mul(0.1);
        Tensor mean = Tensor.randn(DType.F32, seed + 2, channels).mul(0.1);
        Tensor var = Tensor.rand(DType.F32, seed + 3, channels).add(0.5);
        return BatchNorm.Params.of(gamma, beta, mean, var);
    }

    /**
     * The fused conv + batch norm (+ residual, + ReLU) applies BatchNorm's arithmetic to the Winograd output
     * rows, so it equals the unfused chain bit for bit, and the direct convolution within the Winograd budget.
     */
    @Test
    void fusedBatchNormEqualsTheChainAndTheDirectConvolution() {
        for (int[] s : new int[][] {{1, 6, 14, 14, 7}, {3, 5, 9, 8, 4}, {8, 3, 7, 7, 6}}) {
            int N = s[0], C = s[1], H = s[2], W = s[3], O = s[4];
            Tensor x = Tensor.randn(DType.F32, 31, N, C, H, W);
            Tensor w = Tensor.randn(DType.F32, 32, O, C, 3, 3).mul(1.0 / Math.sqrt(9 * C));
            BatchNorm.Params bn = evalParams(O, 33);
            Tensor residual = Tensor.randn(DType.F32, 34, N, O, H, W);
            Conv2dOptions opts = Conv2dOptions.of(1, 1);
            Tensor bnOut = BatchNorm.forward(Conv.conv2d(x, w, null, opts), bn, BatchNorm.Mode.EVAL);
            Tensor chain = Elementwise.unary(Elementwise.Unary.RELU, bnOut.add(residual));
            Tensor fused = Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.RELU, residual);
            assertThat(fused.toFloatArray()).as(describe(s)).containsExactly(chain.toFloatArray());
            assertThat(Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.NONE).toFloatArray()).as(describe(s))
                    .containsExactly(bnOut.toFloatArray());

            ConvGeometry g = new ConvGeometry(C, H, W, 3, 3, 1, 1, 1, 1);
            double[] conv = new double[N * O * H * W]; // (N, O, H, W)
            ConvScalar.forward(x.toDoubleArray(), w.toDoubleArray(), null, conv, N, O, g);
            double[] gamma = bn.weight().toDoubleArray(); // (O)
            double[] beta = bn.bias().toDoubleArray(); // (O)
            double[] mean = bn.runningMean().toDoubleArray(); // (O)
            double[] var = bn.runningVar().toDoubleArray(); // (O)
            double[] r = residual.toDoubleArray(); // (N, O, H, W)
            double[] expected = new double[conv.length]; // (N, O, H, W)
            for (int i = 0; i < conv.length; i++) {
                int o = i / (H * W) % O;
                double v = (conv[i] - mean[o]) / Math.sqrt(var[o] + bn.eps()) * gamma[o] + beta[o] + r[i];
                expected[i] = Math.max(v, 0.0);
            }
            TensorCompare.assertClose("fused " + describe(s), fused.toDoubleArray(), expected, fused.shape(),
                    WINOGRAD_F32);
        }
    }

    /** Batches 1, 3 and 8 (one group, several images per group, several groups), forward and both gradients. */
    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            List<float[]> one = runAll(1);
            List<float[]> two = runAll(2);
            for (int i = 0; i < one.size(); i++) {
                assertThat(two.get(i)).as("tensor %d", i).containsExactly(one.get(i));
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static List<float[]> runAll(int threads) {
        Parallel.setThreads(threads);
        List<float[]> out = new ArrayList<>();
        for (int[] s : new int[][] {{1, 16, 14, 14, 24}, {3, 16, 12, 11, 8}, {8, 8, 7, 7, 16}, {3, 4, 46, 45, 5}}) {
            Tensor x = Tensor.randn(DType.F32, 41, s[0], s[1], s[2], s[3]).requiresGrad(true);
            Tensor w = Tensor.randn(DType.F32, 42, s[4], s[1], 3, 3).mul(0.1).requiresGrad(true);
            Tensor y = Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1));
            y.backward(Tensor.randn(DType.F32, 43, y.shape()));
            out.add(y.toFloatArray());
            out.add(x.grad().toFloatArray());
            out.add(w.grad().toFloatArray());
            try (var g = Autograd.noGrad()) {
                BatchNorm.Params bn = evalParams(s[4], 44);
                out.add(Conv.conv2dBatchNormRelu(x, w, bn, Conv2dOptions.of(1, 1)).toFloatArray());
            }
        }
        return out;
    }
}
