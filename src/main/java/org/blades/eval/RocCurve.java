package org.blades.eval;

/**
 * Points of a ROC curve, as scikit-learn's roc_curve: (fpr[i], tpr[i]) for "positive iff score >=
 * thresholds[i]", thresholds decreasing. The first point is (0, 0) at threshold +infinity (scikit-learn
 * 1.2 writes max(score) + 1 there, later versions +inf).
 *
 * @param fpr        (P) increasing
 * @param tpr        (P) increasing
 * @param thresholds (P) decreasing
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {
}
