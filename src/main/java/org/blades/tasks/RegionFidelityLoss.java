package org.blades.tasks;

import java.util.Arrays;
import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;

// B = batch, M = regions (mouth, eye, nose)

/**
 * The fidelity loss of Task 4 (fine-grained manipulation), Eq. 10, one independent sigmoid per region:
 *
 * <pre>
 *   p̂(m|x) = sigmoid(s(x, t_m))
 *   ℓ_m(x) = 1 − √(p(m|x)·p̂(m|x) + 1e-8) − √((1 − p(m|x))(1 − p̂(m|x)) + 1e-8)     (Eq. 10)
 * </pre>
 *
 * averaged over the M regions of a sample, then over the valid samples of the batch, as the authors' code does.
 * Sigmoids rather than a softmax because several regions can be manipulated at once (a global warp touches all).
 */
public final class RegionFidelityLoss {
    private RegionFidelityLoss() {
    }

    /**
     * @param logits (B, M) the similarity scores of the region prompts
     * @return 0-d; 0 with a zero gradient when no sample is valid
     */
    public static Tensor loss(Tensor logits, RegionLabels labels) {
        int b = labels.batchSize();
        LossSupport.checkLogits("RegionFidelityLoss", logits, b, -1);
        int m = logits.size(1);
        double[] targets = labels.targets(); // (B, M)
        if (targets.length != b * m) {
            throw new IllegalArgumentException("RegionFidelityLoss: " + targets.length + " targets for logits ("
                    + b + ", " + m + ")");
        }
        for (int i = 0; i < b; i++) {
            if (!labels.isValid(i)) {
                // never read: the sample is weighted by 0, but its stored targets may be NaN
                Arrays.fill(targets, i * m, (i + 1) * m, 0.0);
            }
        }
        Tensor pHat = Activation.sigmoid(logits); // (B, M)
        Tensor p = LossSupport.constant(logits.dtype(), targets, b, m); // (B, M)
        Tensor perSample = FidelityLoss.binary(p, pHat).mean(false, 1); // (B) Eq. 10, mean over regions
        return LossSupport.meanOverValid(perSample, labels.valid());
    }
}
