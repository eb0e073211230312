package org.blades.bilevel;

import java.util.Arrays;
import org.blades.nn.optim.Optimizer;
import org.blades.tensor.Autograd;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

// K = tasks (11), P = parameters

/**
 * One iteration of BLADES' bi-level optimisation (paper Eqs. 11-13, hypergradient by Eqs. 15-19).
 *
 * <ol>
 *   <li>hypergradient of the upper-level loss ℓ₁(θ'(λ)) with respect to λ ({@link Hypergradient});</li>
 *   <li>λ ← Adam(λ, hypergradient), Eq. 12, for the λᵢ the outer loop may move;</li>
 *   <li>the real step: Σ λᵢ ℓᵢ with the new λ, backward, AdamW on θ at learning rate α, Eq. 13.</li>
 * </ol>
 *
 * Batch norm stays in training mode in every pass, as in the authors' code, so its running statistics see
 * the auxiliary passes too.
 *
 * <p>Cost: three forward+backward passes (virtual step, outer gradient v, real step) and two forward passes
 * (F(θ±εv)), against one forward+backward for a plain weighted-loss step.
 *
 * @param <B> the batch type
 */
public final class BilevelStep<B> {
    private final TaskObjective<B> objective;
    private final Tensor lambda; // (K), a leaf that requires a gradient
    private final Tensor outerWeights; // (K)
    private final Tensor movable; // (K) 1 where the outer loop may move λᵢ, 0 where λᵢ stays as it is
    private final Optimizer lambdaOptimizer;
    private final Optimizer thetaOptimizer;
    private final BilevelOptions options;
    private final ThetaBuffer thetaBuffer; // θ's saved copy, reused from step to step

    /**
     * @param lambda          λ: (K), a leaf with requiresGrad(true), updated in place by {@code lambdaOptimizer}
     * @param outerWeights    w of the upper-level loss ℓ₁ = Σ wᵢ ℓᵢ: (K)
     * @param movable         (K) which λᵢ the outer loop may change; the others' hypergradient is dropped, so
     *                        Adam (zero moments, zero gradient) leaves them exactly where they are. Tasks left
     *                        out of pretraining keep λᵢ = 0 this way.
     * @param lambdaOptimizer the outer optimiser over λ alone, with its own learning rate (β of Eq. 12)
     * @param thetaOptimizer  the inner optimiser over θ; its learning rate is set to α at every step
     */
    public BilevelStep(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights, boolean[] movable,
            Optimizer lambdaOptimizer, Optimizer thetaOptimizer, BilevelOptions options) {
        if (lambda.dim() != 1 || outerWeights.dim() != 1 || lambda.numel() != outerWeights.numel()
                || movable.length != lambda.numel()) {
            throw new IllegalArgumentException("BilevelStep: λ " + Arrays.toString(lambda.shape()) + ", outer weights "
                    + Arrays.toString(outerWeights.shape()) + " and the movable mask (" + movable.length
                    + ") must all be (K)");
        }
        if (!lambda.requiresGrad() || !lambda.isLeaf()) {
            throw new IllegalArgumentException("BilevelStep: λ must be a leaf with requiresGrad(true)");
        }
        if (outerWeights.dtype() != lambda.dtype()) {
            throw new IllegalArgumentException("BilevelStep: λ is " + lambda.dtype() + " but the outer weights are "
                    + outerWeights.dtype());
        }
        if (!lambdaOptimizer.parameters().equals(java.util.List.of(lambda))) {
            throw new IllegalArgumentException("BilevelStep: the outer optimiser must own λ and nothing else");
        }
        this.objective = objective;
        this.lambda = lambda;
        this.outerWeights = outerWeights;
        double[] m = new double[movable.length]; // (K)
        for (int i = 0; i < m.length; i++) {
            m[i] = movable[i] ? 1 : 0;
        }
        this.movable = Tensor.of(m, m.length).to(lambda.dtype());
        this.lambdaOptimizer = lambdaOptimizer;
        this.thetaOptimizer = thetaOptimizer;
        this.options = options;
        this.thetaBuffer = new ThetaBuffer(objective.parameters());
    }

    /** Every λᵢ movable. */
    public BilevelStep(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights, Optimizer lambdaOptimizer,
            Optimizer thetaOptimizer, BilevelOptions options) {
        this(objective, lambda, outerWeights, allTrue(lambda.numel()), lambdaOptimizer, thetaOptimizer, options);
    }

    private static boolean[] allTrue(int k) {
        boolean[] out = new boolean[k];
        Arrays.fill(out, true);
        return out;
    }

    /**
     * One iteration on a training batch and a second, independent batch for the upper level.
     *
     * @param alpha the inner optimiser's learning rate at this step (α of Eq. 11, AdamW's lr of Eq. 13)
     */
    public StepTrace step(B inner, B outer, double alpha) {
        int k = lambda.numel();
        double[] lambdaBefore = lambda.toDoubleArray(); // (K)
        Hypergradient.Result hg = options.bilevel()
                ? Hypergradient.finiteDifference(objective, thetaBuffer, lambda, outerWeights, inner, outer, alpha,
                        options.weightDecay(), options.fdScale())
                : new Hypergradient.Result(Tensor.zeros(lambda.dtype(), k), Double.NaN, Double.NaN, 0.0);
        Tensor hyper = hg.hypergradient().mul(movable); // (K)

        if (options.bilevel()) {
            lambda.zeroGrad();
            Autograd.accumulate(lambda, hyper);
            lambdaOptimizer.step(); // Eq. 12
            lambda.zeroGrad();
        }

        ParameterVector theta = objective.parameters();
        theta.zeroGrad();
        Tensor losses = objective.taskLosses(inner); // (K)
        Tensor total = Hypergradient.weighted(losses, lambda);
        total.backward();
        thetaOptimizer.setLearningRate(alpha);
        thetaOptimizer.step(); // Eq. 13
        theta.zeroGrad();

        return new StepTrace(losses.toDoubleArray(), hg.outerLoss(), lambdaBefore, lambda.toDoubleArray(),
                hyper.toDoubleArray(), hg.vNorm(), hg.epsilon(), alpha, total.item());
    }

    public Tensor lambda() {
        return lambda;
    }
}
