package org.blades.tasks;

import java.util.Arrays;
import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;

// B = batch, L = 3 levels (low, medium, high)

/**
 * The expected level of an ordinal EXIF tag, Eqs. 6-7:
 *
 * <pre>
 *   r̂_j(x) = Σ_l p̂_j(l|x)·d(l),   d(low) = 1, d(medium) = 2, d(high) = 3
 * </pre>
 *
 * with p̂ the softmax over the three level prompts. The paper and the authors' code both use 1, 2, 3; ranking
 * only sees differences r̂(x) − r̂(x'), so any offset (0, 1, 2) would give the same loss.
 */
public final class ExpectedLevel {
    private ExpectedLevel() {
    }

    /** L: the number of levels of an ordinal tag. */
    public static final int LEVELS = 3;

    /** d(l) of Eq. 7, indexed by the level's prompt order (low, medium, high). */
    private static final double[] D = {1.0, 2.0, 3.0}; // (L)

    /**
     * @param logits (B, L=3) the similarity scores of the tag's low, medium and high prompts
     * @return (B) r̂ in [1, 3]
     */
    public static Tensor of(Tensor logits) {
        if (logits.dim() != 2 || logits.size(1) != LEVELS) {
            throw new IllegalArgumentException("ExpectedLevel: logits must be (B, " + LEVELS + "), got "
                    + Arrays.toString(logits.shape()));
        }
        Tensor pHat = Activation.softmax(logits, 1); // (B, L)
        return pHat.mul(LossSupport.constant(logits.dtype(), D, 1, LEVELS)).sum(false, 1); // (B) Eq. 6
    }
}
