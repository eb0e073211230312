package org.blades.models;

import org.blades.nn.Module;
import org.blades.tensor.DType;
import org.blades.tensor.Norm;
import org.blades.tensor.Tensor;

// B = images, P = prompts, E = joint feature size (768).

/**
 * The joint image-text embedding (CLIP, Radford et al. 2021, Figure 3): image and text features are
 * L2-normalised and compared by cosine similarity, scaled by a learned temperature:
 *
 * <pre>
 *   logits[b, p] = exp(logit_scale) · cos(image[b], text[p])     (B, P)
 * </pre>
 *
 * {@code logit_scale} starts at ln(1/0.07) (CLIP's initial temperature 0.07), is trained with the encoders and,
 * as in the authors' code, is not clamped. Gradients flow to both feature inputs and to {@code logit_scale}.
 */
public final class JointEmbedding extends Module {
    /** CLIP's initial temperature 0.07, stored as its log inverse. */
    public static final double INITIAL_LOGIT_SCALE = Math.log(1.0 / 0.07);

    private final Tensor logitScale; // () 0-d

    public JointEmbedding(DType dtype) {
        this.logitScale = param("logit_scale", Tensor.scalar(dtype, INITIAL_LOGIT_SCALE));
    }

    /** The learnable log scale, a 0-d parameter. */
    public Tensor logitScale() {
        return logitScale;
    }

    /**
     * @param imageFeatures (B, E), not necessarily normalised
     * @param textFeatures  (P, E), not necessarily normalised
     * @return (B, P) scaled cosine similarities, images × prompts
     */
    public Tensor logits(Tensor imageFeatures, Tensor textFeatures) {
        return cosine(imageFeatures, textFeatures).mul(logitScale.exp()); // (B, P)
    }

    /**
     * Cosine similarity of every image to every prompt.
     *
     * @param imageFeatures (B, E)
     * @param textFeatures  (P, E)
     * @return (B, P)
     */
    public static Tensor cosine(Tensor imageFeatures, Tensor textFeatures) {
        if (imageFeatures.dim() != 2 || textFeatures.dim() != 2 || imageFeatures.size(1) != textFeatures.size(1)) {
            throw new IllegalArgumentException("JointEmbedding: image features " + shape(imageFeatures)
                    + " and text features " + shape(textFeatures) + " must be (B, E) and (P, E) with the same E");
        }
        Tensor img = Norm.l2Normalize(imageFeatures, 1); // (B, E), unit rows
        Tensor txt = Norm.l2Normalize(textFeatures, 1); // (P, E), unit rows
        return img.matmul(txt.transpose(0, 1)); // (B, P)
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(t.shape());
    }
}
