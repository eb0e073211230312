package org.blades.models.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blades.gradcheck.GradCheck;
import org.blades.gradcheck.GradCheckOptions;
import org.blades.gradcheck.GradCheckReport;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tensor.DType;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// B = prompts, T = positions, C = width, V = vocabulary size, OUT = output size.

/** Structure, pooling, the causal shortcut, gradients and errors of {@link TextEncoder} (no reference files). */
class TextEncoderTest {

    /** Rows of (B, T) ids for the tiny vocabulary (V = 64): start 62, body, end-of-text 63, zero padding. */
    private static IntTensor tinyIds() {
        int[] data = { // (3, 8)
            62, 5, 9, 63, 0, 0, 0, 0,
            62, 17, 33, 41, 2, 63, 0, 0,
            62, 63, 0, 0, 0, 0, 0, 0};
        return IntTensor.of(data, 3, 8);
    }

    private static TextEncoder tiny(TextConfig config, DType dtype) {
        TextEncoder e = new TextEncoder(config, dtype);
        e.initPortable(7);
        return e;
    }

    @Test
    void gpt2PresetHasHuggingFaceNamesAndGpt2SmallSize() {
        TextEncoder e = new TextEncoder(TextConfig.gpt2(), DType.F32);
        Map<String, Tensor> sd = e.stateDict();
        assertThat(sd.keySet()).startsWith("wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.ln_1.bias",
                "h.0.attn.c_attn.weight", "h.0.attn.c_attn.bias", "h.0.attn.c_proj.weight", "h.0.attn.c_proj.bias",
                "h.0.ln_2.weight", "h.0.ln_2.bias", "h.0.mlp.c_fc.weight", "h.0.mlp.c_fc.bias",
                "h.0.mlp.c_proj.weight", "h.0.mlp.c_proj.bias", "h.1.ln_1.weight");
        assertThat(sd.keySet()).endsWith("h.11.mlp.c_proj.bias", "ln_f.weight", "ln_f.bias", "proj_out.weight",
                "proj_out.bias");
        assertThat(sd.get("h.0.attn.c_attn.weight").shape()).containsExactly(768, 2304); // Conv1D (IN, OUT)
        assertThat(sd.get("h.11.mlp.c_proj.weight").shape()).containsExactly(3072, 768);
        assertThat(sd.get("wpe.weight").shape()).containsExactly(1024, 768);
        assertThat(sd).doesNotContainKey("text_projection");
        long count = 0;
        for (Map.Entry<String, Tensor> p : sd.entrySet()) {
            if (!p.getKey().startsWith("proj_out.")) {
                count += p.getValue().numel();
            }
        }
        assertThat(count).as("parameters of Hugging Face GPT2Model (gpt2 small)").isEqualTo(124_439_808L);
    }

    @Test
    void clipPresetLeadsWithClipsOwnParameters() {
        TextEncoder e = new TextEncoder(TextConfig.clipRn50(), DType.F32);
        assertThat(e.stateDict().keySet()).startsWith("positional_embedding", "text_projection",
                "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.attn.in_proj_bias",
                "transformer.resblocks.0.attn.out_proj.weight");
        assertThat(e.stateDict().get("text_projection").shape()).containsExactly(512, 1024);
        assertThat(e.stateDict().get("proj_out.weight").shape()).containsExactly(768, 1024);
    }

    @Test
    void poolsAtTheFirstLargestId() {
        assertThat(TextEncoder.endOfTextPositions(tinyIds())).containsExactly(3, 5, 1);
        int[] repeatedEnd = {4, 63, 63, 63}; // GPT-2 style padding with end-of-text: the first one is pooled
        assertThat(TextEncoder.endOfTextPositions(IntTensor.of(repeatedEnd, 1, 4))).containsExactly(1);
    }

    @Test
    void explicitPositionsEqualEndOfTextPooling() {
        TextEncoder e = tiny(TextConfig.tiny(), DType.F64);
        Tensor a = e.forward(tinyIds()); // (3, OUT)
        Tensor b = e.forward(tinyIds(), new int[] {3, 5, 1}); // (3, OUT)
        assertThat(b.toDoubleArray()).containsExactly(a.toDoubleArray());
    }

