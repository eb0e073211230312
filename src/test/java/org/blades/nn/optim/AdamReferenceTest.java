package org.blades.nn.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Adam} and {@link AdamW} against torch.optim (PyTorch 1.13) over six steps on stored gradients
 * (reference-data/detect/optim.safetensors): plain Adam, Adam with L2 weight decay, AdamW's decoupled decay,
 * unusual betas with a large eps, in float64 and float32; gradients span 1e-4 to 10 and include exact zeros.
 *
 * <p>Tolerance: float64 1e-13 relative + 1e-15 (rounding of the same formula); float32 1e-6 relative + 1e-7
 * (PyTorch's vectorised kernels fuse some multiply-adds differently).
 */
class AdamReferenceTest {

    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("detect/optim");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    private static Tensor load(String name, DType dtype) {
        Tensor t = Tensor.of(ref.doubles(name), ref.shape(name));
        return (dtype == DType.F32 ? t.to(DType.F32) : t).requiresGrad(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam_f64", "adam_wd_f64", "adamw_f64", "adam_betas_f64", "adam_f32", "adamw_f32"})
    void matchesTorchOptimStepByStep(String name) {
        Map<String, Object> args = ref.caseArgs(name);
        DType dtype = "float32".equals(args.get("dtype")) ? DType.F32 : DType.F64;
        Tolerance tol = dtype == DType.F32 ? Tolerance.of(1e-7, 1e-6) : Tolerance.of(1e-15, 1e-13);
        @SuppressWarnings("unchecked")
        List<Number> betas = (List<Number>) args.get("betas");
        AdamOptions o = new AdamOptions(((Number) args.get("lr")).doubleValue(), betas.get(0).doubleValue(),
                betas.get(1).doubleValue(), ((Number) args.get("eps")).doubleValue(),
                ((Number) args.get("weight_decay")).doubleValue());
        Tensor p0 = load(name + ".in.p0", dtype);
        Tensor p1 = load(name + ".in.p1", dtype);
        Optimizer opt = "AdamW".equals(args.get("optimizer")) ? new AdamW(List.of(p0, p1), o) : new Adam(List.of(p0, p1), o);
        int steps = ((Number) args.get("steps")).intValue();
        for (int s = 1; s <= steps; s++) {
            opt.zeroGrad();
            p0.backward(Tensor.of(ref.doubles(name + ".in.grad" + s + ".p0"), 4, 3).to(dtype));
            p1.backward(Tensor.of(ref.doubles(name + ".in.grad" + s + ".p1"), 5).to(dtype));
            opt.step();
            String p = name + ".out.step" + s + ".";
            var r0 = assertParam(p + "p0", p0, tol);
            var r1 = assertParam(p + "p1", p1, tol);
            if (s == steps) {
                System.out.println(r0.summary());
                System.out.println(r1.summary());
            }
        }
        assertThat(((AdamBase) opt).stepCount(p0)).isEqualTo(steps);
    }

    private static org.blades.testing.TensorCompare.Report assertParam(String name, Tensor p, Tolerance tol) {
        return p.dtype() == DType.F32
                ? ref.assertClose(name, p.toFloatArray(), p.shape(), tol)
                : ref.assertClose(name, p.toDoubleArray(), p.shape(), tol);
    }

    @Test
    void skipsParametersWithoutGradientAndKeepsTheirStepCount() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3}, 1).requiresGrad(true);
        Adam adam = new Adam(List.of(a, b), AdamOptions.adamDefaults().withLr(0.1));
        a.backward(Tensor.of(new double[] {1, -1}, 2));
        adam.step();
        assertThat(b.toDoubleArray()).containsExactly(3.0);
        assertThat(adam.stepCount(a)).isEqualTo(1);
        assertThat(adam.stepCount(b)).isZero();
        // the first step of Adam moves every coordinate by lr (up to eps): m / sqrt(v) = sign(g) after bias correction
        assertThat(a.toDoubleArray()[0]).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(a.toDoubleArray()[1]).isCloseTo(2.1, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void adamWDecaysWithTheScheduledLearningRate() {
        Tensor w = Tensor.of(new double[] {2.0}, 1).requiresGrad(true);
        AdamW opt = new AdamW(List.of(w), AdamOptions.adamWDefaults().withLr(0.5).withWeightDecay(0.1));
        opt.setLearningRate(0.25);
        w.backward(Tensor.of(new double[] {0.0}, 1));
        opt.step();
        // zero gradient: only the decay acts, p = 2 (1 - 0.25 * 0.1)
        assertThat(w.toDoubleArray()[0]).isEqualTo(2.0 * (1 - 0.25 * 0.1));
        assertThat(opt.learningRate()).isEqualTo(0.25);
    }

    @Test
    void rejectsBadConfigurations() {
        Tensor w = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        assertThatThrownBy(() -> new Adam(List.of(w, w), AdamOptions.adamDefaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> new Adam(List.of(w.mul(2.0)), AdamOptions.adamDefaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dense leaf");
        assertThatThrownBy(() -> AdamOptions.adamDefaults().withBetas(1.0, 0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("betas");
        assertThatThrownBy(() -> new AdamW(List.of(), AdamOptions.adamWDefaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AdamW: no parameters");
    }
}
