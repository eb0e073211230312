package org.blades.tasks;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.blades.gradcheck.OpCase;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// B = batch, P = 50 prompts, K = a task's prompts, M = 3 regions

/**
 * Gradient-check cases for the task losses (float64, seeded): every equation's loss with masked samples and ties,
 * both Φ variants, γ = 0, 1.5 and 2, the edge cases with nothing to average, F(θ) and Σ λ_i ℓ_i with respect to
 * both the logits and λ. Labels live in the closures, so only the logits (and λ) are perturbed.
 */
public final class TaskLossCases {
    private TaskLossCases() {
    }

    public static List<OpCase> cases() {
        TaskLabels labels = randomLabels(101, 10);
        TaskLabels small = randomLabels(102, 7);
        ClassLabels makes = randomClasses(new SplittableRandom(103), 9, Task.MAKE.classCount(), 0.7);
        ClassLabels balance = randomClasses(new SplittableRandom(104), 7, Task.WHITE_BALANCE.classCount(), 1.0);
        ClassLabels oneValid = new ClassLabels(new int[] {-1, 4, -1, -1, -1},
                new boolean[] {false, true, false, false, false});
        ClassLabels noneValid = new ClassLabels(new int[] {-1, -1, -1, -1}, new boolean[4]);
        OrdinalLabels iso = labels.ordinal(Task.ISO);
        OrdinalLabels lonely = new OrdinalLabels(new double[] {Double.NaN, 400.0, Double.NaN},
                new boolean[] {false, true, false}, new ClassLabels(new int[] {-1, 1, -1}, new boolean[3]));
        double[] lambda = new double[Task.COUNT]; // (K=11)
        SplittableRandom rl = new SplittableRandom(105);
        for (int i = 0; i < lambda.length; i++) {
            lambda[i] = 1.0 + 0.5 * (rl.nextDouble() - 0.5);
        }
        TaskLosses paper = new TaskLosses(LossOptions.paper());
        TaskLosses ablation = new TaskLosses(LossOptions.paper().withFocalGamma(0.0)
                .withOrdinalLoss(OrdinalLoss.LEVEL_CLASSIFICATION));
        TaskLosses codePhi = new TaskLosses(LossOptions.paper().withThurstone(ThurstoneVariant.ORIGINAL_CODE));
        return List.of(
                new OpCase("fidelity Eqs. 3-4 coarse (10, 2) masked", () -> List.of(logits(1, 10, 2)),
                        in -> FidelityLoss.loss(in.get(0), labels.coarse())),
                new OpCase("fidelity Eqs. 3-4 levels (10, 3) masked", () -> List.of(logits(2, 10, 3)),
                        in -> FidelityLoss.loss(in.get(0), iso.levels())),
                new OpCase("fidelity binary form (4, 3)", () -> List.of(uniform(3, 0.02, 0.98, 4, 3).named("pHat")),
                        in -> FidelityLoss.binary(Tensor.of(new double[] {0, 1, 0.5, 1, 0, 0, 0.25, 1, 1, 0, 0.5, 1},
                                4, 3), in.get(0))),
                new OpCase("focal fidelity Eq. 5 make (9, 10) gamma 2 masked", () -> List.of(logits(4, 9, 10)),
                        in -> FocalFidelityLoss.loss(in.get(0), makes, 2.0)),
                new OpCase("focal fidelity Eq. 5 white balance (7, 2) gamma 2", () -> List.of(logits(5, 7, 2)),
                        in -> FocalFidelityLoss.loss(in.get(0), balance, 2.0)),
                new OpCase("focal fidelity Eq. 5 make (9, 10) gamma 1.5", () -> List.of(logits(6, 9, 10)),
                        in -> FocalFidelityLoss.loss(in.get(0), makes, 1.5)),
                new OpCase("focal fidelity Eq. 5 make (9, 10) gamma 0", () -> List.of(logits(7, 9, 10)),
                        in -> FocalFidelityLoss.loss(in.get(0), makes, 0.0)),
                new OpCase("focal fidelity Eq. 5 one valid sample (5, 10)", () -> List.of(logits(8, 5, 10)),
                        in -> FocalFidelityLoss.loss(in.get(0), oneValid, 2.0)),
                new OpCase("focal fidelity Eq. 5 no valid sample (4, 10)", () -> List.of(logits(9, 4, 10)),
                        in -> FocalFidelityLoss.loss(in.get(0), noneValid, 2.0)),
                new OpCase("expected level Eqs. 6-7 (7, 3)", () -> List.of(logits(10, 7, 3)),
                        in -> ExpectedLevel.of(in.get(0))),
                new OpCase("thurstone ranking Eqs. 8-9 paper phi (10, 3) ties masked", () -> List.of(logits(11, 10, 3)),
                        in -> ThurstoneRankingLoss.loss(in.get(0), iso, ThurstoneVariant.PAPER)),
                new OpCase("thurstone ranking Eqs. 8-9 code phi (10, 3) ties masked", () -> List.of(logits(12, 10, 3)),
                        in -> ThurstoneRankingLoss.loss(in.get(0), iso, ThurstoneVariant.ORIGINAL_CODE)),
                new OpCase("thurstone ranking Eqs. 8-9 one valid sample (3, 3)", () -> List.of(logits(13, 3, 3)),
                        in -> ThurstoneRankingLoss.loss(in.get(0), lonely, ThurstoneVariant.PAPER)),
                new OpCase("region fidelity Eq. 10 (10, 3) masked", () -> List.of(logits(14, 10, 3)),
                        in -> RegionFidelityLoss.loss(in.get(0), labels.fine())),
                new OpCase("task losses F(theta) (7, 50)", () -> List.of(logits(15, 7, Prompts.COUNT)),
                        in -> paper.vector(in.get(0), small)),
                new OpCase("task losses F(theta) ablation (7, 50)", () -> List.of(logits(16, 7, Prompts.COUNT)),
                        in -> ablation.vector(in.get(0), small)),
                new OpCase("task losses F(theta) code phi (7, 50)", () -> List.of(logits(17, 7, Prompts.COUNT)),
                        in -> codePhi.vector(in.get(0), small)),
                new OpCase("weighted sum of task losses wrt logits and lambda (10, 50)",
                        () -> List.of(logits(18, 10, Prompts.COUNT),
                                Tensor.of(lambda.clone(), Task.COUNT).requiresGrad(true).named("lambda")),
                        in -> TaskLosses.weightedSum(in.get(1), paper.vector(in.get(0), labels))));
    }

