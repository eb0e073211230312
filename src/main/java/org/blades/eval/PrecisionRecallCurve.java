package org.blades.eval;

/**
 * Points of a precision-recall curve, as scikit-learn's precision_recall_curve: (recall[i],
 * precision[i]) for "positive iff score >= thresholds[i]", thresholds increasing; the last point (recall 0,
 * precision 1) has no threshold.
 *
 * @param precision  (P + 1)
 * @param recall     (P + 1) decreasing, ending at 0
 * @param thresholds (P) increasing distinct scores
 */
public record PrecisionRecallCurve(double[] precision, double[] recall, double[] thresholds) {
}
