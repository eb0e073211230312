package org.blades.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.blades.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

// N = samples, D = feature dimensions, K = components

/**
 * The blocked kernels of {@link MixtureMath} against plain formulas at sizes that cross every block edge
 * (D not a multiple of the triangular block, N past a row chunk), and the mixture's behaviour at the edges:
 * underflowing likelihoods, degenerate data, bad inputs.
 */
class GaussianMixtureTest {

    /** (N, D) standard normal rows plus a per-row offset, so covariances are not diagonal. */
    private static double[] randomRows(SplittableRandom rnd, int n, int d) {
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            double shared = rnd.nextGaussian();
            for (int j = 0; j < d; j++) {
                x[i * d + j] = rnd.nextGaussian() + 0.5 * shared + 0.01 * j;
            }
        }
        return x;
    }

    /** (K, D, D) random symmetric positive definite matrices A A^T / D + 0.5 I. */
    private static double[] randomSpd(SplittableRandom rnd, int k, int d) {
        double[] out = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            double[] a = rnd.doubles((long) d * d, -1, 1).toArray();
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int q = 0; q < d; q++) {
                        s += a[i * d + q] * a[j * d + q];
                    }
                    out[c * d * d + i * d + j] = s / d + (i == j ? 0.5 : 0);
                }
            }
        }
        return out;
    }

    @Test
    void fullLogLikelihoodMatchesThePlainFormula() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = MixtureMath.CHUNK + 76;
        int d = MixtureMath.TRI_BLOCK + 72;
        int k = 3;
        double[] x = randomRows(rnd, n, d);
        double[] means = rnd.doubles((long) k * d, -0.5, 0.5).toArray();
        double[] cov = randomSpd(rnd, k, d);
        double[] weights = {0.2, 0.5, 0.3};
        GaussianMixture g = GaussianMixture.fromCovariances(CovarianceType.FULL, weights, means, cov);
        double[] got = g.scoreSamples(Tensor.of(x, n, d));

        double[] expected = new double[n];
        double[][] inv = new double[k][];
        double[] logDet = new double[k];
        for (int c = 0; c < k; c++) {
            DMatrixRMaj m = new DMatrixRMaj(d, d);
            System.arraycopy(cov, c * d * d, m.data, 0, d * d);
            logDet[c] = Math.log(CommonOps_DDRM.det(m.copy()));
            DMatrixRMaj mi = new DMatrixRMaj(d, d);
            CommonOps_DDRM.invert(m, mi);
            inv[c] = mi.data;
        }
        for (int i = 0; i < n; i++) {
            double[] lp = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double q = 0;
                for (int a = 0; a < d; a++) {
                    double va = x[i * d + a] - means[c * d + a];
                    for (int b = 0; b < d; b++) {
                        q += va * inv[c][a * d + b] * (x[i * d + b] - means[c * d + b]);
                    }
                }
                lp[c] = Math.log(weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + logDet[c] + q);
                max = Math.max(max, lp[c]);
            }
            double s = 0;
            for (double v : lp) {
                s += Math.exp(v - max);
            }
            expected[i] = max + Math.log(s);
        }
        for (int i = 0; i < n; i++) {
            assertThat(got[i]).as("sample %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-9 * Math.abs(expected[i])));
        }
    }

    /** The blocked Cholesky and inverse, over three uneven blocks: P^T Sigma P = I and P upper triangular. */
    @Test
    void precisionFactorWhitensTheCovariance() {
        SplittableRandom rnd = new SplittableRandom(3);
        int d = 2 * MixtureMath.CHOL_BLOCK + 45;
        double[] cov = randomSpd(rnd, 1, d); // (1, D, D)
        double[] p = MixtureMath.precisionCholeskyFromCovariance(cov, 1, d); // (1, D, D)
        double[] sp = new double[d * d]; // Sigma P
        MixtureMath.dgemm(false, false, d, d, d, 1.0, cov, 0, d, p, 0, d, 0.0, sp, 0, d);
        double[] ptsp = new double[d * d]; // P^T Sigma P
        MixtureMath.dgemm(true, false, d, d, d, 1.0, p, 0, d, sp, 0, d, 0.0, ptsp, 0, d);
        double worst = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                worst = Math.max(worst, Math.abs(ptsp[i * d + j] - (i == j ? 1 : 0)));
                if (i > j) {
                    assertThat(p[i * d + j]).isZero();
                }
            }
            assertThat(p[i * d + i]).isPositive();
        }
        assertThat(worst).as("max |P^T Sigma P - I|").isLessThan(1e-10);
    }

    @Test
    void fullCovarianceMatchesThePlainFormulaAndSkipsZeroResponsibilities() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = MixtureMath.COV_CHUNK + 52;
        int d = MixtureMath.TRI_BLOCK + 2;
        int k = 2;
        double[] x = randomRows(rnd, n, d);
        double[] logResp = new double[n * k];
        for (int i = 0; i < n; i++) {
            // a third of the samples belong to component 0 only (responsibility exactly 1 and 0)
            double r0 = i % 3 == 0 ? 1.0 : rnd.nextDouble(0.05, 0.95);
            logResp[i * k] = Math.log(r0);
            logResp[i * k + 1] = i % 3 == 0 ? Double.NEGATIVE_INFINITY : Math.log(1 - r0);
        }
        GaussianMixture g = ExpectationMaximization.mStep(Tensor.of(x, n, d), logResp, CovarianceType.FULL, 1e-6);
        double[] cov = g.covariances();
        double[] means = g.means();
        for (int c = 0; c < k; c++) {
            double nk = 10 * Math.ulp(1.0);
            for (int i = 0; i < n; i++) {
                nk += Math.exp(logResp[i * k + c]);
            }
            for (int a = 0; a < d; a += 7) {
                for (int b = 0; b < d; b += 5) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        double r = Math.exp(logResp[i * k + c]);
                        s += r * (x[i * d + a] - means[c * d + a]) * (x[i * d + b] - means[c * d + b]);
                    }
                    double want = s / nk + (a == b ? 1e-6 : 0);
                    assertThat(cov[c * d * d + a * d + b]).as("component %d (%d, %d)", c, a, b)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-12 * (1 + Math.abs(want))));
                    assertThat(cov[c * d * d + a * d + b]).isEqualTo(cov[c * d * d + b * d + a]);
                }
            }
        }
        assertThat(g.weights()[0] + g.weights()[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void likelihoodsFarBelowTheDoubleRangeStayFinite() {
        double[] means = {0, 0, 10, 10}; // (K = 2, D = 2)
        GaussianMixture g = GaussianMixture.fromCovariances(CovarianceType.SPHERICAL, new double[] {0.5, 0.5}, means,
                new double[] {1e-4, 1e-4});
        double[] ll = g.scoreSamples(Tensor.of(new double[] {1e3, -1e3, 5, 5}, 2, 2));
        // exp(log-likelihood) underflows to 0 for both samples; log-sum-exp keeps the exact values
        assertThat(ll[0]).isFinite().isLessThan(-1e9);
        double expected = -Math.log(2 * Math.PI * 1e-4) - 0.5 * 50 / 1e-4; // both components at squared distance 50
        assertThat(ll[1]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9 * Math.abs(expected)));
        double[] p = g.predictProba(Tensor.of(new double[] {1e3, -1e3, 5, 5}, 2, 2));
        assertThat(p[0] + p[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-15));
        // equidistant from both components; exp(a - (a + log 2)) loses ~ulp(2.5e5) = 3e-11 to rounding
        assertThat(p[2]).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-10));
    }

    @Test
    void fitIsSeededAndMoreInitialisationsNeverLoseLikelihood() {
        GmmBenchData data = GmmBenchData.small();
        GmmOptions o = GmmOptions.defaults().withComponents(4).withCovarianceType(CovarianceType.DIAG).withSeed(5);
        GmmFit a = ExpectationMaximization.fit(data.x(), o);
        GmmFit b = ExpectationMaximization.fit(data.x(), o);
        assertThat(a.model().means()).isEqualTo(b.model().means());
        assertThat(a.lowerBounds()).isEqualTo(b.lowerBounds());
        GmmFit three = ExpectationMaximization.fit(data.x(), o.withNInit(3));
        assertThat(three.lowerBound()).isGreaterThanOrEqualTo(a.lowerBound());
        GmmFit none = ExpectationMaximization.fit(data.x(), o.withMaxIter(0));
        assertThat(none.iterations()).isZero();
        assertThat(none.lowerBound()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(none.converged()).isFalse();
    }

    /** A small instance of the benchmark's mixture (well separated, 4 clusters in 24 dimensions). */
    private record GmmBenchData(Tensor x) {
        static GmmBenchData small() {
            var m = org.blades.bench.GmmBench.syntheticMixture(400, 24, 4, 3);
            return new GmmBenchData(Tensor.of(m.x(), m.n(), m.d()));
        }
    }

    @Test
    void degenerateDataAndBadInputsGiveClearErrors() {
        double[] same = new double[20 * 3]; // 20 identical samples
        GmmOptions o = GmmOptions.defaults().withComponents(2).withRegCovar(0);
        assertThatThrownBy(() -> ExpectationMaximization.fit(Tensor.of(same, 20, 3), o))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not positive definite")
                .hasMessageContaining("larger regCovar");
        // with scikit-learn's regCovar the same data is fitted (every component a spike at the point)
        GmmFit fit = ExpectationMaximization.fit(Tensor.of(same, 20, 3), o.withRegCovar(1e-6));
        assertThat(fit.model().score(Tensor.of(same, 20, 3))).isFinite();

        assertThatThrownBy(() -> ExpectationMaximization.fit(Tensor.of(new double[6], 2, 3), GmmOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need at least max(2, K = 10)");
        double[] nan = new double[30];
        nan[7] = Double.NaN;
        assertThatThrownBy(() -> ExpectationMaximization.fit(Tensor.of(nan, 10, 3), o.withComponents(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature (2, 1) is NaN");
        GaussianMixture g = GaussianMixture.fromCovariances(CovarianceType.DIAG, new double[] {1}, new double[] {0, 0},
                new double[] {1, 1});
        assertThatThrownBy(() -> g.scoreSamples(Tensor.of(new double[3], 1, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("D = 3 but the mixture was fitted on D = 2");
        assertThatThrownBy(() -> GaussianMixture.fromStored(CovarianceType.FULL, new double[] {1}, new double[] {0, 0},
                null, new double[] {1, 0, 0.5, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(1, 0) is 0.5");
        assertThatThrownBy(() -> GaussianMixture.fromCovariances(CovarianceType.FULL, new double[] {1}, new double[] {0, 0},
                new double[] {1, 2, 2, 1}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("component 0");
        assertThatThrownBy(() -> new GmmOptions(0, CovarianceType.FULL, 1e-6, 1e-3, 100, 1, GmmInit.KMEANS, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("components must be >= 1");
    }

    @Test
    void searchSortedLeftIsNumpys() {
        double[] a = {1, 2, 2, 3};
        assertThat(KMeans.searchSortedLeft(a, 0.5)).isZero();
        assertThat(KMeans.searchSortedLeft(a, 2)).isEqualTo(1);
        assertThat(KMeans.searchSortedLeft(a, 2.5)).isEqualTo(3);
        assertThat(KMeans.searchSortedLeft(a, 4)).isEqualTo(4);
    }
}