    /** A named float64 leaf like CLIP logits: 2.5 × standard normal. */
    private static Tensor logits(long seed, int b, int k) {
        return Tensor.randn(DType.F64, seed, b, k).mul(2.5).detach().requiresGrad(true).named("logits");
    }

    private static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return Tensor.rand(DType.F64, seed, shape).mul(hi - lo).add(lo).detach().requiresGrad(true);
    }

    /**
     * Seeded labels for every task: about a quarter of the tags missing (NaN values, id -1, as the data stage
     * writes them), ordinal values from a few raw values so that ties occur, one more level missing than value.
     */
    static TaskLabels randomLabels(long seed, int b) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<Task, OrdinalLabels> ordinal = new EnumMap<>(Task.class);
        for (Task t : Task.ofKind(Task.Kind.ORDINAL)) {
            ordinal.put(t, randomOrdinal(rng, b));
        }
        Map<Task, ClassLabels> categorical = new EnumMap<>(Task.class);
        for (Task t : Task.ofKind(Task.Kind.CATEGORICAL)) {
            categorical.put(t, randomClasses(rng, b, t.classCount(), 0.75));
        }
        ClassLabels coarse = randomClasses(rng, b, 2, 0.9);
        boolean[] fineValid = mask(rng, b, 0.9); // (B)
        double[] targets = new double[b * Task.FINE.classCount()]; // (B, M)
        for (int i = 0; i < targets.length; i++) {
            targets[i] = fineValid[i / Task.FINE.classCount()] ? (rng.nextDouble() < 0.4 ? 1.0 : 0.0) : Double.NaN;
        }
        return new TaskLabels(ordinal, categorical, coarse, new RegionLabels(targets, fineValid));
    }

    private static OrdinalLabels randomOrdinal(SplittableRandom rng, int b) {
        double[] choices = {100, 200, 400, 800, 1600};
        boolean[] valid = mask(rng, b, 0.75); // (B)
        double[] values = new double[b]; // (B)
        int[] levels = new int[b]; // (B)
        boolean[] levelValid = valid.clone(); // (B)
        int lastValid = -1;
        for (int i = 0; i < b; i++) {
            int c = rng.nextInt(choices.length);
            values[i] = valid[i] ? choices[c] : Double.NaN;
            levels[i] = valid[i] ? Math.min(2, c * 3 / choices.length) : -1;
            lastValid = valid[i] ? i : lastValid;
        }
        if (lastValid > 0) {
            levelValid[lastValid] = false;
            levels[lastValid] = -1;
        }
        return new OrdinalLabels(values, valid, new ClassLabels(levels, levelValid));
    }

    private static ClassLabels randomClasses(SplittableRandom rng, int b, int k, double keep) {
        boolean[] valid = mask(rng, b, keep); // (B)
        int[] ids = new int[b]; // (B)
        for (int i = 0; i < b; i++) {
            ids[i] = valid[i] ? rng.nextInt(k) : -1;
        }
        return new ClassLabels(ids, valid);
    }

    /** Each entry valid with probability keep; at least two valid, so every loss has something to average. */
    private static boolean[] mask(SplittableRandom rng, int b, double keep) {
        boolean[] valid = new boolean[b]; // (B)
        int count = 0;
        for (int i = 0; i < b; i++) {
            valid[i] = rng.nextDouble() < keep;
            count += valid[i] ? 1 : 0;
        }
        for (int i = 0; i < b && count < Math.min(2, b); i++) {
            if (!valid[i]) {
                valid[i] = true;
                count++;
            }
        }
        return valid;
    }
}
