package org.blades.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// N = samples, P = curve points

/**
 * {@link Metrics} against scikit-learn 1.2.1 (reference-data/detect/metrics.safetensors): curves point by point,
 * AUC, AP and the rates at a threshold, on random scores, heavy ties, all-tied scores, perfect and inverted
 * rankings, integer scores, a 100:1 class imbalance and log-likelihood scores at a 5 % threshold.
 *
 * <p>Tolerance 1e-12 absolute + relative: the sums run in another order than numpy's pairwise ones.
 */
class MetricsReferenceTest {

    private static final Tolerance TOL = Tolerance.of(1e-12, 1e-12);
    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("detect/metrics");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    private static boolean[] positive(String name) {
        long[] y = ref.file().longs(name + ".in.positive");
        boolean[] out = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] == 1;
        }
        return out;
    }

    private static void close(String tensor, double... actual) {
        TensorCompare.Report r = ref.assertClose(tensor, actual, new int[] {actual.length}, TOL);
        if (actual.length == 1) {
            System.out.println(tensor + " = " + actual[0] + " (" + r.summary() + ")");
        }
    }

    private static void closeScalar(String tensor, double actual) {
        TensorCompare.assertClose(tensor, new double[] {actual}, new int[] {1}, ref.doubles(tensor), new int[] {1}, TOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"doc", "random", "ties", "all_tied", "perfect", "inverted", "integer_scores", "imbalanced",
        "loglik", "constant_predictions"})
    void matchesScikitLearn(String name) {
        boolean[] y = positive(name);
        double[] s = ref.doubles(name + ".in.scores");
        Map<String, Object> args = ref.caseArgs(name);

        RocCurve roc = Metrics.rocCurve(y, s, true);
        close(name + ".out.roc.fpr", roc.fpr());
        close(name + ".out.roc.tpr", roc.tpr());
        // scikit-learn 1.2 puts max(score) + 1 where we put +inf; the other thresholds are scores
        close(name + ".out.roc.thresholds", withFirst(roc.thresholds(), ref.doubles(name + ".out.roc.thresholds")[0]));
        assertThat(roc.thresholds()[0]).isEqualTo(Double.POSITIVE_INFINITY);
        RocCurve full = Metrics.rocCurve(y, s, false);
        close(name + ".out.roc_full.fpr", full.fpr());
        close(name + ".out.roc_full.tpr", full.tpr());
        close(name + ".out.roc_full.thresholds", withFirst(full.thresholds(),
                ref.doubles(name + ".out.roc_full.thresholds")[0]));

        PrecisionRecallCurve pr = Metrics.precisionRecallCurve(y, s);
        close(name + ".out.pr.precision", pr.precision());
        close(name + ".out.pr.recall", pr.recall());
        close(name + ".out.pr.thresholds", pr.thresholds());

        closeScalar(name + ".out.auc", Metrics.rocAuc(y, s));
        closeScalar(name + ".out.ap", Metrics.averagePrecision(y, s));
        System.out.printf("%s: AUC %.15f, AP %.15f%n", name, Metrics.rocAuc(y, s), Metrics.averagePrecision(y, s));

        @SuppressWarnings("unchecked")
        List<Number> targets = (List<Number>) args.get("target_fprs");
        double[] tprAt = targets.stream().mapToDouble(t -> Metrics.tprAtFpr(y, s, t.doubleValue())).toArray();
        close(name + ".out.tpr_at_fpr", tprAt);

        double threshold = ((Number) args.get("threshold")).doubleValue();
        BinaryCounts c = Metrics.countsAtThreshold(y, s, threshold);
        assertThat(new long[] {c.tp(), c.fp(), c.tn(), c.fn()}).containsExactly(ref.file().longs(name + ".out.counts"));
        closeScalar(name + ".out.accuracy", c.accuracy());
        closeScalar(name + ".out.tpr", c.tpr());
        closeScalar(name + ".out.fnr", c.fnr());
        closeScalar(name + ".out.tnr", c.tnr());
        closeScalar(name + ".out.fpr", c.fpr());
        closeScalar(name + ".out.precision", c.precision());
        closeScalar(name + ".out.f1", c.f1());
    }

    private static double[] withFirst(double[] a, double first) {
        double[] out = a.clone();
        out[0] = first;
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"single_positive", "single_negative"})
    void aSingleClassIsAClearError(String name) {
        boolean[] y = positive(name);
        double[] s = ref.doubles(name + ".in.scores");
        String cls = name.endsWith("positive") ? "all positive" : "all negative";
        assertThat((String) ref.caseArgs(name).get("sklearn_roc_auc_error")).contains("Only one class present");
        assertThatThrownBy(() -> Metrics.rocAuc(y, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single class").hasMessageContaining(cls);
        // scikit-learn only warns here and returns a number without meaning; we refuse
        assertThatThrownBy(() -> Metrics.averagePrecision(y, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single class");
        assertThatThrownBy(() -> Metrics.tprAtFpr(y, s, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metrics.rocCurve(y, s, true)).isInstanceOf(IllegalArgumentException.class);
        BinaryCounts c = Metrics.countsAtThreshold(y, s, 0.5);
        assertThat(c.accuracy()).isBetween(0.0, 1.0);
        if (cls.equals("all positive")) {
            assertThat(c.tpr()).isEqualTo(0.5);
            assertThatThrownBy(c::fpr).isInstanceOf(IllegalStateException.class).hasMessageContaining("no negative");
            assertThatThrownBy(c::tnr).isInstanceOf(IllegalStateException.class);
        } else {
            assertThat(c.fpr()).isEqualTo(0.5);
            assertThatThrownBy(c::tpr).isInstanceOf(IllegalStateException.class).hasMessageContaining("no positive");
            assertThatThrownBy(c::f1).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void sampleOrderDoesNotMatter() {
        boolean[] y = positive("ties");
        double[] s = ref.doubles("ties.in.scores");
        int n = y.length;
        boolean[] y2 = new boolean[n];
        double[] s2 = new double[n];
        for (int i = 0; i < n; i++) {
            y2[i] = y[n - 1 - i];
            s2[i] = s[n - 1 - i];
        }
        assertThat(Metrics.rocAuc(y2, s2)).isEqualTo(Metrics.rocAuc(y, s));
        assertThat(Metrics.averagePrecision(y2, s2)).isEqualTo(Metrics.averagePrecision(y, s));
        assertThat(Arrays.equals(Metrics.rocCurve(y2, s2, true).tpr(), Metrics.rocCurve(y, s, true).tpr())).isTrue();
    }

    @Test
    void rejectsBadInputs() {
        assertThatThrownBy(() -> Metrics.rocAuc(new boolean[] {true, false}, new double[] {0.1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("score 1 is NaN");
        assertThatThrownBy(() -> Metrics.rocAuc(new boolean[] {true, false}, new double[] {0.1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 labels but 1 scores");
        assertThatThrownBy(() -> Metrics.tprAtFpr(new boolean[] {true, false}, new double[] {1, 0}, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFpr");
    }
}
