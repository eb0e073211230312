package org.blades.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.blades.tensor.DType;
import org.blades.tensor.SpecialFunctions;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

// B = batch, K = a task's prompts, P = 50 prompts, L = 3 levels

/**
 * The documented semantics, by hand: masks (a masked sample changes nothing and gets exactly zero gradient),
 * ties at 0.5, both Φ variants at known points, the pairs i &lt; j, nothing to average, λ order and argument checks.
 */
class TaskLossSemanticsTest {

    private static final double EPS = 1e-8;
    private static final double PHI_OF_1 = 0.8413447460685429; // Φ(1)
    private static final double PHI_OF_2_SQRT_2 = 0.9976611325094764; // Φ(2√2) = (1 + erf(2)) / 2

    // ---------------------------------------------------------------------------------------------
    // Thurstone ranking (Eqs. 8-9)

    /**
     * Two samples whose expected levels are 2 ± 1/√2, so Δ = √2: Φ(Δ/√2) = Φ(1) for the paper, Φ(2Δ) = Φ(2√2) for
     * the authors' code. Logits are log-probabilities, so the softmax returns the chosen probabilities.
     *
     * @return (2, L)
     */
    private static Tensor levelsTwoApart() {
        double x = 0.9 - 1.0 / Math.sqrt(2.0); // middle probability giving r̂ = 2.9 - x = 2 + 1/√2
        double[] p = {0.05, x, 0.95 - x, 0.95 - x, x, 0.05}; // (2, L) rows: r̂ = 2 + 1/√2, 2 - 1/√2
        double[] logits = new double[6]; // (2, L)
        for (int i = 0; i < 6; i++) {
            logits[i] = Math.log(p[i]);
        }
        return Tensor.of(logits, 2, 3);
    }

    private static OrdinalLabels ranked(double v0, double v1) {
        return new OrdinalLabels(new double[] {v0, v1}, new boolean[] {true, true},
                new ClassLabels(new int[] {0, 0}, new boolean[2]));
    }

    private static double fidelity(double p, double pHat) {
        return 1 - Math.sqrt(p * pHat + EPS) - Math.sqrt((1 - p) * (1 - pHat) + EPS);
    }

    @Test
    void expectedLevelUsesOneTwoThree() {
        assertThat(ExpectedLevel.of(levelsTwoApart()).toDoubleArray())
                .containsExactly(new double[] {2 + 1 / Math.sqrt(2), 2 - 1 / Math.sqrt(2)}, within(1e-14));
        Tensor certain = Tensor.of(new double[] {30, 0, 0, 0, 30, 0, 0, 0, 30}, 3, 3); // (3, L)
        assertThat(ExpectedLevel.of(certain).toDoubleArray()).containsExactly(new double[] {1, 2, 3}, within(1e-12));
    }

    @Test
    void bothPhiVariantsAtKnownPoints() {
        for (ThurstoneVariant phi : ThurstoneVariant.values()) {
            double pHat = phi == ThurstoneVariant.PAPER ? PHI_OF_1 : PHI_OF_2_SQRT_2;
            assertThat(ThurstoneRankingLoss.loss(levelsTwoApart(), ranked(800, 100), phi).item())
                    .as("%s, x ranked above x'", phi).isCloseTo(fidelity(1.0, pHat), within(1e-14));
            assertThat(ThurstoneRankingLoss.loss(levelsTwoApart(), ranked(100, 800), phi).item())
                    .as("%s, x ranked below x'", phi).isCloseTo(fidelity(0.0, pHat), within(1e-14));
            assertThat(ThurstoneRankingLoss.loss(levelsTwoApart(), ranked(400, 400), phi).item())
                    .as("%s, a tie targets 0.5", phi).isCloseTo(fidelity(0.5, pHat), within(1e-14));
        }
        assertThat(ThurstoneVariant.PAPER.scale()).isEqualTo(1 / Math.sqrt(2));
        assertThat(ThurstoneVariant.ORIGINAL_CODE.scale()).isEqualTo(2.0);
    }

