package org.blades.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blades.tensor.Indexing;
import org.blades.tensor.Tensor;

// B = batch, P = 50 prompts, K = 11 tasks

/**
 * The vector of task losses F(θ) = (ℓ_1, ..., ℓ_K) of one batch and the inner-loop objective Σ_i λ_i·ℓ_i
 * (Eq. 1b; Appendix A's ℓ_pre, whose gradient with respect to λ is F(θ)).
 *
 * <p>Each task reads its own logit columns ({@link Task#logits}) and its labels:
 * <ul>
 *   <li>ordinal tags: {@link ThurstoneRankingLoss} (Eqs. 6-9), or {@link FidelityLoss} over the level prompts
 *       in the ranking ablation;</li>
 *   <li>categorical tags: {@link FocalFidelityLoss} (Eq. 5);</li>
 *   <li>coarse: {@link FidelityLoss} (Eqs. 3-4), no focal factor, as the authors' code;</li>
 *   <li>fine: {@link RegionFidelityLoss} (Eq. 10).</li>
 * </ul>
 * Every loss is a mean over the batch's valid samples (pairs, for ranking); a task with nothing valid in the batch
 * contributes 0 with a zero gradient.
 *
 * <pre>
 * TaskLosses losses = new TaskLosses(LossOptions.paper());
 * Tensor f = losses.vector(logits, labels);            // (K) F(θ), index = Task.lambdaIndex()
 * Tensor objective = TaskLosses.weightedSum(lambda, f); // 0-d Σ λ_i ℓ_i
 * </pre>
 */
public final class TaskLosses {
    private final LossOptions options;

    public TaskLosses(LossOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("TaskLosses: options must be given");
        }
        this.options = options;
    }

    public LossOptions options() {
        return options;
    }

    /**
     * One task's loss.
     *
     * @param logits (B, P=50) all prompts' similarity scores
     * @return 0-d
     */
    public Tensor loss(Task task, Tensor logits, TaskLabels labels) {
        if (logits.dim() != 2 || logits.size(0) != labels.batchSize() || logits.size(1) != Prompts.COUNT) {
            throw new IllegalArgumentException("TaskLosses: logits " + Arrays.toString(logits.shape()) + " must be (B, "
                    + Prompts.COUNT + ") with B = " + labels.batchSize() + " as the labels");
        }
        Tensor columns = task.logits(logits); // (B, task.classCount())
        return switch (task.kind()) {
            case ORDINAL -> options.ordinalLoss() == OrdinalLoss.PAIRWISE_RANKING
                    ? ThurstoneRankingLoss.loss(columns, labels.ordinal(task), options.thurstone())
                    : FidelityLoss.loss(columns, labels.ordinal(task).levels());
            case CATEGORICAL -> FocalFidelityLoss.loss(columns, labels.categorical(task), options.focalGamma());
            case COARSE -> FidelityLoss.loss(columns, labels.coarse());
            case FINE -> RegionFidelityLoss.loss(columns, labels.fine());
        };
    }

    /**
     * F(θ): all task losses.
     *
     * @param logits (B, P=50)
     * @return (K=11), entry {@link Task#lambdaIndex()} = that task's loss
     */
    public Tensor vector(Tensor logits, TaskLabels labels) {
        List<Tensor> losses = new ArrayList<>(Task.COUNT);
        for (Task task : Task.values()) {
            losses.add(loss(task, logits, labels));
        }
        return Indexing.stack(losses, 0);
    }

    /**
     * Σ_i λ_i·ℓ_i. Differentiable in both: d/dλ = F(θ) (the quantity the outer loop's finite difference
     * evaluates at θ ± εv), d/dℓ = λ.
     *
     * @param lambda      (K=11) task weights, same dtype as the losses
     * @param taskLosses (K=11) F(θ) from {@link #vector}
     * @return 0-d
     */
    public static Tensor weightedSum(Tensor lambda, Tensor taskLosses) {
        if (lambda.dim() != 1 || lambda.size(0) != Task.COUNT || taskLosses.dim() != 1
                || taskLosses.size(0) != Task.COUNT || lambda.dtype() != taskLosses.dtype()) {
            throw new IllegalArgumentException("TaskLosses.weightedSum: lambda " + lambda.dtype()
                    + Arrays.toString(lambda.shape()) + " and task losses " + taskLosses.dtype()
                    + Arrays.toString(taskLosses.shape()) + " must both be (" + Task.COUNT + ") of one dtype");
        }
        return lambda.mul(taskLosses).sum();
    }
}
