package org.blades.eval;

import java.util.Arrays;

// N = samples, T = distinct scores (thresholds), P = points of a curve

/**
 * Detection metrics computed exactly as scikit-learn 1.2 computes them, verified against its outputs
 * (reference-data/detect/metrics.safetensors).
 *
 * <p>Inputs: {@code positive[n]} is the true class of sample n, {@code scores[n]} a score that is higher
 * for the positive class. (The paper's one-class protocol, from the authors' code: photographs are the
 * positives and the GMM log-likelihood is the score.) Scores must be finite.
 *
 * <p>Ranking metrics (ROC and PR curves, ROC AUC, average precision, TPR at a fixed FPR) need both classes
 * and throw an IllegalArgumentException naming the missing class otherwise: scikit-learn raises for ROC
 * AUC but only warns, and returns a meaningless number, for average precision.
 *
 * <p>Ties: all samples with one score value form one step of the curves (scikit-learn's
 * _binary_clf_curve), so ROC AUC gives a tied positive-negative pair half credit (the trapezoid across the
 * tie) and average precision counts a tied group at once. The order of samples never matters.
 */
public final class Metrics {

    private Metrics() {}

    /**
     * Negative and positive counts per distinct threshold, scikit-learn's _binary_clf_curve: for each distinct
     * score t, in decreasing order, fps and tps count the negatives and positives with score >= t.
     *
     * @param fps        (T)
     * @param tps        (T)
     * @param thresholds (T) decreasing
     */
    private record Steps(long[] fps, long[] tps, double[] thresholds) {
    }

    private static Steps steps(boolean[] positive, double[] scores, String op) {
        check(positive, scores, op);
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long[] fps = new long[n]; // (N), the first T used
        long[] tps = new long[n]; // (N)
        double[] thr = new double[n]; // (N)
        int t = 0;
        long tp = 0;
        for (int i = 0; i < n; i++) {
            int idx = order[i];
            if (positive[idx]) {
                tp++;
            }
            // a step ends at the last sample of each run of equal scores
            if (i == n - 1 || scores[order[i + 1]] != scores[idx]) {
                tps[t] = tp;
                fps[t] = i + 1 - tp;
                thr[t] = scores[idx];
                t++;
            }
        }
        return new Steps(Arrays.copyOf(fps, t), Arrays.copyOf(tps, t), Arrays.copyOf(thr, t));
    }

