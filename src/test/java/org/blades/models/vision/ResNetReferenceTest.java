package org.blades.models.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.blades.io.SafetensorsFile;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// N = batch, D = output features (768), rank = number of dimensions

/**
 * The vision encoder against PyTorch/torchvision (reference-data/models/, written by generate_models.py):
 * full-size ResNet-50 inference, the tiny preset's training step (output, loss, every parameter gradient,
 * batch-norm buffers after the step, then inference with the updated statistics), and loading torchvision
 * state_dicts saved as F32, F16 and BF16 safetensors. The PyTorch side computed in float64, so each tolerance
 * below bounds the error of the Java computation itself.
 */
class ResNetReferenceTest {

    /**
     * The float64 Java run against float64 PyTorch values stored rounded to float32: the rounding is at most 2^-24
     * relative, the computations agree to ~1e-12; atol covers elements that are zero up to that noise.
     */
    private static Tolerance f64Tolerance(ModelReference ref, String name) {
        return Tolerance.of(1e-10 * ref.maxAbs(name), 1.2e-7);
    }

    /**
     * float32 Java against the float64 truth. Outputs and gradients are long float32 sums (convolutions with
     * K up to 3*3*64, the fc over 256 features, batch-norm statistics and their backward over up to 2*32*32
     * values, whose training-mode backward subtracts nearly equal terms), so an element's error scales with the
     * magnitude of the tensor's terms, not with its own value: atol is relative to max|ref| of the tensor.
     * PyTorch's own float32 run of this step is off its float64 run by up to 1.6e-5 * max|ref| (bn gradients);
     * the bound leaves about 3x room over that, and the Java run uses about a third of it.
     */
    private static Tolerance f32Tolerance(ModelReference ref, String name) {
        return Tolerance.of(5e-5 * ref.maxAbs(name), 1e-4);
    }

    @Test
    void resnet50InferenceMatchesTorchvision() throws Exception {
        try (ModelReference ref = ModelReference.open("resnet50_forward.safetensors")) {
            Map<String, Object> meta = ref.meta("resnet50");
            @SuppressWarnings("unchecked")
            ResNetConfig config = ResNetConfig.fromJson((Map<String, Object>) meta.get("config"));
            assertThat(config).isEqualTo(ResNetConfig.resnet50());
            ResNet model = new ResNet(DType.F32, config);
            PortableInit.init(model, (Long) meta.get("seed"));
            model.train(false);
            Tensor out; // (N, D)
            try (var noGrad = Autograd.noGrad()) {
                out = model.forward(ref.f32("resnet50.in.x"));
            }
            // 53 float32 layers with sums of up to 4608 terms, and outputs near zero come from cancellation in the
            // final 2048-term sum, hence an atol relative to max|ref| beside rtol 1e-4 (measured: max |diff| is
            // about 2.5e-7 * max|ref|).
            ref.compare("resnet50.out", out, Tolerance.of(1e-5 * ref.maxAbs("resnet50.out"), 1e-4));
            // the frozen inference path (prepared weights, reused buffers) against the same reference, and
            // against the module bit for bit
            Tensor frozen = new ResNetInference(model).forward(ref.f32("resnet50.in.x")); // (N, D)
            ref.compare("resnet50.out", frozen, Tolerance.of(1e-5 * ref.maxAbs("resnet50.out"), 1e-4));
            assertThat(frozen.toFloatArray()).isEqualTo(out.toFloatArray());
            ref.report().forEach(System.out::println);
        }
    }

    @Test
    void tinyTrainingStepMatchesPyTorchInFloat64() throws Exception {
        trainingStep(DType.F64);
    }

    @Test
    void tinyTrainingStepMatchesPyTorchInFloat32() throws Exception {
        trainingStep(DType.F32);
    }

