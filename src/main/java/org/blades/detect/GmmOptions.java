package org.blades.detect;

/**
 * Settings of a Gaussian-mixture fit; scikit-learn's GaussianMixture arguments under their own names.
 *
 * @param components     K, the number of mixture components (n_components)
 * @param covarianceType covariance shape per component (covariance_type)
 * @param regCovar       added to every covariance diagonal so each stays positive definite (reg_covar)
 * @param tol            EM stops when the mean log-likelihood changes by less than this between
 *                       iterations (tol)
 * @param maxIter        most EM iterations per initialisation (max_iter); 0 returns the initial model
 * @param nInit          initialisations tried; the one with the highest final lower bound wins (n_init)
 * @param init           how the first responsibilities are chosen (init_params)
 * @param seed           seeds every random draw of the fit (random_state)
 */
public record GmmOptions(int components, CovarianceType covarianceType, double regCovar, double tol, int maxIter,
                         int nInit, GmmInit init, long seed) {

    public GmmOptions {
        if (components < 1) {
            throw new IllegalArgumentException("GmmOptions: components must be >= 1, got " + components);
        }
        if (covarianceType == null || init == null) {
            throw new IllegalArgumentException("GmmOptions: covarianceType and init must be given");
        }
        if (!(regCovar >= 0) || Double.isInfinite(regCovar)) {
            throw new IllegalArgumentException("GmmOptions: regCovar must be finite and >= 0, got " + regCovar);
        }
        if (!(tol >= 0) || Double.isInfinite(tol)) {
            throw new IllegalArgumentException("GmmOptions: tol must be finite and >= 0, got " + tol);
        }
        if (maxIter < 0 || nInit < 1) {
            throw new IllegalArgumentException("GmmOptions: need maxIter >= 0 and nInit >= 1, got maxIter " + maxIter
                    + ", nInit " + nInit);
        }
    }

    /**
     * The detector's settings, the authors' GaussianMixture(n_components=10, covariance_type='full',
     * init_params='k-means++', random_state=2024) with scikit-learn's defaults reg_covar 1e-6, tol 1e-3,
     * max_iter 100, n_init 1.
     */
    public static GmmOptions defaults() {
        return new GmmOptions(10, CovarianceType.FULL, 1e-6, 1e-3, 100, 1, GmmInit.KMEANS_PLUS_PLUS, 2024);
    }

    public GmmOptions withComponents(int k) {
        return new GmmOptions(k, covarianceType, regCovar, tol, maxIter, nInit, init, seed);
    }

    public GmmOptions withCovarianceType(CovarianceType type) {
        return new GmmOptions(components, type, regCovar, tol, maxIter, nInit, init, seed);
    }

    public GmmOptions withRegCovar(double reg) {
        return new GmmOptions(components, covarianceType, reg, tol, maxIter, nInit, init, seed);
    }

    public GmmOptions withTol(double t) {
        return new GmmOptions(components, covarianceType, regCovar, t, maxIter, nInit, init, seed);
    }

    public GmmOptions withMaxIter(int iterations) {
        return new GmmOptions(components, covarianceType, regCovar, tol, iterations, nInit, init, seed);
    }

    public GmmOptions withNInit(int n) {
        return new GmmOptions(components, covarianceType, regCovar, tol, maxIter, n, init, seed);
    }

    public GmmOptions withInit(GmmInit how) {
        return new GmmOptions(components, covarianceType, regCovar, tol, maxIter, nInit, how, seed);
    }

    public GmmOptions withSeed(long s) {
        return new GmmOptions(components, covarianceType, regCovar, tol, maxIter, nInit, init, s);
    }
}
