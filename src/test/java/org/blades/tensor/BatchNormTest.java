package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.blades.kernels.Parallel;
import org.blades.testing.OpReference;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = channels, H/W = height/width, M = N*H*W values per channel.

/**
 * {@link BatchNorm} against PyTorch (the batchnorm_* cases of reference-data/norm.safetensors: output, every
 * gradient and the updated running statistics), its fused backward against the same normalisation composed
 * from tensor primitives in float64, and its argument errors.
 */
class BatchNormTest {

    private static final List<String> REFERENCE_CASES =
            List.of("batchnorm_train", "batchnorm_eval", "batchnorm_train_2d", "batchnorm_train_f64");

    /** Float64 against float64 (PyTorch, or the composed version): only summation order differs. */
    private static final Tolerance F64 = Tolerance.of(1e-12, 1e-10);

    // ----------------------------------------------------------------------------------------------
    // PyTorch references

    @Test
    void everyBatchNormReferenceCaseIsCovered() {
        try (ReferenceFile ref = ReferenceFile.open("norm")) {
            assertThat(ref.caseNames().stream().filter(n -> n.startsWith("batchnorm")))
                    .containsExactlyInAnyOrderElementsOf(REFERENCE_CASES);
        }
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() {
        return REFERENCE_CASES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            try (ReferenceFile ref = ReferenceFile.open("norm")) {
                OpReference c = new OpReference(ref, name);
                Map<String, Object> args = c.args();
                boolean training = Boolean.TRUE.equals(args.get("training"));
                BatchNorm.Params p = new BatchNorm.Params(c.in("weight"), c.in("bias"), c.constant("running_mean"),
                        c.constant("running_var"), ((Number) args.get("momentum")).doubleValue(),
                        ((Number) args.get("eps")).doubleValue());
                Tensor rmBefore = p.runningMean().copy();
                Tensor rvBefore = p.runningVar().copy();
                Tensor out = BatchNorm.forward(c.in("x"), p, training ? BatchNorm.Mode.TRAIN : BatchNorm.Mode.EVAL);
                // float32: statistics over M = 140 (or 32) values and gradients summed over them, computed in
                // float64 here and in float32 by PyTorch; the default tolerance holds (see the budget shares).
                Tolerance tol = p.weight().dtype() == DType.F64 ? F64 : Tolerance.F32;
                c.check(out, tol);
                if (training) {
                    c.compare(name + ".out.running_mean", p.runningMean(), tol);
                    c.compare(name + ".out.running_var", p.runningVar(), tol);
                } else {
                    assertThat(p.runningMean().toDoubleArray()).containsExactly(rmBefore.toDoubleArray());
                    assertThat(p.runningVar().toDoubleArray()).containsExactly(rvBefore.toDoubleArray());
                }
                assertThat(p.runningMean().grad()).isNull();
                System.out.println(String.join("\n", c.report()));
            }
        })).toList();
    }

    // ----------------------------------------------------------------------------------------------
    // Fused backward vs the composed normalisation (float64)

    /** The same normalisation from primitives: y = (x - mean) / sqrt(var + eps) * w + b, biased variance. */
    private static Tensor composed(Tensor x, Tensor w, Tensor b, double eps, Tensor runMean, Tensor runVar) {
        int[] axes = x.dim() == 4 ? new int[] {0, 2, 3} : new int[] {0};
        int[] bcast = x.dim() == 4 ? new int[] {1, x.size(1), 1, 1} : new int[] {1, x.size(1)};
        Tensor mean = runMean != null ? runMean.reshape(bcast) : x.mean(true, axes);
        Tensor var = runVar != null ? runVar.reshape(bcast) : x.sub(mean).pow(2.0).mean(true, axes);
        return x.sub(mean).div(var.add(eps).sqrt()).mul(w.reshape(bcast)).add(b.reshape(bcast));
    }

    private record Run(double[] out, double[] dx, double[] dw, double[] db) {
    }

    private static Run run(boolean fused, BatchNorm.Mode mode, int... shape) {
        int c = shape[1];
        Tensor x = Tensor.randn(DType.F64, 401, shape).mul(2.0).add(0.5).requiresGrad(true);
        Tensor w = Tensor.rand(DType.F64, 402, c).add(0.5).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 403, c).mul(0.1).requiresGrad(true);
        Tensor rm = Tensor.randn(DType.F64, 404, c).mul(0.1);
        Tensor rv = Tensor.rand(DType.F64, 405, c).add(0.5);
        double eps = 1e-5;
        Tensor y = fused
                ? BatchNorm.forward(x, new BatchNorm.Params(w, b, rm, rv, 0.1, eps), mode)
                : composed(x, w, b, eps, mode == BatchNorm.Mode.EVAL ? rm : null, mode == BatchNorm.Mode.EVAL ? rv : null);
        y.backward(Tensor.randn(DType.F64, 406, shape));
        return new Run(y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(), b.grad().toDoubleArray());
    }

    @TestFactory
    List<DynamicTest> fusedMatchesComposedInFloat64() {
        record Variant(String name, BatchNorm.Mode mode, int[] shape) {
        }
        return List.of(
                new Variant("train (N, C, H, W)", BatchNorm.Mode.TRAIN, new int[] {3, 4, 5, 7}),
                new Variant("train (N, C)", BatchNorm.Mode.TRAIN, new int[] {9, 5}),
                new Variant("train, 2 values per channel", BatchNorm.Mode.TRAIN, new int[] {2, 3, 1, 1}),
                new Variant("eval (N, C, H, W)", BatchNorm.Mode.EVAL, new int[] {3, 4, 5, 7}),
                new Variant("eval (N, C)", BatchNorm.Mode.EVAL, new int[] {9, 5})
        ).stream().map(v -> DynamicTest.dynamicTest(v.name, () -> {
            Run f = run(true, v.mode, v.shape);
            Run r = run(false, v.mode, v.shape);
            TensorCompare.assertClose("out", f.out, r.out, v.shape, F64);
            TensorCompare.assertClose("grad x", f.dx, r.dx, v.shape, F64);
            TensorCompare.assertClose("grad weight", f.dw, r.dw, new int[] {v.shape[1]}, F64);
            TensorCompare.assertClose("grad bias", f.db, r.db, new int[] {v.shape[1]}, F64);
        })).toList();
    }

    // ----------------------------------------------------------------------------------------------
    // Running statistics

    @Test
    void trainingUpdatesRunningStatsWithMomentumAndTheUnbiasedVariance() {
        // Channel 0 holds 1, 2, 3, 6 (mean 3, unbiased variance 14/3); channel 1 holds 0, 0, 0, 4.
        Tensor x = Tensor.of(new double[] {1, 0, 2, 0, 3, 0, 6, 4}, 4, 2);
        BatchNorm.Params p = new BatchNorm.Params(Tensor.ones(DType.F64, 2), Tensor.zeros(DType.F64, 2),
                Tensor.of(new double[] {1, 1}, 2), Tensor.of(new double[] {2, 2}, 2), 0.25, 1e-5);
        Tensor y = BatchNorm.forward(x, p, BatchNorm.Mode.TRAIN);
        assertThat(p.runningMean().toDoubleArray()).containsExactly(0.75 * 1 + 0.25 * 3, 0.75 * 1 + 0.25 * 1);
        assertThat(p.runningVar().getDouble(0)).isCloseTo(0.75 * 2 + 0.25 * 14.0 / 3,
                org.assertj.core.api.Assertions.within(1e-15));
        assertThat(p.runningVar().getDouble(1)).isCloseTo(0.75 * 2 + 0.25 * 4.0,
                org.assertj.core.api.Assertions.within(1e-15));
        // The output is normalised with the biased variance 3.5: (6 - 3) / sqrt(3.5 + 1e-5).
        assertThat(y.getDouble(3, 0)).isCloseTo(3 / Math.sqrt(3.5 + 1e-5), org.assertj.core.api.Assertions.within(1e-15));
    }

    @Test
    void initMatchesTorchDefaults() {
        BatchNorm.Params p = BatchNorm.Params.init(DType.F32, 3);
        assertThat(p.weight().toDoubleArray()).containsOnly(1.0);
        assertThat(p.bias().toDoubleArray()).containsOnly(0.0);
        assertThat(p.runningMean().toDoubleArray()).containsOnly(0.0);
        assertThat(p.runningVar().toDoubleArray()).containsOnly(1.0);
        assertThat(p.weight().requiresGrad()).isTrue();
        assertThat(p.runningVar().requiresGrad()).isFalse();
        assertThat(p.momentum()).isEqualTo(0.1);
        assertThat(p.eps()).isEqualTo(1e-5);
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        int before = Parallel.threads();
        try {
            double[][] one = bigRun(1);
            double[][] four = bigRun(4);
            for (int i = 0; i < one.length; i++) {
                assertThat(four[i]).as("tensor %d", i).containsExactly(one[i]);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Big enough (> 2^15 elements) for the channel loop to go parallel. */
    private static double[][] bigRun(int threads) {
        Parallel.setThreads(threads);
        Tensor x = Tensor.randn(DType.F32, 501, 4, 16, 24, 24).requiresGrad(true);
        BatchNorm.Params p = BatchNorm.Params.init(DType.F32, 16);
        Tensor y = BatchNorm.forward(x, p, BatchNorm.Mode.TRAIN);
        y.backward(Tensor.randn(DType.F32, 502, y.shape()));
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), p.weight().grad().toDoubleArray(),
            p.runningVar().toDoubleArray()};
    }

    // ----------------------------------------------------------------------------------------------
    // Argument errors

    @Test
    void rejectsBadInputs() {
        BatchNorm.Params p = BatchNorm.Params.init(DType.F32, 3);
        assertThatThrownBy(() -> BatchNorm.forward(Tensor.zeros(DType.F32, 3), p, BatchNorm.Mode.TRAIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_norm").hasMessageContaining("(3,)");
        assertThatThrownBy(() -> BatchNorm.forward(Tensor.zeros(DType.F32, 2, 4, 5, 5), p, BatchNorm.Mode.EVAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_norm").hasMessageContaining("(2, 4, 5, 5)").hasMessageContaining("(3,)");
        assertThatThrownBy(() -> BatchNorm.forward(Tensor.zeros(DType.F64, 2, 3, 5, 5), p, BatchNorm.Mode.EVAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_norm").hasMessageContaining("float64(2, 3, 5, 5)")
                .hasMessageContaining("float32(3,)");
        assertThatThrownBy(() -> BatchNorm.forward(Tensor.zeros(DType.F32, 1, 3, 1, 1), p, BatchNorm.Mode.TRAIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_norm").hasMessageContaining("more than 1 value per channel")
                .hasMessageContaining("(1, 3, 1, 1)");
    }

    @Test
    void rejectsInconsistentParams() {
        assertThatThrownBy(() -> BatchNorm.Params.of(Tensor.ones(DType.F32, 3), Tensor.zeros(DType.F32, 4),
                Tensor.zeros(DType.F32, 3), Tensor.ones(DType.F32, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_norm").hasMessageContaining("(4,)");
        assertThatThrownBy(() -> new BatchNorm.Params(Tensor.ones(DType.F32, 3), Tensor.zeros(DType.F32, 3),
                Tensor.zeros(DType.F32, 3), Tensor.ones(DType.F32, 3), 1.5, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("momentum 1.5");
    }
}
