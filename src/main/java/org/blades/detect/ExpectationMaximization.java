package org.blades.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.blades.tensor.Tensor;

// N = samples, D = feature dimensions, K = components

/**
 * Fits a {@link GaussianMixture} by expectation-maximisation, step for step as scikit-learn's
 * GaussianMixture.fit (version 1.2), in float64.
 *
 * <p>One iteration:
 * <ol>
 *   <li>E-step: {@code log r_nk = log w_k + log N(x_n | k) - log p(x_n)} with
 *       {@code log p(x_n) = logsumexp_k(log w_k + log N(x_n | k))}; the lower bound is the mean of
 *       {@code log p(x_n)}, the average log-likelihood under the parameters before this M-step.</li>
 *   <li>M-step: {@code n_k = sum_n r_nk + 10 eps}, {@code w_k = n_k / sum_j n_j},
 *       {@code mu_k = sum_n r_nk x_n / n_k}, {@code Sigma_k = sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T / n_k
 *       + regCovar I} (diagonal or averaged for DIAG, SPHERICAL), then the precision Cholesky factors.</li>
 *   <li>Stop when the lower bound changed by less than tol (the first iteration compares with -inf).</li>
 * </ol>
 * With nInit &gt; 1 the initialisation with the highest final lower bound wins (the first on ties).
 * Initial parameters come from one-hot responsibilities ({@link GmmInit}) through the M-step's
 * estimators, except that the initial weights are {@code n_k / N} without renormalisation, as in
 * scikit-learn.
 */
public final class ExpectationMaximization {

    /**
     * The E-step's results.
     *
     * @param meanLogLikelihood mean of logLikelihood: scikit-learn's lower bound
     * @param logLikelihood     (N) log p(x_n)
     * @param logResp           (N, K) log responsibilities
     */
    public record EStep(double meanLogLikelihood, double[] logLikelihood, double[] logResp) {
    }

    private ExpectationMaximization() {}

    /** Fits a mixture to the rows of {@code x} (N, D). */
    public static GmmFit fit(Tensor x, GmmOptions options) {
        Samples s = Samples.of(x, "GaussianMixture fit");
        check(s, options);
        SplittableRandom rnd = new SplittableRandom(options.seed());
        GmmFit best = null;
        for (int init = 0; init < options.nInit(); init++) {
            GaussianMixture start = initialModel(s, options, rnd);
            GmmFit run = iterate(s, start, options);
            if (best == null || run.lowerBound() > best.lowerBound()) {
                best = run;
            }
        }
        return best;
    }

    /**
     * EM from given parameters (scikit-learn's weights_init, means_init and precisions_init): no random
     * draws; nInit is ignored.
     */
    public static GmmFit fitFrom(GaussianMixture initial, Tensor x, GmmOptions options) {
        Samples s = initial.samples(x, "fitFrom");
        if (initial.components() != options.components() || initial.covarianceType() != options.covarianceType()) {
            throw new IllegalArgumentException("GaussianMixture fitFrom: the initial mixture (" + initial.components()
                    + " " + initial.covarianceType().sklearnName() + " components) does not match the options ("
                    + options.components() + " " + options.covarianceType().sklearnName() + ")");
        }
        check(s, options);
        return iterate(s, initial, options);
    }

    private static void check(Samples s, GmmOptions options) {
        if (s.n() < Math.max(2, options.components())) {
            throw new IllegalArgumentException("GaussianMixture fit: need at least max(2, K = " + options.components()
                    + ") samples, got N = " + s.n());
        }
        s.requireFinite("GaussianMixture fit");
    }