    @Test
    void aTieWithEqualPredictionsIsTheMinimumWithZeroGradient() {
        Tensor logits = Tensor.of(new double[] {0.3, -1.2, 2.0, 0.3, -1.2, 2.0}, 2, 3).requiresGrad(true); // (2, L)
        Tensor loss = ThurstoneRankingLoss.loss(logits, ranked(200, 200), ThurstoneVariant.PAPER);
        assertThat(loss.item()).isCloseTo(1 - 2 * Math.sqrt(0.25 + EPS), within(1e-15));
        loss.backward();
        assertZero("gradient", logits.grad().toDoubleArray());
    }

    /** Pairs i < j give the same mean as all ordered pairs i ≠ j: a plain-double oracle over ordered pairs. */
    @Test
    void rankingAveragesOverValidPairsLikeAllOrderedPairs() {
        TaskLabels labels = TaskLossCases.randomLabels(7, 11);
        Tensor logits = Tensor.randn(DType.F64, 8, 11, 3).mul(2.0); // (B, L)
        for (Task task : Task.ofKind(Task.Kind.ORDINAL)) {
            OrdinalLabels ord = labels.ordinal(task);
            double[] r = ExpectedLevel.of(logits).toDoubleArray(); // (B)
            for (ThurstoneVariant phi : ThurstoneVariant.values()) {
                double sum = 0;
                int pairs = 0;
                for (int i = 0; i < r.length; i++) {
                    for (int j = 0; j < r.length; j++) {
                        if (i != j && ord.isValid(i) && ord.isValid(j)) {
                            double z = phi.scale() * (r[i] - r[j]);
                            double pHat = 0.5 * (1 + SpecialFunctions.erf(z / Math.sqrt(2)));
                            double p = ord.value(i) > ord.value(j) ? 1 : ord.value(i) == ord.value(j) ? 0.5 : 0;
                            sum += fidelity(p, pHat);
                            pairs++;
                        }
                    }
                }
                assertThat(ThurstoneRankingLoss.loss(logits, ord, phi).item()).as("%s %s", task, phi)
                        .isCloseTo(sum / pairs, within(1e-13));
            }
        }
    }

    @Test
    void rankingWithoutAPairIsZeroWithZeroGradient() {
        Tensor single = Tensor.randn(DType.F64, 3, 1, 3).requiresGrad(true); // (1, L)
        OrdinalLabels one = new OrdinalLabels(new double[] {100}, new boolean[] {true},
                new ClassLabels(new int[] {1}, new boolean[] {true}));
        Tensor loss = ThurstoneRankingLoss.loss(single, one, ThurstoneVariant.PAPER);
        assertThat(loss.item()).isCloseTo(0.0, within(0.0));
        loss.backward();
        assertZero("gradient", single.grad().toDoubleArray());

        Tensor four = Tensor.randn(DType.F32, 4, 4, 3).requiresGrad(true); // (4, L)
        OrdinalLabels lonely = new OrdinalLabels(new double[] {Double.NaN, 100, Double.NaN, Double.NaN},
                new boolean[] {false, true, false, false}, new ClassLabels(new int[4], new boolean[4]));
        Tensor lossF32 = ThurstoneRankingLoss.loss(four, lonely, ThurstoneVariant.ORIGINAL_CODE);
        assertThat(lossF32.item()).isCloseTo(0.0, within(0.0));
        lossF32.backward();
        assertZero("gradient", four.grad().toDoubleArray());
    }

    // ---------------------------------------------------------------------------------------------
    // Masks, for every loss

