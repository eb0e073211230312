package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.Stream;
import org.blades.testing.OpReference;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// Dimensions: B = batch, T = time, C = channels (the normalized last dimension).

class NormTest {
    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("norm");
    }

    @AfterAll
    static void close() {
        if (ref != null) {
            ref.close();
        }
    }

    /** The layer_norm and l2_normalize cases of norm.safetensors (its batch_norm cases belong to BatchNorm). */
    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        List<String> cases = ref.caseNames().stream()
                .filter(n -> List.of("layer_norm", "l2_normalize").contains(new OpReference(ref, n).op())).toList();
        assertThat(cases).containsExactlyInAnyOrder("layernorm", "layernorm_f64", "l2normalize", "l2normalize_dim0");
        return cases.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            OpReference c = new OpReference(ref, name);
            Tensor x = c.in("x");
            double eps = c.doubleArg("eps");
            Tensor out;
            if (c.op().equals("layer_norm")) {
                assertThat(c.intsArg("normalized_shape")).containsExactly(x.size(-1));
                out = Norm.layerNorm(x, c.in("weight"), c.in("bias"), eps);
            } else {
                out = Norm.l2Normalize(x, c.intArg("axis"), eps);
            }
            c.check(out, OpReference.tolerance(x.dtype()));
            System.out.println(String.join("\n", c.report()));
        }));
    }

    // ----------------------------------------------------------------------------------------------
    // Fused layer norm against its composition from primitives (float64)

    private static final Tolerance PIN = Tolerance.of(1e-13, 1e-11);

    private static Tensor composedLayerNorm(Tensor x, Tensor w, Tensor b, double eps) {
        Tensor xc = x.sub(x.mean(true, -1));
        Tensor var = xc.mul(xc).mean(true, -1); // biased
        Tensor y = xc.div(var.add(eps).sqrt());
        if (w != null) {
            y = y.mul(w);
        }
        return b == null ? y : y.add(b);
    }

    @Test
    void layerNormMatchesCompositionFromPrimitives() {
        for (boolean affine : new boolean[] {true, false}) {
            // A non-zero mean and a spread of scales exercise the mean and rstd paths of the gradient.
            Tensor x = Tensor.randn(DType.F64, 71, 3, 5, 17).mul(2.0).add(3.0).detach().requiresGrad(true); // (B, T, C)
            Tensor w = affine ? Tensor.rand(DType.F64, 72, 17).add(0.5).detach().requiresGrad(true) : null; // (C)
            Tensor b = affine ? Tensor.randn(DType.F64, 73, 17).detach().requiresGrad(true) : null; // (C)
            Tensor x2 = x.detach().copy().requiresGrad(true);
            Tensor w2 = affine ? w.detach().copy().requiresGrad(true) : null;
            Tensor b2 = affine ? b.detach().copy().requiresGrad(true) : null;
            Tensor gout = Tensor.randn(DType.F64, 74, 3, 5, 17);
            Tensor fused = Norm.layerNorm(x, w, b, 1e-5);
            Tensor composed = composedLayerNorm(x2, w2, b2, 1e-5);
            fused.backward(gout);
            composed.backward(gout);
            TensorCompare.assertSameValues("layerNorm out (affine " + affine + ")", fused, composed, PIN);
            TensorCompare.assertSameValues("layerNorm dx (affine " + affine + ")", x.grad(), x2.grad(), PIN);
            if (affine) {
                TensorCompare.assertSameValues("layerNorm dweight", w.grad(), w2.grad(), PIN);
                TensorCompare.assertSameValues("layerNorm dbias", b.grad(), b2.grad(), PIN);
            }
        }
    }

    @Test
    void layerNormAcceptsStridedViewsAndAccumulates() {
        Tensor base = Tensor.randn(DType.F32, 75, 17, 4).detach().requiresGrad(true); // (C, T) stored
        Tensor dense = base.detach().transpose(0, 1).contiguous().requiresGrad(true); // (T, C)
        Tensor gout = Tensor.randn(DType.F32, 76, 4, 17);
        Tensor a = Norm.layerNorm(base.transpose(0, 1), null, null, 1e-5);
        Tensor b = Norm.layerNorm(dense, null, null, 1e-5);
        assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
        a.backward(gout);
        b.backward(gout);
        assertThat(base.grad().transpose(0, 1).toFloatArray()).containsExactly(dense.grad().toFloatArray());
        // A second backward adds to the gradient: backward rules accumulate.
        Norm.layerNorm(dense, null, null, 1e-5).backward(gout);
        float[] once = base.grad().transpose(0, 1).toFloatArray(); // (T, C)
        float[] twice = dense.grad().toFloatArray(); // (T, C)
        for (int i = 0; i < once.length; i++) {
            assertThat(twice[i]).isEqualTo(2 * once[i]);
        }
    }

    @Test
    void layerNormOfAConstantRowIsTheBias() {
        Tensor x = Tensor.full(DType.F64, 7.0, 2, 5).requiresGrad(true);
        Tensor w = Tensor.ones(DType.F64, 5).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 2, 3, 4, 5}, 5).requiresGrad(true);
        Tensor y = Norm.layerNorm(x, w, b, 1e-5);
        y.backward(Tensor.randn(DType.F64, 77, 2, 5));
        assertThat(y.toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 1, 2, 3, 4, 5);
        for (double g : x.grad().toDoubleArray()) {
            assertThat(g).isFinite();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // L2 normalisation

    @Test
    void l2NormalizeOfAZeroRowHasTorchsFiniteGradient() {
        Tensor x = Tensor.of(new double[] {0, 0, 0, 3, 4, 0}, 2, 3).requiresGrad(true);
        Tensor gout = Tensor.of(new double[] {1, -2, 0.5, 1, 1, 1}, 2, 3);
        Tensor y = Norm.l2Normalize(x, 1);
        y.backward(gout);
        assertThat(y.toDoubleArray()).containsExactly(0, 0, 0, 0.6, 0.8, 0);
        // Below eps the op is x / eps, so dx = dy / eps.
        double[] g = x.grad().toDoubleArray(); // (2, 3)
        assertThat(g[0]).isCloseTo(1e12, within(1.0));
        assertThat(g[1]).isCloseTo(-2e12, within(1.0));
        assertThat(g[2]).isCloseTo(0.5e12, within(1.0));
        // Row 1: dx = (dy - y * (y . dy)) / |x| with y . dy = 1.4.
        assertThat(g[3]).isCloseTo((1 - 0.6 * 1.4) / 5, within(1e-15));
        assertThat(g[4]).isCloseTo((1 - 0.8 * 1.4) / 5, within(1e-15));
        assertThat(g[5]).isCloseTo(1.0 / 5, within(1e-15));
    }

    // ----------------------------------------------------------------------------------------------
    // Errors

    @Test
    void errorsNameTheOpAndTheShapes() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3, 8);
        assertThatThrownBy(() -> Norm.layerNorm(x, Tensor.ones(DType.F32, 5), null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layerNorm").hasMessageContaining("weight")
                .hasMessageContaining("(2, 3, 8)").hasMessageContaining("(5,)");
        assertThatThrownBy(() -> Norm.layerNorm(x, null, Tensor.ones(DType.F64, 8), 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layerNorm").hasMessageContaining("bias").hasMessageContaining("float64(8,)");
        assertThatThrownBy(() -> Norm.layerNorm(Tensor.scalar(DType.F32, 1), null, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layerNorm");
        assertThatThrownBy(() -> Norm.l2Normalize(x, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("l2Normalize").hasMessageContaining("axis 3").hasMessageContaining("(2, 3, 8)");
    }
}
