package org.blades.tasks;

import java.util.Arrays;

// B = batch

/**
 * The labels of one ordinal EXIF task (ISO, aperture, exposure time, focal length).
 *
 * <p>Pairwise ranking (Eqs. 8-9) compares the raw values ({@code values}): sample i ranks above sample j when its
 * value is larger, and equal values are a tie. The levels (tertiles of the training set) are read only by the
 * ablation that replaces ranking with per-level classification ({@link OrdinalLoss#LEVEL_CLASSIFICATION}); they
 * carry their own mask because a value can be rankable while no level can be assigned (no cut points yet).
 *
 * @param values (B) the raw tag value (seconds, f-number, mm, ISO); never read where {@code valid} is false,
 *               so NaN is allowed there
 * @param valid  (B) true where the sample has the tag
 * @param levels (B) level ids 0 low, 1 medium, 2 high, with their own mask
 */
public record OrdinalLabels(double[] values, boolean[] valid, ClassLabels levels) {

    public OrdinalLabels {
        if (values.length != valid.length || levels.batchSize() != valid.length) {
            throw new IllegalArgumentException("OrdinalLabels: " + values.length + " values, " + valid.length
                    + " mask entries and " + levels.batchSize() + " levels must agree");
        }
        for (int b = 0; b < values.length; b++) {
            if (valid[b] && !Double.isFinite(values[b])) {
                throw new IllegalArgumentException("OrdinalLabels: value " + values[b] + " of valid sample " + b
                        + " is not finite");
            }
        }
        levels.checkRange("OrdinalLabels levels", ExpectedLevel.LEVELS);
        values = values.clone();
        valid = valid.clone();
    }

    public int batchSize() {
        return valid.length;
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public boolean[] valid() {
        return valid.clone();
    }

    double value(int b) {
        return values[b];
    }

    boolean isValid(int b) {
        return valid[b];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrdinalLabels other && Arrays.equals(values, other.values)
                && Arrays.equals(valid, other.valid) && levels.equals(other.levels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(values) + Arrays.hashCode(valid)) + levels.hashCode();
    }

    @Override
    public String toString() {
        return "OrdinalLabels[values=" + Arrays.toString(values) + ", valid=" + Arrays.toString(valid) + ", levels="
                + levels + "]";
    }
}
