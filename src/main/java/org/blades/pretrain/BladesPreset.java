package org.blades.pretrain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.models.text.TextConfig;
import org.blades.models.vision.ResNetConfig;
import org.blades.text.ClipTokenizer;

// D = joint embedding size, V = vocabulary, T = context, C = text width

/**
 * The sizes of a {@link BladesModel} and its input.
 *
 * <p>The text tower always reads the 50 prompts through CLIP's tokenizer, so V = 49,408 and T = 77 in every preset
 * (the tiny text config of the text-encoder tests has V = 64 and cannot read real prompts). The tiny preset keeps
 * that vocabulary and shrinks everything else: its token table (V × C = 1.6 M values) is then most of its
 * parameters, which costs memory but no compute (only the ~60 distinct prompt tokens are ever looked up).
 *
 * @param name      "tiny" or "paper" (or a caller's own)
 * @param vision    the ResNet; its outDim is D
 * @param text      the text tower; its outputDim is D
 * @param inputSize the square input side in pixels
 */
public record BladesPreset(String name, ResNetConfig vision, TextConfig text, int inputSize) {

    public BladesPreset {
        if (name == null || vision == null || text == null || inputSize < 1) {
            throw new IllegalArgumentException("BladesPreset: name, vision and text must be given, input size >= 1");
        }
        if (vision.outDim() != text.outputDim()) {
            throw new IllegalArgumentException("BladesPreset " + name + ": image features have " + vision.outDim()
                    + " dimensions, text features " + text.outputDim() + "; the joint embedding needs one D");
        }
        if (text.vocab() != ClipTokenizer.VOCAB_SIZE || text.context() < ClipTokenizer.DEFAULT_CONTEXT_LENGTH) {
            throw new IllegalArgumentException("BladesPreset " + name + ": the prompts are CLIP tokens, so the text "
                    + "tower needs V = " + ClipTokenizer.VOCAB_SIZE + " and T >= "
                    + ClipTokenizer.DEFAULT_CONTEXT_LENGTH + ", got V = " + text.vocab() + ", T = " + text.context());
        }
    }

    /**
     * For tests and CPU demos: ResNet width 8 with one block per stage, a 2-layer text transformer of width 32
     * (4 heads, text projection 48), D = 64, 64 × 64 inputs. About 1.8 M parameters, 1.6 M of them the token table.
     */
    public static BladesPreset tiny() {
        int d = 64;
        return new BladesPreset("tiny", new ResNetConfig(8, List.of(1, 1, 1, 1), d),
                new TextConfig(ClipTokenizer.VOCAB_SIZE, ClipTokenizer.DEFAULT_CONTEXT_LENGTH, 32, 2, 4,
                        TextConfig.Activation.QUICK_GELU, TextConfig.Naming.CLIP, 48, d),
                64);
    }

    /** The paper's model: ResNet-50 and CLIP RN50's text tower, D = 768, 224 × 224 inputs. */
    public static BladesPreset paper() {
        return new BladesPreset("paper", ResNetConfig.resnet50(), TextConfig.clipRn50(), 224);
    }

    /** "tiny" or "paper". */
    public static BladesPreset named(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "paper" -> paper();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (tiny, paper)");
        };
    }

    public BladesPreset withInputSize(int size) {
        return new BladesPreset(name, vision, text, size);
    }

    /** {"name", "input_size", "vision": ResNetConfig JSON, "text": {...}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("input_size", (long) inputSize);
        m.put("vision", vision.toJson());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("vocab", (long) text.vocab());
        t.put("context", (long) text.context());
        t.put("width", (long) text.width());
        t.put("layers", (long) text.layers());
        t.put("heads", (long) text.heads());
        t.put("activation", text.activation().name());
        t.put("naming", text.naming().name());
        t.put("projection_dim", (long) text.projectionDim());
        t.put("output_dim", (long) text.outputDim());
        m.put("text", t);
        return m;
    }

    public static BladesPreset fromJson(Map<String, Object> json) {
        Map<String, Object> t = JsonFields.object(json, "text");
        TextConfig text = new TextConfig(toInt(t, "vocab"), toInt(t, "context"), toInt(t, "width"), toInt(t, "layers"),
                toInt(t, "heads"), TextConfig.Activation.valueOf(JsonFields.string(t, "activation")),
                TextConfig.Naming.valueOf(JsonFields.string(t, "naming")), toInt(t, "projection_dim"),
                toInt(t, "output_dim"));
        return new BladesPreset(JsonFields.string(json, "name"), ResNetConfig.fromJson(JsonFields.object(json, "vision")),
                text, toInt(json, "input_size"));
    }

    private static int toInt(Map<String, Object> json, String key) {
        return Math.toIntExact(JsonFields.integer(json, key));
    }
}
