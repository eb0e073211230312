package org.blades.tasks;

import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;

// B = batch, K = the task's prompts (classes)

/**
 * The focal fidelity loss of Task 2 (categorical EXIF tags), Eq. 5:
 *
 * <pre>
 *   ℓ_i(x) = (1 − p̂_i(y|x))^γ · (1 − Σ_c √(p_i(c|x)·p̂_i(c|x) + 1e-8)),   p_i(c|x) = 1{c = y}
 * </pre>
 *
 * with p̂ the softmax of Eq. 4 and γ = 2, averaged over the samples that have the tag. The factor (1 − p̂_y)^γ
 * down-weights samples already classified well, so that the long tail of makes and modes is not drowned by the
 * majority classes.
 */
public final class FocalFidelityLoss {
    private FocalFidelityLoss() {
    }

    /**
     * Eq. 5 averaged over the valid samples; 0 with a zero gradient when no sample is valid.
     *
     * @param logits (B, K) the similarity scores of the task's prompts
     * @param gamma  γ ≥ 0; at 0 the focal factor is left out altogether (the paper's "focal weighting off"),
     *               since the power rule's γ·u^(γ−1) would be 0·∞ at u = 0 for a saturated softmax
     * @return 0-d
     */
    public static Tensor loss(Tensor logits, ClassLabels labels, double gamma) {
        if (!(gamma >= 0.0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("FocalFidelityLoss: gamma must be finite and >= 0, got " + gamma);
        }
        LossSupport.checkLogits("FocalFidelityLoss", logits, labels.batchSize(), -1);
        int k = logits.size(1);
        labels.checkRange("FocalFidelityLoss", k);
        Tensor pHat = Activation.softmax(logits, 1); // (B, K) Eq. 4
        Tensor p = LossSupport.oneHot(logits.dtype(), labels, k); // (B, K)
        Tensor fidelity = FidelityLoss.ofProbabilities(p, pHat); // (B) the bracket of Eq. 5, i.e. Eq. 3
        if (gamma == 0.0) {
            return LossSupport.meanOverValid(fidelity, labels.valid());
        }
        Tensor pY = p.mul(pHat).sum(false, 1); // (B) p̂(y|x); 0 for a masked sample
        Tensor focal = pY.neg().add(1.0).pow(gamma); // (B)
        return LossSupport.meanOverValid(focal.mul(fidelity), labels.valid());
    }
}
