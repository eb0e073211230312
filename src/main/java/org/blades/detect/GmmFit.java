package org.blades.detect;

/**
 * The result of {@link ExpectationMaximization#fit}: the best initialisation's mixture and its EM history.
 *
 * @param model       the mixture after the last M-step
 * @param lowerBound  the last E-step's mean log-likelihood (scikit-learn's lower_bound_; the parameters
 *                    before the last M-step); -infinity when maxIter is 0
 * @param iterations  EM iterations run (scikit-learn's n_iter_)
 * @param converged   whether this initialisation stopped on tol rather than maxIter
 * @param lowerBounds (iterations) the lower bound after each iteration
 */
public record GmmFit(GaussianMixture model, double lowerBound, int iterations, boolean converged,
                     double[] lowerBounds) {
}