    private static void trainingStep(DType dtype) throws Exception {
        try (ModelReference ref = ModelReference.open("resnet_tiny_train.safetensors")) {
            Map<String, Object> meta = ref.meta("tiny");
            @SuppressWarnings("unchecked")
            ResNetConfig config = ResNetConfig.fromJson((Map<String, Object>) meta.get("config"));
            assertThat(config).isEqualTo(ResNetConfig.tiny());
            ResNet model = new ResNet(dtype, config);
            PortableInit.init(model, (Long) meta.get("seed"));
            model.train(true);

            Tensor x = input(ref, "tiny.in.x", dtype); // (N, 3, H, W)
            Tensor gout = input(ref, "tiny.gout", dtype); // (N, D)
            Tensor out = model.forward(x); // (N, D)
            // loss = sum(out * gout), so d loss / d out = gout
            Tensor loss = out.mul(gout).sum();
            loss.backward();

            List<String> compared = new ArrayList<>();
            compare(ref, "tiny.out", out, dtype);
            compare(ref, "tiny.out.loss", loss, dtype);
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                assertThat(p.getValue().grad()).as("gradient of %s", p.getKey()).isNotNull();
                compare(ref, "tiny.grad." + p.getKey(), p.getValue().grad(), dtype);
                compared.add("tiny.grad." + p.getKey());
            }
            StateDict state = StateDict.of(model);
            for (Map.Entry<String, Tensor> b : model.namedBuffers().entrySet()) {
                String name = "tiny.buffer." + b.getKey();
                if (state.isInteger(b.getKey())) {
                    ref.compare(name, b.getValue(), Tolerance.EXACT); // num_batches_tracked = 1
                } else {
                    compare(ref, name, b.getValue(), dtype);
                }
                compared.add(name);
            }
            assertThat(compared).containsExactlyInAnyOrderElementsOf(tensorsUnder(ref.file(), "tiny.grad.",
                    "tiny.buffer."));

            // Inference with the updated running statistics (the fused conv + batch-norm path).
            model.train(false);
            try (var noGrad = Autograd.noGrad()) {
                compare(ref, "tiny.out.eval", model.forward(x), dtype);
            }
            System.out.println("tiny training step, " + dtype + ":");
            ref.report().forEach(line -> System.out.println("  " + line));
        }
    }

    private static void compare(ModelReference ref, String name, Tensor actual, DType dtype) {
        ref.compare(name, actual, dtype == DType.F64 ? f64Tolerance(ref, name) : f32Tolerance(ref, name));
    }

    /** A float32 reference input in the run's dtype (widening to float64 is exact). */
    private static Tensor input(ModelReference ref, String name, DType dtype) {
        return dtype == DType.F32 ? ref.f32(name) : ref.f64(name);
    }

    private static TreeSet<String> tensorsUnder(SafetensorsFile file, String... prefixes) {
        TreeSet<String> out = new TreeSet<>();
        for (String n : file.names()) {
            for (String p : prefixes) {
                if (n.startsWith(p)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    @Test
    void loadsTorchvisionStateDictsInF32F16AndBf16() throws Exception {
        try (ModelReference io = ModelReference.open("torchvision_small_io.safetensors")) {
            @SuppressWarnings("unchecked")
            ResNetConfig config = ResNetConfig.fromJson((Map<String, Object>) io.meta("small").get("config"));
            Tensor x = io.f32("small.in.x"); // (N, 3, H, W)
            for (String dtype : List.of("f32", "f16", "bf16")) {
                String file = "torchvision_small" + (dtype.equals("f32") ? "" : "_" + dtype) + ".safetensors";
                ResNet model = new ResNet(DType.F32, config);
                try (ModelReference weights = ModelReference.open(file)) {
                    StateDict.LoadReport report = StateDict.load(model, weights.file(), StateDict.LoadOptions.STRICT);
                    assertThat(report.loaded()).hasSize(weights.file().names().size());
                    // Every value arrives exactly (F16 and BF16 widen to float32 without rounding).
                    for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
                        weights.compare(e.getKey(), e.getValue(), Tolerance.EXACT);
                    }
                }
                model.train(false);
                try (var noGrad = Autograd.noGrad()) {
                    // Small float32 network (sums of at most 3*3*32 terms) against float64 PyTorch.
                    String name = "small.out." + dtype;
                    io.compare(name, model.forward(x), Tolerance.of(1e-5 * io.maxAbs(name), 1e-5));
                }
            }
            io.report().forEach(System.out::println);
        }
    }

    /**
     * The paper's encoder starts from ImageNet weights whose fc has another size: skipping "fc." loads the rest and
     * leaves fc as it was; without it, fc is reported mis-shaped.
     */
    @Test
    void loadsATorchvisionBackboneWhoseFcHasAnotherSize() throws Exception {
        try (ModelReference io = ModelReference.open("torchvision_small_io.safetensors");
             ModelReference weights = ModelReference.open("torchvision_small.safetensors")) {
            @SuppressWarnings("unchecked")
            ResNetConfig small = ResNetConfig.fromJson((Map<String, Object>) io.meta("small").get("config"));
            ResNet model = new ResNet(DType.F32, small.withOutDim(16));
            PortableInit.init(model, 3);
            float[] fcBefore = model.stateDict().get("fc.weight").toFloatArray();
            assertThatThrownBy(() -> StateDict.load(model, weights.file(), StateDict.LoadOptions.STRICT))
                    .hasMessageContaining("0 missing, 0 unexpected, 2 mis-shaped keys")
                    .hasMessageContaining("'fc.weight' F32 (10, 128) in the file, model has F32 (16, 128)");
            StateDict.LoadReport report = StateDict.load(model, weights.file(),
                    StateDict.LoadOptions.STRICT.skipping("fc."));
            assertThat(report.loaded()).hasSize(weights.file().names().size() - 2).doesNotContain("fc.weight");
            assertThat(model.stateDict().get("fc.weight").toFloatArray()).isEqualTo(fcBefore);
            weights.compare("layer4.0.downsample.1.running_var",
                    model.stateDict().get("layer4.0.downsample.1.running_var"), Tolerance.EXACT);
        }
    }
}
