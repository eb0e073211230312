package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
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

// Dimensions: B = batch, T = time, C = channels (the softmax axis unless a test says otherwise).

class ActivationTest {
    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("activation");
    }

    @AfterAll
    static void close() {
        if (ref != null) {
            ref.close();
        }
    }

    private static final Map<String, UnaryOperator<Tensor>> POINTWISE = Map.of(
            "relu", Activation::relu,
            "gelu_tanh", Activation::gelu,
            "quick_gelu", Activation::quickGelu,
            "sigmoid", Activation::sigmoid,
            "tanh", Activation::tanh,
            "erf", Activation::erf,
            "normal_cdf", Activation::normalCdf);

    /** Every case of activation.safetensors, so a case added to the generator cannot go untested. */
    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return ref.caseNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            OpReference c = new OpReference(ref, name);
            String op = c.op();
            Tensor x = c.in("x");
            Tensor out;
            if (POINTWISE.containsKey(op)) {
                out = POINTWISE.get(op).apply(x);
            } else if (op.equals("softmax")) {
                out = Activation.softmax(x, c.intArg("axis"));
            } else if (op.equals("log_softmax")) {
                out = Activation.logSoftmax(x, c.intArg("axis"));
            } else {
                throw new AssertionError("case " + name + ": no test for op '" + op + "'");
            }
            Tolerance tol = OpReference.tolerance(x.dtype());
            c.check(out, tol, op.equals("gelu_tanh") && x.dtype() == DType.F32 ? GELU_GRAD_F32 : tol);
            System.out.println(String.join("\n", c.report()));
        }));
    }

    /**
     * torch's float32 GELU derivative in the left tail (x < -5) is 0.5 (1 + tanh(u)) + ... with tanh(u) within a
     * few ulps of -1: it cancels to 0 or a few 1e-7, where the float64 value we round is about -1.5e-6 (x = -5.11
     * in case gelu_tanh: torch float64 gives -1.4825e-06, its float32 reference 0). The absolute part covers that
     * cancellation; the float64 gradient check pins the rule itself.
     */
    private static final Tolerance GELU_GRAD_F32 = Tolerance.of(5e-6, 1e-5);

    // ----------------------------------------------------------------------------------------------
    // Kinks and extremes

    @Test
    void reluKinksFollowTorch() {
        for (DType dt : DType.values()) {
            Tensor x = Tensor.of(new double[] {-1, 0, 1}, 3).to(dt).requiresGrad(true);
            Tensor y = Activation.relu(x);
            y.backward(Tensor.ones(dt, 3));
            double[] out = y.toDoubleArray(); // (3)
            double[] grad = x.grad().toDoubleArray(); // (3)
            // Compared with ==: relu(-1) may be -0.0 (0 * x keeps NaN inputs NaN), numerically 0.
            assertThat(out[0] == 0.0 && out[1] == 0.0 && out[2] == 1.0)
                    .as("%s relu(-1, 0, 1) = %s", dt, Arrays.toString(out)).isTrue();
            // torch's convention: the derivative of relu at exactly 0 is 0.
            assertThat(grad[0] == 0.0 && grad[1] == 0.0 && grad[2] == 1.0)
                    .as("%s relu' = %s", dt, Arrays.toString(grad)).isTrue();
        }
    }

    @Test
    void geluAndQuickGeluStayFiniteAtExtremeInputs() {
        double[] v = {300, 350, 400, -300, -350, -400}; // (6)
        for (DType dt : DType.values()) {
            for (UnaryOperator<Tensor> f : List.<UnaryOperator<Tensor>>of(Activation::gelu, Activation::quickGelu)) {
                Tensor x = Tensor.of(v.clone(), 6).to(dt).requiresGrad(true);
                Tensor y = f.apply(x);
                y.backward(Tensor.ones(dt, 6));
                double[] out = y.toDoubleArray(); // (6)
                double[] grad = x.grad().toDoubleArray(); // (6)
                for (int i = 0; i < v.length; i++) {
                    // Far right: y = x, dy/dx = 1; far left: y = 0, dy/dx = 0 (possibly -0.0).
                    assertThat(out[i]).as("%s out at %s", dt, v[i]).isCloseTo(v[i] > 0 ? v[i] : 0.0, within(1e-12));
                    assertThat(grad[i]).as("%s grad at %s", dt, v[i]).isCloseTo(v[i] > 0 ? 1.0 : 0.0, within(1e-12));
                }
            }
        }
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        Tensor x = Tensor.of(new float[] {-1000f, 1000f}, 2).requiresGrad(true);
        Tensor y = Activation.sigmoid(x);
        y.backward(Tensor.ones(DType.F32, 2));
        assertThat(y.toDoubleArray()).containsExactly(0, 1);
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 0);
    }

    @Test
    void softmaxOfHugeLogitsIsExact() {
        // exp(1e4) overflows any float; subtracting the row max leaves exp(0), exp(-1) and underflowing zeros.
        Tensor x = Tensor.of(new float[] {1e4f, 1e4f - 1f, -1e4f, 0f, 3e38f, -3e38f, 3e38f, 0f}, 2, 4);
        double z = 1.0 + Math.exp(-1.0);
        double[] p = Activation.softmax(x, -1).toDoubleArray(); // (2, 4)
        assertThat(p[0]).isCloseTo(1.0 / z, within(1e-7));
        assertThat(p[1]).isCloseTo(Math.exp(-1.0) / z, within(1e-7));
        assertThat(new double[] {p[2], p[3]}).containsExactly(0, 0);
        assertThat(new double[] {p[4], p[5], p[6], p[7]}).containsExactly(0.5, 0, 0.5, 0);
        double[] lp = Activation.logSoftmax(x, -1).toDoubleArray(); // (2, 4)
        assertThat(lp[0]).isCloseTo(-Math.log(z), within(1e-6));
        assertThat(lp[1]).isCloseTo(-1 - Math.log(z), within(1e-6));
        assertThat(lp[3]).isCloseTo(-1e4 - Math.log(z), within(1e-2));
        assertThat(lp[4]).isCloseTo(-Math.log(2), within(1e-6));
        // -3e38 - 3e38 - log 2 is below the float range: -inf, as torch's float32 gives; the rest stays finite.
        assertThat(lp[5]).isEqualTo(Double.NEGATIVE_INFINITY);
        for (int i : new int[] {0, 1, 2, 3, 4, 6, 7}) {
            assertThat(lp[i]).as("log-softmax element %d", i).isFinite();
        }
    }

    /** x (B, T, C) = (2, 3, 4) with row [0, 1, :] entirely -inf and a partly masked row [1, 2, :]. */
    private static Tensor withMaskedRows(DType dt) {
        Tensor x = Tensor.randn(DType.F64, 41, 2, 3, 4);
        for (int c = 0; c < 4; c++) {
            x.setDouble(Double.NEGATIVE_INFINITY, 0, 1, c);
        }
        x.setDouble(Double.NEGATIVE_INFINITY, 1, 2, 0);
        x.setDouble(Double.NEGATIVE_INFINITY, 1, 2, 3);
        return x.to(dt).requiresGrad(true);
    }

    @Test
    void fullyMaskedRowGivesZeroSoftmaxAndLeavesOtherRowsAlone() {
        for (DType dt : DType.values()) {
            Tensor x = withMaskedRows(dt);
            Tensor gout = Tensor.randn(dt, 42, 2, 3, 4);
            Tensor y = Activation.softmax(x, -1);
            y.backward(gout);
            double[] out = y.toDoubleArray(); // (B, T, C)
            double[] grad = x.grad().toDoubleArray(); // (B, T, C)
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).as("%s softmax element %d", dt, i).isFinite();
                assertThat(grad[i]).as("%s softmax grad element %d", dt, i).isFinite();
            }
            for (int c = 0; c < 4; c++) {
                assertThat(y.getDouble(0, 1, c)).isEqualTo(0.0);
                assertThat(x.grad().getDouble(0, 1, c)).isEqualTo(0.0);
            }
            // Partly masked row: masked entries get probability 0 and no gradient, the rest a distribution.
            assertThat(y.getDouble(1, 2, 0)).isEqualTo(0.0);
            assertThat(x.grad().getDouble(1, 2, 3)).isEqualTo(0.0);
            assertThat(y.getDouble(1, 2, 1) + y.getDouble(1, 2, 2)).isCloseTo(1.0, within(1e-6));
            // Every other row equals the softmax of that row alone.
            Tensor row = x.detach().slice(0, 1, 2).slice(1, 0, 1).contiguous().requiresGrad(true); // (1, 1, C)
            Tensor rowOut = Activation.softmax(row, -1);
            rowOut.backward(gout.slice(0, 1, 2).slice(1, 0, 1).contiguous());
            for (int c = 0; c < 4; c++) {
                assertThat(y.getDouble(1, 0, c)).isEqualTo(rowOut.getDouble(0, 0, c));
                assertThat(x.grad().getDouble(1, 0, c)).isEqualTo(row.grad().getDouble(0, 0, c));
            }
        }
    }

    @Test
    void fullyMaskedRowGivesMinusInfinityLogSoftmaxAndPassesTheGradient() {
        for (DType dt : DType.values()) {
            Tensor x = withMaskedRows(dt);
            Tensor gout = Tensor.randn(dt, 43, 2, 3, 4);
            Tensor y = Activation.logSoftmax(x, -1);
            y.backward(gout);
            double[] grad = x.grad().toDoubleArray(); // (B, T, C)
            for (int i = 0; i < grad.length; i++) {
                assertThat(grad[i]).as("%s log-softmax grad element %d", dt, i).isFinite();
            }
            for (int c = 0; c < 4; c++) {
                assertThat(y.getDouble(0, 1, c)).isEqualTo(Double.NEGATIVE_INFINITY);
                // Probability 0 everywhere: dx = dy - p * sum(dy) = dy.
                assertThat(x.grad().getDouble(0, 1, c)).isEqualTo(gout.getDouble(0, 1, c));
            }
            for (int t = 0; t < 3; t++) {
                if (t != 1) {
                    assertThat(y.getDouble(0, t, 0)).isFinite();
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Fused against composed (float64), fast path against its strided twin (float32)

    private static final Tolerance PIN = Tolerance.of(1e-14, 1e-12);

    @Test
    void softmaxMatchesCompositionFromPrimitives() {
        for (int axis : new int[] {-1, 1, 0}) {
            for (boolean log : new boolean[] {false, true}) {
                Tensor a = Tensor.randn(DType.F64, 51, 3, 5, 7).mul(3.0).detach().requiresGrad(true);
                Tensor b = a.detach().copy().requiresGrad(true);
                Tensor gout = Tensor.randn(DType.F64, 52, 3, 5, 7);
                Tensor fused = log ? Activation.logSoftmax(a, axis) : Activation.softmax(a, axis);
                Tensor shifted = b.sub(b.logsumexp(true, axis)); // x - logsumexp(x)
                Tensor composed = log ? shifted : shifted.exp();
                fused.backward(gout);
                composed.backward(gout);
                String what = (log ? "logSoftmax" : "softmax") + " axis " + axis;
                TensorCompare.assertSameValues(what + " out", fused, composed, PIN);
                TensorCompare.assertSameValues(what + " grad", a.grad(), b.grad(), PIN);
            }
        }
    }

    @Test
    void lastAxisFastPathEqualsStridedPathBitForBit() {
        for (boolean log : new boolean[] {false, true}) {
            Tensor x = Tensor.randn(DType.F32, 61, 3, 7, 33).mul(4f).detach().requiresGrad(true);
            Tensor xt = x.detach().copy().requiresGrad(true);
            Tensor gout = Tensor.randn(DType.F32, 62, 3, 7, 33);
            Tensor fast = log ? Activation.logSoftmax(x, -1) : Activation.softmax(x, -1);
            // The same rows read down the middle axis of the transposed view: the strided path.
            Tensor strided = log ? Activation.logSoftmax(xt.transpose(1, 2), 1) : Activation.softmax(xt.transpose(1, 2), 1);
            fast.backward(gout);
            strided.backward(gout.transpose(1, 2));
            assertThat(fast.toFloatArray()).containsExactly(strided.transpose(1, 2).toFloatArray());
            assertThat(x.grad().toFloatArray()).containsExactly(xt.grad().toFloatArray());
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Errors

    @Test
    void errorsNameTheOpAndTheShape() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3);
        assertThatThrownBy(() -> Activation.softmax(x, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("softmax").hasMessageContaining("axis 2");
        assertThatThrownBy(() -> Activation.logSoftmax(x, -3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("log_softmax")
                .hasMessageContaining("axis -3");
        assertThatThrownBy(() -> Activation.softmax(Tensor.scalar(DType.F64, 1.0), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("softmax").hasMessageContaining("()");
    }
}