    private static GmmFit iterate(Samples s, GaussianMixture start, GmmOptions o) {
        GaussianMixture g = start;
        double lowerBound = Double.NEGATIVE_INFINITY;
        List<Double> trace = new ArrayList<>();
        boolean converged = false;
        int iterations = 0;
        for (int it = 1; it <= o.maxIter(); it++) {
            double previous = lowerBound;
            EStep e = eStep(g, s);
            g = mStep(s, exp(e.logResp()), o.components(), o.covarianceType(), o.regCovar(), false);
            lowerBound = e.meanLogLikelihood();
            trace.add(lowerBound);
            iterations = it;
            if (Math.abs(lowerBound - previous) < o.tol()) {
                converged = true;
                break;
            }
        }
        return new GmmFit(g, lowerBound, iterations, converged, trace.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The E-step for the rows of {@code x} (N, D) under {@code g}. */
    public static EStep eStep(GaussianMixture g, Tensor x) {
        return eStep(g, g.samples(x, "eStep"));
    }

    static EStep eStep(GaussianMixture g, Samples s) {
        int n = s.n();
        int k = g.components();
        double[] logResp = g.weightedLogProb(s); // (N, K)
        double[] ll = GaussianMixture.logSumExpRows(logResp, n, k); // (N)
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += ll[r];
            for (int c = 0; c < k; c++) {
                logResp[r * k + c] -= ll[r];
            }
        }
        return new EStep(sum / n, ll, logResp);
    }

    /**
     * The M-step: the mixture that maximises the expected log-likelihood under the responsibilities
     * {@code exp(logResp)} (scikit-learn's _m_step).
     *
     * @param logResp (N, K)
     */
    public static GaussianMixture mStep(Tensor x, double[] logResp, CovarianceType type, double regCovar) {
        Samples s = Samples.of(x, "mStep");
        if (logResp.length == 0 || logResp.length % s.n() != 0) {
            throw new IllegalArgumentException("GaussianMixture mStep: " + logResp.length
                    + " log responsibilities do not form (N, K) for N = " + s.n());
        }
        return mStep(s, exp(logResp), logResp.length / s.n(), type, regCovar, false);
    }

    /**
     * Estimates weights, means and covariances from responsibilities (scikit-learn's
     * _estimate_gaussian_parameters), then the precision factors.
     *
     * @param resp    (N, K)
     * @param initial weights n_k / N as in scikit-learn's _initialize, instead of n_k / sum_j n_j
     */
    static GaussianMixture mStep(Samples s, double[] resp, int k, CovarianceType type, double regCovar,
                                 boolean initial) {
        int d = s.d();
        double[] nk = new double[k]; // (K)
        double[] means = new double[k * d]; // (K, D)
        MixtureMath.weightedMeans(s, resp, k, nk, means);
        double total = 0;
        for (double v : nk) {
            total += v;
        }
        double[] weights = new double[k]; // (K)
        for (int c = 0; c < k; c++) {
            weights[c] = nk[c] / (initial ? s.n() : total);
        }
        double[] cov;
        double[] prec;
        if (type == CovarianceType.FULL) {
            cov = MixtureMath.covariancesFull(s, resp, k, nk, means, regCovar);
            prec = MixtureMath.precisionCholeskyFromCovariance(cov, k, d);
        } else {
            cov = MixtureMath.covariancesDiagonal(s, resp, k, nk, means, regCovar, type == CovarianceType.SPHERICAL);
            prec = MixtureMath.precisionCholeskyFromVariances(cov);
        }
        return GaussianMixture.ofOwned(type, k, d, weights, means, cov, prec);
    }

    /** The initial mixture of one initialisation (scikit-learn's _initialize_parameters). */
    static GaussianMixture initialModel(Samples s, GmmOptions o, SplittableRandom rnd) {
        int n = s.n();
        int k = o.components();
        double[] resp = new double[n * k]; // (N, K)
        switch (o.init()) {
            case KMEANS_PLUS_PLUS -> {
                int[] seeds = KMeans.plusPlus(s, k, rnd);
                for (int c = 0; c < k; c++) {
                    resp[seeds[c] * k + c] = 1.0;
                }
            }
            case KMEANS -> {
                int[] labels = KMeans.lloyd(s, k, rnd);
                for (int r = 0; r < n; r++) {
                    resp[r * k + labels[r]] = 1.0;
                }
            }
        }
        return mStep(s, resp, k, o.covarianceType(), o.regCovar(), true);
    }

    private static double[] exp(double[] logResp) {
        double[] r = new double[logResp.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.exp(logResp[i]);
        }
        return r;
    }
}
