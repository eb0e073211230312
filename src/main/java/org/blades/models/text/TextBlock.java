package org.blades.models.text;

import java.util.List;
import java.util.function.UnaryOperator;
import org.blades.nn.LayerNorm;
import org.blades.nn.Linear;
import org.blades.nn.Module;
import org.blades.tensor.Activation;
import org.blades.tensor.DType;
import org.blades.tensor.Indexing;
import org.blades.tensor.Tensor;

// B = batch, T = positions, C = width, H = heads, D = C / H (head size); qkv holds q | k | v, C each.

/**
 * One pre-LN residual block of the GPT-2 architecture (Radford et al. 2019, section 2.3; CLIP's text tower is
 * the same block):
 *
 * <pre>
 *   x = x + attn(ln_1(x))    multi-head self-attention under a causal mask, q, k, v from one fused projection
 *   x = x + mlp(ln_2(x))     c_proj(act(c_fc(.))) with a 4C hidden layer
 * </pre>
 *
 * The parameters are registered under CLIP's or Hugging Face GPT-2's names and layouts
 * ({@link TextConfig.Naming}); the computation does not depend on the naming. No dropout: CLIP has none, and
 * the GPT-2 naming is a weight layout, not GPT-2's training recipe.
 */
public final class TextBlock extends Module {
    private final int heads;
    private final TextConfig.Activation activation;
    private final LayerNorm ln1;
    private final LayerNorm ln2;
    private final UnaryOperator<Tensor> qkvProj; // (B, T, C) -> (B, T, 3C)
    private final UnaryOperator<Tensor> outProj; // (B, T, C) -> (B, T, C)
    private final UnaryOperator<Tensor> fc; // (B, T, C) -> (B, T, 4C)
    private final UnaryOperator<Tensor> proj; // (B, T, 4C) -> (B, T, C)
    private final List<Tensor> inputMajorWeights; // HF Conv1D weights, (IN, OUT); empty for CLIP naming

    public TextBlock(TextConfig config, DType dtype) {
        int c = config.width();
        this.heads = config.heads();
        this.activation = config.activation();
        if (config.naming() == TextConfig.Naming.CLIP) {
            // Registration order = attribute order of CLIP's ResidualAttentionBlock: attn, ln_1, mlp, ln_2.
            Namespace attn = child("attn", new Namespace()); // nn.MultiheadAttention
            Tensor inW = attn.addParam("in_proj_weight", Tensor.zeros(dtype, 3 * c, c)); // (3C, C)
            Tensor inB = attn.addParam("in_proj_bias", Tensor.zeros(dtype, 3 * c)); // (3C)
            Linear out = attn.addChild("out_proj", new Linear(dtype, c, c, true));
            this.ln1 = child("ln_1", new LayerNorm(dtype, c));
            Namespace mlp = child("mlp", new Namespace()); // nn.Sequential(c_fc, activation, c_proj)
            Linear cFc = mlp.addChild("c_fc", new Linear(dtype, c, 4 * c, true));
            Linear cProj = mlp.addChild("c_proj", new Linear(dtype, 4 * c, c, true));
            this.ln2 = child("ln_2", new LayerNorm(dtype, c));
            this.qkvProj = x -> inProjection(x, inW, inB);
            this.outProj = out::forward;
            this.fc = cFc::forward;
            this.proj = cProj::forward;
            this.inputMajorWeights = List.of();
        } else {
            // Registration order = GPT2Block's: ln_1, attn (c_attn, c_proj), ln_2, mlp (c_fc, c_proj).
            this.ln1 = child("ln_1", new LayerNorm(dtype, c));
            Namespace attn = child("attn", new Namespace()); // GPT2Attention
            Conv1D cAttn = attn.addChild("c_attn", new Conv1D(dtype, c, 3 * c));
            Conv1D cAttnProj = attn.addChild("c_proj", new Conv1D(dtype, c, c));
            this.ln2 = child("ln_2", new LayerNorm(dtype, c));
            Namespace mlp = child("mlp", new Namespace()); // GPT2MLP
            Conv1D cFc = mlp.addChild("c_fc", new Conv1D(dtype, c, 4 * c));
            Conv1D cProj = mlp.addChild("c_proj", new Conv1D(dtype, 4 * c, c));
            this.qkvProj = cAttn::forward;
            this.outProj = cAttnProj::forward;
            this.fc = cFc::forward;
            this.proj = cProj::forward;
            this.inputMajorWeights = List.of(cAttn.weight(), cAttnProj.weight(), cFc.weight(), cProj.weight());
        }
    }

