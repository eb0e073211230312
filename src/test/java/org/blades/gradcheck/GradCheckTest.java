package org.blades.gradcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The gradient check itself: it passes right rules, catches wrong ones, and leaves its inputs as they were. */
class GradCheckTest {

    private static final GradCheckOptions DEFAULTS = GradCheckOptions.defaults();

    private static Tensor x34(long seed) {
        return CoreCases.awayFromZero("x", seed, 0.2, 3, 4);
    }

    @Test
    void passesOnCorrectOps() {
        Tensor a = CoreCases.randn("a", 1, 3, 4);
        Tensor b = CoreCases.randn("b", 2, 4, 5);
        GradCheckReport r = GradCheck.check(in -> in.get(0).matmul(in.get(1)).exp().sum(false, 1), List.of(a, b),
                DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.elementsChecked()).isEqualTo(12 + 20);
        assertThat(r.failures()).isEmpty();
        assertThat(r.nonFinite()).isEmpty();
        assertThat(r.rows()).extracting(GradCheckReport.Row::tensor).containsOnly("a", "b");
        assertThat(r.worst()).get().matches(GradCheckReport.Row::ok);
        assertThat(r.maxRelError()).isLessThan(1e-6);
        r.assertPassed();
    }

    @Test
    void failsOnDerivativeOnePercentOffAndNamesTensorAndIndex() {
        GradCheckReport r = GradCheck.check(in -> WrongOps.squareOnePercentOff(in.get(0)), List.of(x34(3)),
                DEFAULTS);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).hasSize(12);
        GradCheckReport.Row worst = r.worst().orElseThrow();
        assertThat(worst.ok()).isFalse();
        assertThat(worst.tensor()).isEqualTo("x");
        assertThat(worst.relError()).isCloseTo(0.01 / 1.01, within(1e-6));
        assertThat(worst.analytic() / worst.numeric()).isCloseTo(1.01, within(1e-6));
        assertThatThrownBy(r::assertPassed).isInstanceOf(AssertionError.class)
                .hasMessageContaining("FAIL, 12 of 12 elements fail")
                .hasMessageContaining("x       " + Arrays.toString(worst.index()))
                .hasMessageContaining("thresholds:");
    }

    @Test
    void failsOnASingleWrongElementAndReportsExactlyThatElement() {
        GradCheckReport r = GradCheck.check(in -> WrongOps.squareWrongAt(in.get(0), 7), List.of(x34(4)),
                DEFAULTS);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).hasSize(1);
        GradCheckReport.Row bad = r.failures().get(0);
        assertThat(bad.tensor()).isEqualTo("x");
        assertThat(bad.index()).containsExactly(1, 3); // flat 7 of (3, 4)
        assertThat(r.format()).contains("failing rows, worst first (budget").containsPattern("x\\s+\\[1, 3\\].*FAIL");
    }

    @Test
    void catchesErrorsThatAPlainSumLossHides() {
        Tensor x = CoreCases.randn("x", 5, 3, 4);
        // Under loss = sum(out) the upstream gradient is all ones and the wrong rule gives the right answer.
        Tensor probe = Tensor.of(x.toDoubleArray(), 3, 4).requiresGrad(true);
        WrongOps.doubleWithMeanGradient(probe).sum().backward();
        assertThat(probe.grad().toDoubleArray()).containsOnly(2.0);

        GradCheckReport r = GradCheck.check(in -> WrongOps.doubleWithMeanGradient(in.get(0)), List.of(x), DEFAULTS);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).isNotEmpty();
    }

    @Test
    void nanInTheOutputIsReportedWithTensorNameAndIndex() {
        Tensor x = Tensor.of(new double[] {1.0, 2.0, -1.0, 3.0}, 2, 2).requiresGrad(true).named("x");
        GradCheckReport named = GradCheck.check(in -> in.get(0).log().named("log_x"), List.of(x), DEFAULTS);
        assertThat(named.passed()).isFalse();
        GradCheckReport.NonFinite nf = named.nonFinite().orElseThrow();
        assertThat(nf.where()).isEqualTo("output");
        assertThat(nf.tensor()).isEqualTo("log_x");
        assertThat(nf.index()).containsExactly(1, 0);
        assertThat(Double.isNaN(nf.value())).isTrue();
        assertThat(named.format()).contains("FAIL, stopped at a non-finite value after 0 elements")
                .contains("NON-FINITE: output of 'log_x' at [1, 0] is NaN");
        assertThat(named.summary()).contains("FAIL").contains("'log_x' at [1, 0]");
        assertThatThrownBy(named::assertPassed).hasMessageContaining("'log_x' at [1, 0]");

        GradCheckReport unnamed = GradCheck.check(in -> in.get(0).log(), List.of(x), DEFAULTS);
        assertThat(unnamed.nonFinite().orElseThrow().tensor()).isEqualTo("output");
    }

    @Test
    void infinityInTheNumericGradientIsReportedWithInputNameAndIndex() {
        // sqrt(x - eps) is NaN at the third element, whose analytic derivative 0.5 / sqrt(x) is finite.
        Tensor x = Tensor.of(new double[] {4.0, 1.0, 5e-7}, 3).requiresGrad(true).named("x");
        GradCheckReport r = GradCheck.check(in -> in.get(0).sqrt(), List.of(x), DEFAULTS);
        assertThat(r.passed()).isFalse();
        GradCheckReport.NonFinite nf = r.nonFinite().orElseThrow();
        assertThat(nf.where()).isEqualTo("numeric gradient");
        assertThat(nf.tensor()).isEqualTo("x");
        assertThat(nf.index()).containsExactly(2);
        assertThat(nf.detail()).contains("L(x-eps) = NaN");
        assertThat(r.elementsChecked()).isEqualTo(2); // the check stops at the first non-finite value
        assertThat(x.toDoubleArray()).containsExactly(4.0, 1.0, 5e-7);
    }

    @Test
    void nanInTheAnalyticGradientIsReportedWithInputNameAndIndex() {
        double[] scale = new double[12];
        Arrays.fill(scale, 1.0);
        scale[5] = Double.NaN;
        GradCheckReport r = GradCheck.check(in -> WrongOps.squareScaled(in.get(0), scale), List.of(x34(6)),
                DEFAULTS);
        GradCheckReport.NonFinite nf = r.nonFinite().orElseThrow();
        assertThat(nf.where()).isEqualTo("analytic gradient");
        assertThat(nf.tensor()).isEqualTo("x");
        assertThat(nf.index()).containsExactly(1, 1);
        assertThat(r.passed()).isFalse();
    }

    @Test
    void sampledModeChecksTheRequestedCountWithSeededIndices() {
        GradCheckOptions sampled = DEFAULTS.withMaxElementsPerTensor(17);
        List<List<String>> runs = new ArrayList<>();
        for (long seed : new long[] {11, 11, 12}) {
            Tensor a = CoreCases.randn("a", 7, 10, 20);
            Tensor b = CoreCases.randn("b", 8, 20);
            GradCheckReport r = GradCheck.check(in -> in.get(0).mul(in.get(1)).exp(), List.of(a, b),
                    sampled.withSeed(seed));
            assertThat(r.passed()).as(r.format()).isTrue();
            assertThat(r.rows()).filteredOn(row -> row.tensor().equals("a")).hasSize(17);
            assertThat(r.rows()).filteredOn(row -> row.tensor().equals("b")).hasSize(17);
            List<String> indices = r.rows().stream().map(row -> row.tensor() + Arrays.toString(row.index())).toList();
            assertThat(indices).doesNotHaveDuplicates();
            runs.add(indices);
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(2)).isNotEqualTo(runs.get(0));
        assertThat(GradCheck.chooseIndices(200, 0, sampled)).hasSize(17).isSorted();
        assertThat(GradCheck.chooseIndices(10, 0, sampled)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void inputsAreBitIdenticalAfterTheCheck() {
        // Values whose (v + eps) - eps does not round back to v: add-and-subtract restoring would change them.
        double[] values = {0.1, 1.0 / 3.0, 123.456789, -7.0e-3, Math.PI, -2.0 / 3.0};
        Tensor x = Tensor.of(values.clone(), 2, 3).requiresGrad(true).named("x");
        Tensor view = Tensor.of(values.clone(), 3, 2).transpose(0, 1).requiresGrad(false);
        float[] f32 = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
        Tensor y = Tensor.of(f32.clone(), 2, 3).requiresGrad(true).named("y");
        GradCheckReport r = GradCheck.check(in -> in.get(0).mul(in.get(1)).sub(in.get(2).pow(3.0)),
                List.of(x, view, y), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.elementsChecked()).isEqualTo(12);
        assertThat(bits(x.toDoubleArray())).containsExactly(bits(values));
        assertThat(bits(view.transpose(0, 1).toDoubleArray())).containsExactly(bits(values));
        assertThat(y.toFloatArray()).containsExactly(f32);
        assertThat(y.grad()).as("the float32 original is not differentiated; its float64 copy is").isNull();
        assertThat(y.dtype()).isEqualTo(DType.F32);
    }

    private static long[] bits(double[] v) {
        return Arrays.stream(v).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    @Test
    void worksForAPlainTaskWeightTensorInABilevelLoss() {
        // The outer objective of the bi-level problem: loss = sum(lambda * losses), lambda a plain leaf tensor.
        Tensor lambda = Tensor.of(new double[] {0.2, 0.3, 0.5}, 3).requiresGrad(true).named("lambda");
        Tensor theta = CoreCases.randn("theta", 21, 3, 4).requiresGrad(false);
        Tensor target = CoreCases.randn("target", 22, 3, 4).requiresGrad(false);
        GradCheckReport onlyLambda = GradCheck.check(
                in -> in.get(0).mul(in.get(1).sub(in.get(2)).pow(2.0).mean(false, 1)).sum(),
                List.of(lambda, theta, target), DEFAULTS);
        assertThat(onlyLambda.passed()).as(onlyLambda.format()).isTrue();
        assertThat(onlyLambda.rows()).extracting(GradCheckReport.Row::tensor).containsOnly("lambda");
        assertThat(onlyLambda.elementsChecked()).isEqualTo(3);
        // After the check lambda holds d loss / d lambda, the analytic gradient the report shows.
        assertThat(lambda.grad().toDoubleArray())
                .containsExactly(onlyLambda.rows().stream().mapToDouble(GradCheckReport.Row::analytic).toArray());

        theta.requiresGrad(true);
        GradCheckReport both = GradCheck.check(
                in -> {
                    Tensor w = in.get(0).sub(in.get(0).logsumexp(true, 0)).exp();
                    return w.mul(in.get(1).sub(in.get(2)).pow(2.0).mean(false, 1)).sum();
                },
                List.of(lambda, theta, target), DEFAULTS);
        assertThat(both.passed()).as(both.format()).isTrue();
        assertThat(both.elementsChecked()).isEqualTo(3 + 12);
    }

    @Test
    void zeroesPreExistingGradientsOfTheCheckedInputs() {
        Tensor x = CoreCases.randn("x", 30, 3, 4);
        x.mul(x).sum().backward();
        assertThat(x.grad()).isNotNull();
        GradCheckReport r = GradCheck.check(in -> in.get(0).mul(3.0), List.of(x), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        double[] analytic = r.rows().stream().mapToDouble(GradCheckReport.Row::analytic).toArray();
        assertThat(x.grad().toDoubleArray()).containsExactly(analytic);
        double[] weights = GradCheck.outputWeights(new int[] {3, 4}, DEFAULTS.seed()).toDoubleArray();
        for (int i = 0; i < 12; i++) {
            assertThat(analytic[i]).isCloseTo(3.0 * weights[i], within(1e-15));
        }
    }

    @Test
    void thresholdsAreConfigurableAndPrinted() {
        GradCheckOptions loose = GradCheckOptions.builder().maxRelError(0.05).minAbsError(1e-4).eps(1e-5)
                .printLimit(3).build();
        GradCheckReport strict = GradCheck.check(in -> WrongOps.squareOnePercentOff(in.get(0)), List.of(x34(40)),
                DEFAULTS);
        GradCheckReport relaxed = GradCheck.check(in -> WrongOps.squareOnePercentOff(in.get(0)), List.of(x34(40)),
                loose);
        assertThat(strict.passed()).isFalse();
        assertThat(strict.format()).contains("eps 1.00e-06, fail where rel err > 1.00e-06 and abs err > 1.00e-08");
        assertThat(relaxed.passed()).as(relaxed.format()).isTrue();
        assertThat(relaxed.format()).contains("eps 1.00e-05, fail where rel err > 5.00e-02 and abs err > 1.00e-04")
                .contains("worst rows (budget").contains("(9 more rows not shown; printLimit 3)");
        assertThat(strict.format()).contains("12 of 12 elements fail");
        assertThat(relaxed.options()).isEqualTo(loose);
    }

    @Test
    void largeInputsAndLargeLossesKeepTheNumericGradientAccurate() {
        // x near 1e5: x + eps rounds by up to 1.5e-11, so dividing by 2 eps instead of the stored step would be
        // off by up to ~7e-6 relatively, though x - 1e5 is exact. Half the output is a constant 1e6: summing
        // L(x+eps) and L(x-eps) before subtracting would bury the gradient (~0.5) in the loss's rounding (~1e-3).
        double[] v = new double[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1e5 + 0.3137 * i;
        }
        Tensor x = Tensor.of(v, 3, 4).requiresGrad(true).named("x");
        Tensor big = Tensor.full(DType.F64, 1e6, 3, 4).named("big");
        Tensor first = Tensor.of(new double[] {1, 0}, 2, 1, 1);
        Tensor second = Tensor.of(new double[] {0, 1}, 2, 1, 1);
        GradCheckReport r = GradCheck.check(
                in -> in.get(0).sub(1e5).mul(0.5).unsqueeze(0).mul(first).add(in.get(1).unsqueeze(0).mul(second)),
                List.of(x, big), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.maxAbsError()).isLessThan(1e-12);
    }

    @Test
    void relativeErrorIsScaledByTheLargerMagnitude() {
        assertThat(GradCheck.relativeError(0.0, 0.0)).isZero();
        assertThat(GradCheck.relativeError(1.0, 1.1)).isCloseTo(0.1 / 1.1, within(1e-15));
        assertThat(GradCheck.relativeError(-2.0, 2.0)).isEqualTo(2.0);
        assertThat(GradCheck.relativeError(0.0, 1e-12)).isEqualTo(1.0);
    }

    @Test
    void tinyAbsoluteErrorsPassEvenAtFullRelativeError() {
        // d/dx sum(r * 1e-12 * x): the analytic value is exact, numeric noise dwarfs it relatively.
        Tensor x = CoreCases.randn("x", 31, 3, 4);
        GradCheckReport r = GradCheck.check(in -> in.get(0).mul(1e-12).add(1.0), List.of(x), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.maxRelError()).as("gradients below the absolute floor are left out").isZero();
    }

    @Test
    void unnamedInputsAreLabelledByPositionWithoutRenamingThem() {
        Tensor c = Tensor.randn(DType.F64, 32, 4);
        Tensor x = Tensor.randn(DType.F64, 33, 4).requiresGrad(true);
        GradCheckReport r = GradCheck.check(in -> in.get(0).mul(in.get(1)), List.of(c, x), DEFAULTS);
        assertThat(r.rows()).extracting(GradCheckReport.Row::tensor).containsOnly("input[1]");
        assertThat(x.name()).isNull();
    }

    @Test
    void scalarOutputsAndTensorsPassedTwiceAreHandled() {
        Tensor x = CoreCases.randn("x", 34, 5);
        GradCheckReport r = GradCheck.check(in -> in.get(0).mul(in.get(1)).sum(), List.of(x, x), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.elementsChecked()).isEqualTo(5);
    }

    @Test
    void anInputTheOutputDoesNotDependOnHasZeroGradient() {
        Tensor x = CoreCases.randn("x", 35, 3);
        Tensor unused = CoreCases.randn("unused", 36, 2);
        GradCheckReport r = GradCheck.check(in -> in.get(0).exp(), List.of(x, unused), DEFAULTS);
        assertThat(r.passed()).as(r.format()).isTrue();
        assertThat(r.rows()).filteredOn(row -> row.tensor().equals("unused"))
                .allSatisfy(row -> assertThat(row.analytic()).isZero());
    }

    @Test
    void rejectsBadArguments() {
        Tensor c = Tensor.randn(DType.F64, 37, 4);
        assertThatThrownBy(() -> GradCheck.check(in -> in.get(0).exp(), List.of(c), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requiresGrad(true)");
        Tensor x = CoreCases.randn("x", 38, 4);
        assertThatThrownBy(() -> GradCheck.check(in -> in.get(0).to(DType.F32), List.of(x), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float64");
        Tensor expanded = Tensor.randn(DType.F64, 39, 3, 1).expand(3, 4).detach().requiresGrad(true).named("e");
        assertThatThrownBy(() -> GradCheck.check(in -> in.get(0).exp(), List.of(expanded), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'e'");
    }

    @Test
    void optionsValidateAndCopy() {
        GradCheckOptions o = GradCheckOptions.defaults();
        assertThat(o.eps()).isEqualTo(1e-6);
        assertThat(o.maxRelError()).isEqualTo(1e-6);
        assertThat(o.minAbsError()).isEqualTo(1e-8);
        assertThat(o.maxElementsPerTensor()).isZero();
        assertThat(o.withSeed(9).seed()).isEqualTo(9);
        assertThat(o.withSeed(9).withEps(1e-4)).isEqualTo(new GradCheckOptions(1e-4, 1e-6, 1e-8, 0, 9, 20));
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThatThrownBy(() -> o.withEps(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
        assertThatThrownBy(() -> o.withMaxRelError(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withMaxElementsPerTensor(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withPrintLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outputWeightsAreFixedByShapeAndSeed() {
        double[] a = GradCheck.outputWeights(new int[] {3, 4}, 1).toDoubleArray();
        assertThat(GradCheck.outputWeights(new int[] {3, 4}, 1).toDoubleArray()).containsExactly(a);
        assertThat(GradCheck.outputWeights(new int[] {3, 4}, 2).toDoubleArray()).isNotEqualTo(a);
        assertThat(Arrays.stream(a).map(Math::abs)).allSatisfy(w -> assertThat(w).isBetween(0.5, 1.5));
        assertThat(Arrays.stream(a).filter(w -> w < 0).count()).isBetween(1L, 11L);
    }

    @Test
    void opCaseOverloadNamesTheReport() {
        OpCase c = new OpCase("exp of (3)", () -> List.of(CoreCases.randn("x", 41, 3)), in -> in.get(0).exp());
        GradCheckReport r = GradCheck.check(c);
        assertThat(r.subject()).isEqualTo("exp of (3)");
        assertThat(r.summary()).startsWith("exp of (3): PASS, 3 elements, max abs err ");
    }
}
