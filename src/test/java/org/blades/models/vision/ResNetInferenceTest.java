package org.blades.models.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.blades.nn.PortableInit;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.junit.jupiter.api.Test;

// N = batch, H/W = input height/width, D = output features (768)

/**
 * {@link ResNetInference} computes exactly {@link ResNet#forward} in evaluation mode under no-grad: the same bits
 * at batches 1 to 3 and even, odd and non-square inputs, in float32 and float64, on repeated calls and after the
 * input shape changes (its activation buffers are reused, replaced and released), and from a snapshot that later
 * changes to the module do not reach.
 *
 * <p>The tiny preset (width 8, one block per stage, so only layer1 has a stride-1 3x3 convolution) reaches both
 * float32 3x3 schedules: at 32x32 that convolution sees 8x8 pixels, 16 Winograd tiles per image, too few (im2col,
 * also at batch 3: 48 tiles), while 64x64 at batch 1 (64 tiles) and 40x40 at batch 3 (75 tiles) run Winograd.
 */
class ResNetInferenceTest {

    /** (N, H, W) inputs of the float32 model: batches 1 and 3, even, odd and non-square sizes. */
    private static final int[][] F32_INPUTS = {
            {1, 32, 32}, {3, 32, 32}, {1, 40, 40}, {3, 40, 40}, {1, 33, 33}, {3, 33, 45}, {1, 64, 64}};

    @Test
    void matchesTheModuleBitForBitInFloat32() {
        ResNet model = tiny(DType.F32, 21);
        ResNetInference inference = new ResNetInference(model);
        long seed = 1000;
        for (int[] in : F32_INPUTS) {
            Tensor x = Tensor.randn(DType.F32, seed++, in[0], 3, in[1], in[2]); // (N, 3, H, W)
            Tensor got = inference.forward(x); // (N, D)
            assertThat(got.shape()).containsExactly(in[0], ResNetConfig.BLADES_DIM);
            assertSameBits("float32 input " + describe(in), got, reference(model, x));
        }
        // stored (N, 3, W, H) and viewed as (N, 3, H, W): a strided input is copied, not read as if dense
        Tensor strided = Tensor.randn(DType.F32, seed, 2, 3, 36, 40).permute(0, 1, 3, 2); // (N, 3, H, W)
        assertThat(strided.isContiguous()).isFalse();
        assertSameBits("strided input", inference.forward(strided), reference(model, strided));
    }

    @Test
    void matchesTheModuleBitForBitInFloat64() {
        ResNet model = tiny(DType.F64, 22);
        ResNetInference inference = new ResNetInference(model);
        long seed = 1100;
        for (int[] in : new int[][] {{1, 32, 32}, {3, 40, 40}, {2, 33, 37}, {1, 32, 32}}) {
            Tensor x = Tensor.randn(DType.F64, seed++, in[0], 3, in[1], in[2]); // (N, 3, H, W)
            Tensor want = reference(model, x); // (N, D)
            assertSameBits("float64 input " + describe(in), inference.forward(x), want);
            assertSameBits("float64 input " + describe(in) + ", again", inference.forward(x), want);
        }
    }

    /**
     * ResNet-50 at batch 1 on a 64x64 input: the real channel counts (64 to 2048), projection shortcuts and
     * blocks with identity shortcuts, Winograd on layer1's 16x16 3x3 convolutions (64 tiles) and im2col on the
     * later, smaller ones; under a second including construction.
     */
    @Test
    void resnet50MatchesTheModuleAtBatchOne() {
        ResNet model = new ResNet(DType.F32, ResNetConfig.resnet50());
        PortableInit.init(model, 41);
        randomizeRunningStatistics(model, 42);
        model.train(false);
        ResNetInference inference = new ResNetInference(model);
        Tensor x = Tensor.randn(DType.F32, 1050, 1, 3, 64, 64); // (N, 3, H, W)
        Tensor want = reference(model, x); // (N, D)
        assertSameBits("resnet50 (1, 3, 64, 64)", inference.forward(x), want);
        assertSameBits("resnet50 (1, 3, 64, 64), again", inference.forward(x), want);
    }

    /**
     * The second and third calls run on the buffers the first one handed back: the same bits, and neither the
     * input nor an earlier result (a new tensor each call) is touched.
     */
    @Test
    void repeatedCallsGiveIdenticalResultsAndLeaveInputsAndEarlierOutputsAlone() {
        ResNet model = tiny(DType.F32, 23);
        ResNetInference inference = new ResNetInference(model);
        for (int[] in : new int[][] {{1, 40, 40}, {3, 33, 33}}) {
            Tensor x = Tensor.randn(DType.F32, 1200 + in[0], in[0], 3, in[1], in[2]); // (N, 3, H, W)
            Tensor xCopy = x.copy(); // (N, 3, H, W)
            Tensor want = reference(model, x); // (N, D)
            Tensor first = inference.forward(x); // (N, D)
            Tensor firstCopy = first.copy(); // (N, D)
            Tensor second = inference.forward(x); // (N, D)
            Tensor third = inference.forward(x); // (N, D)
            String what = "input " + describe(in);
            assertSameBits(what + ", call 1", first, want);
            assertSameBits(what + ", call 2", second, want);
            assertSameBits(what + ", call 3", third, want);
            assertThat(second).isNotSameAs(first);
            assertSameBits(what + ", call 1's result after calls 2 and 3", first, firstCopy);
            assertSameBits(what + ", the input after three calls", x, xCopy);
        }
    }

