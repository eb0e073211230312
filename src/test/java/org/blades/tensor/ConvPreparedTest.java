package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blades.testing.TensorCompare.assertSameBits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.blades.kernels.ConvGeometry;
import org.blades.kernels.Parallel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = input channels, H/W = input height/width, O = output channels, KH/KW = kernel height/width,
// OH/OW = output height/width, K = C*KH*KW, P = OH*OW, TT = Winograd tiles per image.

/**
 * {@link Conv.Prepared} with {@link Conv#conv2dBatchNorm(Tensor, Conv.Prepared, Conv.Epilogue, Tensor, Tensor)}
 * against the unprepared fused convolution it stands in for: the same bits on every float32 forward schedule
 * (Winograd with one GEMM group and several, a single image, one GEMM per image, grouped images) and kernel kind
 * (3x3, pointwise, 1x1 stride 2, the 7x7 stem), in float64, with and without residual and ReLU, into a new or a
 * given output; the same bits for 1 and 2 threads; a snapshot of its weights; and argument errors.
 *
 * <p>Why each schedule at both batches: the unprepared op packs w (or the Winograd U_e) only when a call runs
 * several GEMMs and otherwise hands the GEMM w as stored, while the prepared op always uses its packed copy; so
 * batch 1 and single-group calls compare packed against unpacked GEMMs, and the several-group calls compare two
 * packings.
 */
class ConvPreparedTest {

    /** The float32 forward schedules of {@link Conv}; a case's schedule is derived from Conv's own rules. */
    enum Schedule {
        WINOGRAD,
        SINGLE_IMAGE,
        PER_IMAGE,
        GROUPED
    }

    /**
     * A convolution shape and the float32 schedules it must take at batches 1 and 3, so the table provably covers
     * every schedule rather than by accident of the thresholds.
     */
    record Case(String name, int C, int H, int W, int O, int k, Conv2dOptions opts, Schedule batch1,
                Schedule batch3) {
        ConvGeometry geometry() {
            return new ConvGeometry(C, H, W, k, k, opts.strideH(), opts.strideW(), opts.padH(), opts.padW());
        }

        Schedule expected(int N) {
            return N == 1 ? batch1 : batch3;
        }

        @Override
        public String toString() {
            return name + " x (N, " + C + ", " + H + ", " + W + ") -> " + O;
        }
    }

    private static final int[] BATCHES = {1, 3};

    private static final List<Case> CASES = List.of(
            // ResNet-50's layer3 3x3 at batch 1 scaled down: 49 tiles, exactly the Winograd threshold
            new Case("winograd 3x3", 64, 14, 14, 64, 3, Conv2dOptions.of(1, 1), Schedule.WINOGRAD,
                    Schedule.WINOGRAD),
            // 529 tiles per image: at batch 3 one image per GEMM group, so three groups share the packed U_e
            new Case("winograd 3x3, several groups", 4, 46, 45, 5, 3, Conv2dOptions.of(1, 1), Schedule.WINOGRAD,
                    Schedule.WINOGRAD),
            // 20 tiles: im2col alone, Winograd once three images share a GEMM (60 tiles)
            new Case("3x3 stride 1, Winograd from batch 3", 5, 9, 7, 6, 3, Conv2dOptions.of(1, 1),
                    Schedule.SINGLE_IMAGE, Schedule.WINOGRAD),
            // 9 tiles per image: too few for Winograd even at batch 3
            new Case("3x3 stride 1, too few tiles", 32, 5, 5, 32, 3, Conv2dOptions.of(1, 1), Schedule.SINGLE_IMAGE,
                    Schedule.GROUPED),
            // P = 576 > GROUP_COLUMNS / 2: one im2col GEMM per image
            new Case("3x3 unpadded", 8, 26, 26, 8, 3, Conv2dOptions.DEFAULT, Schedule.SINGLE_IMAGE,
                    Schedule.PER_IMAGE),
            new Case("3x3 stride 2", 8, 24, 24, 16, 3, Conv2dOptions.of(2, 1), Schedule.SINGLE_IMAGE,
                    Schedule.GROUPED),
            // pointwise: the image itself is the column matrix
            new Case("pointwise, P = 576", 16, 24, 24, 24, 1, Conv2dOptions.DEFAULT, Schedule.SINGLE_IMAGE,
                    Schedule.PER_IMAGE),
            // P = 400: two images per GEMM, so batch 3 runs two groups (2 + 1 images)
            new Case("pointwise, P = 400", 16, 20, 20, 16, 1, Conv2dOptions.DEFAULT, Schedule.SINGLE_IMAGE,
                    Schedule.GROUPED),
            new Case("1x1 stride 2", 16, 24, 24, 32, 1, Conv2dOptions.of(2, 0), Schedule.SINGLE_IMAGE,
                    Schedule.GROUPED),
            new Case("7x7 stride 2 stem", 3, 32, 32, 8, 7, Conv2dOptions.of(2, 3), Schedule.SINGLE_IMAGE,
                    Schedule.GROUPED));

