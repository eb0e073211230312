package org.blades.tasks;

import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;

// B = batch, L = 3 levels

/**
 * The pairwise ranking loss of Task 3 (ordinal EXIF tags), Eqs. 8-9, on the expected levels of Eqs. 6-7:
 *
 * <pre>
 *   p̂(x, x') = Φ(s·(r̂(x) − r̂(x')))                                         (Eq. 8, s = 1/√2; code: s = 2)
 *   ℓ(x, x') = 1 − √(p·p̂ + 1e-8) − √((1 − p)(1 − p̂) + 1e-8)                (Eq. 9)
 *   p(x, x') = 1 if tag(x) > tag(x'), 0.5 if equal, 0 if smaller
 * </pre>
 *
 * averaged over all pairs i &lt; j of the batch whose samples both have the tag.
 *
 * <p>Pairs: the paper does not say which pairs; the authors' code takes i &lt; j. Taking all ordered pairs i ≠ j
 * would give the same mean, because swapping a pair turns (p, p̂) into (1 − p, 1 − p̂), which Eq. 9 treats
 * symmetrically. Ties: the paper's target is 1 for tag(x) ≥ tag(x'), which for a tie would demand both orders at
 * once; we follow the code's 0.5·(sign(tag(x) − tag(x')) + 1), which asks for p̂ = 1/2, i.e. equal expected
 * levels. The targets compare the raw tag values, so two images in the same tertile still rank against each other.
 *
 * <p>A batch with fewer than two valid samples has no pair: the loss is 0 with a zero gradient (torch's mean
 * over no pairs would be NaN).
 */
public final class ThurstoneRankingLoss {
    private ThurstoneRankingLoss() {
    }

    /**
     * @param logits (B, L=3) the similarity scores of the tag's low, medium and high prompts
     * @return 0-d
     */
    public static Tensor loss(Tensor logits, OrdinalLabels labels, ThurstoneVariant phi) {
        int b = labels.batchSize();
        LossSupport.checkLogits("ThurstoneRankingLoss", logits, b, ExpectedLevel.LEVELS);
        Tensor r = ExpectedLevel.of(logits); // (B) Eqs. 6-7
        Tensor delta = r.unsqueeze(1).sub(r.unsqueeze(0)); // (B, B) r̂_i − r̂_j
        Tensor pHat = Activation.normalCdf(delta.mul(phi.scale())); // (B, B) Eq. 8
        double[] target = new double[b * b]; // (B, B) p(x_i, x_j), 0 off the counted pairs
        double[] counted = new double[b * b]; // (B, B) 1 for i < j with both samples valid
        int pairs = 0;
        for (int i = 0; i < b; i++) {
            for (int j = i + 1; j < b; j++) {
                if (labels.isValid(i) && labels.isValid(j)) {
                    target[i * b + j] = 0.5 * (Math.signum(labels.value(i) - labels.value(j)) + 1.0);
                    counted[i * b + j] = 1.0;
                    pairs++;
                }
            }
        }
        Tensor perPair = FidelityLoss.binary(LossSupport.constant(logits.dtype(), target, b, b), pHat); // (B, B) Eq. 9
        return perPair.mul(LossSupport.constant(logits.dtype(), counted, b, b)).sum().div(Math.max(1, pairs));
    }
}
