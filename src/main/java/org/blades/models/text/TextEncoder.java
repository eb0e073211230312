package org.blades.models.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blades.io.SafetensorsFile;
import org.blades.nn.LayerNorm;
import org.blades.nn.Linear;
import org.blades.nn.Module;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tensor.DType;
import org.blades.tensor.Indexing;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;

// B = batch (prompts), T = positions (ids per row, at most the context length), V = vocabulary size,
// C = width, E = text-projection size, OUT = output size (768), L = layers.

/**
 * BLADES' text encoder: a GPT-2-style causal transformer (OpenAI CLIP's text tower) whose feature at the
 * end-of-text position is projected into the joint image-text space.
 *
 * <pre>
 *   x = token_embedding[ids] + positional_embedding[:T]      (B, T, C)
 *   x = block_L(... block_1(x))                               (B, T, C)   pre-LN, causal ({@link TextBlock})
 *   x = ln_final(x)                                           (B, T, C)
 *   f = x[b, eot_b] @ text_projection                         (B, E)      CLIP's pooling and projection
 *   out = proj_out(f)                                         (B, OUT)    BLADES' Linear(1024, 768)
 * </pre>
 *
 * Parameter names follow the checkpoint family in {@link TextConfig.Naming} (CLIP or Hugging Face GPT-2), so
 * either state_dict loads by name without renaming or transposing; {@code text_projection} and
 * {@code proj_out} are ours when the family lacks them ({@link #loadPretrained}). The mask is built per call,
 * not stored, so the causal-mask buffers of older Hugging Face checkpoints have no counterpart here.
 */
public final class TextEncoder extends Module {
    private final TextConfig config;
    private final DType dtype;
    private final Tensor tokenEmbedding; // (V, C)
    private final Tensor positionEmbedding; // (T, C)
    private final List<TextBlock> blocks; // (L)
    private final LayerNorm lnFinal;
    private final Tensor textProjection; // (C, E), or null when E = 0
    private final Linear projOut; // E (or C) -> OUT

    public TextEncoder(TextConfig config, DType dtype) {
        this.config = config;
        this.dtype = dtype;
        int v = config.vocab();
        int t = config.context();
        int c = config.width();
        boolean clip = config.naming() == TextConfig.Naming.CLIP;
        // Own parameters come first in a state_dict whatever the registration order of children, so CLIP's
        // positional_embedding and text_projection are registered before the children.
        Tensor position = clip ? param("positional_embedding", Tensor.zeros(dtype, t, c)) : null; // (T, C)
        this.textProjection = config.projectionDim() > 0
                ? param("text_projection", Tensor.zeros(dtype, c, config.projectionDim())) // (C, E)
                : null;
        List<TextBlock> list = new ArrayList<>(config.layers());
        Namespace blockList; // CLIP's transformer.resblocks (nn.Sequential) or GPT-2's h (nn.ModuleList)
        if (clip) {
            blockList = child("transformer", new Namespace()).addChild("resblocks", new Namespace());
            addBlocks(blockList, list, config, dtype);
            this.tokenEmbedding = child("token_embedding", new Namespace()).addParam("weight",
                    Tensor.zeros(dtype, v, c)); // (V, C)
            this.lnFinal = child("ln_final", new LayerNorm(dtype, c));
        } else {
            this.tokenEmbedding = child("wte", new Namespace()).addParam("weight", Tensor.zeros(dtype, v, c)); // (V, C)
            position = child("wpe", new Namespace()).addParam("weight", Tensor.zeros(dtype, t, c)); // (T, C)
            blockList = child("h", new Namespace());
            addBlocks(blockList, list, config, dtype);
            this.lnFinal = child("ln_f", new LayerNorm(dtype, c));
        }
        this.positionEmbedding = position;
        this.blocks = Collections.unmodifiableList(list);
        this.projOut = child("proj_out", new Linear(dtype, config.pooledDim(), config.outputDim(), true));
    }

