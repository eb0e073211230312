package org.blades.bilevel;

/**
 * What one bi-level iteration did, for the per-step trace (K = number of tasks).
 *
 * @param taskLosses     F(θ) on the training batch before the update: (K)
 * @param outerLoss      ℓ₁(θ') on the second batch, the upper-level objective of Eq. 12
 * @param lambdaBefore   λ used by the virtual step: (K)
 * @param lambdaAfter    λ after the Adam step: (K)
 * @param hypergradient  ∇λ ℓ₁(θ'(λ)) by Eq. 18: (K); zeros when ‖v‖ = 0 or bi-level is off
 * @param vNorm          ‖v‖ = ‖∇θ' ℓ₁‖
 * @param epsilon        ε = fdScale / ‖v‖ (0 when ‖v‖ = 0)
 * @param innerLr        α, the inner learning rate of this step
 * @param weightedLoss   Σ λᵢ ℓᵢ with the new λ, the loss of the real step (Eq. 13)
 */
public record StepTrace(double[] taskLosses, double outerLoss, double[] lambdaBefore, double[] lambdaAfter,
        double[] hypergradient, double vNorm, double epsilon, double innerLr, double weightedLoss) {
}