    private static void check(boolean[] positive, double[] scores, String op) {
        if (positive.length != scores.length) {
            throw new IllegalArgumentException(op + ": " + positive.length + " labels but " + scores.length + " scores");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException(op + ": score " + i + " is " + scores[i] + "; scores must be finite");
            }
        }
    }

    private static void requireBothClasses(boolean[] positive, String op) {
        int pos = 0;
        for (boolean p : positive) {
            if (p) {
                pos++;
            }
        }
        if (pos == 0 || pos == positive.length) {
            throw new IllegalArgumentException(op + " is undefined for a single class: the " + positive.length
                    + " samples are all " + (pos == 0 ? "negative" : "positive")
                    + " (evaluate on photographs and generated images together)");
        }
    }

    /**
     * The ROC curve, scikit-learn's roc_curve.
     *
     * @param dropIntermediate drop points collinear with their neighbours (scikit-learn's default true):
     *                         they never change the area or the plot
     */
    public static RocCurve rocCurve(boolean[] positive, double[] scores, boolean dropIntermediate) {
        requireBothClasses(positive, "ROC curve");
        Steps s = steps(positive, scores, "ROC curve");
        int t = s.thresholds().length;
        long[] fps = s.fps();
        long[] tps = s.tps();
        boolean[] keep = new boolean[t]; // (T)
        Arrays.fill(keep, true);
        if (dropIntermediate && t > 2) {
            // np.diff(x, 2) != 0 marks a corner: keep the ends and every point where the slope changes
            for (int i = 1; i < t - 1; i++) {
                boolean corner = fps[i + 1] - 2 * fps[i] + fps[i - 1] != 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] != 0;
                keep[i] = corner;
            }
        }
        int p = 1;
        for (boolean k : keep) {
            if (k) {
                p++;
            }
        }
        double[] fpr = new double[p]; // (P)
        double[] tpr = new double[p];
        double[] thr = new double[p];
        thr[0] = Double.POSITIVE_INFINITY;
        double negatives = fps[t - 1];
        double positives = tps[t - 1];
        int j = 1;
        for (int i = 0; i < t; i++) {
            if (keep[i]) {
                fpr[j] = fps[i] / negatives;
                tpr[j] = tps[i] / positives;
                thr[j] = s.thresholds()[i];
                j++;
            }
        }
        return new RocCurve(fpr, tpr, thr);
    }

    /** Area under the ROC curve by the trapezoidal rule, scikit-learn's roc_auc_score for binary labels. */
    public static double rocAuc(boolean[] positive, double[] scores) {
        RocCurve c = rocCurve(positive, scores, true);
        double[] x = c.fpr();
        double[] y = c.tpr();
        double area = 0;
        for (int i = 1; i < x.length; i++) {
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0;
        }
        return area;
    }

    /** The precision-recall curve, scikit-learn's precision_recall_curve. */
    public static PrecisionRecallCurve precisionRecallCurve(boolean[] positive, double[] scores) {
        requireBothClasses(positive, "precision-recall curve");
        Steps s = steps(positive, scores, "precision-recall curve");
        int t = s.thresholds().length;
        double[] precision = new double[t + 1]; // (T + 1)
        double[] recall = new double[t + 1];
        double[] thr = new double[t]; // (T)
        double positives = s.tps()[t - 1];
        for (int i = 0; i < t; i++) {
            // reversed so that thresholds increase and recall decreases
            int r = t - 1 - i;
            long tp = s.tps()[r];
            long predicted = tp + s.fps()[r];
            precision[i] = predicted == 0 ? 0.0 : tp / (double) predicted;
            recall[i] = tp / positives;
            thr[i] = s.thresholds()[r];
        }
        precision[t] = 1.0;
        recall[t] = 0.0;
        return new PrecisionRecallCurve(precision, recall, thr);
    }

    /**
     * Average precision, the step-wise (uninterpolated) area under the precision-recall curve,
     * {@code sum_i (R_i - R_(i-1)) P_i}, scikit-learn's average_precision_score.
     */
    public static double averagePrecision(boolean[] positive, double[] scores) {
        PrecisionRecallCurve c = precisionRecallCurve(positive, scores);
        double[] p = c.precision();
        double[] r = c.recall();
        double sum = 0;
        for (int i = 0; i < r.length - 1; i++) {
            sum += (r[i + 1] - r[i]) * p[i];
        }
        return -sum;
    }

    /**
     * The highest true-positive rate among thresholds whose false-positive rate is at most
     * {@code maxFpr}: the step-wise ROC value (no interpolation between points), read from the full curve
     * (scikit-learn's roc_curve with drop_intermediate=False, {@code max(tpr[fpr <= maxFpr])}).
     */
    public static double tprAtFpr(boolean[] positive, double[] scores, double maxFpr) {
        if (!(maxFpr >= 0 && maxFpr <= 1)) {
            throw new IllegalArgumentException("tprAtFpr: maxFpr must be in [0, 1], got " + maxFpr);
        }
        RocCurve c = rocCurve(positive, scores, false);
        double best = 0;
        for (int i = 0; i < c.fpr().length; i++) {
            if (c.fpr()[i] <= maxFpr) {
                best = Math.max(best, c.tpr()[i]);
            }
        }
        return best;
    }

    /** The confusion counts of "positive iff score >= threshold", the detectors' decision rule. */
    public static BinaryCounts countsAtThreshold(boolean[] positive, double[] scores, double threshold) {
        check(positive, scores, "countsAtThreshold");
        boolean[] predicted = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            predicted[i] = scores[i] >= threshold;
        }
        return counts(positive, predicted);
    }

    /** The confusion counts of {@code predicted} against {@code actual}. */
    public static BinaryCounts counts(boolean[] actual, boolean[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("counts: " + actual.length + " labels but " + predicted.length
                    + " predictions");
        }
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i]) {
                if (predicted[i]) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (predicted[i]) {
                fp++;
            } else {
                tn++;
            }
        }
        return new BinaryCounts(tp, fp, tn, fn);
    }

    /** Fraction of samples where {@code predicted} equals {@code actual}, scikit-learn's accuracy_score. */
    public static double accuracy(boolean[] actual, boolean[] predicted) {
        return counts(actual, predicted).accuracy();
    }
}
