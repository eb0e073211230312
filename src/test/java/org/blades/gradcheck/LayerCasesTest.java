package org.blades.gradcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every layer case through GradCheck (float64 central differences) and checks the cases' inputs. */
class LayerCasesTest {

    @TestFactory
    Stream<DynamicTest> everyCasePassesGradCheck() {
        return LayerCases.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> GradCheck.check(c).assertPassed()));
    }

    @Test
    void casesCoverEveryOp() {
        List<String> names = LayerCases.cases().stream().map(OpCase::name).toList();
        assertThat(names).doesNotHaveDuplicates();
        for (String op : List.of("relu", "sigmoid", "tanh", "erf", "gelu", "quickGelu", "normalCdf", "softmax last",
                "softmax middle", "logSoftmax last", "logSoftmax middle", "layerNorm affine", "layerNorm without affine",
                "l2Normalize", "embedding", "concat", "stack", "maskedFill causal", "selectRows", "causal attention")) {
            assertThat(names).as("a case for %s", op).anyMatch(n -> n.startsWith(op + " "));
        }
    }

    @Test
    void inputsAreFreshNamedFloat64Leaves() {
        for (OpCase c : LayerCases.cases()) {
            List<Tensor> a = c.inputs().get();
            List<Tensor> b = c.inputs().get();
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.get(i)).as("%s input %d", c.name(), i).isNotSameAs(b.get(i));
                assertThat(a.get(i).name()).as("%s input %d name", c.name(), i).isNotNull();
                assertThat(a.get(i).dtype()).isEqualTo(DType.F64);
                assertThat(a.get(i).requiresGrad()).isTrue();
                assertThat(a.get(i).isLeaf()).isTrue();
                assertThat(a.get(i).numel()).isLessThanOrEqualTo(300);
                assertThat(a.get(i).toDoubleArray()).as("%s input %d is seeded", c.name(), i)
                        .containsExactly(b.get(i).toDoubleArray());
            }
        }
    }
}
