package org.blades.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.blades.models.JointEmbedding;
import org.blades.nn.StateDict;
import org.blades.tensor.Activation;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// B = images, P = prompts, T = positions, E = output feature size; written by reference-data/generate_text.py.

/**
 * The text encoder and the joint embedding against PyTorch (reference-data/models/text_*.safetensors): the tiny
 * CLIP-named and GPT-2-named models loaded from PyTorch's state_dict files (forward, loss, every gradient), and
 * the full-size CLIP RN50 text tower on the 50 BLADES prompts with portable weights. The references are float64
 * computations from the stored float32 weights, so a float64 run checks the math and a float32 run measures
 * float32 rounding alone.
 */
class TextEncoderReferenceTest {

    /**
     * float64 against float64: only the summation order differs (observed: under 2e-13 relative, 15% of this
     * budget at worst).
     */
    private static final Tolerance F64 = Tolerance.of(1e-13, 1e-11);

    @Test
    void tinyClipFloat64() {
        runTiny("tiny_clip", DType.F64);
    }

    @Test
    void tinyClipFloat32() {
        runTiny("tiny_clip", DType.F32);
    }

    @Test
    void tinyGpt2Float64() {
        runTiny("tiny_gpt2", DType.F64);
    }

    @Test
    void tinyGpt2Float32() {
        runTiny("tiny_gpt2", DType.F32);
    }

    /**
     * Loads the PyTorch state_dict, then checks the text features, the joint logits, the cross-entropy loss and
     * the gradient of every text parameter, of logit_scale and of the image features.
     */
    private static void runTiny(String name, DType dtype) {
        List<String> lines = new ArrayList<>();
        try (ReferenceFile ref = ReferenceFile.open("models/text_" + name);
             ReferenceFile weights = ReferenceFile.open("models/text_" + name + "_weights")) {
            Map<String, Object> args = ref.caseArgs(name);
            TextEncoder encoder = new TextEncoder(configFrom(args), dtype);
            assertStateDictMatches(encoder, args);
            StateDict.load(encoder, weights.file(), StateDict.LoadOptions.STRICT);
            JointEmbedding joint = new JointEmbedding(dtype);

            IntTensor ids = ids(ref, name + ".in.ids"); // (P, T)
            Tensor image = Tensor.of(ref.doubles(name + ".in.image"), ref.shape(name + ".in.image")).to(dtype)
                    .requiresGrad(true); // (B, E)
            int[] target = ref.file().ints(name + ".in.target"); // (B)

            Tensor text = encoder.forward(ids); // (P, E)
            Tensor logits = joint.logits(image, text); // (B, P)
            Tensor loss = crossEntropy(logits, target); // ()
            loss.backward();

            boolean f32 = dtype == DType.F32;
            // float32 forward: about 1e-7 relative rounding per op through 2 blocks, layer norms and a softmax
            // (observed: at most 7% of these budgets).
            lines.add(compare(ref, name + ".out", text, f32 ? Tolerance.of(1e-5, 1e-4) : F64));
            lines.add(compare(ref, name + ".out.logits", logits, f32 ? Tolerance.of(1e-5, 1e-4) : F64));
            lines.add(compare(ref, name + ".out.loss", loss, f32 ? Tolerance.of(1e-6, 1e-5) : F64));
            lines.add(compare(ref, name + ".grad.image", image.grad(), gradTolerance(ref, name + ".grad.image", f32)));
            lines.add(compare(ref, name + ".grad.logit_scale", joint.logitScale().grad(),
                    gradTolerance(ref, name + ".grad.logit_scale", f32)));
            for (Map.Entry<String, Tensor> e : encoder.namedParameters().entrySet()) {
                String key = name + ".grad." + e.getKey();
                assertThat(e.getValue().grad()).as("gradient of %s", e.getKey()).isNotNull();
                lines.add(compare(ref, key, e.getValue().grad(), gradTolerance(ref, key, f32)));
            }
        }
        System.out.println(name + " " + dtype + ":\n  " + String.join("\n  ", lines));
    }

    /**
     * float32 gradients are sums over B·T positions of products of float32 activations, each ~1e-7 off relative
     * to the tensor's typical magnitude; an element that cancels to near zero keeps an absolute error of that
     * size, so the absolute part of the budget scales with the tensor's largest element (1e-5 of it) and the
     * relative part is 1e-4 (observed: at most 7% of this budget).
     */
    private static Tolerance gradTolerance(ReferenceFile ref, String tensor, boolean f32) {
        if (!f32) {
            return F64;
        }
        double max = 0;
        for (double v : ref.doubles(tensor)) {
            max = Math.max(max, Math.abs(v));
        }
        return Tolerance.of(1e-5 * max, 1e-4);
    }

