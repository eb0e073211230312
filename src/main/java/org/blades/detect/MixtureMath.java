package org.blades.detect;

import java.util.Arrays;

import org.blades.kernels.Gemm;
import org.blades.kernels.Parallel;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

// N = samples, D = feature dimensions, K = components, R = rows of one chunk, B = TRI_BLOCK

/**
 * The Gaussian mixture's heavy numerics: per-component Gaussian log-densities (the E-step's cost),
 * weighted covariances (the M-step's cost) and the Cholesky factors between them.
 *
 * <p>Conventions, as scikit-learn's: a component's precision Cholesky factor P satisfies
 * {@code P P^T = Sigma^-1}. For FULL it is the upper-triangular {@code P = L^-T} with {@code Sigma = L L^T}
 * (L lower, positive diagonal), so {@code ||(x - mu)^T P||^2 = (x - mu)^T Sigma^-1 (x - mu)} and
 * {@code log det P = -1/2 log det Sigma}. DIAG and SPHERICAL store {@code 1 / sqrt(variance)}.
 *
 * <p>Cost at N = 25,000, D = 768, K = 10 (FULL): both the E-step's {@code X P} and the M-step's
 * {@code sum_n r_nk (x_n - mu)(x_n - mu)^T} are N D^2 K ~ 1.5e11 multiply-adds. Both are float64 GEMMs
 * ({@link Gemm#dgemm}, on the Vector API when it is on) on row chunks, and both use the triangular shape: the
 * product with an upper-triangular P needs, for output columns [j0, j1), only rows [0, j1) of P; a
 * symmetric covariance needs only its lower triangle. Blocks of B = 128 columns do about 58 % of the
 * full work at D = 768. Rows whose responsibility is exactly 0 add exactly 0 to a covariance, so the
 * M-step skips them (well-separated data, where most responsibilities underflow to 0, gets cheap).
 */
final class MixtureMath {

    static final double LOG_2PI = Math.log(2 * Math.PI);
    /** numpy's finfo(float64).eps; scikit-learn adds 10 of it to every component's responsibility sum. */
    static final double EPS = Math.ulp(1.0);
    /** Rows per E-step GEMM: a (R, D) product chunk is 6 MiB at D = 768, a fraction of the cache-blocked working set. */
    static final int CHUNK = 1024;
    /** Rows per M-step GEMM (its summed dimension). */
    static final int COV_CHUNK = 2048;
    /** Column block of the triangular products. */
    static final int TRI_BLOCK = 128;
    /** Block of the Cholesky factorisation and triangular inverse; blocks on the diagonal go to EJML. */
    static final int CHOL_BLOCK = 128;
    /** Rows per parallel task in the O(N K D) loops. */
    private static final int ROW_GRAIN = 256;

    private MixtureMath() {}

    /** C (M, N) = alpha * op(A) op(B) + beta * C ({@link Gemm#dgemm}: the Vector API kernel when available). */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int offA,
                      int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
        Gemm.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    /**
     * C = A U for an upper-triangular U: output columns [j0, j1) read only rows [0, j1) of U.
     *
     * @param a (M, D) at offA, row stride D
     * @param u (D, D) upper triangular (zeros below the diagonal) at offU
     * @param c (M, D), overwritten
     */
    static void multiplyUpper(int m, int d, double[] a, int offA, double[] u, int offU, double[] c) {
        for (int j0 = 0; j0 < d; j0 += TRI_BLOCK) {
            int j1 = Math.min(d, j0 + TRI_BLOCK);
            dgemm(false, false, m, j1 - j0, j1, 1.0, a, offA, d, u, offU + j0, d, 0.0, c, j0, d);
        }
    }

    /**
     * log N(x_n | mu_k, Sigma_k) for every sample and component, without the mixture weights
     * (scikit-learn's _estimate_log_gaussian_prob):
     * {@code -1/2 (D log 2 pi + ||(x_n - mu_k)^T P_k||^2) + log det P_k}.
     *
     * @param out (N, K), overwritten
     */
    static void logGaussian(GaussianMixture g, Samples s, double[] out) {
        switch (g.covarianceType()) {
            case FULL -> logGaussianFull(g, s, out);
            case DIAG, SPHERICAL -> logGaussianDiagonal(g, s, out);
        }
    }

