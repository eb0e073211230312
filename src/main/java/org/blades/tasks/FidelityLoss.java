package org.blades.tasks;

import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;

// B = batch, K = the task's prompts (classes)

/**
 * The fidelity loss of Task 1, Eqs. 3-4 (Tsai et al.'s FRank fidelity between two distributions):
 *
 * <pre>
 *   p̂(g|x) = softmax_g s(x, t_g)                      (Eq. 4)
 *   ℓ(x)   = 1 − Σ_g √(p(g|x)·p̂(g|x) + 1e-8)          (Eq. 3), p = one-hot of the label
 * </pre>
 *
 * averaged over the valid samples of the batch. It trains the coarse task (photographic vs manipulated) and, in
 * the ranking ablation, the ordinal levels. 1e-8 sits inside every square root of the sum, as in the authors'
 * code, so the loss of a perfect prediction is −(K−1)·1e-4 rather than 0; only its gradient matters.
 *
 * <p>{@link #binary} is the two-outcome form that Eqs. 9 and 10 write out.
 */
public final class FidelityLoss {
    private FidelityLoss() {
    }

    /**
     * Eqs. 3-4 averaged over the valid samples; 0 with a zero gradient when no sample is valid.
     *
     * @param logits (B, K) the similarity scores s(x, t) of the task's prompts
     * @return 0-d
     */
    public static Tensor loss(Tensor logits, ClassLabels labels) {
        return LossSupport.meanOverValid(perSample(logits, labels), labels.valid());
    }

    /**
     * Eqs. 3-4 per sample; the value of a masked sample is meaningless.
     *
     * @param logits (B, K)
     * @return (B)
     */
    public static Tensor perSample(Tensor logits, ClassLabels labels) {
        LossSupport.checkLogits("FidelityLoss", logits, labels.batchSize(), -1);
        int k = logits.size(1);
        labels.checkRange("FidelityLoss", k);
        Tensor pHat = Activation.softmax(logits, 1); // (B, K) Eq. 4
        return ofProbabilities(LossSupport.oneHot(logits.dtype(), labels, k), pHat);
    }

    /**
     * Eq. 3 on given distributions: 1 − Σ_k √(p_k·p̂_k + 1e-8) per row.
     *
     * @param p    (B, K) targets, a constant
     * @param pHat (B, K) predictions
     * @return (B)
     */
    static Tensor ofProbabilities(Tensor p, Tensor pHat) {
        return p.mul(pHat).add(LossSupport.SQRT_EPS).sqrt().sum(false, 1).neg().add(1.0);
    }

    /**
     * The fidelity between two Bernoulli distributions, element by element (Eqs. 9 and 10):
     * 1 − √(p·p̂ + 1e-8) − √((1 − p)(1 − p̂) + 1e-8).
     *
     * @param p    target probabilities, a constant
     * @param pHat predicted probabilities, same shape (or broadcast)
     */
    public static Tensor binary(Tensor p, Tensor pHat) {
        Tensor agree = p.mul(pHat).add(LossSupport.SQRT_EPS).sqrt();
        Tensor disagree = p.neg().add(1.0).mul(pHat.neg().add(1.0)).add(LossSupport.SQRT_EPS).sqrt();
        return agree.add(disagree).neg().add(1.0);
    }
}