    /**
     * The forward computes only positions up to the last pooled one. That is exact because under the causal mask
     * no position sees a later one: the hidden states of a sequence's prefix equal the first rows of the whole
     * sequence's hidden states, and pooled features ignore whatever follows the pooled position.
     */
    @Test
    void laterTokensCannotChangeEarlierPositions() {
        for (TextConfig config : List.of(TextConfig.tiny(), TextConfig.tinyGpt2())) {
            TextEncoder e = tiny(config, DType.F64);
            IntTensor ids = tinyIds(); // (3, 8)
            Tensor full = e.hiddenStates(ids); // (3, 8, C)
            Tensor prefix = e.hiddenStates(leading(ids, 6)); // (3, 6, C)
            TensorCompare.assertClose(config.naming() + " prefix", prefix.toDoubleArray(), prefix.shape(),
                    full.slice(1, 0, 6).toDoubleArray(), prefix.shape(), Tolerance.of(1e-14, 1e-12));

            int[] noisy = ids.data().clone(); // (3 * 8) different tokens after every end-of-text
            for (int i = 0; i < noisy.length; i++) {
                if (noisy[i] == 0) {
                    noisy[i] = 1 + i % 50;
                }
            }
            double[] clean = e.forward(ids).toDoubleArray(); // (3 * OUT)
            double[] withNoise = e.forward(IntTensor.of(noisy, 3, 8), new int[] {3, 5, 1}).toDoubleArray();
            TensorCompare.assertClose(config.naming() + " features", withNoise, clean, new int[] {clean.length},
                    Tolerance.of(1e-14, 1e-12));
        }
    }

    /** Every parameter's gradient against central differences in float64 (a seeded sample of elements each). */
    @Test
    void gradientsMatchFiniteDifferences() {
        for (TextConfig config : List.of(TextConfig.tiny(), TextConfig.tinyGpt2())) {
            TextEncoder e = tiny(config, DType.F64);
            IntTensor ids = tinyIds();
            List<Tensor> params = new ArrayList<>(e.parameters());
            GradCheckOptions options = GradCheckOptions.builder().maxElementsPerTensor(4).build();
            GradCheckReport report = GradCheck.check("TextEncoder " + config.naming(), in -> e.forward(ids), params,
                    options);
            report.assertPassed();
            System.out.println(report.summary());
        }
    }

    @Test
    void portableRuleKnowsTheLayouts() {
        TextEncoder clip = new TextEncoder(TextConfig.tiny(), DType.F32);
        Map<String, Tensor> c = clip.stateDict();
        assertThat(clip.portableRule("transformer.resblocks.0.attn.in_proj_bias",
                c.get("transformer.resblocks.0.attn.in_proj_bias"))).isEqualTo(new PortableInit.Rule(0.0, 0.1));
        // text_projection (C, E) is used as x @ W: fan-in C = 32.
        assertThat(clip.portableRule("text_projection", c.get("text_projection")).halfWidth())
                .isEqualTo(1.0 / Math.sqrt(32.0));
        // nn.Linear's (OUT, IN): fan-in IN = 4C = 128.
        assertThat(clip.portableRule("transformer.resblocks.0.mlp.c_proj.weight",
                c.get("transformer.resblocks.0.mlp.c_proj.weight")).halfWidth()).isEqualTo(1.0 / Math.sqrt(128.0));
        TextEncoder gpt2 = new TextEncoder(TextConfig.tinyGpt2(), DType.F32);
        Map<String, Tensor> g = gpt2.stateDict();
        // Conv1D (IN, OUT) = (4C, C): fan-in 4C = 128, from dimension 0.
        assertThat(gpt2.portableRule("h.0.mlp.c_proj.weight", g.get("h.0.mlp.c_proj.weight")).halfWidth())
                .isEqualTo(1.0 / Math.sqrt(128.0));
        assertThat(gpt2.portableRule("h.0.ln_1.weight", g.get("h.0.ln_1.weight")))
                .isEqualTo(new PortableInit.Rule(1.0, 0.1));
    }

