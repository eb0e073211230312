package org.blades.tasks;

import java.util.Arrays;

// B = batch

/**
 * One class index per sample and whether the sample has it: the labels of a categorical EXIF task, of the coarse
 * task (0 photographic, 1 manipulated) and, for the ranking ablation, the levels of an ordinal task (0 low,
 * 1 medium, 2 high). A sample without a label (missing tag) takes no part in its task's loss; its class id is
 * never read, so any value (the data stage writes -1) is allowed there.
 *
 * @param classIds (B) the class of each sample, in [0, K) where valid
 * @param valid    (B) true where the sample has a label
 */
public record ClassLabels(int[] classIds, boolean[] valid) {

    public ClassLabels {
        if (classIds.length != valid.length) {
            throw new IllegalArgumentException("ClassLabels: " + classIds.length + " class ids for " + valid.length
                    + " mask entries");
        }
        classIds = classIds.clone();
        valid = valid.clone();
    }

    /** Labels for every sample, none missing. */
    public static ClassLabels allValid(int... classIds) {
        boolean[] valid = new boolean[classIds.length]; // (B)
        Arrays.fill(valid, true);
        return new ClassLabels(classIds, valid);
    }

    public int batchSize() {
        return valid.length;
    }

    @Override
    public int[] classIds() {
        return classIds.clone();
    }

    @Override
    public boolean[] valid() {
        return valid.clone();
    }

    int classId(int b) {
        return classIds[b];
    }

    boolean isValid(int b) {
        return valid[b];
    }

    /** @throws IllegalArgumentException naming {@code who} if a valid class id is outside [0, classCount) */
    void checkRange(String who, int classCount) {
        for (int b = 0; b < valid.length; b++) {
            if (valid[b] && (classIds[b] < 0 || classIds[b] >= classCount)) {
                throw new IllegalArgumentException(who + ": class id " + classIds[b] + " of sample " + b
                        + " is outside [0, " + classCount + ")");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassLabels other && Arrays.equals(classIds, other.classIds)
                && Arrays.equals(valid, other.valid);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(classIds) + Arrays.hashCode(valid);
    }

    @Override
    public String toString() {
        return "ClassLabels[classIds=" + Arrays.toString(classIds) + ", valid=" + Arrays.toString(valid) + "]";
    }
}
