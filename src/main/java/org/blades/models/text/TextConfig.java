package org.blades.models.text;

// V = vocabulary size, T = context length (most positions), C = width (channels), L = layers, H = heads,
// D = C / H (head size), E = text-projection size, OUT = output feature size (768 in BLADES).

/**
 * Shape and naming of a {@link TextEncoder}: a GPT-2-style causal transformer whose feature at one position
 * (the end-of-text token) is projected to the joint embedding space.
 *
 * @param vocab          V, rows of the token embedding
 * @param context        T, rows of the position embedding (the longest input)
 * @param width          C
 * @param layers         L residual blocks
 * @param heads          H attention heads; C must be divisible by H
 * @param activation     the MLP's nonlinearity
 * @param naming         which checkpoint's state_dict names and weight layouts the parameters follow
 * @param projectionDim  E, columns of {@code text_projection} (C, E); 0 for no text projection (the pooled
 *                       C-vector goes straight to {@code proj_out}; Hugging Face GPT-2 has no projection)
 * @param outputDim      OUT, the size of the joint embedding ({@code proj_out}: Linear(E or C, OUT))
 */
public record TextConfig(int vocab, int context, int width, int layers, int heads, Activation activation,
        Naming naming, int projectionDim, int outputDim) {

    /** The MLP nonlinearity between c_fc and c_proj. */
    public enum Activation {
        /** x * sigmoid(1.702 x), OpenAI CLIP. */
        QUICK_GELU,
        /** The tanh approximation of GELU, GPT-2's "gelu_new". */
        GELU_TANH
    }

    /**
     * The state_dict layout the parameters follow, so a checkpoint of that family loads by name alone.
     *
     * <p>CLIP (OpenAI CLIP's model.py, text tower): {@code token_embedding.weight} (V, C),
     * {@code positional_embedding} (T, C), {@code transformer.resblocks.N.{attn.in_proj_weight (3C, C),
     * attn.in_proj_bias (3C), attn.out_proj.weight (C, C), attn.out_proj.bias, ln_1.*, mlp.c_fc.weight (4C, C),
     * mlp.c_fc.bias, mlp.c_proj.weight (C, 4C), mlp.c_proj.bias, ln_2.*}}, {@code ln_final.*},
     * {@code text_projection} (C, E). Linear weights are (OUT, IN), PyTorch's layout.
     *
     * <p>HF_GPT2 (Hugging Face GPT2Model): {@code wte.weight} (V, C), {@code wpe.weight} (T, C),
     * {@code h.N.{ln_1.*, attn.c_attn.weight (C, 3C), attn.c_attn.bias (3C), attn.c_proj.weight (C, C),
     * attn.c_proj.bias, ln_2.*, mlp.c_fc.weight (C, 4C), mlp.c_fc.bias, mlp.c_proj.weight (4C, C),
     * mlp.c_proj.bias}}, {@code ln_f.*}. Weights are in HF's Conv1D layout (IN, OUT) and are used as stored,
     * so loading copies them without transposing ({@link Conv1D}).
     *
     * <p>Both: {@code text_projection} (C, E) when E &gt; 0 and {@code proj_out.{weight (OUT, E), bias}}, our
     * final Linear to the joint space (BLADES' new Linear(1024, 768); not part of either checkpoint).
     */
    public enum Naming {
        CLIP,
        HF_GPT2
    }

    public TextConfig {
        if (vocab <= 0 || context <= 0 || width <= 0 || layers <= 0 || heads <= 0 || outputDim <= 0
                || projectionDim < 0) {
            throw new IllegalArgumentException("TextConfig: sizes must be positive (projectionDim >= 0), got vocab "
                    + vocab + ", context " + context + ", width " + width + ", layers " + layers + ", heads " + heads
                    + ", projectionDim " + projectionDim + ", outputDim " + outputDim);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("TextConfig: width C = " + width + " is not divisible by heads H = "
                    + heads);
        }
        if (activation == null || naming == null) {
            throw new IllegalArgumentException("TextConfig: activation and naming are required");
        }
    }

    /**
     * OpenAI CLIP RN50's text tower (V 49,408, T 77, C 512, 12 layers, 8 heads, QuickGELU, text_projection
     * 512→1024) followed by BLADES' Linear(1024, 768).
     */
    public static TextConfig clipRn50() {
        return new TextConfig(49_408, 77, 512, 12, 8, Activation.QUICK_GELU, Naming.CLIP, 1024, 768);
    }

    /**
     * GPT-2 small with Hugging Face names (V 50,257, T 1,024, C 768, 12 layers, 12 heads, tanh GELU); no text
     * projection (GPT-2 has none to load), so proj_out is Linear(768, 768).
     */
    public static TextConfig gpt2() {
        return new TextConfig(50_257, 1_024, 768, 12, 12, Activation.GELU_TANH, Naming.HF_GPT2, 0, 768);
    }

    /** A CLIP-named model small enough for tests and the CPU demo: V 64, T 16, C 32, 2 layers, 4 heads. */
    public static TextConfig tiny() {
        return new TextConfig(64, 16, 32, 2, 4, Activation.QUICK_GELU, Naming.CLIP, 48, 24);
    }

    /** {@link #tiny()}'s sizes with GPT-2's activation and Hugging Face names, and a text projection. */
    public static TextConfig tinyGpt2() {
        return new TextConfig(64, 16, 32, 2, 4, Activation.GELU_TANH, Naming.HF_GPT2, 48, 24);
    }

    /** D, the size of one attention head. */
    public int headDim() {
        return width / heads;
    }

    /** The size of the pooled feature that enters proj_out: E, or C without a text projection. */
    public int pooledDim() {
        return projectionDim > 0 ? projectionDim : width;
    }
}