    /** Switching shapes drops the old buffers and allocates new ones; switching back must not see stale ones. */
    @Test
    void alternatingInputShapesAndReleasedBuffersGiveTheSameBits() {
        ResNet model = tiny(DType.F32, 24);
        ResNetInference inference = new ResNetInference(model);
        // a batch change alone (same H, W), a size change alone, both, an odd size
        Tensor a = Tensor.randn(DType.F32, 1300, 1, 3, 32, 32); // (N, 3, H, W)
        Tensor b = Tensor.randn(DType.F32, 1301, 3, 3, 32, 32); // (N, 3, H, W)
        Tensor c = Tensor.randn(DType.F32, 1302, 1, 3, 40, 40); // (N, 3, H, W)
        Tensor d = Tensor.randn(DType.F32, 1303, 2, 3, 33, 41); // (N, 3, H, W)
        Tensor[] xs = {a, b, c, d};
        List<Tensor> want = new ArrayList<>();
        for (Tensor x : xs) {
            want.add(reference(model, x));
        }
        inference.releaseBuffers(); // nothing held yet: a no-op
        int[] order = {0, 1, 0, 2, 0, 3, 3, 1, 2, 0};
        for (int step = 0; step < order.length; step++) {
            int i = order[step];
            assertSameBits("step " + step + ", input " + i, inference.forward(xs[i]), want.get(i));
        }
        inference.releaseBuffers();
        assertSameBits("input 0 after releaseBuffers", inference.forward(a), want.get(0));
        assertSameBits("input 0 on the reallocated buffers", inference.forward(a), want.get(0));
        inference.releaseBuffers();
        inference.releaseBuffers();
        assertSameBits("input 3 after releasing twice", inference.forward(d), want.get(3));
    }

    // ----------------------------------------------------------------------------------------------
    // Snapshot and mode

    /**
     * Weights, batch-norm statistics and fc are copied at construction: re-initialising the module afterwards
     * changes its own output but not the snapshot's, and a new snapshot follows the module.
     */
    @Test
    void isASnapshotOfTheModule() {
        ResNet model = tiny(DType.F32, 25);
        ResNetInference before = new ResNetInference(model);
        Tensor x = Tensor.randn(DType.F32, 1400, 2, 3, 40, 40); // (N, 3, H, W)
        Tensor oldOut = reference(model, x); // (N, D)
        PortableInit.init(model, 26);
        randomizeRunningStatistics(model, 27);
        Tensor newOut = reference(model, x); // (N, D)
        assertThat(newOut.toDoubleArray()).as("the re-initialised module").isNotEqualTo(oldOut.toDoubleArray());
        assertSameBits("snapshot after the module changed", before.forward(x), oldOut);
        assertSameBits("new snapshot", new ResNetInference(model).forward(x), newOut);

        // an in-place change of a single tensor, the fc bias, is not seen either
        Tensor fcBias = model.namedParameters().get("fc.bias"); // (D)
        ResNetInference beforeBias = new ResNetInference(model);
        fcBias.fillInPlace(5.0);
        assertSameBits("snapshot after fc.bias changed", beforeBias.forward(x), newOut);
    }

    /**
     * Built from a module in training mode it still uses the running statistics (evaluation mode's function), and
     * it leaves the module's mode alone.
     */
    @Test
    void usesRunningStatisticsWhateverTheModulesMode() {
        ResNet model = tiny(DType.F32, 28);
        model.train(true);
        ResNetInference inference = new ResNetInference(model);
        assertThat(model.isTraining()).isTrue();
        Tensor x = Tensor.randn(DType.F32, 1500, 2, 3, 32, 32); // (N, 3, H, W)
        Tensor got = inference.forward(x); // (N, D)
        model.train(false);
        assertSameBits("built in training mode", got, reference(model, x));
    }

    /** It runs without a tape of its own: an input that requires grad, with grad mode on, gives the same bits. */
    @Test
    void recordsNothingEvenWithGradModeOn() {
        ResNet model = tiny(DType.F32, 29);
        ResNetInference inference = new ResNetInference(model);
        Tensor x = Tensor.randn(DType.F32, 1600, 1, 3, 32, 32); // (N, 3, H, W)
        Tensor got = inference.forward(x.detach().requiresGrad(true)); // (N, D)
        assertThat(got.requiresGrad()).isFalse();
        assertSameBits("input requiring grad", got, reference(model, x));
    }

