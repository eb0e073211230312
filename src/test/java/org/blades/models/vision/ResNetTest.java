package org.blades.models.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.blades.nn.PortableInit;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// N = batch, D = output features, H/W = input height/width

/** Structure (torchvision's state_dict names, shapes and order), configuration, and the fused inference path. */
class ResNetTest {

    @Test
    void resnet50StateDictHasTorchvisionNamesShapesAndOrder() throws Exception {
        try (ModelReference ref = ModelReference.open("resnet50_forward.safetensors")) {
            // [[key, [shape...]], ...] from torchvision.models.resnet50() with fc = Linear(2048, 768)
            List<?> torchvision = (List<?>) ref.meta("resnet50").get("state_dict");
            List<String> expected = new ArrayList<>();
            for (Object entry : torchvision) {
                List<?> pair = (List<?>) entry;
                expected.add(pair.get(0) + " " + pair.get(1));
            }
            List<String> actual = new ArrayList<>();
            new ResNet(DType.F32, ResNetConfig.resnet50()).stateDict().forEach((k, t) -> {
                StringBuilder shape = new StringBuilder("[");
                for (int i = 0; i < t.dim(); i++) {
                    shape.append(i > 0 ? ", " : "").append(t.size(i));
                }
                actual.add(k + " " + shape.append(']'));
            });
            assertThat(actual).containsExactlyElementsOf(expected);
            assertThat(expected).hasSize(320).contains("layer1.0.downsample.1.num_batches_tracked []",
                    "layer4.2.conv3.weight [2048, 512, 1, 1]", "fc.weight [768, 2048]");
        }
    }

    @Test
    void presetsAndJsonRoundTrip() {
        ResNetConfig r50 = ResNetConfig.resnet50();
        assertThat(r50.featureDim()).isEqualTo(2048);
        assertThat(r50.blocks()).containsExactly(3, 4, 6, 3);
        assertThat(ResNetConfig.tiny().featureDim()).isEqualTo(256);
        assertThat(ResNetConfig.fromJson(ResNetConfig.tiny().toJson())).isEqualTo(ResNetConfig.tiny());
        assertThat(ResNetConfig.tiny().withOutDim(16).outDim()).isEqualTo(16);
        assertThatThrownBy(() -> new ResNetConfig(8, List.of(1, 1, 1), 768))
                .hasMessageContaining("blocks four counts >= 1, got [1, 1, 1]");
        assertThatThrownBy(() -> ResNetConfig.fromJson(Map.of("width", 8L, "blocks", List.of(1L, 1L, 1L, 1L))))
                .hasMessageContaining("'out_dim' must be an integer");
    }

    @Test
    void parameterCountOfResNet50() {
        long n = 0;
        for (Tensor p : new ResNet(DType.F32, ResNetConfig.resnet50()).parameters()) {
            n += p.numel();
        }
        // torchvision's resnet50 has 25,557,032 parameters; fc 2048x1000+1000 becomes 2048x768+768.
        assertThat(n).isEqualTo(25_557_032L - (2048L * 1000 + 1000) + (2048L * 768 + 768));
    }

    @Test
    void anyInputSizeFromTinyToOdd() {
        ResNet model = tiny(DType.F32, 5);
        model.train(false);
        try (var noGrad = Autograd.noGrad()) {
            for (int[] hw : new int[][] {{32, 32}, {33, 45}, {64, 48}}) {
                Tensor out = model.forward(Tensor.randn(DType.F32, 1, 2, 3, hw[0], hw[1])); // (N, D)
                assertThat(out.shape()).as("output for %s", Arrays.toString(hw)).containsExactly(2, 768);
            }
        }
    }

    @Test
    void rejectsInputsThatAreNotRgbBatches() {
        ResNet model = tiny(DType.F32, 5);
        assertThatThrownBy(() -> model.forward(Tensor.zeros(DType.F32, 2, 1, 32, 32)))
                .hasMessageContaining("ResNet: input must be float32 (N, 3, H, W), got float32(2, 1, 32, 32)");
        assertThatThrownBy(() -> model.forward(Tensor.zeros(DType.F64, 2, 3, 32, 32)))
                .hasMessageContaining("got float64(2, 3, 32, 32)");
    }

    /**
     * Evaluation mode: the fused path (under noGrad) and the composed path (grad mode on, so conv, batch norm and
     * ReLU run as separate taped ops) compute the same function. float32: the fused path rounds the folded weights
     * once and skips two roundings per layer, so the two differ by float32 rounding through 17 layers.
     */
    @Test
    void fusedInferenceEqualsComposedPath() {
        for (DType dtype : DType.values()) {
            ResNet model = tiny(dtype, 11);
            model.train(false);
            Tensor x = Tensor.randn(dtype, 3, 2, 3, 48, 40); // (N, 3, H, W)
            Tensor composed = model.forward(x); // (N, D)
            assertThat(composed.requiresGrad()).as("composed output is on the tape").isTrue();
            Tensor fused; // (N, D)
            try (var noGrad = Autograd.noGrad()) {
                fused = model.forward(x);
            }
            double scale = maxAbs(composed);
            Tolerance tol = dtype == DType.F32 ? Tolerance.of(1e-5 * scale, 1e-5) : Tolerance.of(1e-12 * scale, 1e-12);
            TensorCompare.Report r = TensorCompare.assertClose("fused vs composed " + dtype, fused.toDoubleArray(),
                    composed.toDoubleArray(), fused.shape(), tol);
            System.out.println(r.summary());
        }
    }

    /** Training mode always uses batch statistics, with or without grad mode: no fusion there. */
    @Test
    void trainingModeUnderNoGradStillUsesBatchStatistics() {
        ResNet a = tiny(DType.F64, 13);
        ResNet b = tiny(DType.F64, 13);
        Tensor x = Tensor.randn(DType.F64, 4, 2, 3, 32, 32); // (N, 3, H, W)
        Tensor withGrad = a.forward(x); // (N, D)
        Tensor noGradOut; // (N, D)
        try (var noGrad = Autograd.noGrad()) {
            noGradOut = b.forward(x);
        }
        // isEqualTo (Arrays.equals) rather than containsExactly: the latter is quadratic on fc.weight's 196,608 values.
        assertThat(noGradOut.toDoubleArray()).isEqualTo(withGrad.toDoubleArray());
        Map<String, Tensor> sa = a.stateDict();
        b.stateDict().forEach((k, t) -> assertThat(t.toDoubleArray()).as(k).isEqualTo(sa.get(k).toDoubleArray()));
        assertThat(b.stateDict().get("layer2.0.bn2.num_batches_tracked").item()).isEqualTo(1.0);
    }

    static ResNet tiny(DType dtype, long seed) {
        ResNet model = new ResNet(dtype, ResNetConfig.tiny());
        PortableInit.init(model, seed);
        return model;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