    private static void logGaussianFull(GaussianMixture g, Samples s, double[] out) {
        int n = s.n();
        int d = s.d();
        int k = g.components();
        double[] x = s.x(); // (N, D)
        double[] means = g.meansRef(); // (K, D)
        double[] prec = g.precisionsCholeskyRef(); // (K, D, D) upper
        double[] logDet = g.logDetRef(); // (K)
        double cst = d * LOG_2PI;
        double[] y = new double[Math.min(n, CHUNK) * d]; // (R, D)
        double[] shift = new double[d]; // (D) mu_k^T P_k
        for (int c = 0; c < k; c++) {
            int pOff = c * d * d;
            Arrays.fill(shift, 0.0);
            for (int i = 0; i < d; i++) {
                double mu = means[c * d + i];
                int row = pOff + i * d;
                for (int j = i; j < d; j++) {
                    shift[j] += mu * prec[row + j];
                }
            }
            for (int r0 = 0; r0 < n; r0 += CHUNK) {
                int rows = Math.min(CHUNK, n - r0);
                // y = x P - mu P: the Mahalanobis coordinates of each sample (sklearn's np.dot(X, prec_chol) - np.dot(mu, prec_chol))
                multiplyUpper(rows, d, x, r0 * d, prec, pOff, y);
                int comp = c;
                int base = r0;
                Parallel.parallelForRange(rows, ROW_GRAIN, (lo, hi) -> {
                    for (int r = lo; r < hi; r++) {
                        double m = 0;
                        int yo = r * d;
                        for (int j = 0; j < d; j++) {
                            double v = y[yo + j] - shift[j];
                            m += v * v;
                        }
                        out[(base + r) * k + comp] = -0.5 * (cst + m) + logDet[comp];
                    }
                });
            }
        }
    }