    /**
     * The full-size CLIP RN50 text tower plus Linear(1024, 768) on the 50 prompts: portable weights (checked
     * first, bit for bit, at a few pinned tensors), state_dict names, shapes and order as PyTorch's, then the
     * (50, 768) features. The forward computes positions 0..16 of 77 (the longest prompt's end-of-text), which
     * the comparison with PyTorch's full 77-position forward also confirms.
     */
    @Test
    void clipRn50OnThe50Prompts() {
        String name = "clip_rn50_prompts";
        try (ReferenceFile ref = ReferenceFile.open("models/text_clip_rn50")) {
            Map<String, Object> args = ref.caseArgs(name);
            TextConfig config = configFrom(args);
            assertThat(config).isEqualTo(TextConfig.clipRn50());
            TextEncoder encoder = new TextEncoder(config, DType.F32);
            assertStateDictMatches(encoder, args);
            encoder.initPortable(((Number) args.get("seed")).longValue());
            Map<String, Tensor> params = encoder.namedParameters();
            for (String tensor : ref.tensorsOf(name)) {
                String prefix = name + ".pin.";
                if (tensor.startsWith(prefix)) {
                    float[] first = Arrays.copyOf(params.get(tensor.substring(prefix.length())).f32(), 16); // (16)
                    TensorCompare.assertClose(tensor, first, new int[] {16}, ref.doubles(tensor), ref.shape(tensor),
                            Tolerance.EXACT);
                }
            }
            IntTensor ids = ids(ref, name + ".in.ids"); // (50, 77)
            Tensor out;
            try (var scope = Autograd.noGrad()) {
                out = encoder.forward(ids); // (50, 768)
            }
            // float32 through 12 blocks of K = 512 and 2048 sums: the bound rtol 1e-4, plus an atol of
            // 1e-5 for the features that are near zero (they average 0.27 in magnitude; observed max error 9e-7).
            String line = compare(ref, name + ".out", out, Tolerance.of(1e-5, 1e-4));
            System.out.println(name + " F32: " + line);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Helpers

    /** -mean over the batch of log softmax(logits)[b, target[b]]: torch's F.cross_entropy. */
    static Tensor crossEntropy(Tensor logits /* (B, P) */, int[] target /* (B) */) {
        int b = logits.size(0);
        int p = logits.size(1);
        double[] oneHot = new double[b * p]; // (B, P)
        for (int i = 0; i < b; i++) {
            oneHot[i * p + target[i]] = 1.0;
        }
        Tensor mask = Tensor.of(oneHot, b, p).to(logits.dtype()); // (B, P)
        return Activation.logSoftmax(logits, 1).mul(mask).sum().neg().div(b);
    }

    /** Parameter names, order and shapes equal PyTorch's state_dict (the case metadata "keys"). */
    @SuppressWarnings("unchecked")
    static void assertStateDictMatches(TextEncoder encoder, Map<String, Object> args) {
        List<String> expected = new ArrayList<>();
        for (Object entry : (List<Object>) args.get("keys")) {
            List<Object> pair = (List<Object>) entry;
            List<Object> dims = (List<Object>) pair.get(1);
            int[] shape = dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray();
            expected.add(pair.get(0) + " " + Arrays.toString(shape));
        }
        List<String> actual = new ArrayList<>();
        encoder.stateDict().forEach((k, t) -> actual.add(k + " " + Arrays.toString(t.shape())));
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @SuppressWarnings("unchecked")
    static TextConfig configFrom(Map<String, Object> args) {
        Map<String, Object> c = (Map<String, Object>) args.get("config");
        return new TextConfig(intOf(c, "vocab"), intOf(c, "context"), intOf(c, "width"), intOf(c, "layers"),
                intOf(c, "heads"), TextConfig.Activation.valueOf((String) c.get("activation")),
                TextConfig.Naming.valueOf((String) c.get("naming")), intOf(c, "projectionDim"),
                intOf(c, "outputDim"));
    }

    private static int intOf(Map<String, Object> c, String key) {
        return ((Number) c.get(key)).intValue();
    }

    static IntTensor ids(ReferenceFile ref, String tensor) {
        return IntTensor.of(ref.file().ints(tensor), ref.shape(tensor));
    }

    private static String compare(ReferenceFile ref, String tensor, Tensor actual, Tolerance tol) {
        return ref.assertClose(tensor, actual.toDoubleArray(), actual.shape(), tol).summary();
    }
}
