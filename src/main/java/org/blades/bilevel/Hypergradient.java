package org.blades.bilevel;

import org.blades.tensor.Autograd;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

/**
 * The hypergradient ∇λ ℓ₁(θ'(λ)) of the paper's supplementary Eqs. 15-19, as in DARTS' architect.py.
 * Legend: K = tasks, P = parameters.
 *
 * <pre>
 * θ'  = θ − α (∇θ Σ λᵢ ℓᵢ(θ; B_tr) + wd·θ)                       Eq. 11 (virtual SGD step)
 * v   = ∇θ' ℓ₁(θ'; B_val)                                          Eq. 15
 * ε   = fdScale / ‖v‖ (0.01),  θ± = θ ± ε v                         Eq. 19
 * ∇λ  ≈ −α (F(θ⁺) − F(θ⁻)) / 2ε,  F(θ) = (ℓ₁(θ), ..., ℓ_K(θ))     Eqs. 16-18
 * </pre>
 *
 * θ is always restored from a saved copy ({@link ThetaBuffer}), never by adding and subtracting (which does not
 * round-trip in float32); v stays in the parameters' gradients between the outer backward and F(θ⁻). The
 * upper-level loss ℓ₁ is Σ wᵢ ℓᵢ with fixed outer weights w: one-hot on the primary task (coarse in the paper),
 * or another choice for the ablations. ‖v‖ = 0 (or not finite) gives a zero hypergradient instead of a division
 * by zero.
 */
public final class Hypergradient {
    private Hypergradient() {
    }

    /** The finite-difference hypergradient and the quantities the trace reports. */
    public record Result(Tensor hypergradient, double outerLoss, double vNorm, double epsilon) {
    }

    /** Task losses and weights as one scalar: Σ wᵢ ℓᵢ. */
    static Tensor weighted(Tensor losses, Tensor weights) {
        return losses.mul(weights.detach()).sum();
    }

    /**
     * Eqs. 11 and 15-19. Leaves θ bit-identical and every parameter gradient zeroed.
     *
     * @param lambda       λ: (K), only read
     * @param outerWeights w defining ℓ₁ = Σ wᵢ ℓᵢ: (K)
     * @param alpha        the inner learning rate α
     */
    public static <B> Result finiteDifference(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights,
            B inner, B outer, double alpha, double weightDecay, double fdScale) {
        return finiteDifference(objective, new ThetaBuffer(objective.parameters()), lambda, outerWeights, inner, outer,
                alpha, weightDecay, fdScale);
    }

    /** As above, with the caller's θ buffer (reused from step to step). */
    static <B> Result finiteDifference(TaskObjective<B> objective, ThetaBuffer buffer, Tensor lambda,
            Tensor outerWeights, B inner, B outer, double alpha, double weightDecay, double fdScale) {
        ParameterVector theta = objective.parameters();
        buffer.save();
        try {
            virtualStep(objective, buffer, lambda, inner, alpha, weightDecay);

            Tensor outerLoss = weighted(objective.taskLosses(outer), outerWeights);
            outerLoss.backward(); // the parameters' gradients now hold v = ∇θ' ℓ₁ (P)
            buffer.restore();

            double vNorm = buffer.gradientNorm();
            int k = lambda.numel();
            if (!(vNorm > 0) || !Double.isFinite(vNorm)) {
                // No direction to differentiate along: ℓ₁ is flat at θ', so λ gets no signal this step.
                return new Result(Tensor.zeros(lambda.dtype(), k), outerLoss.item(), vNorm, 0.0);
            }
            double eps = fdScale / vNorm;
            Tensor fPlus = lossesAt(objective, buffer, eps, inner); // (K) = F(θ + εv)
            Tensor fMinus = lossesAt(objective, buffer, -eps, inner); // (K) = F(θ − εv)
            Tensor hyper = fPlus.sub(fMinus).mul(-alpha / (2 * eps)); // (K)
            return new Result(hyper, outerLoss.item(), vNorm, eps);
        } finally {
            buffer.restore();
            theta.zeroGrad();
        }
    }

    /**
     * θ ← θ' = θ − α(∇θ Σ λᵢ ℓᵢ + wd·θ), Eq. 11, with θ saved in {@code buffer}; leaves the gradients zeroed.
     */
    static <B> void virtualStep(TaskObjective<B> objective, ThetaBuffer buffer, Tensor lambda, B inner, double alpha,
            double weightDecay) {
        ParameterVector theta = objective.parameters();
        theta.zeroGrad();
        weighted(objective.taskLosses(inner), lambda).backward();
        buffer.addGradient(-alpha);
        buffer.addSaved(-alpha * weightDecay);
        theta.zeroGrad();
    }

    /** F(θ + scale·v), v in the parameters' gradients; forward passes only; θ restored afterwards. */
    private static <B> Tensor lossesAt(TaskObjective<B> objective, ThetaBuffer buffer, double scale, B batch) {
        buffer.addGradient(scale);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            return objective.taskLosses(batch).detach().copy();
        } finally {
            buffer.restore();
        }
    }

    /**
     * The same hypergradient by direct central differences of ℓ₁(θ'(λ)) in each λᵢ, for verification:
     * every evaluation redoes the virtual step from θ with λ ± h·eᵢ. Costs 2K virtual steps; use on small models
     * in float64.
     */
    public static <B> Tensor numeric(TaskObjective<B> objective, Tensor lambda, Tensor outerWeights, B inner,
            B outer, double alpha, double weightDecay, double h) {
        ParameterVector theta = objective.parameters();
        ThetaBuffer buffer = new ThetaBuffer(theta);
        buffer.save();
        int k = lambda.numel();
        Tensor out = Tensor.zeros(lambda.dtype(), k); // (K)
        try {
            for (int i = 0; i < k; i++) {
                double li = lambda.getDouble(i);
                double[] values = new double[2];
                for (int s = 0; s < 2; s++) {
                    Tensor shifted = lambda.detach().copy();
                    shifted.setDouble(li + (s == 0 ? h : -h), i);
                    virtualStep(objective, buffer, shifted, inner, alpha, weightDecay);
                    try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                        values[s] = weighted(objective.taskLosses(outer), outerWeights).item();
                    }
                    buffer.restore();
                }
                out.setDouble((values[0] - values[1]) / (2 * h), i);
            }
            return out;
        } finally {
            buffer.restore();
            theta.zeroGrad();
        }
    }
}
