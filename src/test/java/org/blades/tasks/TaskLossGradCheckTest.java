package org.blades.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.blades.gradcheck.GradCheck;
import org.blades.gradcheck.OpCase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every task-loss case through GradCheck (float64 central differences, every element). */
class TaskLossGradCheckTest {

    @TestFactory
    Stream<DynamicTest> everyCasePassesGradCheck() {
        return TaskLossCases.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            var report = GradCheck.check(c).assertPassed();
            System.out.println(report.summary());
        }));
    }

    @Test
    void casesCoverEveryEquationAndTheWeightedSumWithRespectToLambda() {
        List<String> names = TaskLossCases.cases().stream().map(OpCase::name).toList();
        assertThat(names).doesNotHaveDuplicates();
        for (String part : List.of("Eqs. 3-4", "Eq. 5", "Eqs. 6-7", "Eqs. 8-9", "Eq. 10", "paper phi", "code phi",
                "gamma 0", "no valid sample", "one valid sample", "F(theta)", "ablation", "lambda")) {
            assertThat(names).as("a case for %s", part).anyMatch(n -> n.contains(part));
        }
        OpCase weighted = TaskLossCases.cases().stream().filter(c -> c.name().contains("lambda")).findFirst()
                .orElseThrow();
        assertThat(weighted.inputs().get()).extracting(t -> t.name()).containsExactly("logits", "lambda");
    }

    @Test
    void theRankingCaseHasTiesAndMaskedSamples() {
        OrdinalLabels iso = TaskLossCases.randomLabels(101, 10).ordinal(Task.ISO);
        boolean tie = false;
        int masked = 0;
        for (int i = 0; i < iso.batchSize(); i++) {
            masked += iso.isValid(i) ? 0 : 1;
            for (int j = i + 1; j < iso.batchSize(); j++) {
                tie |= iso.isValid(i) && iso.isValid(j) && iso.value(i) == iso.value(j);
            }
        }
        assertThat(tie).isTrue();
        assertThat(masked).isPositive();
    }
}
