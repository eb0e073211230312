package org.blades.tasks;

/** How the four ordinal EXIF tasks are trained. */
public enum OrdinalLoss {
    /** The paper's pairwise ranking: expected level (Eqs. 6-7), Thurstone probability and fidelity (Eqs. 8-9). */
    PAIRWISE_RANKING,
    /**
     * The ablation of Table 7b ("disabling pairwise ranking"): each image is aligned directly with its level
     * prompt, i.e. the fidelity of Eqs. 3-4 over the three level prompts against the level label. No focal factor:
     * the levels are tertiles, balanced by construction, so the class imbalance that Eq. 5 answers is absent.
     */
    LEVEL_CLASSIFICATION
}
