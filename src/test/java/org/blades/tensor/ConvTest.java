package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.blades.kernels.ConvGeometry;
import org.blades.kernels.ConvScalar;
import org.blades.kernels.Parallel;
import org.blades.testing.OpReference;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = input channels, H/W = input height/width, O = output channels, KH/KW = kernel height/width,
// OH/OW = output height/width, K = C*KH*KW.

/**
 * {@link Conv#conv2d} (im2col + GEMM) against the seven-loop oracle {@link ConvScalar} on random odd shapes and
 * strided input views, against PyTorch (reference-data/conv.safetensors), the fused conv + batch norm + ReLU
 * against the unfused chain, and the argument errors.
 */
class ConvTest {

    /**
     * Float32 against the float64 oracle. The im2col path sums K = C*KH*KW <= 17*49 = 833 products per output
     * and N*OH*OW <= 3*289 = 867 per weight gradient in float32 (the GEMM's blocked order), with |terms| ~ 1:
     * the rounding error grows like sqrt(terms) * 2^-24 * |term|, about 2e-6 here; 1e-5 absolute leaves a
     * margin of 5 while still catching any indexing error (those are O(1)).
     */
    private static final Tolerance F32_VS_ORACLE = Tolerance.of(1e-5, 1e-5);
    /**
     * {@link #F32_VS_ORACLE} up to 867 summed terms per output; the configurations that exercise one GEMM per
     * image need N*OH*OW >= 1024 terms per weight gradient, and for those the absolute budget grows with the
     * count n as n * 2^-24 (unit-size terms whose partial sums reach sqrt(n): sqrt(n) roundings of size
     * sqrt(n) * 2^-24). The scalar GEMM fallback (-Dblades.vector=false) sums them strictly in sequence and
     * reaches about half of that.
     */
    private static Tolerance f32VsOracle(Config cfg) {
        ConvGeometry g = cfg.geometry();
        int terms = Math.max(Math.max(g.colRows(), cfg.o * cfg.kh * cfg.kw), cfg.n * g.colCols());
        return terms <= 867 ? F32_VS_ORACLE : Tolerance.of(terms * 0x1p-24, 1e-5);
    }

    /** Float64 against the float64 oracle: only summation order differs. */
    private static final Tolerance F64_VS_ORACLE = Tolerance.of(1e-12, 1e-10);
    /** Float64 reference case: PyTorch's float64 sums in another order. */
    private static final Tolerance F64 = Tolerance.of(1e-12, 1e-10);

    // ----------------------------------------------------------------------------------------------
    // (a) fast path vs the scalar oracle

    /** One randomly drawn configuration; {@code view} names how x is presented (dense, permuted, sliced). */
    private record Config(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw,
                          boolean bias, String view) {
        ConvGeometry geometry() {
            return new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        }

        @Override
        public String toString() {
            return "x (" + n + ", " + c + ", " + h + ", " + w + ") " + view + ", w (" + o + ", " + c + ", " + kh
                    + ", " + kw + "), stride (" + sh + ", " + sw + "), pad (" + ph + ", " + pw + ")"
                    + (bias ? ", bias" : "");
        }
    }

