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
    // The fused batch norm + residual + ReLU primitive vs the composed chain

    /** Values and gradients (x, weight, bias, residual) of relu(bn(x) [+ r]), fused or as the taped chain. */
    private static double[][] reluRun(boolean fused, DType dtype, BatchNorm.Mode mode, boolean withResidual,
                                      int... shape) {
        int c = shape[1];
        // centred near 0 so that the ReLU cuts about half the values
        Tensor x = Tensor.randn(dtype, 411, shape).mul(2.0).add(0.1).requiresGrad(true);
        Tensor w = Tensor.rand(dtype, 412, c).add(0.5).requiresGrad(true);
        Tensor b = Tensor.randn(dtype, 413, c).mul(0.1).requiresGrad(true);
        Tensor r = withResidual ? Tensor.randn(dtype, 414, shape).requiresGrad(true) : null;
        BatchNorm.Params p = new BatchNorm.Params(w, b, Tensor.randn(dtype, 415, c).mul(0.1),
                Tensor.rand(dtype, 416, c).add(0.5), 0.1, 1e-5);
        Tensor y;
        if (fused) {
            y = BatchNorm.forwardRelu(x, p, mode, r);
        } else {
            Tensor z = BatchNorm.forward(x, p, mode);
            y = Activation.relu(r == null ? z : z.add(r));
        }
        y.backward(Tensor.randn(dtype, 417, shape));
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
            b.grad().toDoubleArray(), r == null ? new double[0] : r.grad().toDoubleArray(),
            p.runningMean().toDoubleArray(), p.runningVar().toDoubleArray()};
    }

    @TestFactory
    List<DynamicTest> fusedReluMatchesComposedChain() {
        record Variant(String name, BatchNorm.Mode mode, boolean residual, int[] shape) {
        }
        String[] names = {"out", "grad x", "grad weight", "grad bias", "grad residual", "running mean", "running var"};
        return List.of(
                new Variant("train, residual (N, C, H, W)", BatchNorm.Mode.TRAIN, true, new int[] {3, 4, 5, 7}),
                new Variant("train, no residual (N, C, H, W)", BatchNorm.Mode.TRAIN, false, new int[] {3, 4, 5, 7}),
                new Variant("train, residual (N, C)", BatchNorm.Mode.TRAIN, true, new int[] {9, 5}),
                new Variant("eval, residual (N, C, H, W)", BatchNorm.Mode.EVAL, true, new int[] {2, 3, 4, 5}),
                new Variant("eval, no residual (N, C)", BatchNorm.Mode.EVAL, false, new int[] {9, 5})
        ).stream().flatMap(v -> java.util.stream.Stream.of(DType.F64, DType.F32).map(dtype ->
                DynamicTest.dynamicTest(v.name + " " + dtype, () -> {
                    double[][] f = reluRun(true, dtype, v.mode, v.residual, v.shape);
                    double[][] r = reluRun(false, dtype, v.mode, v.residual, v.shape);
                    // float64: one derivative rule against the chain's three, summation order aside. float32:
                    // the forward values are the chain's bit for bit; gradients sum M <= 105 terms in float32.
                    Tolerance tol = dtype == DType.F64 ? F64 : Tolerance.F32;
                    for (int i = 0; i < names.length; i++) {
                        int[] shape = i == 0 || i == 1 || i == 4 ? v.shape : new int[] {v.shape[1]};
                        if (i == 4 && !v.residual) {
                            continue;
                        }
                        Tolerance t = i == 0 && dtype == DType.F32 ? Tolerance.EXACT : tol;
                        TensorCompare.assertClose(names[i], f[i], r[i], shape, t);
                    }
                }))).toList();
    }

    /** relu(bn_p(x) + bn_q(s)): values and gradients of x, s and both layers' parameters, fused or chained. */
    private static double[][] projectionRun(boolean fused, DType dtype, BatchNorm.Mode mode, int... shape) {
        int c = shape[1];
        Tensor x = Tensor.randn(dtype, 421, shape).mul(2.0).add(0.1).requiresGrad(true);
        Tensor sc = Tensor.randn(dtype, 422, shape).mul(0.7).sub(0.3).requiresGrad(true);
        BatchNorm.Params p = new BatchNorm.Params(Tensor.rand(dtype, 423, c).add(0.5).requiresGrad(true),
                Tensor.randn(dtype, 424, c).mul(0.1).requiresGrad(true), Tensor.randn(dtype, 425, c).mul(0.1),
                Tensor.rand(dtype, 426, c).add(0.5), 0.1, 1e-5);
        BatchNorm.Params q = new BatchNorm.Params(Tensor.rand(dtype, 427, c).add(0.5).requiresGrad(true),
                Tensor.randn(dtype, 428, c).mul(0.1).requiresGrad(true), Tensor.randn(dtype, 429, c).mul(0.1),
                Tensor.rand(dtype, 430, c).add(0.5), 0.1, 1e-5);
        Tensor y = fused
                ? BatchNorm.forwardAddRelu(x, p, sc, q, mode)
                : Activation.relu(BatchNorm.forward(x, p, mode).add(BatchNorm.forward(sc, q, mode)));
        y.backward(Tensor.randn(dtype, 431, shape));
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), sc.grad().toDoubleArray(),
            p.weight().grad().toDoubleArray(), p.bias().grad().toDoubleArray(), q.weight().grad().toDoubleArray(),
            q.bias().grad().toDoubleArray(), p.runningVar().toDoubleArray(), q.runningMean().toDoubleArray()};
    }

    @TestFactory
    List<DynamicTest> fusedProjectionEndMatchesComposedChain() {
        String[] names = {"out", "grad x", "grad shortcut", "grad weight", "grad bias", "grad shortcut weight",
            "grad shortcut bias", "running var", "shortcut running mean"};
        int[] shape = {3, 4, 5, 7};
        return List.of(BatchNorm.Mode.TRAIN, BatchNorm.Mode.EVAL).stream().flatMap(mode ->
                java.util.stream.Stream.of(DType.F64, DType.F32).map(dtype ->
                        DynamicTest.dynamicTest(mode + " " + dtype, () -> {
                            double[][] f = projectionRun(true, dtype, mode, shape);
                            double[][] r = projectionRun(false, dtype, mode, shape);
                            Tolerance tol = dtype == DType.F64 ? F64 : Tolerance.F32;
                            for (int i = 0; i < names.length; i++) {
                                int[] sh = i < 3 ? shape : new int[] {shape[1]};
                                Tolerance t = i == 0 && dtype == DType.F32 ? Tolerance.EXACT : tol;
                                TensorCompare.assertClose(names[i], f[i], r[i], sh, t);
                            }
                        }))).toList();
    }

    @Test
    void fusedProjectionEndChecksEverythingBeforeUpdatingStatistics() {
        BatchNorm.Params p = BatchNorm.Params.init(DType.F32, 3);
        BatchNorm.Params q = BatchNorm.Params.init(DType.F32, 3);
        assertThatThrownBy(() -> BatchNorm.forwardAddRelu(Tensor.randn(DType.F32, 1, 2, 3, 4, 4), p,
                Tensor.zeros(DType.F32, 2, 3, 4, 5), q, BatchNorm.Mode.TRAIN))
                .hasMessageContaining("shortcut float32(2, 3, 4, 5) must have the shape of the input float32(2, 3, 4, 4)");
        assertThat(p.runningMean().toDoubleArray()).containsOnly(0.0);
        assertThat(q.runningVar().toDoubleArray()).containsOnly(1.0);
    }

    @Test
    void fusedReluRejectsAResidualOfAnotherShape() {
        BatchNorm.Params p = BatchNorm.Params.init(DType.F32, 3);
        assertThatThrownBy(() -> BatchNorm.forwardRelu(Tensor.zeros(DType.F32, 2, 3, 4, 4), p, BatchNorm.Mode.TRAIN,
                Tensor.zeros(DType.F32, 2, 3, 4, 5)))
                .hasMessageContaining("batch_norm_add_relu_train: residual float32(2, 3, 4, 5) must have the shape")
                .hasMessageContaining("float32(2, 3, 4, 4)");
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
        Tensor r = Tensor.randn(DType.F32, 503, 4, 16, 24, 24).requiresGrad(true);
        Tensor y = BatchNorm.forward(x, p, BatchNorm.Mode.TRAIN);
        Tensor z = BatchNorm.forwardRelu(y, BatchNorm.Params.init(DType.F32, 16), BatchNorm.Mode.TRAIN, r);
        z.backward(Tensor.randn(DType.F32, 502, y.shape()));
        return new double[][] {z.toDoubleArray(), x.grad().toDoubleArray(), p.weight().grad().toDoubleArray(),
            p.runningVar().toDoubleArray(), r.grad().toDoubleArray()};
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
