package org.blades.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorCompareTest {

    @Test
    void twoUlpOffPassesAndReportsTheBudgetShare() {
        float[] ref = {1.0f, -3.0f, 0.0f, 100f, 0.25f, 7f}; // (2, 3)
        float[] act = ref.clone();
        act[4] = Math.nextUp(Math.nextUp(0.25f)); // 2 ulp = 2 * 2^-25 above 0.25
        TensorCompare.Report r = TensorCompare.assertClose("x", act, ref, new int[] {2, 3}, Tolerance.F32);
        assertThat(r.passed()).isTrue();
        assertThat(r.maxAbsError()).isEqualTo(0x1p-24);
        // budget at 0.25 = 1e-6 + 1e-5 * 0.25 = 3.5e-6; 2^-24 / 3.5e-6 = 1.7%
        assertThat(r.maxBudgetShare()).isCloseTo(0x1p-24 / 3.5e-6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.worstIndex()).containsExactly(1, 1);
        assertThat(r.summary()).isEqualTo("x (2, 3): max |diff| 5.960e-08, max budget share 1.7% at [1, 1] "
                + "(atol 1.0E-6 + rtol 1.0E-5 * |ref|)");
    }

    @Test
    void tooFarFailsNamingTensorIndexValuesAndShare() {
        double[] ref = new double[2 * 3 * 4]; // (2, 3, 4)
        for (int i = 0; i < ref.length; i++) {
            ref[i] = i * 0.5;
        }
        double[] act = ref.clone();
        act[1 * 12 + 2 * 4 + 3] += 1e-3;   // index [1, 2, 3], ref 11.5: budget 1e-6 + 1.15e-4 = 1.16e-4, share 862%
        act[5] += 2e-4;                    // index [0, 1, 1], ref 2.5: budget 2.6e-5, share 769%
        assertThatThrownBy(() -> TensorCompare.assertClose("conv1.out", act, ref, new int[] {2, 3, 4}, Tolerance.F32))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("tensor 'conv1.out' (2, 3, 4): 2 of 24 elements outside tolerance (atol 1.0E-6 + rtol 1.0E-5 * |ref|)")
                .hasMessageContaining("worst at [1, 2, 3]: actual 11.501 vs reference 11.5 "
                        + "(|diff| 1.000e-03, budget 1.160e-04, 862.1% of budget)")
                .hasMessageContaining("max |diff| over finite elements 1.000e-03")
                .hasMessageContaining("first failures:\n    [0, 1, 1]: actual 2.5002 vs reference 2.5 (|diff| 2.000e-04, budget 2.600e-05, 769.2% of budget)")
                .hasMessageContaining("\n    [1, 2, 3]: ");
    }

    @Test
    void floatValuesArePrintedInTheirShortestFloatForm() {
        assertThatThrownBy(() -> TensorCompare.assertClose("lin.grad.w", new float[] {1f, 2.1f}, new float[] {1f, 2f}, new int[] {2},
                Tolerance.F32))
                .hasMessageContaining("worst at [1]: actual 2.1 vs reference 2.0 (|diff| 1.000e-01, budget 2.100e-05, 476190.0% of budget)");
    }

    @Test
    void compareReturnsTheFailureWithoutThrowing() {
        TensorCompare.Report r = TensorCompare.compare("y", new double[] {1, 2}, new int[] {2}, new double[] {1, 3}, new int[] {2},
                Tolerance.of(0.5, 0));
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).isEqualTo(1);
        assertThat(r.maxBudgetShare()).isEqualTo(2.0);
        assertThat(r.worstActual()).isEqualTo(2.0);
        assertThat(r.worstReference()).isEqualTo(3.0);
        assertThat(r.summary()).endsWith(", 1 of 2 elements FAIL");
    }

    @Test
    void shapeMismatchIsItsOwnFailure() {
        assertThatThrownBy(() -> TensorCompare.assertClose("w", new double[6], new int[] {2, 3}, new double[6], new int[] {3, 2},
                Tolerance.F32))
                .isInstanceOf(AssertionError.class)
                .hasMessage("tensor 'w': shape mismatch: actual (2, 3) vs reference (3, 2)");
        assertThatThrownBy(() -> TensorCompare.assertClose("w", new double[5], new double[6], new int[] {2, 3}, Tolerance.F32))
                .hasMessage("tensor 'w': shape (2, 3) has 6 elements but actual has 5 values and reference 6");
    }

    @Test
    void nanAndInfinityRules() {
        int[] s = {3};
        // NaN where the reference is finite fails, even with a huge tolerance.
        assertThatThrownBy(() -> TensorCompare.assertClose("n", new double[] {0, Double.NaN, 0}, new double[] {0, 1, 0}, s,
                Tolerance.of(1e9, 1e9)))
                .hasMessageContaining("worst at [1]: actual NaN vs reference 1.0 (|diff| NaN, budget 2.000e+09, non-finite mismatch)");
        // NaN matches NaN, an infinity matches the same infinity.
        TensorCompare.Report ok = TensorCompare.assertClose("n", new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 1},
                new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 1}, s, Tolerance.EXACT);
        assertThat(ok.maxBudgetShare()).isZero();
        // A finite value where the reference is NaN or infinite fails.
        assertThatThrownBy(() -> TensorCompare.assertClose("n", new double[] {1, 0, 0}, new double[] {Double.NaN, 0, 0}, s,
                Tolerance.of(1e9, 0))).hasMessageContaining("1 of 3 elements");
        assertThatThrownBy(() -> TensorCompare.assertClose("n", new double[] {0, 0, 1e308},
                new double[] {0, 0, Double.POSITIVE_INFINITY}, s, Tolerance.of(1e9, 1))).hasMessageContaining("worst at [2]");
    }

    @Test
    void zeroReferenceUsesTheAbsolutePart() {
        int[] s = {1};
        TensorCompare.assertClose("z", new double[] {9e-7}, new double[] {0}, s, Tolerance.F32);
        assertThatThrownBy(() -> TensorCompare.assertClose("z", new double[] {2e-6}, new double[] {0}, s, Tolerance.F32))
                .hasMessageContaining("200.0% of budget");
    }

    @Test
    void scalarsAndEmptyTensors() {
        TensorCompare.Report scalar = TensorCompare.assertClose("s", new double[] {1}, new double[] {1}, new int[0], Tolerance.F32);
        assertThat(scalar.worstIndex()).isEmpty();
        TensorCompare.Report empty = TensorCompare.assertClose("e", new double[0], new double[0], new int[] {0, 4}, Tolerance.F32);
        assertThat(empty.passed()).isTrue();
        assertThat(empty.worstIndex()).isNull();
    }

    @Test
    void toleranceMustBeFiniteAndNonNegative() {
        assertThatThrownBy(() -> Tolerance.of(-1, 0)).hasMessageContaining("must be finite and >= 0");
        assertThatThrownBy(() -> Tolerance.of(0, Double.NaN)).hasMessageContaining("must be finite and >= 0");
    }
}
