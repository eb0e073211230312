package org.blades.nn.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link AdamBase#state()} / {@link AdamBase#loadState}: what a checkpoint needs to continue bit for bit. */
class AdamStateTest {

    private static void step(Optimizer o, Tensor p, long seed) {
        p.zeroGrad();
        p.mul(Tensor.randn(p.dtype(), seed, p.shape())).sum().backward();
        o.step();
    }

    @Test
    void anOptimiserLoadedFromAnotherOnesStateContinuesIdentically() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor a = Tensor.randn(dtype, 1, 4, 3).detach().copy().requiresGrad(true);
            Tensor unused = Tensor.randn(dtype, 2, 5).detach().copy().requiresGrad(true); // never gets a gradient
            AdamW first = new AdamW(List.of(a, unused), AdamOptions.adamWDefaults().withLr(1e-2));
            for (int s = 0; s < 3; s++) {
                step(first, a, 10 + s);
            }
            List<AdamState> saved = first.state();
            assertThat(saved.get(0).step()).isEqualTo(3);
            assertThat(saved.get(1)).isEqualTo(new AdamState(0, null, null));

            Tensor b = a.detach().copy().requiresGrad(true);
            AdamW second = new AdamW(List.of(b, unused.detach().copy().requiresGrad(true)),
                    AdamOptions.adamWDefaults().withLr(1e-2));
            second.loadState(saved);
            for (int s = 3; s < 5; s++) {
                step(first, a, 10 + s);
                step(second, b, 10 + s);
            }
            assertThat(b.toDoubleArray()).as("%s", dtype).containsExactly(a.toDoubleArray());
            assertThat(second.stepCount(b)).isEqualTo(5);
        }
    }

    @Test
    void aStateOfTheWrongShapeIsRefusedAndChangesNothing() {
        Tensor p = Tensor.zeros(DType.F32, 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p), AdamOptions.adamDefaults());
        AdamState wrong = new AdamState(2, Tensor.zeros(DType.F32, 4), Tensor.zeros(DType.F32, 4));
        assertThatThrownBy(() -> adam.loadState(List.of(wrong))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shape");
        assertThat(adam.stepCount(p)).isZero();
        assertThatThrownBy(() -> new AdamState(1, null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