    /** Seeded draws over N 1-3, C 1/3/17, H/W 1/5/17, kernels 1/3/7 (and rectangles), strides 1/2, pads 0-3. */
    private static List<Config> configs(long seed, int count) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] cs = {1, 3, 17};
        int[] sizes = {1, 5, 17};
        int[] ks = {1, 3, 7};
        String[] views = {"dense", "permuted from (N, H, W, C)", "sliced from a bigger tensor"};
        List<Config> out = new ArrayList<>();
        // The pointwise fast path (1x1, stride 1, no padding) and the ResNet shapes, always.
        out.add(new Config(2, 3, 5, 5, 4, 1, 1, 1, 1, 0, 0, false, views[0]));
        out.add(new Config(3, 17, 5, 1, 5, 1, 1, 1, 1, 0, 0, true, views[1]));
        out.add(new Config(2, 3, 17, 17, 4, 7, 7, 2, 2, 3, 3, true, views[2]));
        out.add(new Config(1, 17, 5, 5, 3, 3, 3, 1, 1, 1, 1, false, views[1]));
        // One GEMM per image (P > GROUP_COLUMNS / 2), images in parallel: 3x3 and pointwise.
        out.add(new Config(2, 3, 24, 24, 4, 3, 3, 1, 1, 1, 1, true, views[0]));
        out.add(new Config(2, 5, 23, 23, 3, 1, 1, 1, 1, 0, 0, false, views[2]));
        // Groups of unequal size: P = 400 gives two images per GEMM, so N = 3 is {2, 1}.
        out.add(new Config(3, 3, 20, 20, 4, 3, 3, 1, 1, 1, 1, false, views[1]));
        while (out.size() < count) {
            int h = sizes[rng.nextInt(3)];
            int w = sizes[rng.nextInt(3)];
            int kh = ks[rng.nextInt(3)];
            int kw = rng.nextInt(4) == 0 ? ks[rng.nextInt(3)] : kh;
            int ph = rng.nextInt(4);
            int pw = rng.nextInt(4) == 0 ? rng.nextInt(4) : ph;
            if (h + 2 * ph < kh || w + 2 * pw < kw) {
                continue;
            }
            int sh = 1 + rng.nextInt(2);
            int sw = rng.nextInt(4) == 0 ? 1 + rng.nextInt(2) : sh;
            out.add(new Config(1 + rng.nextInt(3), cs[rng.nextInt(3)], h, w, 1 + rng.nextInt(5), kh, kw, sh, sw,
                    ph, pw, rng.nextBoolean(), views[rng.nextInt(3)]));
        }
        return out;
    }

    /**
     * Builds the leaf that holds x's values and the view that presents it as (N, C, H, W); the same function
     * maps the leaf's gradient to x's layout.
     */
    private record Input(Tensor leaf, UnaryOperator<Tensor> view) {
    }

    private static Input input(Config cfg, DType dtype, long seed) {
        switch (cfg.view) {
            case "permuted from (N, H, W, C)" -> {
                Tensor leaf = Tensor.randn(dtype, seed, cfg.n, cfg.h, cfg.w, cfg.c).requiresGrad(true);
                return new Input(leaf, t -> t.permute(0, 3, 1, 2));
            }
            case "sliced from a bigger tensor" -> {
                Tensor leaf = Tensor.randn(dtype, seed, cfg.n, cfg.c + 2, cfg.h, cfg.w + 3).requiresGrad(true);
                return new Input(leaf, t -> t.slice(1, 1, cfg.c + 1).slice(3, 2, cfg.w + 2));
            }
            default -> {
                Tensor leaf = Tensor.randn(dtype, seed, cfg.n, cfg.c, cfg.h, cfg.w).requiresGrad(true);
                return new Input(leaf, t -> t);
            }
        }
    }

    @TestFactory
    List<DynamicTest> float32MatchesTheScalarOracle() {
        return configs(101, 40).stream()
                .map(cfg -> DynamicTest.dynamicTest(cfg.toString(), () -> checkAgainstOracle(cfg, DType.F32)))
                .toList();
    }

    @TestFactory
    List<DynamicTest> float64MatchesTheScalarOracle() {
        return configs(202, 40).stream()
                .map(cfg -> DynamicTest.dynamicTest(cfg.toString(), () -> checkAgainstOracle(cfg, DType.F64)))
                .toList();
    }

    private static void checkAgainstOracle(Config cfg, DType dtype) {
        ConvGeometry g = cfg.geometry();
        Input in = input(cfg, dtype, 1000 + cfg.hashCode());
        Tensor x = in.view.apply(in.leaf); // (N, C, H, W), strided unless dense
        double scale = 1.0 / Math.sqrt(g.colRows());
        Tensor w = Tensor.randn(dtype, 7, cfg.o, cfg.c, cfg.kh, cfg.kw).mul(scale).requiresGrad(true);
        Tensor b = cfg.bias ? Tensor.randn(dtype, 8, cfg.o).requiresGrad(true) : null;
        Tensor y = Conv.conv2d(x, w, b, new Conv2dOptions(cfg.sh, cfg.sw, cfg.ph, cfg.pw));
        Tensor gout = Tensor.randn(dtype, 9, y.shape());
        y.backward(gout);

        double[] xs = x.toDoubleArray(); // (N, C, H, W)
        double[] ws = w.toDoubleArray(); // (O, C, KH, KW)
        double[] ys = new double[y.numel()]; // (N, O, OH, OW)
        ConvScalar.forward(xs, ws, b == null ? null : b.toDoubleArray(), ys, cfg.n, cfg.o, g);
        double[] dx = new double[xs.length]; // (N, C, H, W)
        double[] dw = new double[ws.length]; // (O, C, KH, KW)
        double[] db = new double[cfg.o]; // (O)
        ConvScalar.backward(xs, ws, gout.toDoubleArray(), dx, dw, db, cfg.n, cfg.o, g);

        Tolerance tol = dtype == DType.F32 ? f32VsOracle(cfg) : F64_VS_ORACLE;
        assertThat(y.shape()).containsExactly(cfg.n, cfg.o, g.outH(), g.outW());
        TensorCompare.assertClose("out", y.toDoubleArray(), ys, y.shape(), tol);
        Tensor dxView = in.view.apply(in.leaf.grad()); // (N, C, H, W)
        TensorCompare.assertClose("grad x", dxView.toDoubleArray(), dx, x.shape(), tol);
        // Elements of the leaf outside the view (the slice case) get no gradient.
        assertThat(sumOfSquares(in.leaf.grad())).isCloseTo(sumOfSquares(dxView),
                org.assertj.core.api.Assertions.within(1e-9 * (1 + sumOfSquares(dxView))));
        TensorCompare.assertClose("grad weight", w.grad().toDoubleArray(), dw, w.shape(), tol);
        if (b != null) {
            TensorCompare.assertClose("grad bias", b.grad().toDoubleArray(), db, b.shape(), tol);
        }
    }

    private static double sumOfSquares(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) {
            s += v * v;
        }
        return s;
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        int before = Parallel.threads();
        try {
            double[][] one = runOnce(1);
            double[][] four = runOnce(4);
            for (int i = 0; i < one.length; i++) {
                assertThat(four[i]).as("tensor %d", i).containsExactly(one[i]);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * out, grad x, grad w, grad b of batches big enough that the GEMMs and the copies go parallel, on each
     * schedule: grouped images (P = 400), one GEMM per image in parallel (P = 576, 3x3 and pointwise), and a
     * single image spread over the pool.
     */
    private static double[][] runOnce(int threads) {
        Parallel.setThreads(threads);
        int[][] shapes = {{3, 16, 20, 20, 3}, {3, 8, 24, 24, 3}, {3, 16, 24, 24, 1}, {1, 8, 24, 24, 3}}; // N, C, H, W, K
        List<double[]> out = new ArrayList<>();
        for (int[] s : shapes) {
            int k = s[4];
            Tensor x = Tensor.randn(DType.F32, 31, s[0], s[1], s[2], s[3]).requiresGrad(true);
            Tensor w = Tensor.randn(DType.F32, 32, 32, s[1], k, k).mul(0.1).requiresGrad(true);
            Tensor b = Tensor.randn(DType.F32, 33, 32).requiresGrad(true);
            Tensor y = Conv.conv2d(x, w, b, Conv2dOptions.of(1, k / 2));
            y.backward(Tensor.randn(DType.F32, 34, y.shape()));
            out.addAll(List.of(y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
                    b.grad().toDoubleArray()));
        }
        return out.toArray(new double[0][]);
    }

    @Test
    void backwardAccumulatesIntoExistingGradients() {
        Tensor x = Tensor.randn(DType.F64, 41, 2, 3, 5, 5).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 42, 4, 3, 3, 3).requiresGrad(true);
        Conv.conv2d(x, w, null, Conv2dOptions.of(2, 1)).sum().backward();
        double[] once = w.grad().toDoubleArray();
        Conv.conv2d(x, w, null, Conv2dOptions.of(2, 1)).sum().backward();
        double[] twice = w.grad().toDoubleArray();
        for (int i = 0; i < once.length; i++) {
            assertThat(twice[i]).isEqualTo(2 * once[i]);
        }
    }

    /**
     * Float32 weight gradients are added straight into an existing gradient: a second pass doubles it exactly
     * (x + x is exact), and after zeroGrad a pass gives the bits of the first, for both weight-gradient forms
     * (K > O: dw^T = cols dy^T; K <= O: dw = dy cols^T).
     */
    @Test
    void float32BackwardAccumulatesIntoExistingGradients() {
        for (int[] oc : new int[][] {{4, 3}, {32, 2}}) { // {O, C} with K = 9 C
            Tensor x = Tensor.randn(DType.F32, 43, 2, oc[1], 6, 6).requiresGrad(true);
            Tensor w = Tensor.randn(DType.F32, 44, oc[0], oc[1], 3, 3).requiresGrad(true);
            Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).sum().backward();
            float[] once = w.grad().toFloatArray();
            Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).sum().backward();
            float[] twice = w.grad().toFloatArray();
            for (int i = 0; i < once.length; i++) {
                assertThat(twice[i]).as("O %d, element %d", oc[0], i).isEqualTo(2 * once[i]);
            }
            w.zeroGrad();
            Conv.conv2d(x, w, null, Conv2dOptions.of(1, 1)).sum().backward();
            assertThat(w.grad().toFloatArray()).as("O %d after zeroGrad", oc[0]).containsExactly(once);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // (b) PyTorch references

    /** The conv2d cases of conv.safetensors; the float64 one is held to float64 precision. */
    private static final List<String> CONV_CASES = List.of("conv_1x1", "conv_3x3_p1", "conv_3x3_s2", "conv_7x7_s2",
            "conv_1x1_s2", "conv_rect", "conv_3x3_f64", "conv_3x3_winograd");

    /**
     * Weight and bias gradients of the float32 cases sum N*OH*OW = 126 to 240 products whose partial sums reach
     * |30| to |52|, where one float32 ulp is 2e-6 to 4e-6; PyTorch's own float32 result is up to 1.5e-5 away
     * from the exact (float64) sum on these cases, ours about as much in another summation order. 5e-5 is a
     * few ulps of the largest partial sums; any indexing error is O(1).
     */
    private static final Tolerance F32_BATCH_SUM = Tolerance.of(5e-5, 1e-5);

    /**
     * conv_3x3_winograd's output and input gradient sum 576 products each (9 taps x 64 channels), with partial sums
     * up to |4| where a float32 ulp is 4.8e-7, and Winograd rounds its transforms on top: the default atol (1e-6,
     * two ulps there) is 91 to 93 % used. 4e-6 is eight ulps of those sums; any indexing error is O(1).
     */
    private static final Tolerance F32_LONG_SUM = Tolerance.of(4e-6, 1e-5);

    @Test
    void everyReferenceCaseIsCovered() {
        try (ReferenceFile ref = ReferenceFile.open("conv")) {
            List<String> expected = new ArrayList<>(CONV_CASES);
            expected.add("conv_bn_relu_eval");
            assertThat(ref.caseNames()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** The case exists to hold the Winograd paths to PyTorch: all three must take them. */
    @Test
    void winogradReferenceCaseTakesTheWinogradPaths() {
        ConvGeometry g = new ConvGeometry(64, 15, 13, 3, 3, 1, 1, 1, 1); // x (2, 64, 15, 13), weight (64, 64, 3, 3)
        assertThat(Conv.useWinograd(g, 2, 64, 64)).as("forward and input gradient").isTrue();
        assertThat(Conv.useWinogradWeightGradient(g, 64)).as("weight gradient").isTrue();
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() {
        return CONV_CASES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            try (ReferenceFile ref = ReferenceFile.open("conv")) {
                OpReference c = new OpReference(ref, name);
                Map<String, Object> args = c.args();
                int[] stride = ints(args.get("stride"));
                int[] padding = ints(args.get("padding"));
                boolean hasBias = Boolean.TRUE.equals(args.get("bias"));
                Tensor x = c.in("x");
                Tensor w = c.in("weight");
                Tensor bias = hasBias ? c.in("bias") : null;
                Tensor out = Conv.conv2d(x, w, bias, new Conv2dOptions(stride[0], stride[1], padding[0], padding[1]));
                boolean f64 = x.dtype() == DType.F64;
                Tolerance pixels = f64 ? F64 : name.equals("conv_3x3_winograd") ? F32_LONG_SUM : Tolerance.F32;
                c.compare(name + ".out", out, pixels);
                out.mul(c.tensor(name + ".gout")).sum().backward();
                c.compare(name + ".grad.x", x.grad(), pixels);
                c.compare(name + ".grad.weight", w.grad(), f64 ? F64 : F32_BATCH_SUM);
                if (hasBias) {
                    c.compare(name + ".grad.bias", bias.grad(), f64 ? F64 : F32_BATCH_SUM);
                }
                assertThat(ref.tensorsOf(name).stream().filter(t -> t.contains(".grad.")))
                        .as("gradients stored for %s", name).hasSize(hasBias ? 3 : 2);
                System.out.println(String.join("\n", c.report()));
            }
        })).toList();
    }

    @Test
    void fusedConvBatchNormReluMatchesPyTorch() {
        try (ReferenceFile ref = ReferenceFile.open("conv")) {
            OpReference c = new OpReference(ref, "conv_bn_relu_eval");
            Map<String, Object> args = c.args();
            int[] stride = ints(args.get("stride"));
            int[] padding = ints(args.get("padding"));
            BatchNorm.Params bn = new BatchNorm.Params(c.constant("bn_weight"), c.constant("bn_bias"),
                    c.constant("running_mean"), c.constant("running_var"), 0.1,
                    ((Number) args.get("eps")).doubleValue());
            Tensor out = Conv.conv2dBatchNormRelu(c.constant("x"), c.constant("weight"), bn,
                    new Conv2dOptions(stride[0], stride[1], padding[0], padding[1]));
            c.check(out, Tolerance.F32);
            System.out.println(String.join("\n", c.report()));
        }
    }

    private static int[] ints(Object o) {
        return ((List<?>) o).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    // ----------------------------------------------------------------------------------------------
    // Inference fusion vs the unfused chain

    private static BatchNorm.Params evalParams(DType dtype, int channels, long seed) {
        Tensor gamma = Tensor.rand(dtype, seed, channels).add(0.5);
        Tensor beta = Tensor.randn(dtype, seed + 1, channels).mul(0.1);
        Tensor mean = Tensor.randn(dtype, seed + 2, channels).mul(0.1);
        Tensor var = Tensor.rand(dtype, seed + 3, channels).add(0.5);
        return BatchNorm.Params.of(gamma, beta, mean, var);
    }

    @Test
    void fusedEqualsUnfusedChainInFloat64() {
        for (Conv2dOptions opts : List.of(Conv2dOptions.of(1, 1), Conv2dOptions.of(2, 3), Conv2dOptions.DEFAULT)) {
            int k = opts.padH() == 3 ? 7 : (opts.padH() == 1 ? 3 : 1);
            Tensor x = Tensor.randn(DType.F64, 51, 2, 3, 9, 8);
            Tensor w = Tensor.randn(DType.F64, 52, 5, 3, k, k);
            BatchNorm.Params bn = evalParams(DType.F64, 5, 53);
            for (Conv.Epilogue ep : Conv.Epilogue.values()) {
                Tensor fused = Conv.conv2dBatchNorm(x, w, bn, opts, ep);
                Tensor chain = BatchNorm.forward(Conv.conv2d(x, w, null, opts), bn, BatchNorm.Mode.EVAL);
                if (ep == Conv.Epilogue.RELU) {
                    chain = Elementwise.unary(Elementwise.Unary.RELU, chain);
                }
                TensorCompare.assertClose("fused " + ep + " " + opts, fused.toDoubleArray(), chain.toDoubleArray(),
                        chain.shape(), Tolerance.of(1e-12, 1e-10));
            }
        }
    }

    /**
     * The fused epilogue applies batch norm with BatchNorm's own float32 arithmetic after the same GEMM, so it
     * equals the chain bit for bit: with and without ReLU and residual, on each GEMM schedule (a single image,
     * one GEMM per image, grouped images).
     */
    @Test
    void fusedEqualsUnfusedChainInFloat32BitForBit() {
        int[][] shapes = {{2, 8, 7, 9}, {1, 8, 24, 24}, {2, 8, 24, 24}, {3, 8, 20, 20}}; // (N, C, H, W)
        for (int[] s : shapes) {
            Tensor x = Tensor.randn(DType.F32, 61, s[0], s[1], s[3], s[2]).permute(0, 1, 3, 2); // strided
            Tensor w = Tensor.randn(DType.F32, 62, 6, 8, 3, 3).mul(1.0 / Math.sqrt(72));
            BatchNorm.Params bn = evalParams(DType.F32, 6, 63);
            Conv2dOptions opts = Conv2dOptions.of(1, 1);
            Tensor residual = Tensor.randn(DType.F32, 64, s[0], 6, s[2], s[3]);
            Tensor conv = Conv.conv2d(x, w, null, opts);
            Tensor bnOut = BatchNorm.forward(conv, bn, BatchNorm.Mode.EVAL);
            Tensor relu = Elementwise.unary(Elementwise.Unary.RELU, bnOut);
            Tensor addRelu = Elementwise.unary(Elementwise.Unary.RELU, bnOut.add(residual));
            String at = " at " + java.util.Arrays.toString(s);
            assertThat(Conv.conv2dBatchNormRelu(x, w, bn, opts).toFloatArray()).as("relu" + at)
                    .containsExactly(relu.toFloatArray());
            assertThat(Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.NONE).toFloatArray()).as("none" + at)
                    .containsExactly(bnOut.toFloatArray());
            assertThat(Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.RELU, residual).toFloatArray())
                    .as("residual relu" + at).containsExactly(addRelu.toFloatArray());
            assertThat(Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.NONE, residual).toFloatArray())
                    .as("residual" + at).containsExactly(bnOut.add(residual).toFloatArray());
            assertThat(Conv.conv2dBatchNormRelu(x, w, bn, opts).requiresGrad()).isFalse();
        }
    }

    @Test
    void fusedRejectsAResidualOfTheWrongShape() {
        Tensor x = Tensor.randn(DType.F32, 65, 1, 2, 5, 5);
        Tensor w = Tensor.randn(DType.F32, 66, 3, 2, 3, 3);
        BatchNorm.Params bn = evalParams(DType.F32, 3, 67);
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, w, bn, Conv2dOptions.of(1, 1), Conv.Epilogue.RELU,
                Tensor.zeros(DType.F32, 1, 3, 4, 5)))
                .hasMessageContaining("residual float32(1, 3, 4, 5) does not match the output float32(1, 3, 5, 5)");
    }

    @Test
    void fusedRefusesInputsThatNeedGradientsUnlessGradModeIsOff() {
        Tensor x = Tensor.randn(DType.F32, 71, 1, 2, 5, 5);
        Tensor w = Tensor.randn(DType.F32, 72, 3, 2, 3, 3).requiresGrad(true);
        BatchNorm.Params bn = evalParams(DType.F32, 3, 73);
        assertThatThrownBy(() -> Conv.conv2dBatchNormRelu(x, w, bn, Conv2dOptions.of(1, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inference only");
        try (var s = Autograd.noGrad()) {
            assertThat(Conv.conv2dBatchNormRelu(x, w, bn, Conv2dOptions.of(1, 1)).shape())
                    .containsExactly(1, 3, 5, 5);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // (c) argument errors

    @Test
    void rejectsWrongRanks() {
        Tensor w = Tensor.zeros(DType.F32, 4, 3, 3, 3);
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 3, 5, 5), w, null, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("4-D").hasMessageContaining("(3, 5, 5)");
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 1, 3, 5, 5), Tensor.zeros(DType.F32, 4, 27),
                null, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("weight").hasMessageContaining("(4, 27)");
    }

    @Test
    void rejectsChannelMismatch() {
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 2, 3, 5, 5), Tensor.zeros(DType.F32, 4, 2, 3, 3),
                null, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("(2, 3, 5, 5)").hasMessageContaining("(4, 2, 3, 3)")
                .hasMessageContaining("3 channels");
    }

    @Test
    void rejectsKernelLargerThanPaddedInput() {
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 1, 1, 3, 3), Tensor.zeros(DType.F32, 1, 1, 7, 7),
                null, Conv2dOptions.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("kernel (7, 7)")
                .hasMessageContaining("padded input (5, 5)").hasMessageContaining("(1, 1, 3, 3)");
    }

    @Test
    void rejectsDtypeMismatch() {
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 1, 2, 5, 5), Tensor.zeros(DType.F64, 3, 2, 3, 3),
                null, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("float32(1, 2, 5, 5)")
                .hasMessageContaining("float64(3, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 1, 2, 5, 5), Tensor.zeros(DType.F32, 3, 2, 3, 3),
                Tensor.zeros(DType.F64, 3), Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("bias").hasMessageContaining("float64(3,)");
    }

    @Test
    void fusedRejectsBatchNormOfTheWrongSize() {
        BatchNorm.Params bn = evalParams(DType.F32, 4, 81);
        assertThatThrownBy(() -> Conv.conv2dBatchNormRelu(Tensor.zeros(DType.F32, 1, 2, 5, 5),
                Tensor.zeros(DType.F32, 3, 2, 3, 3), bn, Conv2dOptions.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm").hasMessageContaining("4 channels")
                .hasMessageContaining("(3, 2, 3, 3)");
    }

    @Test
    void rejectsBadBiasAndOptions() {
        assertThatThrownBy(() -> Conv.conv2d(Tensor.zeros(DType.F32, 1, 2, 5, 5), Tensor.zeros(DType.F32, 3, 2, 3, 3),
                Tensor.zeros(DType.F32, 4), Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("bias").hasMessageContaining("(4,)");
        assertThatThrownBy(() -> Conv2dOptions.of(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv2d").hasMessageContaining("stride");
        assertThatThrownBy(() -> new Conv2dOptions(1, 1, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding (-1, 0)");
    }
}