    /**
     * A CLIP checkpoint has no proj_out (BLADES' new layer) but has the visual tower and logit_scale; a GPT-2 LM
     * checkpoint has a "transformer." prefix, the causal-mask buffers and lm_head, and no text_projection.
     */
    @Test
    void loadsPretrainedTowersAndKeepsTheNewLayers(@TempDir Path dir) throws IOException {
        TextEncoder source = tiny(TextConfig.tiny(), DType.F32);
        Safetensors.Writer w = Safetensors.writer();
        source.stateDict().forEach((k, t) -> {
            if (!k.startsWith("proj_out.")) {
                w.put(k, t.toFloatArray(), t.shape());
            }
        });
        w.put("visual.conv1.weight", new float[8], 2, 4).put("logit_scale", new float[] {4.6f});
        Path clipFile = dir.resolve("clip.safetensors");
        w.write(clipFile);
        TextEncoder clip = new TextEncoder(TextConfig.tiny(), DType.F32);
        clip.namedParameters().get("proj_out.bias").fillInPlace(0.5);
        try (SafetensorsFile f = Safetensors.open(clipFile)) {
            StateDict.LoadReport r = clip.loadPretrained(f, "");
            assertThat(r.unexpected()).containsExactlyInAnyOrder("visual.conv1.weight", "logit_scale");
            assertThat(r.missing()).containsExactly("proj_out.weight", "proj_out.bias");
        }
        assertThat(clip.namedParameters().get("ln_final.weight").toFloatArray())
                .containsExactly(source.namedParameters().get("ln_final.weight").toFloatArray());
        assertThat(clip.namedParameters().get("proj_out.bias").toFloatArray()).containsOnly(0.5f);

        TextEncoder gpt2Source = tiny(TextConfig.tinyGpt2(), DType.F32);
        Safetensors.Writer g = Safetensors.writer();
        gpt2Source.stateDict().forEach((k, t) -> {
            if (!k.startsWith("proj_out.") && !k.equals("text_projection")) {
                g.put("transformer." + k, t.toFloatArray(), t.shape());
            }
        });
        g.put("transformer.h.0.attn.bias", new boolean[16 * 16], 1, 1, 16, 16)
                .put("lm_head.weight", new float[4], 2, 2);
        Path gpt2File = dir.resolve("gpt2.safetensors");
        g.write(gpt2File);
        TextEncoder gpt2 = new TextEncoder(TextConfig.tinyGpt2(), DType.F64);
        try (SafetensorsFile f = Safetensors.open(gpt2File)) {
            StateDict.LoadReport r = gpt2.loadPretrained(f, "transformer.");
            assertThat(r.unexpected()).containsExactly("h.0.attn.bias");
            assertThat(r.missing()).containsExactly("text_projection", "proj_out.weight", "proj_out.bias");
            assertThatThrownBy(() -> clip.loadPretrained(f, "transformer."))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CLIP naming")
                    .hasMessageContaining("positional_embedding");
        }
        assertThat(gpt2.namedParameters().get("h.1.mlp.c_fc.weight").toDoubleArray()).containsExactly(
                gpt2Source.namedParameters().get("h.1.mlp.c_fc.weight").to(DType.F64).toDoubleArray());
    }

    @Test
    void errorsNameTheShapes() {
        TextEncoder e = tiny(TextConfig.tiny(), DType.F32);
        assertThatThrownBy(() -> e.forward(IntTensor.of(new int[17], 1, 17)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 17]")
                .hasMessageContaining("context 16");
        assertThatThrownBy(() -> e.forward(IntTensor.of(new int[4], 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(B, T)");
        assertThatThrownBy(() -> e.forward(tinyIds(), new int[] {3, 8, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 8 of row 1")
                .hasMessageContaining("[3, 8]");
        assertThatThrownBy(() -> e.forward(tinyIds(), new int[] {3, 5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 pooling positions");
        assertThatThrownBy(() -> e.forward(IntTensor.of(new int[] {62, 64}, 1, 2)))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("V = 64");
        assertThatThrownBy(() -> new TextConfig(64, 16, 30, 2, 4, TextConfig.Activation.QUICK_GELU,
                TextConfig.Naming.CLIP, 0, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("C = 30").hasMessageContaining("H = 4");
        assertThatThrownBy(() -> TextBlock.attention(Tensor.zeros(DType.F32, 2, 3, 10), 4, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3, 10]");
    }

    private static IntTensor leading(IntTensor ids, int keep) {
        int b = ids.shape()[0];
        int t = ids.shape()[1];
        int[] out = new int[b * keep]; // (B, keep)
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids.data(), i * t, out, i * keep, keep);
        }
        return IntTensor.of(out, b, keep);
    }
}