    /** DIAG and SPHERICAL: the Mahalanobis term is a weighted sum of squares, O(N K D). */
    private static void logGaussianDiagonal(GaussianMixture g, Samples s, double[] out) {
        int n = s.n();
        int d = s.d();
        int k = g.components();
        boolean spherical = g.covarianceType() == CovarianceType.SPHERICAL;
        double[] x = s.x(); // (N, D)
        double[] means = g.meansRef(); // (K, D)
        double[] prec = g.precisionsCholeskyRef(); // DIAG (K, D), SPHERICAL (K)
        double[] logDet = g.logDetRef(); // (K)
        double[] precision = new double[prec.length]; // P^2, the precisions
        for (int i = 0; i < prec.length; i++) {
            precision[i] = prec[i] * prec[i];
        }
        double cst = d * LOG_2PI;
        Parallel.parallelForRange(n, ROW_GRAIN, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int xo = r * d;
                for (int c = 0; c < k; c++) {
                    int mo = c * d;
                    double m = 0;
                    if (spherical) {
                        for (int j = 0; j < d; j++) {
                            double v = x[xo + j] - means[mo + j];
                            m += v * v;
                        }
                        m *= precision[c];
                    } else {
                        for (int j = 0; j < d; j++) {
                            double v = x[xo + j] - means[mo + j];
                            m += v * v * precision[mo + j];
                        }
                    }
                    out[r * k + c] = -0.5 * (cst + m) + logDet[c];
                }
            }
        });
    }

    /**
     * n_k = sum_n r_nk + 10 eps (scikit-learn's guard against empty components) and
     * mu_k = sum_n r_nk x_n / n_k.
     *
     * @param resp  (N, K) responsibilities
     * @param nk    (K), overwritten
     * @param means (K, D), overwritten
     */
    static void weightedMeans(Samples s, double[] resp, int k, double[] nk, double[] means) {
        int n = s.n();
        int d = s.d();
        Arrays.fill(nk, 0.0);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                nk[c] += resp[r * k + c];
            }
        }
        for (int c = 0; c < k; c++) {
            nk[c] += 10 * EPS;
        }
        // means = resp^T X: (K, N) x (N, D)
        dgemm(true, false, k, d, n, 1.0, resp, 0, k, s.x(), 0, d, 0.0, means, 0, d);
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                means[c * d + j] /= nk[c];
            }
        }
    }

    /**
     * Sigma_k = sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T / n_k + regCovar I (scikit-learn's
     * _estimate_gaussian_covariances_full). Computed as S^T S with S's rows sqrt(r_nk) (x_n - mu_k),
     * lower triangle by GEMM, then mirrored.
     *
     * @return (K, D, D)
     */
    static double[] covariancesFull(Samples s, double[] resp, int k, double[] nk, double[] means, double regCovar) {
        int n = s.n();
        int d = s.d();
        double[] x = s.x(); // (N, D)
        double[] cov = new double[k * d * d]; // (K, D, D)
        double[] rows = new double[Math.min(n, COV_CHUNK) * d]; // (R, D) the chunk's sqrt(r) (x - mu)
        for (int c = 0; c < k; c++) {
            int off = c * d * d;
            int filled = 0;
            for (int r = 0; r < n; r++) {
                double w = resp[r * k + c];
                if (w == 0.0) {
                    continue;
                }
                double sw = Math.sqrt(w);
                int xo = r * d;
                int so = filled * d;
                for (int j = 0; j < d; j++) {
                    rows[so + j] = sw * (x[xo + j] - means[c * d + j]);
                }
                if (++filled == COV_CHUNK) {
                    accumulateLowerGram(filled, d, rows, cov, off);
                    filled = 0;
                }
            }
            if (filled > 0) {
                accumulateLowerGram(filled, d, rows, cov, off);
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    double v = cov[off + i * d + j] / nk[c];
                    cov[off + i * d + j] = v;
                    cov[off + j * d + i] = v;
                }
                cov[off + i * d + i] += regCovar;
            }
        }
        return cov;
    }

    /** Lower triangle of C (D, D) at offC += S^T S for S (R, D), by row blocks of C. */
    private static void accumulateLowerGram(int r, int d, double[] s, double[] c, int offC) {
        for (int i0 = 0; i0 < d; i0 += TRI_BLOCK) {
            int i1 = Math.min(d, i0 + TRI_BLOCK);
            // C[i0:i1, 0:i1] += S[:, i0:i1]^T S[:, 0:i1]
            dgemm(true, false, i1 - i0, i1, r, 1.0, s, i0, d, s, 0, d, 1.0, c, offC + i0 * d, d);
        }
    }

    /**
     * Per-dimension variances sum_n r_nk (x_nj - mu_kj)^2 / n_k + regCovar (DIAG), or their mean over j
     * (SPHERICAL), as scikit-learn's _estimate_gaussian_covariances_diag / _spherical. Computed from the
     * centred values rather than scikit-learn's E[x^2] - 2 mu E[x] + mu^2, which cancels badly when
     * the variance is small against the mean.
     *
     * @return DIAG (K, D), SPHERICAL (K)
     */
    static double[] covariancesDiagonal(Samples s, double[] resp, int k, double[] nk, double[] means,
                                        double regCovar, boolean spherical) {
        int n = s.n();
        int d = s.d();
        double[] x = s.x(); // (N, D)
        double[] sums = new double[k * d]; // (K, D)
        for (int r = 0; r < n; r++) {
            int xo = r * d;
            for (int c = 0; c < k; c++) {
                double w = resp[r * k + c];
                if (w == 0.0) {
                    continue;
                }
                int mo = c * d;
                for (int j = 0; j < d; j++) {
                    double v = x[xo + j] - means[mo + j];
                    sums[mo + j] += w * v * v;
                }
            }
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                sums[c * d + j] = sums[c * d + j] / nk[c] + regCovar;
            }
        }
        if (!spherical) {
            return sums;
        }
        double[] variances = new double[k]; // (K)
        for (int c = 0; c < k; c++) {
            double t = 0;
            for (int j = 0; j < d; j++) {
                t += sums[c * d + j];
            }
            variances[c] = t / d;
        }
        return variances;
    }

    /**
     * P_k = L_k^-T for Sigma_k = L_k L_k^T (scikit-learn's _compute_precision_cholesky), components in
     * parallel; see {@link #choleskyInverse} for the factorisation.
     *
     * @param cov (K, D, D) symmetric positive definite
     * @return (K, D, D) upper triangular
     */
    static double[] precisionCholeskyFromCovariance(double[] cov, int k, int d) {
        double[] prec = new double[k * d * d]; // (K, D, D)
        Parallel.parallelFor(k, c -> {
            double[] linv = choleskyInverse(cov, c * d * d, d, c); // (D, D) lower
            int off = c * d * d;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    prec[off + j * d + i] = linv[i * d + j];
                }
            }
        });
        return prec;
    }

    /**
     * L^-1 for the lower Cholesky factor L of the (D, D) matrix at {@code off}, by blocks of CHOL_BLOCK so that
     * nearly all of the 2 D^3 / 3 flops are GEMMs (EJML's unblocked routines, used for the diagonal blocks,
     * run about ten times slower than the GEMM at D = 768). Left-looking Cholesky (LAPACK's potrf order):
     * for each block column J, {@code A_JJ -= L_J< L_J<^T}, {@code L_JJ = chol(A_JJ)},
     * {@code L_>J = (A_>J - L_>< L_J<^T) L_JJ^-T}. Then the inverse by block columns,
     * {@code (L^-1)_IJ = -L_II^-1 sum_(J <= Q < I) L_IQ (L^-1)_QJ} for I > J, with the diagonal blocks'
     * inverses kept from the factorisation.
     *
     * @return (D, D) L^-1, lower triangular (zeros above the diagonal)
     */
    static double[] choleskyInverse(double[] a, int off, int d, int component) {
        double[] l = new double[d * d]; // (D, D) lower part becomes L; the upper part is scratch until cleared
        System.arraycopy(a, off, l, 0, d * d);
        double[] linv = new double[d * d]; // (D, D)
        double[] scratch = new double[d * CHOL_BLOCK]; // (D, B)
        for (int j0 = 0; j0 < d; j0 += CHOL_BLOCK) {
            int j1 = Math.min(d, j0 + CHOL_BLOCK);
            int nb = j1 - j0;
            if (j0 > 0) {
                // A_JJ -= L_J< L_J<^T
                dgemm(false, true, nb, nb, j0, -1.0, l, j0 * d, d, l, j0 * d, d, 1.0, l, j0 * d + j0, d);
            }
            DMatrixRMaj block = new DMatrixRMaj(nb, nb); // (B, B)
            for (int i = 0; i < nb; i++) {
                System.arraycopy(l, (j0 + i) * d + j0, block.data, i * nb, nb);
            }
            DMatrixRMaj ljj = cholesky(block.data, 0, nb, component, "covariance (" + d + " x " + d + ", block at row " + j0 + ")");
            DMatrixRMaj ijj = ljj.copy();
            TriangularSolver_DDRM.invertLower(ijj.data, nb); // L_JJ^-1
            for (int i = 0; i < nb; i++) {
                System.arraycopy(ljj.data, i * nb, l, (j0 + i) * d + j0, nb);
                System.arraycopy(ijj.data, i * nb, linv, (j0 + i) * d + j0, nb);
            }
            int below = d - j1;
            if (below > 0) {
                if (j0 > 0) {
                    // A_>J -= L_>< L_J<^T
                    dgemm(false, true, below, nb, j0, -1.0, l, j1 * d, d, l, j0 * d, d, 1.0, l, j1 * d + j0, d);
                }
                for (int i = 0; i < below; i++) {
                    System.arraycopy(l, (j1 + i) * d + j0, scratch, i * nb, nb);
                }
                // L_>J = A_>J L_JJ^-T
                dgemm(false, true, below, nb, nb, 1.0, scratch, 0, nb, ijj.data, 0, nb, 0.0, l, j1 * d + j0, d);
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                l[i * d + j] = 0.0;
            }
        }
        for (int j0 = 0; j0 < d; j0 += CHOL_BLOCK) {
            int nbJ = Math.min(d, j0 + CHOL_BLOCK) - j0;
            for (int i0 = j0 + CHOL_BLOCK; i0 < d; i0 += CHOL_BLOCK) {
                int nbI = Math.min(d, i0 + CHOL_BLOCK) - i0;
                // T = L[I, J..I) (L^-1)[J..I), J]
                dgemm(false, false, nbI, nbJ, i0 - j0, 1.0, l, i0 * d + j0, d, linv, j0 * d + j0, d, 0.0, scratch, 0, nbJ);
                // (L^-1)_IJ = -L_II^-1 T
                dgemm(false, false, nbI, nbJ, nbI, -1.0, linv, i0 * d + i0, d, scratch, 0, nbJ, 0.0, linv, i0 * d + j0, d);
            }
        }
        return linv;
    }

    /**
     * An upper-triangular P with P P^T = Lambda for a given precision Lambda. Cholesky of the reversed
     * matrix, J Lambda J = R R^T (J the exchange matrix, R lower), gives P = J R J: upper, and
     * P P^T = J R R^T J = Lambda. (scikit-learn takes the lower Cholesky factor of Lambda instead; any
     * factor gives the same log-densities, and the upper one keeps the E-step's triangular GEMM.)
     *
     * @param precision (K, D, D) symmetric positive definite
     * @return (K, D, D) upper triangular
     */
    static double[] precisionCholeskyFromPrecision(double[] precision, int k, int d) {
        double[] prec = new double[k * d * d]; // (K, D, D)
        double[] reversed = new double[d * d]; // (D, D)
        for (int c = 0; c < k; c++) {
            int off = c * d * d;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    reversed[i * d + j] = precision[off + (d - 1 - i) * d + (d - 1 - j)];
                }
            }
            DMatrixRMaj r = cholesky(reversed, 0, d, c, "precision (" + d + " x " + d + ")");
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    prec[off + (d - 1 - i) * d + (d - 1 - j)] = r.data[i * d + j];
                }
            }
        }
        return prec;
    }

    /**
     * Lower Cholesky factor of the (D, D) matrix at off by EJML; a clear error when it is not positive definite.
     *
     * @param what names the matrix in the error ("covariance (768 x 768, block at row 128)")
     */
    private static DMatrixRMaj cholesky(double[] m, int off, int d, int component, String what) {
        DMatrixRMaj a = new DMatrixRMaj(d, d);
        System.arraycopy(m, off, a.data, 0, d * d);
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(d, true);
        boolean ok = chol.decompose(a);
        DMatrixRMaj l = ok ? chol.getT(null) : null;
        if (ok) {
            for (int i = 0; i < d; i++) {
                double v = l.data[i * d + i];
                if (!(v > 0) || Double.isInfinite(v)) {
                    ok = false;
                    break;
                }
                // EJML may leave the strict upper triangle of its work matrix in the factor
                for (int j = i + 1; j < d; j++) {
                    l.data[i * d + j] = 0.0;
                }
            }
        }
        if (!ok) {
            throw new IllegalStateException("Gaussian mixture: the " + what + " of component " + component
                    + " is not positive definite: the component has an ill-defined empirical "
                    + "covariance (singleton or collapsed samples); use fewer components or a larger regCovar");
        }
        return l;
    }

    /** 1 / sqrt(v) per variance; a clear error for a non-positive one. */
    static double[] precisionCholeskyFromVariances(double[] variances) {
        double[] p = new double[variances.length];
        for (int i = 0; i < variances.length; i++) {
            double v = variances[i];
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalStateException("Gaussian mixture: variance " + i + " is " + v
                        + ": a component has an ill-defined empirical covariance (singleton or collapsed samples); "
                        + "use fewer components or a larger regCovar");
            }
            p[i] = 1.0 / Math.sqrt(v);
        }
        return p;
    }
}
