package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
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
 * input gradient, weight gradient (at least 64 input channels) and the fused inference batch norm against the
 * direct convolution {@link ConvScalar}, on odd and even sizes, batches 1, 3 and 8, one GEMM group and several,
 * and bit-identical for 1 and 2 threads.
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

    /**
     * {N, C, H, W, O} whose weight gradient is Winograd (C >= 64): batches 1, 3 and 8, odd and even sizes, 16 tiles
     * per GEMM (forward and input gradient on im2col then), and three GEMM groups (529 tiles per image).
     */
    private static final int[][] WEIGHT_GRADIENT_SHAPES = {
            {1, 64, 14, 14, 5}, {3, 64, 9, 7, 3}, {8, 65, 5, 5, 17}, {1, 64, 7, 7, 2}, {3, 64, 46, 45, 3}};

    /**
     * The Winograd weight gradient in float32 against the float64 direct sum. Each element sums N*H*W products
     * of unit-size x and dy, so it is O(sqrt(NHW)) (up to 260 here), reached through dU sums of T products of dM
     * (up to 4 dy) and V (up to 4 x) and G^T dU G over 16 of those: the rounding error is a few float32 ulps of
     * such sums, 1.5e-4 at most observed at NHW = 6210 and 1.5e-5 at 196. 1e-5 * sqrt(NHW) absolute (5 to 10
     * times that) plus 1e-4 relative; an index or tile error, O(sqrt(NHW)), still fails.
     */
    private static Tolerance weightGradientTolerance(int N, int H, int W) {
        return Tolerance.of(1e-5 * Math.sqrt((double) N * H * W), 1e-4);
    }

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
        for (int[] s : WEIGHT_GRADIENT_SHAPES) {
            ConvGeometry g = new ConvGeometry(s[1], s[2], s[3], 3, 3, 1, 1, 1, 1);
            assertThat(Conv.useWinogradWeightGradient(g, s[1])).as("weight gradient of " + describe(s)).isTrue();
        }
        for (int[] s : SHAPES) {
            ConvGeometry g = new ConvGeometry(s[1], s[2], s[3], 3, 3, 1, 1, 1, 1);
            assertThat(Conv.useWinogradWeightGradient(g, s[1])).as("weight gradient of " + describe(s)).isFalse();
        }
        assertThat(Conv.useWinogradWeightGradient(new ConvGeometry(512, 7, 7, 3, 3, 1, 1, 1, 1), 512)).isTrue();
        assertThat(Conv.useWinogradWeightGradient(new ConvGeometry(64, 56, 56, 3, 3, 2, 2, 1, 1), 64)).isFalse();
    }

    @TestFactory
    List<DynamicTest> winogradWeightGradientMatchesTheDirectOne() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] s : WEIGHT_GRADIENT_SHAPES) {
            tests.add(DynamicTest.dynamicTest(describe(s), () -> {
                int N = s[0], C = s[1], H = s[2], W = s[3], O = s[4];
                ConvGeometry g = new ConvGeometry(C, H, W, 3, 3, 1, 1, 1, 1);
                Tensor x = Tensor.randn(DType.F32, 15, N, C, H, W).requiresGrad(true);
                Tensor w = Tensor.randn(DType.F32, 16, O, C, 3, 3).mul(1.0 / Math.sqrt(9 * C)).requiresGrad(true);
                Tensor b = Tensor.randn(DType.F32, 17, O).requiresGrad(true);
                Tensor y = Conv.conv2d(x, w, b, Conv2dOptions.of(1, 1));
                Tensor gout = Tensor.randn(DType.F32, 18, y.shape());
                y.backward(gout);

                double[] xs = x.toDoubleArray(); // (N, C, H, W)
                double[] ws = w.toDoubleArray(); // (O, C, 3, 3)
                double[] dx = new double[xs.length]; // (N, C, H, W)
                double[] dw = new double[ws.length]; // (O, C, 3, 3)
                double[] db = new double[O]; // (O)
                ConvScalar.backward(xs, ws, gout.toDoubleArray(), dx, dw, db, N, O, g);
                TensorCompare.assertClose("grad weight", w.grad().toDoubleArray(), dw, w.shape(),
                        weightGradientTolerance(N, H, W));
                TensorCompare.assertClose("grad bias", b.grad().toDoubleArray(), db, b.shape(),
                        Tolerance.of(1e-4, 1e-5));
                TensorCompare.assertClose("grad x", x.grad().toDoubleArray(), dx, x.shape(), WINOGRAD_F32);
            }));
        }
        return tests;
    }

    /** The weight gradient adds into an existing gradient: a second backward doubles it exactly. */
    @Test
    void winogradWeightGradientAccumulatesAcrossBackwardCalls() {
        for (int[] s : new int[][] {{3, 64, 9, 9, 5}, {3, 64, 46, 45, 3}}) {
            Tensor x = Tensor.randn(DType.F32, 23, s[0], s[1], s[2], s[3]);
            Tensor w = Tensor.randn(DType.F32, 24, s[4], s[1], 3, 3).mul(0.05).requiresGrad(true);
            Tensor gout = Tensor.randn(DType.F32, 25, s[0], s[4], s[2], s[3]);
            Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).backward(gout);
            float[] once = w.grad().toFloatArray();
            Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).backward(gout);
            float[] twice = w.grad().toFloatArray();
            for (int i = 0; i < once.length; i++) {
                assertThat(twice[i]).as("%s element %d", describe(s), i).isEqualTo(2 * once[i]);
            }
        }
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

    /**
     * Batches 1, 3 and 8 (one group, several images per group, several groups), forward and both gradients,
     * the weight gradient through both paths (C < 64 and C >= 64). Compared with Arrays.mismatch: AssertJ's
     * containsExactly diffs in quadratic time, 17 s on these 400k-element gradients.
     */
    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            List<float[]> one = runAll(1);
            List<float[]> two = runAll(2);
            for (int i = 0; i < one.size(); i++) {
                assertThat(Arrays.mismatch(two.get(i), one.get(i))).as("tensor %d: first difference", i)
                        .isEqualTo(-1);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static List<float[]> runAll(int threads) {
        Parallel.setThreads(threads);
        List<float[]> out = new ArrayList<>();
        for (int[] s : new int[][] {{1, 16, 14, 14, 24}, {3, 16, 12, 11, 8}, {8, 8, 7, 7, 16}, {3, 4, 46, 45, 5},
                {1, 64, 14, 14, 24}, {3, 64, 12, 11, 8}, {8, 64, 7, 7, 16}, {3, 64, 46, 45, 5}}) {
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
