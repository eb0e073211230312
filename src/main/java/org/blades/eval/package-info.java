/**
 * Detection metrics with scikit-learn's exact definitions ({@link org.blades.eval.Metrics}): accuracy and the
 * confusion rates at a threshold ({@link org.blades.eval.BinaryCounts}), ROC and precision-recall curves
 * ({@link org.blades.eval.RocCurve}, {@link org.blades.eval.PrecisionRecallCurve}, also the points for plots),
 * ROC AUC with tied scores, step-wise average precision, TPR at a fixed FPR.
 *
 * <p>Dimension legend: N = samples, T = distinct scores, P = points of a curve.
 *
 * <p>The paper reports accuracy, AUC and AP per generator and their means (Tables 1-3); in the authors' one-class
 * protocol photographs are the positive class and the GMM log-likelihood is the score.
 */
package org.blades.eval;