    private static void addBlocks(Namespace parent, List<TextBlock> list, TextConfig config, DType dtype) {
        for (int i = 0; i < config.layers(); i++) {
            list.add(parent.addChild(Integer.toString(i), new TextBlock(config, dtype)));
        }
    }

    public TextConfig config() {
        return config;
    }

    public DType dtype() {
        return dtype;
    }

    /**
     * Features pooled at each row's end-of-text token, found as the position of the row's largest id (CLIP's
     * {@code text.argmax(dim=-1)}): end-of-text is the largest id of CLIP's vocabulary (49,407) and of GPT-2's
     * (50,256), and padding uses smaller ids (or repeats end-of-text, whose first occurrence wins).
     *
     * @param ids (B, T) token ids in [0, V), T at most the context length
     * @return (B, OUT)
     */
    public Tensor forward(IntTensor ids) {
        return forward(ids, endOfTextPositions(ids));
    }

    /**
     * Features pooled at explicit positions. Only positions up to the last pooled one are computed: under the
     * causal mask nothing later can reach an earlier position, so dropping the tail changes no value (the 50
     * BLADES prompts end by position 16 of 77, so this saves about 4/5 of the work).
     *
     * @param ids       (B, T) token ids in [0, V)
     * @param positions (B) the position pooled in each row, in [0, T)
     * @return (B, OUT)
     */
    public Tensor forward(IntTensor ids, int[] positions /* (B) */) {
        checkIds(ids);
        int b = ids.shape()[0];
        int t = ids.shape()[1];
        if (positions.length != b) {
            throw new IllegalArgumentException("TextEncoder: " + positions.length + " pooling positions for ids "
                    + Arrays.toString(ids.shape()) + " (B = " + b + ")");
        }
        int keep = 0; // positions [0, keep) can influence a pooled one
        for (int i = 0; i < b; i++) {
            if (positions[i] < 0 || positions[i] >= t) {
                throw new IllegalArgumentException("TextEncoder: pooling position " + positions[i] + " of row " + i
                        + " is outside [0, " + t + ") for ids " + Arrays.toString(ids.shape()));
            }
            keep = Math.max(keep, positions[i] + 1);
        }
        Tensor hidden = hiddenStates(keep == t ? ids : leadingColumns(ids, keep)); // (B, keep, C)
        Tensor pooled = Indexing.selectRows(hidden, positions); // (B, C)
        if (textProjection != null) {
            pooled = pooled.matmul(textProjection); // (B, E)
        }
        return projOut.forward(pooled); // (B, OUT)
    }

    /**
     * Every position's final feature: token and position embeddings, the L blocks under a causal mask, the
     * final layer norm.
     *
     * @param ids (B, T) token ids in [0, V), T at most the context length
     * @return (B, T, C)
     */
    public Tensor hiddenStates(IntTensor ids) {
        checkIds(ids);
        int t = ids.shape()[1];
        Tensor x = Indexing.embedding(tokenEmbedding, ids).add(positionEmbedding.slice(0, 0, t)); // (B, T, C)
        Tensor mask = Indexing.causalMask(dtype, t); // (T, T)
        for (TextBlock block : blocks) {
            x = block.forward(x, mask); // (B, T, C)
        }
        return lnFinal.forward(x); // (B, T, C)
    }

    /** Position of the first largest id in each row: CLIP's end-of-text pooling position. */
    public static int[] endOfTextPositions(IntTensor ids) {
        if (ids.shape().length != 2 || ids.shape()[1] == 0) {
            throw new IllegalArgumentException("TextEncoder: ids must be (B, T) with T >= 1, got "
                    + Arrays.toString(ids.shape()));
        }
        int b = ids.shape()[0];
        int t = ids.shape()[1];
        int[] data = ids.data(); // (B*T)
        int[] positions = new int[b]; // (B)
        for (int i = 0; i < b; i++) {
            int best = 0;
            for (int j = 1; j < t; j++) {
                if (data[i * t + j] > data[i * t + best]) {
                    best = j;
                }
            }
            positions[i] = best;
        }
        return positions;
    }

