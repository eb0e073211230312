package org.blades.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.blades.bench.GmmBench;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

// N = samples, D = feature dimensions, K = components

/**
 * The EM of {@link ExpectationMaximization} against scikit-learn 1.2.1's GaussianMixture
 * (reference-data/detect/gmm.safetensors, written by generate_detect.py).
 *
 * <p>Tolerance "1e-6 relative": per element {@code |java - sklearn| <= 1e-6 |sklearn| + 1e-9 max|sklearn|}; the
 * absolute floor, a billionth of the tensor's largest entry, only matters for covariance entries that are zero up
 * to rounding. The observed errors are near float64 rounding and are printed.
 */
class GaussianMixtureReferenceTest {

    private static final double RTOL = 1e-6;
    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("detect/gmm");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    private static Tensor tensor(String name) {
        return Tensor.of(ref.doubles(name), ref.shape(name));
    }

    private static TensorCompare.Report compare(String name, double[] actual) {
        double[] expected = ref.doubles(name);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        TensorCompare.Report r = ref.assertClose(name, actual, ref.shape(name), Tolerance.of(1e-9 * scale, RTOL));
        System.out.println(r.summary() + String.format(Locale.ROOT, ", max rel %.2e", maxRelative(actual, expected)));
        return r;
    }

    private static double maxRelative(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (b[i] != 0) {
                m = Math.max(m, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
            }
        }
        return m;
    }

    private static double scalar(String name) {
        return ref.doubles(name)[0];
    }

    private static GaussianMixture initial(String name, CovarianceType type) {
        return GaussianMixture.fromPrecisions(type, ref.doubles(name + ".in.weights"), ref.doubles(name + ".in.means"),
                ref.doubles(name + ".in.precisions"));
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void eachEmStepMatchesScikitLearn(CovarianceType type) {
        String name = "em_" + type.sklearnName();
        Tensor x = tensor(name + ".in.x"); // (N, D)
        GaussianMixture g = initial(name, type);
        compare(name + ".out.score0", g.scoreSamples(x));
        int steps = ((Number) ref.caseArgs(name).get("steps")).intValue();
        for (int s = 1; s <= steps; s++) {
            String p = name + ".out.step" + s + ".";
            ExpectationMaximization.EStep e = ExpectationMaximization.eStep(g, x);
            compare(p + "lower_bound", new double[] {e.meanLogLikelihood()});
            g = ExpectationMaximization.mStep(x, e.logResp(), type, 1e-6);
            compare(p + "weights", g.weights());
            compare(p + "means", g.means());
            compare(p + "covariances", g.covariances());
            compare(p + "precisions_cholesky", g.precisionsCholesky());
            compare(p + "score", g.scoreSamples(x));
        }
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void fitFromGivenParametersConvergesLikeScikitLearn(CovarianceType type) {
        String name = "emfit_" + type.sklearnName();
        String data = "em_" + type.sklearnName();
        Tensor x = tensor(data + ".in.x");
        GmmOptions o = GmmOptions.defaults().withComponents(3).withCovarianceType(type);
        GmmFit fit = ExpectationMaximization.fitFrom(initial(data, type), x, o);
        assertThat(fit.iterations()).isEqualTo((int) ref.file().longs(name + ".out.n_iter")[0]);
        assertThat(fit.converged()).isTrue();
        compare(name + ".out.lower_bound", new double[] {fit.lowerBound()});
        compare(name + ".out.score", new double[] {fit.model().score(x)});
    }

    @ParameterizedTest
    @ValueSource(strings = {"kpp_full", "kpp_diag", "kpp_spherical", "kmeans_full"})
    void seededFitReachesScikitLearnsLikelihood(String name) {
        var args = ref.caseArgs(name);
        CovarianceType type = CovarianceType.fromSklearnName((String) args.get("covariance_type"));
        GmmInit init = "kmeans".equals(args.get("init_params")) ? GmmInit.KMEANS : GmmInit.KMEANS_PLUS_PLUS;
        Tensor x = tensor(name + ".in.x");
        GmmOptions o = GmmOptions.defaults().withComponents(((Number) args.get("components")).intValue())
                .withCovarianceType(type).withInit(init);
        for (long seed : new long[] {0, 1, 2024}) {
            GmmFit fit = ExpectationMaximization.fit(x, o.withSeed(seed));
            double score = fit.model().score(x);
            double expected = scalar(name + ".out.score");
            System.out.printf(Locale.ROOT, "%s seed %d: mean log-likelihood %.9f, sklearn %.9f, |diff| %.2e, %d iterations%n",
                    name, seed, score, expected, Math.abs(score - expected), fit.iterations());
            assertThat(Math.abs(score - expected)).as(name + " seed " + seed).isLessThanOrEqualTo(1e-3);
            assertThat(fit.converged()).isTrue();
        }
    }

    @Test
    void benchmarkDataIsBitIdenticalToPython() {
        GmmBench.Mixture m = GmmBench.syntheticMixture(40, 12, 3, 7);
        TensorCompare.assertClose("synthetic.in.x", m.x(), new int[] {40, 12}, ref.doubles("synthetic.in.x"),
                ref.shape("synthetic.in.x"), Tolerance.EXACT);
        assertThat(m.labels()).containsExactly(ref.file().ints("synthetic.in.labels"));
    }
}