    /** A masked row: its logits and labels change nothing; it gets exactly zero gradient; the rest is the valid-only loss. */
    @Test
    void maskedSamplesChangeNothingAndGetZeroGradient() {
        int b = 9;
        TaskLabels labels = TaskLossCases.randomLabels(21, b);
        for (LossOptions options : new LossOptions[] {LossOptions.paper(),
                LossOptions.paper().withFocalGamma(0).withOrdinalLoss(OrdinalLoss.LEVEL_CLASSIFICATION)}) {
            TaskLosses tl = new TaskLosses(options);
            for (Task task : Task.values()) {
                boolean[] valid = validOf(task, labels, options);
                Tensor logits = Tensor.randn(DType.F64, 22, b, Prompts.COUNT).mul(3).requiresGrad(true); // (B, P)
                Tensor loss = tl.loss(task, logits, labels);
                loss.backward();
                double[] grad = logits.grad().toDoubleArray(); // (B, P)

                Tensor changed = logits.detach().copy(); // (B, P) other logits in the masked rows
                for (int i = 0; i < b; i++) {
                    for (int c = 0; c < Prompts.COUNT; c++) {
                        if (!valid[i] || c < task.firstColumn() || c >= task.endColumn()) {
                            changed.setDouble(changed.getDouble(i, c) + 5.0 - 0.1 * c, i, c);
                        }
                    }
                }
                assertThat(tl.loss(task, changed, labels).item()).as("%s %s", task, options)
                        .isCloseTo(loss.item(), within(1e-15));
                for (int i = 0; i < b; i++) {
                    for (int c = 0; c < Prompts.COUNT; c++) {
                        if (!valid[i] || c < task.firstColumn() || c >= task.endColumn()) {
                            assertThat(grad[i * Prompts.COUNT + c]).as("%s d/d logits[%d, %d]", task, i, c)
                                    .isCloseTo(0.0, within(0.0));
                        }
                    }
                }
            }
        }
    }

    private static boolean[] validOf(Task task, TaskLabels labels, LossOptions options) {
        return switch (task.kind()) {
            case ORDINAL -> options.ordinalLoss() == OrdinalLoss.PAIRWISE_RANKING ? labels.ordinal(task).valid()
                    : labels.ordinal(task).levels().valid();
            case CATEGORICAL -> labels.categorical(task).valid();
            case COARSE -> labels.coarse().valid();
            case FINE -> labels.fine().valid();
        };
    }

    /** The masked mean equals the plain mean over the valid rows alone (all-valid labels on gathered rows). */
    @Test
    void maskedMeanEqualsTheMeanOverTheValidRows() {
        int b = 8;
        boolean[] valid = {true, false, true, true, false, true, false, true}; // (B)
        int[] ids = {3, -1, 0, 9, -1, 5, -1, 9}; // (B)
        double[] targets = {1, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 1, 1, 0, 0, 0, Double.NaN, 7, 0, 1, 0,
                0, -3, 0, 0, 0, 0, 1}; // (B, M) garbage in masked rows
        Tensor logits = Tensor.randn(DType.F64, 31, b, 10).mul(2); // (B, K)
        int[] rows = {0, 2, 3, 5, 7};
        Tensor kept = gather(logits, rows); // (5, K)
        int[] keptIds = {3, 0, 9, 5, 9};
        check("fidelity", FidelityLoss.loss(logits, new ClassLabels(ids, valid)),
                FidelityLoss.loss(kept, ClassLabels.allValid(keptIds)));
        for (double gamma : new double[] {0, 1.5, 2}) {
            check("focal " + gamma, FocalFidelityLoss.loss(logits, new ClassLabels(ids, valid), gamma),
                    FocalFidelityLoss.loss(kept, ClassLabels.allValid(keptIds), gamma));
        }
        Tensor regionLogits = logits.slice(1, 0, 3); // (B, M)
        double[] keptTargets = {1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1}; // (5, M)
        check("region", RegionFidelityLoss.loss(regionLogits, new RegionLabels(targets, valid)),
                RegionFidelityLoss.loss(gather(regionLogits, rows),
                        new RegionLabels(keptTargets, new boolean[] {true, true, true, true, true})));
    }

    private static void check(String what, Tensor masked, Tensor gathered) {
        assertThat(masked.item()).as(what).isCloseTo(gathered.item(), within(1e-14));
    }

