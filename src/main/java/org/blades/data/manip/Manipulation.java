package org.blades.data.manip;

/**
 * The manipulations of the paper's Fig. 2, plus the nose flip its fine task needs, and "none" for photographs.
 * Each knows its labels: a local flip marks its region, the global warp moves every region and marks all three.
 */
public enum Manipulation {
    /** A photograph left as it is. */
    NONE(new ManipulationLabels(false, false, false, false)),
    /** Fig. 2(a): one eye mirrored left-right. */
    EYE_HFLIP(new ManipulationLabels(true, true, false, false)),
    /** Fig. 2(b): the mouth mirrored left-right. */
    MOUTH_HFLIP(new ManipulationLabels(true, false, true, false)),
    /** Fig. 2(c): the mouth flipped upside down. */
    MOUTH_VFLIP(new ManipulationLabels(true, false, true, false)),
    /** Not in Fig. 2; the authors' code has it unused. Gives the fine "nose" target positive examples. */
    NOSE_FLIP(new ManipulationLabels(true, false, false, true)),
    /** Fig. 2(d): a piecewise-affine warp of the whole face. */
    GLOBAL_WARP(new ManipulationLabels(true, true, true, true));

    private final ManipulationLabels labels;

    Manipulation(ManipulationLabels labels) {
        this.labels = labels;
    }

    public ManipulationLabels labels() {
        return labels;
    }
}