    /** The weights stored (IN, OUT) and used as x W (Hugging Face's Conv1D); their fan-in is dimension 0. */
    public List<Tensor> inputMajorWeights() {
        return inputMajorWeights;
    }

    /**
     * @param x    (B, T, C)
     * @param mask (T, T), 1 where a position may not attend ({@link Indexing#causalMask})
     * @return (B, T, C)
     */
    public Tensor forward(Tensor x, Tensor mask) {
        x = x.add(outProj.apply(attention(qkvProj.apply(ln1.forward(x)), heads, mask))); // (B, T, C)
        Tensor hidden = fc.apply(ln2.forward(x)); // (B, T, 4C)
        hidden = activation == TextConfig.Activation.QUICK_GELU
                ? Activation.quickGelu(hidden)
                : Activation.gelu(hidden);
        return x.add(proj.apply(hidden)); // (B, T, C)
    }

    /**
     * Scaled dot-product attention of H heads (Vaswani et al. 2017, Eq. 1) on a fused projection:
     * per head, softmax(q k^T / sqrt(D) + mask) v, heads concatenated back to C channels (before out_proj).
     *
     * @param qkv  (B, T, 3C): channels [0, C) are q, [C, 2C) k, [2C, 3C) v; head h owns [h D, (h + 1) D) of each
     * @param mask (T, T), 1 where column j may not be seen from row i; those scores become -inf
     * @return (B, T, C)
     */
    public static Tensor attention(Tensor qkv, int heads, Tensor mask) {
        if (qkv.dim() != 3 || qkv.size(2) % (3 * heads) != 0) {
            throw new IllegalArgumentException("attention: qkv must be (B, T, 3C) with C divisible by H = " + heads
                    + ", got " + java.util.Arrays.toString(qkv.shape()));
        }
        int b = qkv.size(0);
        int t = qkv.size(1);
        int c = qkv.size(2) / 3;
        int d = c / heads;
        // Views, no copies: the GEMM reads q, k, v with their strides (row stride 3C) straight out of qkv.
        Tensor split = qkv.reshape(b, t, 3 * heads, d).transpose(1, 2); // (B, 3H, T, D): q heads, k heads, v heads
        Tensor q = split.slice(1, 0, heads); // (B, H, T, D)
        Tensor k = split.slice(1, heads, 2 * heads); // (B, H, T, D)
        Tensor v = split.slice(1, 2 * heads, 3 * heads); // (B, H, T, D)
        Tensor scores = q.matmul(k.transpose(2, 3)).mul(1.0 / Math.sqrt(d)); // (B, H, T, T)
        scores = Indexing.maskedFill(scores, mask, Double.NEGATIVE_INFINITY); // (B, H, T, T)
        Tensor att = Activation.softmax(scores, -1); // (B, H, T, T), rows sum to 1 over visible positions
        Tensor y = att.matmul(v); // (B, H, T, D)
        return y.transpose(1, 2).reshape(b, t, c); // (B, T, H, D) -> (B, T, C)
    }

    /** nn.MultiheadAttention's input projection, x W^T + b with W (3C, C) held by the attention module. */
    private static Tensor inProjection(Tensor x /* (B, T, C) */, Tensor weight /* (3C, C) */,
            Tensor bias /* (3C) */) {
        int b = x.size(0);
        int t = x.size(1);
        Tensor y = x.reshape(b * t, x.size(2)).matmul(weight.transpose(0, 1)).add(bias); // (B*T, 3C)
        return y.reshape(b, t, weight.size(0)); // (B, T, 3C)
    }
}
