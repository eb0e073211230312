package org.blades.eval;

/**
 * A binary confusion matrix and the rates derived from it, with scikit-learn's definitions.
 *
 * <p>Undefined rates are errors, not NaN: a rate over the positives needs at least one positive sample, a
 * rate over the negatives at least one negative, because a detector evaluated on one class only is a
 * mistake in the evaluation set that a silently missing number would hide. Precision with no predicted
 * positive is 0, as scikit-learn's zero_division default; F-scores are then 0 too.
 *
 * @param tp positives predicted positive
 * @param fp negatives predicted positive
 * @param tn negatives predicted negative
 * @param fn positives predicted negative
 */
public record BinaryCounts(long tp, long fp, long tn, long fn) {

    public BinaryCounts {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw new IllegalArgumentException("BinaryCounts: counts must be >= 0, got tp " + tp + ", fp " + fp + ", tn "
                    + tn + ", fn " + fn);
        }
    }

    public long positives() {
        return tp + fn;
    }

    public long negatives() {
        return tn + fp;
    }

    public long total() {
        return tp + fp + tn + fn;
    }

    /** (tp + tn) / total, scikit-learn's accuracy_score. */
    public double accuracy() {
        if (total() == 0) {
            throw new IllegalStateException("accuracy: no samples");
        }
        return (double) (tp + tn) / total();
    }

    /** True-positive rate tp / (tp + fn): recall, sensitivity. */
    public double tpr() {
        return tp / (double) requirePositives("TPR");
    }

    /** False-negative rate fn / (tp + fn) = 1 - TPR. */
    public double fnr() {
        return fn / (double) requirePositives("FNR");
    }

    /** True-negative rate tn / (tn + fp): specificity. */
    public double tnr() {
        return tn / (double) requireNegatives("TNR");
    }

    /** False-positive rate fp / (tn + fp) = 1 - TNR: the false-alarm rate. */
    public double fpr() {
        return fp / (double) requireNegatives("FPR");
    }

    /** tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's zero_division default). */
    public double precision() {
        return tp + fp == 0 ? 0.0 : tp / (double) (tp + fp);
    }

    /** F1 = 2 tp / (2 tp + fp + fn), scikit-learn's f1_score. */
    public double f1() {
        return fBeta(1.0);
    }

    /**
     * F-beta = (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp), scikit-learn's fbeta_score; 0 when
     * tp = 0 (scikit-learn's zero_division default when precision and recall are both 0).
     */
    public double fBeta(double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("fBeta: beta must be positive and finite, got " + beta);
        }
        requirePositives("F-score");
        double b2 = beta * beta;
        double num = (1 + b2) * tp;
        return num == 0 ? 0.0 : num / (num + b2 * fn + fp);
    }

    private long requirePositives(String what) {
        if (positives() == 0) {
            throw new IllegalStateException(what + " is undefined: the evaluation set has no positive samples ("
                    + negatives() + " negatives only)");
        }
        return positives();
    }

    private long requireNegatives(String what) {
        if (negatives() == 0) {
            throw new IllegalStateException(what + " is undefined: the evaluation set has no negative samples ("
                    + positives() + " positives only)");
        }
        return negatives();
    }
}
