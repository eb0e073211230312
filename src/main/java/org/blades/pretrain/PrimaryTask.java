package org.blades.pretrain;

import java.util.Set;
import org.blades.tasks.Task;

// K = 11 tasks

/**
 * The upper-level loss ℓ₁ of Eq. 1a, as fixed weights w over the task losses: ℓ₁ = Σ wᵢ ℓᵢ (Table 7c).
 *
 * <p>The paper's fourth choice, binary classification of photographs against VQGAN faces, needs AI-generated
 * images in pretraining, which this self-supervised pipeline never reads; it is not offered.
 */
public enum PrimaryTask {
    /** Coarse-grained manipulation detection, the paper's default: w = e_COARSE. */
    COARSE,
    /** Fine-grained manipulation detection: w = e_FINE. */
    FINE,
    /** Equal weighting over the pretext tasks in training: wᵢ = 1/n for each of the n tasks, 0 elsewhere. */
    EQUAL;

    /**
     * w: (K), indexed by {@link Task#lambdaIndex()}.
     *
     * @param tasks the pretext tasks in the inner loss (only {@link #EQUAL} reads them)
     */
    public double[] outerWeights(Set<Task> tasks) {
        double[] w = new double[Task.COUNT]; // (K)
        switch (this) {
            case COARSE -> w[Task.COARSE.lambdaIndex()] = 1;
            case FINE -> w[Task.FINE.lambdaIndex()] = 1;
            case EQUAL -> {
                for (Task t : tasks) {
                    w[t.lambdaIndex()] = 1.0 / tasks.size();
                }
            }
        }
        return w;
    }

    /** The name used on the command line and in config JSON ("coarse", "fine", "equal"). */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static PrimaryTask ofKey(String key) {
        for (PrimaryTask p : values()) {
            if (p.key().equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown primary task '" + key + "' (coarse, fine, equal)");
    }
}
