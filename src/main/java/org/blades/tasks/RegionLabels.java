package org.blades.tasks;

import java.util.Arrays;

// B = batch, M = regions (3: mouth, eye, nose in prompt order)

/**
 * The labels of the fine-grained task (Eq. 10): for each sample and region, p(m|x) = 1 if the region was
 * manipulated and 0 otherwise. A photograph has all zeros. Values in between are accepted (the fidelity of
 * Eq. 10 is defined for any target probability). A masked sample takes no part in the loss and its targets are
 * never read.
 *
 * @param targets (B, M) row-major, in [0, 1] where valid
 * @param valid   (B) true where the sample has labels
 */
public record RegionLabels(double[] targets, boolean[] valid) {

    public RegionLabels {
        if (valid.length == 0 ? targets.length != 0 : targets.length % valid.length != 0) {
            throw new IllegalArgumentException("RegionLabels: " + targets.length + " targets do not form (B, M) rows "
                    + "for B = " + valid.length);
        }
        int m = valid.length == 0 ? 0 : targets.length / valid.length;
        for (int b = 0; b < valid.length; b++) {
            for (int r = 0; r < m; r++) {
                double t = targets[b * m + r];
                if (valid[b] && !(t >= 0.0 && t <= 1.0)) {
                    throw new IllegalArgumentException("RegionLabels: target " + t + " of sample " + b + ", region "
                            + r + " is outside [0, 1]");
                }
            }
        }
        targets = targets.clone();
        valid = valid.clone();
    }

    public int batchSize() {
        return valid.length;
    }

    /** M: the regions per sample. */
    public int regions() {
        return valid.length == 0 ? 0 : targets.length / valid.length;
    }

    @Override
    public double[] targets() {
        return targets.clone();
    }

    @Override
    public boolean[] valid() {
        return valid.clone();
    }

    double target(int b, int region) {
        return targets[b * regions() + region];
    }

    boolean isValid(int b) {
        return valid[b];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionLabels other && Arrays.equals(targets, other.targets)
                && Arrays.equals(valid, other.valid);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(targets) + Arrays.hashCode(valid);
    }

    @Override
    public String toString() {
        return "RegionLabels[targets=" + Arrays.toString(targets) + ", valid=" + Arrays.toString(valid) + "]";
    }
}
