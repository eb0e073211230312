/**
 * The pretext tasks of BLADES (Sec. 3.2): the 50 prompts ({@link org.blades.tasks.Prompts}), the eleven tasks
 * and their logit columns ({@link org.blades.tasks.Task}, whose order is the order of the task weights λ), and
 * the losses, one class per equation of the paper:
 * <ul>
 *   <li>Eqs. 3-4, fidelity on a softmax: {@link org.blades.tasks.FidelityLoss} (coarse task);</li>
 *   <li>Eq. 5, focal fidelity, γ = 2: {@link org.blades.tasks.FocalFidelityLoss} (categorical EXIF tags);</li>
 *   <li>Eqs. 6-7, expected level: {@link org.blades.tasks.ExpectedLevel};</li>
 *   <li>Eqs. 8-9, Thurstone pairwise ranking: {@link org.blades.tasks.ThurstoneRankingLoss} (ordinal tags);</li>
 *   <li>Eq. 10, per-region sigmoid fidelity: {@link org.blades.tasks.RegionFidelityLoss} (fine task);</li>
 *   <li>F(θ) and Σ λ_i ℓ_i: {@link org.blades.tasks.TaskLosses}.</li>
 * </ul>
 *
 * <p>Shared semantics. Every square root has 1e-8 inside, as in the authors' code. Every loss is a mean over the
 * samples of the batch that have the label (ranking: over pairs i &lt; j of such samples; fine: over regions,
 * then samples); masked samples add exactly 0 to value and gradient, and a loss with nothing to average is 0
 * with a zero gradient. The losses are composed from tensor primitives (softmax, sigmoid, erf, sqrt, sums), so
 * their gradients come from the primitives' derivative rules, checked in float64 and against PyTorch
 * (reference-data/tasks/losses.safetensors).
 *
 * <p>Paper against code: the prompts' wording, the pairs i &lt; j and the 0.5 target for ties follow the
 * authors' code; Φ(Δ/√2) of Eq. 8 is the default and the code's Φ(2Δ) an option ({@link
 * org.blades.tasks.ThurstoneVariant}); the ranking targets compare raw tag values (the code compared
 * precomputed levels); masks for missing tags are ours (the code had none).
 */
package org.blades.tasks;