    /** forward is synchronized: calls from two threads with different shapes each get their own input's result. */
    @Test
    void callsFromTwoThreadsGetTheirOwnResults() throws Exception {
        ResNet model = tiny(DType.F32, 30);
        ResNetInference inference = new ResNetInference(model);
        Tensor a = Tensor.randn(DType.F32, 1700, 1, 3, 32, 32); // (N, 3, H, W)
        Tensor b = Tensor.randn(DType.F32, 1701, 2, 3, 40, 40); // (N, 3, H, W)
        Tensor wantA = reference(model, a); // (N, D)
        Tensor wantB = reference(model, b); // (N, D)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<Tensor>> fa = pool.submit(() -> List.of(inference.forward(a), inference.forward(a),
                    inference.forward(a)));
            Future<List<Tensor>> fb = pool.submit(() -> List.of(inference.forward(b), inference.forward(b),
                    inference.forward(b)));
            for (Tensor t : fa.get()) {
                assertSameBits("thread A", t, wantA);
            }
            for (Tensor t : fb.get()) {
                assertSameBits("thread B", t, wantB);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Errors

    @Test
    void rejectsInputsThatAreNotRgbBatchesOfTheModelsDtype() {
        ResNetInference inference = new ResNetInference(tiny(DType.F32, 31));
        String expected = "ResNetInference: input must be float32 (N, 3, H, W), got ";
        assertThatThrownBy(() -> inference.forward(Tensor.zeros(DType.F32, 1, 4, 32, 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected + "float32(1, 4, 32, 32)");
        assertThatThrownBy(() -> inference.forward(Tensor.zeros(DType.F64, 1, 3, 32, 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected + "float64(1, 3, 32, 32)");
        assertThatThrownBy(() -> inference.forward(Tensor.zeros(DType.F32, 3, 32, 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected + "float32(3, 32, 32)");
        assertThatThrownBy(() -> inference.forward(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected + "null");
        assertThatThrownBy(() -> new ResNetInference(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ResNetInference: model must not be null");
        // a refused call leaves the object usable
        Tensor x = Tensor.randn(DType.F32, 1800, 1, 3, 32, 32); // (N, 3, H, W)
        assertThat(inference.forward(x).shape()).containsExactly(1, ResNetConfig.BLADES_DIM);
        ResNetInference f64 = new ResNetInference(tiny(DType.F64, 32));
        assertThatThrownBy(() -> f64.forward(Tensor.zeros(DType.F32, 1, 3, 32, 32)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ResNetInference: input must be float64 (N, 3, H, W), got float32(1, 3, 32, 32)");
    }

    // ----------------------------------------------------------------------------------------------
    // Helpers

    /**
     * The tiny preset with PortableInit weights and running statistics drawn again with a wider spread than
     * PortableInit's, in evaluation mode: no batch norm is close to the identity.
     */
    static ResNet tiny(DType dtype, long seed) {
        ResNet model = new ResNet(dtype, ResNetConfig.tiny());
        PortableInit.init(model, seed);
        randomizeRunningStatistics(model, seed * 1000);
        model.train(false);
        return model;
    }

    /** running_mean ~ N(0, 0.3^2), running_var uniform in [0.25, 2.25): positive, far from 1. */
    private static void randomizeRunningStatistics(ResNet model, long seed) {
        long s = seed;
        for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
            Tensor t = e.getValue();
            if (e.getKey().endsWith(".running_mean")) {
                t.copyFromInPlace(Tensor.randn(t.dtype(), s++, t.shape()).mul(0.3));
            } else if (e.getKey().endsWith(".running_var")) {
                t.copyFromInPlace(Tensor.rand(t.dtype(), s++, t.shape()).mul(2.0).add(0.25));
            }
        }
    }

    /** The module's own inference path: evaluation mode under no-grad. */
    private static Tensor reference(ResNet model, Tensor x) {
        assertThat(model.isTraining()).as("reference runs in evaluation mode").isFalse();
        try (var noGrad = Autograd.noGrad()) {
            return model.forward(x);
        }
    }

    private static String describe(int[] nhw) {
        return "(" + nhw[0] + ", 3, " + nhw[1] + ", " + nhw[2] + ")";
    }

    /**
     * Same bits, with a finite reference ({@link TensorCompare#assertSameBits}) that is not all zero, so a path
     * that produced nothing or NaN cannot pass.
     */
    private static void assertSameBits(String what, Tensor got, Tensor want) {
        TensorCompare.assertSameBits(what, got, want);
        assertThat(Arrays.stream(want.toDoubleArray()).anyMatch(v -> v != 0.0)).as(what + ": zero reference values")
                .isTrue();
    }
}
