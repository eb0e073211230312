package org.blades.bilevel;

import org.blades.tensor.Autograd;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

/**
 * One iteration of BLADES' bi-level optimisation (paper Eqs. 11-13, hypergradient by Eqs. 15-19).
 * Legend: K = tasks (11), P = parameters.
 *
 * <ol>
 *   <li>hypergradient of the upper-level loss ℓ₁(θ'(λ)) with respect to λ ({@link Hypergradient});</li>
 *   <li>λ ← Adam(λ, hypergradient), Eq. 12;</li>
 *   <li>the real step: Σ λᵢ ℓᵢ with the new λ, backward, AdamW on θ, Eq. 13.</li>
 * </ol>
 *
 * Batch norm stays in training mode in every pass, as in the authors' code, so its running statistics see
 * the auxiliary passes too.
 *
 * @param <B> the batch type
 */
public final class BilevelStep<B> {
    private final TaskObjective<B> objective;
    private final Tensor lambda; // (K), a leaf that requires a gradient
    private final Tensor outerWeights; // (K)
    private final Optimizer lambdaOptimizer;
    private final Optimizer thetaOptimizer;
    private final BilevelOptions options;

    public BilevelStep(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights, Optimizer lambdaOptimizer,
            Optimizer thetaOptimizer, BilevelOptions options) {
        if (lambda.dim() != 1 || outerWeights.dim() != 1 || lambda.numel() != outerWeights.numel()) {
            throw new IllegalArgumentException("BilevelStep: λ " + java.util.Arrays.toString(lambda.shape())
                    + " and outer weights " + java.util.Arrays.toString(outerWeights.shape()) + " must both be (K)");
        }
        if (!lambda.requiresGrad()) {
            throw new IllegalArgumentException("BilevelStep: λ must be a leaf with requiresGrad(true)");
        }
        this.objective = objective;
        this.lambda = lambda;
        this.outerWeights = outerWeights;
        this.lambdaOptimizer = lambdaOptimizer;
        this.thetaOptimizer = thetaOptimizer;
        this.options = options;
    }

    /**
     * One iteration on a training batch and a second, independent batch for the upper level.
     *
     * @param alpha the inner optimiser's learning rate at this step (α of Eq. 11, AdamW's lr of Eq. 13)
     */
    public StepTrace step(B inner, B outer, double alpha) {
        int k = lambda.numel();
        double[] lambdaBefore = lambda.toDoubleArray();
        Hypergradient.Result hg = options.bilevel()
                ? Hypergradient.finiteDifference(objective, lambda, outerWeights, inner, outer, alpha,
                        options.weightDecay(), options.fdScale())
                : new Hypergradient.Result(Tensor.zeros(lambda.dtype(), k), Double.NaN, Double.NaN, 0.0);

        if (options.bilevel()) {
            lambda.zeroGrad();
            Autograd.accumulate(lambda, hg.hypergradient());
            lambdaOptimizer.step(options.lambdaLr());
        }

        ParameterVector theta = objective.parameters();
        theta.zeroGrad();
        Tensor losses = objective.taskLosses(inner); // (K)
        Tensor total = Hypergradient.weighted(losses, lambda);
        total.backward();
        thetaOptimizer.step(alpha);
        theta.zeroGrad();

        return new StepTrace(losses.toDoubleArray(), hg.outerLoss(), lambdaBefore, lambda.toDoubleArray(),
                hg.hypergradient().toDoubleArray(), hg.vNorm(), hg.epsilon(), alpha, total.item());
    }

    public Tensor lambda() {
        return lambda;
    }
}
