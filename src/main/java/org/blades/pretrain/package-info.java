/**
 * Bi-level pretraining of BLADES (the paper's Sec. 3.3, Eqs. 11-19, and the authors' loop as
 * ORIGINAL-CODE-FACTS.md describes it) on an image index.
 *
 * <p>Dimension legend for the package: B = batch, P = 50 prompts, K = 11 tasks (λ order of
 * {@link org.blades.tasks.Task}), D = joint embedding size, H/W = input height/width.
 *
 * <ul>
 *   <li>{@link org.blades.pretrain.BladesModel}: image encoder, text encoder and joint embedding (Eq. 2), sized by a
 *       {@link org.blades.pretrain.BladesPreset} (tiny, paper);</li>
 *   <li>{@link org.blades.pretrain.BladesObjective}: F(θ), the eleven task losses of a loader batch (Eqs. 3-10);</li>
 *   <li>{@link org.blades.pretrain.PretrainOptions}: the paper's settings and the ablations of Table 7
 *       ({@link org.blades.pretrain.PrimaryTask} for 7c);</li>
 *   <li>{@link org.blades.pretrain.BilevelTrainer}: λ with Adam, θ with AdamW under the per-epoch
 *       {@link org.blades.pretrain.CosineSchedule}, one {@link org.blades.bilevel.BilevelStep} per call;</li>
 *   <li>{@link org.blades.pretrain.Pretraining}: the run over the data loader's two streams, with the trace
 *       ({@link org.blades.pretrain.TraceFile}), the λ plot ({@link org.blades.pretrain.LambdaPlot}) and checkpoints
 *       from which a resumed run continues bit for bit ({@link org.blades.pretrain.RunConfig} is stored in them).</li>
 * </ul>
 */
package org.blades.pretrain;
