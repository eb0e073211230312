package org.blades.gradcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every registered op case passes the gradient check with the default (strict) thresholds. */
class OpCasesTest {

    static Stream<Arguments> cases() {
        return OpCases.all().stream().map(c -> Arguments.of(c.name(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(String name, OpCase opCase) {
        GradCheckReport report = GradCheck.check(opCase);
        assertThat(report.elementsChecked()).as(name + " checks something").isPositive();
        report.assertPassed();
    }

    @Test
    void inputsAreFreshSeededNamedFloat64() {
        for (OpCase c : OpCases.all()) {
            List<Tensor> a = c.inputs().get();
            List<Tensor> b = c.inputs().get();
            assertThat(a).as(c.name()).hasSameSizeAs(b);
            assertThat(a).as("%s differentiates something", c.name()).anyMatch(Tensor::requiresGrad);
            for (int i = 0; i < a.size(); i++) {
                Tensor t = a.get(i);
                assertThat(t).as("%s input %d is built anew", c.name(), i).isNotSameAs(b.get(i));
                assertThat(t.name()).as("%s input %d has a name", c.name(), i).isNotNull();
                assertThat(t.dtype()).as("%s input %d", c.name(), i).isEqualTo(DType.F64);
                assertThat(t.toDoubleArray()).as("%s input %d is seeded", c.name(), i)
                        .containsExactly(b.get(i).toDoubleArray());
            }
        }
    }

    @Test
    void everyFamilyIsRegistered() {
        List<String> names = OpCases.all().stream().map(OpCase::name).toList();
        assertThat(names).doesNotHaveDuplicates()
                .containsAll(CoreCases.cases().stream().map(OpCase::name).toList())
                .containsAll(ConvPoolCases.cases().stream().map(OpCase::name).toList())
                .containsAll(LayerCases.cases().stream().map(OpCase::name).toList());
    }
}