    /** The schedule {@link Conv}'s float32 forward pass picks, by the package-private rules it uses itself. */
    private static Schedule schedule(ConvGeometry g, int N, int O) {
        if (Conv.useWinograd(g, N, g.channels(), O)) {
            return Schedule.WINOGRAD;
        }
        if (Conv.imagesPerGemm(N, g.colRows(), O, g.colCols()) > 1) {
            return Schedule.GROUPED;
        }
        return N == 1 ? Schedule.SINGLE_IMAGE : Schedule.PER_IMAGE;
    }

    @Test
    void theCasesCoverEveryScheduleAndKernelKind() {
        Set<Schedule> seen = EnumSet.noneOf(Schedule.class);
        for (Case c : CASES) {
            for (int N : BATCHES) {
                Schedule s = schedule(c.geometry(), N, c.O());
                assertThat(s).as("%s at batch %d", c, N).isEqualTo(c.expected(N));
                seen.add(s);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(Schedule.values());
        // the several-group cases really run several groups, so packed weights are shared between GEMMs
        assertThat(Conv.winogradImagesPerGemm(3, 4, 5, 23 * 23)).isEqualTo(1);
        assertThat(Conv.imagesPerGemm(3, 16, 16, 400)).isEqualTo(2);
        // Winograd is decided by the shape, not by the kernel alone: a 3x3 stride-1 kernel on few tiles is im2col
        assertThat(Conv.useWinograd(new ConvGeometry(32, 5, 5, 3, 3, 1, 1, 1, 1), 1, 32, 32)).isFalse();
    }

    // ----------------------------------------------------------------------------------------------
    // Bit-identity with the unprepared fused convolution

    @TestFactory
    Stream<DynamicTest> preparedEqualsUnpreparedBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 100;
        for (Case c : CASES) {
            for (DType dtype : DType.values()) {
                long s = seed;
                tests.add(DynamicTest.dynamicTest(c + " " + dtype, () -> checkCase(c, dtype, s)));
                seed += 10;
            }
        }
        return tests.stream();
    }

    /**
     * One prepared object for both batches (so it is reused across input shapes), every epilogue with and
     * without a residual, into a new output and into a given one full of NaN that must be overwritten everywhere.
     */
    private static void checkCase(Case c, DType dtype, long seed) {
        Tensor w = weight(dtype, seed, c.O(), c.C(), c.k()); // (O, C, KH, KW)
        BatchNorm.Params bn = evalParams(dtype, c.O(), seed + 1);
        Conv.Prepared prepared = Conv.prepare(w, bn, c.opts());
        assertThat(prepared.weightShape()).containsExactly(c.O(), c.C(), c.k(), c.k());
        assertThat(prepared.outChannels()).isEqualTo(c.O());
        assertThat(prepared.options()).isEqualTo(c.opts());
        assertThat(prepared.dtype()).isEqualTo(dtype);
        for (int N : BATCHES) {
            Tensor x = Tensor.randn(dtype, seed + 2 + N, N, c.C(), c.H(), c.W()); // (N, C, H, W)
            ConvGeometry g = c.geometry();
            int[] outShape = {N, c.O(), g.outH(), g.outW()}; // (N, O, OH, OW)
            Tensor residual = Tensor.randn(dtype, seed + 6 + N, outShape); // (N, O, OH, OW)
            for (Conv.Epilogue ep : Conv.Epilogue.values()) {
                for (Tensor r : Arrays.asList(null, residual)) {
                    String what = c + " " + dtype + " batch " + N + " " + ep + (r == null ? "" : " + residual");
                    Tensor want = Conv.conv2dBatchNorm(x, w, bn, c.opts(), ep, r); // (N, O, OH, OW)
                    assertSameBits(what + ", new output", Conv.conv2dBatchNorm(x, prepared, ep, r, null), want);
                    Tensor out = nanFilled(dtype, outShape); // (N, O, OH, OW)
                    Tensor into = Conv.conv2dBatchNorm(x, prepared, ep, r, out);
                    assertThat(into).as(what).isSameAs(out);
                    assertSameBits(what + ", given output", out, want);
                }
            }
        }
    }

    /**
     * A 3x3 stride-1 kernel prepared once serves inputs of other sizes and batches, switching between Winograd
     * and im2col and back, and strided (non-contiguous) inputs and residuals.
     */
    @Test
    void onePreparedKernelServesOtherSizesBatchesAndLayouts() {
        Tensor w = weight(DType.F32, 200, 64, 64, 3); // (O, C, 3, 3)
        BatchNorm.Params bn = evalParams(DType.F32, 64, 201);
        Conv2dOptions opts = Conv2dOptions.of(1, 1);
        Conv.Prepared prepared = Conv.prepare(w, bn, opts);
        int[][] inputs = {{1, 14, 14}, {1, 5, 5}, {3, 5, 5}, {2, 9, 9}, {1, 14, 14}, {3, 14, 14}}; // (N, H, W)
        Set<Schedule> seen = EnumSet.noneOf(Schedule.class);
        long seed = 202;
        for (int[] in : inputs) {
            int N = in[0];
            int H = in[1];
            int W = in[2];
            seen.add(schedule(new ConvGeometry(64, H, W, 3, 3, 1, 1, 1, 1), N, 64));
            // stored as (N, C, W, H) and viewed as (N, C, H, W): the op must copy them to dense first
            Tensor x = Tensor.randn(DType.F32, seed++, N, 64, W, H).permute(0, 1, 3, 2); // (N, C, H, W)
            Tensor residual = Tensor.randn(DType.F32, seed++, N, 64, W, H).permute(0, 1, 3, 2); // (N, O, H, W)
            assertThat(x.isContiguous()).isFalse();
            String what = "input " + Arrays.toString(in);
            assertSameBits(what, Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual, null),
                    Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.RELU, residual));
            assertSameBits(what + " without residual", Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.NONE, null,
                    nanFilled(DType.F32, N, 64, H, W)), Conv.conv2dBatchNorm(x, w, bn, opts, Conv.Epilogue.NONE, null));
        }
        assertThat(seen).containsExactlyInAnyOrder(Schedule.WINOGRAD, Schedule.SINGLE_IMAGE, Schedule.GROUPED);
    }

    /** Used inside {@link Autograd#noGrad()}, as an inference loop would, it gives the same bits. */
    @Test
    void worksUnderNoGradAndOnInputsThatRequireGradThere() {
        Tensor w = weight(DType.F32, 210, 6, 5, 3); // (O, C, 3, 3)
        BatchNorm.Params bn = evalParams(DType.F32, 6, 211);
        Conv.Prepared prepared = Conv.prepare(w, bn, Conv2dOptions.of(1, 1));
        Tensor x = Tensor.randn(DType.F32, 212, 2, 5, 9, 7).requiresGrad(true); // (N, C, H, W)
        Tensor residual = Tensor.randn(DType.F32, 213, 2, 6, 9, 7).requiresGrad(true); // (N, O, H, W)
        try (var noGrad = Autograd.noGrad()) {
            Tensor got = Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual, null); // (N, O, H, W)
            assertThat(got.requiresGrad()).isFalse();
            assertSameBits("under noGrad", got,
                    Conv.conv2dBatchNorm(x, w, bn, Conv2dOptions.of(1, 1), Conv.Epilogue.RELU, residual));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Threads

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            List<Tensor> one = runAllPrepared(1);
            List<Tensor> two = runAllPrepared(2);
            assertThat(two).hasSameSizeAs(one);
            for (int i = 0; i < one.size(); i++) {
                assertSameBits("result " + i + " with 2 threads vs 1", two.get(i), one.get(i));
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Every case at both batches, float32 (all schedules) and float64, residual and ReLU, prepared anew. */
    private static List<Tensor> runAllPrepared(int threads) {
        Parallel.setThreads(threads);
        List<Tensor> out = new ArrayList<>();
        long seed = 300;
        for (Case c : CASES) {
            for (DType dtype : DType.values()) {
                Conv.Prepared prepared = Conv.prepare(weight(dtype, seed, c.O(), c.C(), c.k()),
                        evalParams(dtype, c.O(), seed + 1), c.opts());
                for (int N : BATCHES) {
                    ConvGeometry g = c.geometry();
                    Tensor x = Tensor.randn(dtype, seed + 2, N, c.C(), c.H(), c.W()); // (N, C, H, W)
                    Tensor r = Tensor.randn(dtype, seed + 3, N, c.O(), g.outH(), g.outW()); // (N, O, OH, OW)
                    out.add(Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, r, null));
                }
                seed += 10;
            }
        }
        return out;
    }

    /**
     * A prepared object is immutable and documented as shareable: two threads running every case on the same
     * prepared objects at once (one of them then finds the pool taken and runs its tasks inline) get the same bits
     * as one thread alone.
     */
    @Test
    void preparedObjectsCanBeSharedBetweenThreads() throws Exception {
        List<Conv.Prepared> prepared = new ArrayList<>();
        List<Tensor> inputs = new ArrayList<>();
        List<Tensor> want = new ArrayList<>();
        long seed = 350;
        for (Case c : CASES) {
            for (DType dtype : DType.values()) {
                Conv.Prepared p = Conv.prepare(weight(dtype, seed, c.O(), c.C(), c.k()),
                        evalParams(dtype, c.O(), seed + 1), c.opts());
                Tensor x = Tensor.randn(dtype, seed + 2, 3, c.C(), c.H(), c.W()); // (N, C, H, W)
                prepared.add(p);
                inputs.add(x);
                want.add(Conv.conv2dBatchNorm(x, p, Conv.Epilogue.RELU, null, null));
                seed += 10;
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Tensor>>> runs = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                runs.add(pool.submit(() -> {
                    List<Tensor> out = new ArrayList<>();
                    for (int round = 0; round < 3; round++) {
                        for (int i = 0; i < prepared.size(); i++) {
                            out.add(Conv.conv2dBatchNorm(inputs.get(i), prepared.get(i), Conv.Epilogue.RELU, null,
                                    null));
                        }
                    }
                    return out;
                }));
            }
            for (int thread = 0; thread < 2; thread++) {
                List<Tensor> got = runs.get(thread).get();
                for (int i = 0; i < got.size(); i++) {
                    assertSameBits("thread " + thread + ", call " + i, got.get(i), want.get(i % want.size()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Snapshot

    /**
     * Overwriting the weight and every batch-norm tensor after prepare changes nothing: the packed weights, the
     * Winograd transforms and the per-channel map are copies. The unprepared op on the overwritten tensors does
     * change, which shows the overwrite reached the tensors.
     */
    @Test
    void preparedIsASnapshotOfWeightsAndBatchNorm() {
        for (DType dtype : DType.values()) {
            Tensor w = weight(dtype, 400, 64, 64, 3); // (O, C, 3, 3)
            BatchNorm.Params bn = evalParams(dtype, 64, 401);
            Conv2dOptions opts = Conv2dOptions.of(1, 1);
            Conv.Prepared prepared = Conv.prepare(w, bn, opts);
            // 14x14: Winograd (float32), 5x5 at batch 3: grouped im2col GEMM
            Tensor[] xs = {Tensor.randn(dtype, 402, 1, 64, 14, 14), Tensor.randn(dtype, 403, 3, 64, 5, 5)};
            Tensor[] before = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) {
                before[i] = Conv.conv2dBatchNorm(xs[i], w, bn, opts, Conv.Epilogue.NONE, null);
            }
            overwrite(w, 0.25);
            overwrite(bn.weight(), 3.0);
            overwrite(bn.bias(), -1.0);
            overwrite(bn.runningMean(), 2.0);
            overwrite(bn.runningVar(), 9.0);
            for (int i = 0; i < xs.length; i++) {
                String what = dtype + " input " + Arrays.toString(xs[i].shape());
                assertSameBits(what + " after overwriting the weights",
                        Conv.conv2dBatchNorm(xs[i], prepared, Conv.Epilogue.NONE, null, null), before[i]);
                assertThat(Conv.conv2dBatchNorm(xs[i], w, bn, opts, Conv.Epilogue.NONE, null).toDoubleArray())
                        .as(what + " unprepared on the overwritten weights").isNotEqualTo(before[i].toDoubleArray());
            }
        }
    }

    private static void overwrite(Tensor t, double v) {
        if (t.dtype() == DType.F32) {
            Arrays.fill(t.f32(), (float) v);
        } else {
            Arrays.fill(t.f64(), v);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Argument errors

    @Test
    void rejectsAnOutputSharingStorageWithTheInputOrTheResidual() {
        // pointwise 4 -> 4 keeps the shape, so the input itself is an output of the right shape
        Conv.Prepared prepared = Conv.prepare(weight(DType.F32, 500, 4, 4, 1), evalParams(DType.F32, 4, 501),
                Conv2dOptions.DEFAULT);
        Tensor x = Tensor.randn(DType.F32, 502, 1, 4, 5, 5); // (N, C, H, W)
        Tensor residual = Tensor.randn(DType.F32, 503, 1, 4, 5, 5); // (N, O, H, W)
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, null, x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm: output float32(1, 4, 5, 5) shares its storage with the "
                        + "input float32(1, 4, 5, 5)");
        // a reshaped view of the input is the same array under another shape
        Tensor xFlat = Tensor.randn(DType.F32, 504, 1, 4, 25); // (N, C, H*W)
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(xFlat.reshape(1, 4, 5, 5), prepared, Conv.Epilogue.RELU, null,
                xFlat.reshape(1, 4, 5, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shares its storage with the input");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual, residual))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm: output float32(1, 4, 5, 5) shares its storage with the "
                        + "residual float32(1, 4, 5, 5)");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual,
                residual.reshape(1, 4, 5, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shares its storage with the residual");
        // a strided input is copied before the convolution reads it, but an output on its array would still
        // overwrite the caller's tensor
        Tensor xt = Tensor.randn(DType.F32, 505, 1, 4, 5, 5); // (N, C, W, H) before the transpose
        Tensor out = Tensor.empty(DType.F32, 1, 4, 5, 5); // (N, O, H, W)
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(xt.transpose(2, 3), prepared, Conv.Epilogue.RELU, null, xt))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shares its storage with the input");
        assertThat(Conv.conv2dBatchNorm(xt.transpose(2, 3), prepared, Conv.Epilogue.RELU, null, out)).isSameAs(out);
        // nothing was written before the check: the input and residual are unchanged
        assertSameBits("input after the refused calls", x, Tensor.randn(DType.F32, 502, 1, 4, 5, 5));
        assertSameBits("residual after the refused calls", residual, Tensor.randn(DType.F32, 503, 1, 4, 5, 5));
    }

    @Test
    void rejectsAnOutputOfTheWrongShapeDtypeOrLayout() {
        Conv.Prepared prepared = Conv.prepare(weight(DType.F32, 510, 3, 2, 3), evalParams(DType.F32, 3, 511),
                Conv2dOptions.of(1, 1));
        Tensor x = Tensor.randn(DType.F32, 512, 1, 2, 5, 5); // (N, C, H, W)
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.NONE, null,
                Tensor.zeros(DType.F32, 1, 3, 5, 6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm: output float32(1, 3, 5, 6) must be a dense "
                        + "float32(1, 3, 5, 5)")
                .hasMessageContaining("input float32(1, 2, 5, 5)").hasMessageContaining("float32(3, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.NONE, null,
                Tensor.zeros(DType.F64, 1, 3, 5, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output float64(1, 3, 5, 5) must be a dense float32(1, 3, 5, 5)");
        // the right shape but not dense: a transposed view, and a slice of a larger array
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.NONE, null,
                Tensor.zeros(DType.F32, 1, 3, 5, 5).transpose(2, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a dense");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.NONE, null,
                Tensor.zeros(DType.F32, 2, 3, 5, 5).slice(0, 1, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a dense");
    }

    @Test
    void rejectsInputsThatDoNotFitThePreparedWeights() {
        Conv.Prepared prepared = Conv.prepare(weight(DType.F32, 520, 4, 2, 3), evalParams(DType.F32, 4, 521),
                Conv2dOptions.of(1, 1));
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(Tensor.zeros(DType.F32, 1, 3, 5, 5), prepared,
                Conv.Epilogue.RELU, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm: input float32(1, 3, 5, 5) has 3 channels but weight "
                        + "prepared float32(4, 2, 3, 3) expects 2");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(Tensor.zeros(DType.F64, 1, 2, 5, 5), prepared,
                Conv.Epilogue.RELU, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dtypes differ: input float64(1, 2, 5, 5) and weight prepared "
                        + "float32(4, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(Tensor.zeros(DType.F32, 2, 5, 5), prepared,
                Conv.Epilogue.RELU, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input must be 4-D (N, C, H, W), got float32(2, 5, 5)");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(Tensor.zeros(DType.F32, 1, 2, 5, 5), prepared,
                Conv.Epilogue.RELU, Tensor.zeros(DType.F32, 1, 4, 4, 5), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("residual float32(1, 4, 4, 5) does not match the output float32(1, 4, 5, 5)");
        Conv.Prepared stem = Conv.prepare(weight(DType.F32, 522, 4, 2, 7), evalParams(DType.F32, 4, 523),
                Conv2dOptions.of(2, 1));
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(Tensor.zeros(DType.F32, 1, 2, 3, 3), stem, Conv.Epilogue.RELU,
                null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernel (7, 7) does not fit the padded input (5, 5)");
    }

    @Test
    void rejectsNullArguments() {
        BatchNorm.Params bn = evalParams(DType.F32, 4, 531);
        Tensor w = weight(DType.F32, 530, 4, 2, 3); // (O, C, 3, 3)
        Conv.Prepared prepared = Conv.prepare(w, bn, Conv2dOptions.of(1, 1));
        Tensor x = Tensor.zeros(DType.F32, 1, 2, 5, 5); // (N, C, H, W)
        String call = "conv2d_batch_norm: input, prepared weights and epilogue must not be null";
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(null, prepared, Conv.Epilogue.RELU, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(call);
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, (Conv.Prepared) null, Conv.Epilogue.RELU, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(call);
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(call);
        String prep = "conv2d_batch_norm prepare: weight, batch-norm parameters and options must not be null";
        assertThatThrownBy(() -> Conv.prepare(null, bn, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(prep);
        assertThatThrownBy(() -> Conv.prepare(w, null, Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(prep);
        assertThatThrownBy(() -> Conv.prepare(w, bn, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(prep);
    }

    @Test
    void prepareRejectsBatchNormOrWeightThatDoNotMatch() {
        Tensor w = weight(DType.F32, 540, 3, 2, 3); // (O, C, 3, 3)
        assertThatThrownBy(() -> Conv.prepare(w, evalParams(DType.F32, 4, 541), Conv2dOptions.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d_batch_norm prepare: batch norm over 4 channels of float32 does not "
                        + "match weight float32(3, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.prepare(w, evalParams(DType.F64, 3, 542), Conv2dOptions.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch norm over 3 channels of float64 does not match weight "
                        + "float32(3, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.prepare(Tensor.zeros(DType.F32, 3, 18), evalParams(DType.F32, 3, 543),
                Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight must be 4-D (O, C, KH, KW) and non-empty, got float32(3, 18)");
        assertThatThrownBy(() -> Conv.prepare(Tensor.zeros(DType.F32, 3, 0, 3, 3), evalParams(DType.F32, 3, 544),
                Conv2dOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight must be 4-D (O, C, KH, KW) and non-empty, got float32(3, 0, 3, 3)");
    }

    /** No tape: with grad mode on, an input or residual that needs a gradient would silently lose it. */
    @Test
    void refusesInputsThatRequireGradWhileGradModeIsOn() {
        Conv.Prepared prepared = Conv.prepare(weight(DType.F32, 550, 3, 2, 3), evalParams(DType.F32, 3, 551),
                Conv2dOptions.of(1, 1));
        Tensor x = Tensor.randn(DType.F32, 552, 1, 2, 5, 5); // (N, C, H, W)
        Tensor residual = Tensor.randn(DType.F32, 553, 1, 3, 5, 5); // (N, O, H, W)
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x.detach().requiresGrad(true), prepared, Conv.Epilogue.RELU,
                null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("conv2d_batch_norm: inference only (no backward)")
                .hasMessageContaining("Autograd.noGrad()").hasMessageContaining("prepared float32(3, 2, 3, 3)");
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU,
                residual.detach().requiresGrad(true), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inference only");
        // overwriting an output that requires grad would bypass the tape
        assertThatThrownBy(() -> Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual,
                Tensor.zeros(DType.F32, 1, 3, 5, 5).requiresGrad(true)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inference only")
                .hasMessageContaining("output float32(1, 3, 5, 5)");
        // tensors that need no gradient are fine with grad mode on
        assertThat(Conv.conv2dBatchNorm(x, prepared, Conv.Epilogue.RELU, residual, null).shape())
                .containsExactly(1, 3, 5, 5);
    }

    // ----------------------------------------------------------------------------------------------
    // Helpers

    /** w ~ N(0, 1/K): outputs of unit size, so ReLU cuts about half of them. */
    private static Tensor weight(DType dtype, long seed, int O, int C, int k) {
        return Tensor.randn(dtype, seed, O, C, k, k).mul(1.0 / Math.sqrt((double) C * k * k)); // (O, C, k, k)
    }

    /**
     * Running statistics far from (0, 1) and a mean larger than the spread of some outputs, so the map is no
     * identity and the float32 centring's two-float split is exercised.
     */
    private static BatchNorm.Params evalParams(DType dtype, int channels, long seed) {
        Tensor gamma = Tensor.rand(dtype, seed, channels).add(0.5); // (O)
        Tensor beta = Tensor.randn(dtype, seed + 1, channels).mul(0.1); // (O)
        Tensor mean = Tensor.randn(dtype, seed + 2, channels).mul(0.5); // (O)
        Tensor var = Tensor.rand(dtype, seed + 3, channels).mul(2.0).add(0.25); // (O)
        return BatchNorm.Params.of(gamma, beta, mean, var);
    }

    /** A dense tensor of NaN: any element the op fails to write shows up as a mismatch. */
    private static Tensor nanFilled(DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, shape);
        t.fillInPlace(Double.NaN);
        return t;
    }
}