    /**
     * Loads a pretrained text tower by name: OpenAI CLIP's state_dict (prefix "") or Hugging Face GPT-2's
     * (prefix "" for GPT2Model, "transformer." for GPT2LMHeadModel). Every parameter must be in the file except
     * BLADES' additions, which keep their values when absent: {@code proj_out} always, and {@code text_projection}
     * under the GPT-2 naming (GPT-2 has none). Other keys of the file (CLIP's visual tower and logit_scale,
     * Hugging Face's mask buffers) are ignored. Shapes must match; nothing is written unless every check passes.
     *
     * @return what was loaded; the ignored file keys are its {@code unexpected} list
     */
    public StateDict.LoadReport loadPretrained(SafetensorsFile file, String prefix) {
        Set<String> fileKeys = new HashSet<>();
        for (String name : file.names()) {
            if (name.startsWith(prefix)) {
                fileKeys.add(name.substring(prefix.length()));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String key : stateDict().keySet()) {
            boolean ours = key.startsWith("proj_out.")
                    || (key.equals("text_projection") && config.naming() == TextConfig.Naming.HF_GPT2);
            if (!ours && !fileKeys.contains(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("TextEncoder.loadPretrained: " + missing.size() + " parameters of the "
                    + config.naming() + " naming are not in " + file.path() + " under prefix '" + prefix + "', e.g. "
                    + missing.subList(0, Math.min(8, missing.size())));
        }
        return StateDict.load(this, file, StateDict.LoadOptions.LENIENT.withPrefix(prefix));
    }

    /**
     * Fills every parameter with {@link PortableInit}'s values (the same bits as reference-data/generate_text.py
     * computes), so a full-size model can be checked against PyTorch without storing its weights. The ranges
     * are {@link #portableRule}'s.
     */
    public void initPortable(long seed) {
        for (Map.Entry<String, Tensor> e : stateDict().entrySet()) {
            PortableInit.fill(e.getValue(), e.getKey(), seed, portableRule(e.getKey(), e.getValue()));
        }
    }

    /**
     * {@link PortableInit#rule} with two corrections for this model: nn.MultiheadAttention's bias is named
     * {@code in_proj_bias} (not {@code bias}) and gets the bias range ±0.1; weights used as x W, stored
     * (IN, OUT) ({@code text_projection} and Hugging Face's Conv1D), take their fan-in from dimension 0 instead
     * of 1: ±1/sqrt(IN).
     */
    public PortableInit.Rule portableRule(String key, Tensor param) {
        int[] shape = param.shape(); // (rank)
        if (key.endsWith("in_proj_bias")) {
            return new PortableInit.Rule(0.0, 0.1);
        }
        boolean inputMajor = param == textProjection;
        for (TextBlock block : blocks) {
            inputMajor |= block.inputMajorWeights().contains(param);
        }
        if (inputMajor) {
            return new PortableInit.Rule(0.0, 1.0 / Math.sqrt((double) shape[0]));
        }
        return PortableInit.rule(key, shape);
    }

    private void checkIds(IntTensor ids) {
        int[] s = ids.shape(); // (2): (B, T)
        if (s.length != 2 || s[1] == 0 || s[1] > config.context()) {
            throw new IllegalArgumentException("TextEncoder: ids must be (B, T) with 1 <= T <= context "
                    + config.context() + ", got " + Arrays.toString(s));
        }
    }

    /** ids[:, :keep] as a new (B, keep) tensor. */
    private static IntTensor leadingColumns(IntTensor ids, int keep) {
        int b = ids.shape()[0];
        int t = ids.shape()[1];
        int[] out = new int[b * keep]; // (B, keep)
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids.data(), i * t, out, i * keep, keep);
        }
        return IntTensor.of(out, b, keep);
    }
}