    private static Tensor gather(Tensor x, int[] rows) {
        double[] out = new double[rows.length * x.size(1)]; // (rows, K)
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < x.size(1); c++) {
                out[r * x.size(1) + c] = x.getDouble(rows[r], c);
            }
        }
        return Tensor.of(out, rows.length, x.size(1));
    }

    @Test
    void nothingValidGivesZeroWithZeroGradientForEveryLoss() {
        int b = 5;
        boolean[] none = new boolean[b]; // (B)
        int[] ids = {-1, -1, -1, -1, -1}; // (B)
        Map<String, Function<Tensor, Tensor>> losses = Map.of(
                "fidelity", x -> FidelityLoss.loss(x.slice(1, 0, 2), new ClassLabels(ids, none)),
                "focal", x -> FocalFidelityLoss.loss(x, new ClassLabels(ids, none), 2.0),
                "ranking", x -> ThurstoneRankingLoss.loss(x.slice(1, 0, 3),
                        new OrdinalLabels(new double[b], none, new ClassLabels(ids, none)), ThurstoneVariant.PAPER),
                "region", x -> RegionFidelityLoss.loss(x.slice(1, 0, 3),
                        new RegionLabels(new double[3 * b], none)));
        for (DType dtype : DType.values()) {
            for (var e : losses.entrySet()) {
                Tensor x = Tensor.randn(dtype, 41, b, 6).mul(4).requiresGrad(true); // (B, K)
                Tensor loss = e.getValue().apply(x);
                assertThat(loss.item()).as("%s %s", e.getKey(), dtype).isCloseTo(0.0, within(0.0));
                loss.backward();
                assertZero(e.getKey() + " " + dtype, x.grad().toDoubleArray());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fidelity forms

    @Test
    void fidelityKeepsTheEpsilonOfEveryClass() {
        // a certain, correct prediction: 1 - √(1 + ε) - (K - 1)·√ε, the authors' sum over all classes
        Tensor logits = Tensor.of(new double[] {800, 0, 0, 0}, 1, 4); // (1, K)
        assertThat(FidelityLoss.loss(logits, ClassLabels.allValid(0)).item())
                .isCloseTo(1 - Math.sqrt(1 + EPS) - 3 * Math.sqrt(EPS), within(1e-15));
        // focal: a certain prediction has (1 - p̂_y)^γ = 0
        assertThat(FocalFidelityLoss.loss(logits, ClassLabels.allValid(0), 2.0).item()).isCloseTo(0.0, within(0.0));
        // a uniform prediction over K = 4: p̂_y = 1/4
        Tensor uniform = Tensor.zeros(DType.F64, 1, 4); // (1, K)
        double fid = 1 - Math.sqrt(0.25 + EPS) - 3 * Math.sqrt(EPS);
        assertThat(FocalFidelityLoss.loss(uniform, ClassLabels.allValid(2), 2.0).item())
                .isCloseTo(0.75 * 0.75 * fid, within(1e-15));
        assertThat(FocalFidelityLoss.loss(uniform, ClassLabels.allValid(2), 0.0).item()).isCloseTo(fid, within(1e-15));
    }

    @Test
    void regionFidelityAveragesRegionsThenSamples() {
        Tensor logits = Tensor.of(new double[] {0, 2, -1, 3, 0, 0}, 2, 3); // (B, M)
        double[] t = {1, 0, 0, 0, 1, 1}; // (B, M)
        double expected = 0;
        for (int i = 0; i < 6; i++) {
            expected += fidelity(t[i], SpecialFunctions.sigmoid(logits.getDouble(i / 3, i % 3))) / 6;
        }
        assertThat(RegionFidelityLoss.loss(logits, new RegionLabels(t, new boolean[] {true, true})).item())
                .isCloseTo(expected, within(1e-15));
    }

    // ---------------------------------------------------------------------------------------------
    // F(θ) and Σ λ_i ℓ_i

    @Test
    void vectorHoldsEachTaskLossAtItsLambdaIndexAndTheWeightedSumDifferentiatesToF() {
        TaskLabels labels = TaskLossCases.randomLabels(51, 8);
        TaskLosses losses = new TaskLosses(LossOptions.paper());
        Tensor logits = Tensor.randn(DType.F64, 52, 8, Prompts.COUNT).mul(2).requiresGrad(true); // (B, P)
        Tensor f = losses.vector(logits, labels); // (K)
        assertThat(f.shape()).containsExactly(Task.COUNT);
        for (Task t : Task.values()) {
            assertThat(f.getDouble(t.lambdaIndex())).as("%s", t).isEqualTo(losses.loss(t, logits, labels).item());
        }
        Tensor lambda = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Task.COUNT).requiresGrad(true);
        Tensor sum = TaskLosses.weightedSum(lambda, f);
        double expected = 0;
        for (int i = 0; i < Task.COUNT; i++) {
            expected += (i + 1) * f.getDouble(i);
        }
        assertThat(sum.item()).isCloseTo(expected, within(1e-12));
        sum.backward();
        assertThat(lambda.grad().toDoubleArray()).containsExactly(f.toDoubleArray());
    }

    @Test
    void aTaskWithoutLabelsInTheBatchContributesZero() {
        TaskLabels some = TaskLossCases.randomLabels(61, 6);
        Map<Task, ClassLabels> categorical = new EnumMap<>(some.categorical());
        categorical.put(Task.MAKE, new ClassLabels(new int[] {-1, -1, -1, -1, -1, -1}, new boolean[6]));
        TaskLabels noMake = new TaskLabels(some.ordinal(), categorical, some.coarse(), some.fine());
        Tensor logits = Tensor.randn(DType.F32, 62, 6, Prompts.COUNT).mul(2).requiresGrad(true); // (B, P)
        Tensor f = new TaskLosses(LossOptions.paper()).vector(logits, noMake); // (K)
        assertThat(f.getDouble(Task.MAKE.lambdaIndex())).isCloseTo(0.0, within(0.0));
        TaskLosses.weightedSum(Tensor.ones(DType.F32, Task.COUNT), f).backward();
        for (int i = 0; i < 6; i++) {
            for (int c = Task.MAKE.firstColumn(); c < Task.MAKE.endColumn(); c++) {
                assertThat(logits.grad().getDouble(i, c)).isCloseTo(0.0, within(0.0));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Argument checks

    @Test
    void badArgumentsAreRefusedWithTheirShapes() {
        TaskLabels labels = TaskLossCases.randomLabels(71, 4);
        TaskLosses losses = new TaskLosses(LossOptions.paper());
        assertThatThrownBy(() -> losses.vector(Tensor.zeros(DType.F64, 4, 49), labels))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 49]");
        assertThatThrownBy(() -> losses.vector(Tensor.zeros(DType.F64, 5, 50), labels))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("B = 4");
        assertThatThrownBy(() -> FidelityLoss.loss(Tensor.zeros(DType.F64, 2, 2), ClassLabels.allValid(0, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class id 2 of sample 1");
        assertThatThrownBy(() -> ThurstoneRankingLoss.loss(Tensor.zeros(DType.F64, 2, 4), ranked(1, 2),
                ThurstoneVariant.PAPER)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3)");
        assertThatThrownBy(() -> TaskLosses.weightedSum(Tensor.ones(DType.F32, 11), Tensor.ones(DType.F64, 11)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32");
        assertThatThrownBy(() -> TaskLosses.weightedSum(Tensor.ones(DType.F64, 10), Tensor.ones(DType.F64, 11)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[10]");
        assertThatThrownBy(() -> LossOptions.paper().withFocalGamma(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new OrdinalLabels(new double[] {Double.NaN}, new boolean[] {true},
                ClassLabels.allValid(0))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new RegionLabels(new double[] {0, 1, 2}, new boolean[] {true}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target 2.0");
        Map<Task, ClassLabels> missing = new EnumMap<>(labels.categorical());
        missing.remove(Task.WHITE_BALANCE);
        assertThatThrownBy(() -> new TaskLabels(labels.ordinal(), missing, labels.coarse(), labels.fine()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WHITE_BALANCE");
        Map<Task, ClassLabels> tooBig = new EnumMap<>(labels.categorical());
        tooBig.put(Task.WHITE_BALANCE, ClassLabels.allValid(0, 1, 2, 0));
        assertThatThrownBy(() -> new TaskLabels(labels.ordinal(), tooBig, labels.coarse(), labels.fine()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WHITE_BALANCE");
    }

    /** Every element is zero; -0.0 counts (a product with a negative factor and a 0 weight). */
    private static void assertZero(String what, double[] values) {
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i]).as("%s, flat index %d", what, i).isCloseTo(0.0, within(0.0));
        }
    }
}
