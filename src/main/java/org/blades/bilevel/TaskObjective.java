package org.blades.bilevel;

import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

/**
 * The pretext-task objective seen by the bi-level optimiser: the vector of task losses F(θ) on a batch.
 * Legend: K = number of tasks (11 for BLADES), P = number of parameters θ.
 *
 * <p>F(θ) is the function of Eq. 18: since ℓ_pre(θ, λ) = Σ λᵢ ℓᵢ(θ), its gradient with respect to λ is the
 * vector of task losses itself.
 *
 * @param <B> the batch type
 */
public interface TaskObjective<B> {

    /** F(θ) on one batch: (K), recorded on the tape so that backward reaches θ. */
    Tensor taskLosses(B batch);

    /** θ as one flat vector (shared storage with the model: perturbing it perturbs the model). */
    ParameterVector parameters();
}
