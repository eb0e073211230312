package org.blades.gradcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every convolution, pooling and batch-norm gradient-check case, through {@link GradCheck} with its defaults. */
class ConvPoolCasesTest {

    @TestFactory
    List<DynamicTest> everyCasePasses() {
        return ConvPoolCases.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GradCheckReport r = GradCheck.check(c);
            System.out.println(r.summary());
            r.assertPassed();
        })).toList();
    }

    @Test
    void namesAreUniqueAndInputsSmall() {
        Set<String> names = new HashSet<>();
        for (OpCase c : ConvPoolCases.cases()) {
            assertThat(names.add(c.name())).as("duplicate case name %s", c.name()).isTrue();
            int elements = c.inputs().get().stream().mapToInt(t -> t.numel()).sum();
            assertThat(elements).as("elements of case %s", c.name()).isLessThanOrEqualTo(400);
        }
    }
}
