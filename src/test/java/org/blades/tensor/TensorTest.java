package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Storage, views, the tape's bookkeeping and error messages; op values are covered by the reference tests. */
class TensorTest {

    private static Tensor arange(DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, shape);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, i);
        }
        return t;
    }

    @Test
    void viewsShareStorageAndReadInLogicalOrder() {
        Tensor x = arange(DType.F32, 2, 3, 4);
        Tensor p = x.permute(2, 0, 1); // (4, 2, 3)
        assertThat(p.shape()).containsExactly(4, 2, 3);
        assertThat(p.isContiguous()).isFalse();
        assertThat(p.getDouble(3, 1, 2)).isEqualTo(x.getDouble(1, 2, 3));
        Tensor s = x.slice(1, 1, 3); // (2, 2, 4)
        assertThat(s.toDoubleArray()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23);
        Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(2, 3, 4);
        assertThat(e.strides()).containsExactly(0, 1, 0);
        assertThat(e.getDouble(1, 2, 3)).isEqualTo(3.0);
        x.setDouble(-1, 1, 1, 1);
        assertThat(s.getDouble(1, 0, 1)).isEqualTo(-1.0);
        assertThat(x.reshape(6, -1).shape()).containsExactly(6, 4);
        assertThat(p.reshape(-1).toDoubleArray()).containsExactly(p.contiguous().toDoubleArray());
        assertThat(x.transpose(0, 2).transpose(0, 2).toDoubleArray()).containsExactly(x.toDoubleArray());
        assertThat(x.unsqueeze(1).shape()).containsExactly(2, 1, 3, 4);
        assertThat(x.unsqueeze(1).squeeze(1).shape()).containsExactly(2, 3, 4);
        assertThat(x.slice(2, -2, 4).shape()).containsExactly(2, 3, 2);
    }

    @Test
    void elementwiseOpsAcceptStridedAndBroadcastOperands() {
        Tensor a = arange(DType.F64, 4, 3).transpose(0, 1); // (3, 4), strided
        Tensor b = arange(DType.F64, 4);
        Tensor c = a.add(b);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertThat(c.getDouble(i, j)).isEqualTo(a.getDouble(i, j) + j);
            }
        }
        Tensor d = Tensor.of(new double[] {1, 2}, 2, 1, 1).mul(Tensor.of(new double[] {3, 4, 5}, 3));
        assertThat(d.shape()).containsExactly(2, 1, 3);
        assertThat(d.toDoubleArray()).containsExactly(3, 4, 5, 6, 8, 10);
    }

    @Test
    void float32AndFloat64AgreeToFloatRounding() {
        Tensor a64 = Tensor.randn(DType.F64, 7, 17, 33);
        Tensor a32 = a64.to(DType.F32);
        double[] r64 = a64.exp().mul(a64).sum(false, 1).toDoubleArray();
        double[] r32 = a32.exp().mul(a32).sum(false, 1).toDoubleArray();
        for (int i = 0; i < r64.length; i++) {
            assertThat(r32[i]).isCloseTo(r64[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(r64[i]))));
        }
    }

    @Test
    void seededFactoriesAreReproducible() {
        assertThat(Tensor.randn(DType.F32, 5, 100).toFloatArray()).containsExactly(Tensor.randn(DType.F32, 5, 100).toFloatArray());
        assertThat(Tensor.randn(DType.F32, 5, 100).toFloatArray()).isNotEqualTo(Tensor.randn(DType.F32, 6, 100).toFloatArray());
        double[] u = Tensor.rand(DType.F64, 1, 1000).toDoubleArray();
        assertThat(java.util.Arrays.stream(u).allMatch(v -> v >= 0 && v < 1)).isTrue();
    }

    @Test
    void backwardAccumulatesAndZeroingIsItsOwnCall() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(2, 4, 6);
        x.mul(x).sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(4, 8, 12);
        x.zeroGrad();
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 0, 0);
    }

    @Test
    void plainTensorsGetGradientsLikeParameters() {
        // The bi-level step needs d(outer)/d(lambda) for a plain task-weight vector.
        Tensor lambda = Tensor.ones(DType.F64, 3).requiresGrad(true);
        Tensor losses = Tensor.of(new double[] {0.5, 2.0, 3.0}, 3);
        lambda.mul(losses).sum().backward();
        assertThat(lambda.grad().toDoubleArray()).containsExactly(0.5, 2.0, 3.0);
    }

    @Test
    void aTensorUsedTwiceReceivesBothGradients() {
        Tensor x = Tensor.of(new double[] {3}, 1).requiresGrad(true);
        Tensor y = x.mul(x).add(x.exp()); // dy/dx = 2x + e^x
        y.sum().backward();
        assertThat(x.grad().item()).isEqualTo(6 + Math.exp(3));
    }

    @Test
    void intermediateGradientsAreKeptOnlyWhenAsked() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(3.0).retainGrad();
        Tensor k = x.mul(2.0);
        h.add(k).pow(2.0).sum().backward();
        assertThat(h.grad().toDoubleArray()).containsExactly(10, 20);
        assertThat(k.grad()).isNull();
    }

    /**
     * Without retain_graph, PyTorch frees an op's saved activations once its rule has run; so must the tape, or a
     * ResNet-50 step at batch 48 holds all 4 GiB of activations under the backward pass's gradients. A probe op
     * at the bottom of the graph looks, during its own rule, whether an intermediate output further up is still
     * reachable (System.gc clears weak references to unreachable objects before it returns; the retries only
     * guard against a collector that treats the request as a hint).
     */
    @Test
    void backwardLetsGoOfEachOutputOnceItsRuleHasRun() {
        Tensor x = Tensor.of(new double[] {0.5, -1.0}, 2).requiresGrad(true);
        boolean[] collected = new boolean[1];
        Tensor loss = graphWithProbe(x, collected);
        loss.backward();
        assertThat(collected[0]).as("intermediate output collected before the rule of its input ran").isTrue();
        assertThat(x.grad().toDoubleArray()).containsExactly(2 * Math.exp(1.0), 2 * Math.exp(-2.0));
    }

    /** exp(2·probe(x)) summed, where probe is an identity whose rule records whether 2·x is unreachable. */
    private static Tensor graphWithProbe(Tensor x, boolean[] collected) {
        WeakReference<?>[] watched = new WeakReference<?>[1];
        Tensor p = Autograd.record("probe", x.detach().copy(), new Tensor[] {x}, g -> {
            for (int attempt = 0; attempt < 10 && watched[0].get() != null; attempt++) {
                System.gc();
            }
            collected[0] = watched[0].get() == null;
            Autograd.accumulate(x, g);
        });
        Tensor doubled = p.mul(2.0); // (2)
        watched[0] = new WeakReference<>(doubled);
        return doubled.exp().sum();
    }

    /**
     * The backward pass recycles released gradients into later rules' buffers (Autograd.gradientBuffer): a
     * chain of same-shaped unary ops reuses them, yet a retained gradient, the leaf's gradient and a second
     * backward pass keep their own values.
     */
    @Test
    void recycledGradientBuffersNeverAliasLiveGradients() {
        Tensor x = Tensor.of(new float[] {-1f, 2f, 3f, -4f}, 4).requiresGrad(true);
        Tensor a = Activation.relu(x.mul(2.0)); // (4) 0, 4, 6, 0
        Tensor h = Activation.relu(a).retainGrad();
        Tensor y = Activation.relu(Activation.relu(h).mul(3.0)); // 3 * relu(2x)
        y.backward(Tensor.of(new float[] {1f, 1f, 1f, 1f}, 4));
        assertThat(h.grad().toFloatArray()).containsExactly(0f, 3f, 3f, 0f); // relu'(0) = 0
        assertThat(x.grad().toFloatArray()).containsExactly(0f, 6f, 6f, 0f);
        float[] first = x.grad().toFloatArray();
        Tensor y2 = Activation.relu(Activation.relu(x.mul(2.0)).mul(3.0));
        y2.backward(Tensor.of(new float[] {1f, 2f, 3f, 4f}, 4));
        assertThat(x.grad().toFloatArray()).containsExactly(first[0], first[1] + 12f, first[2] + 18f, first[3]);
        assertThat(h.grad().toFloatArray()).as("retained gradient untouched by the second pass")
                .containsExactly(0f, 3f, 3f, 0f);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.ones(DType.F32, 2).requiresGrad(true);
        Tensor y;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            y = x.mul(2.0);
            assertThat(Autograd.isGradEnabled()).isFalse();
        }
        assertThat(Autograd.isGradEnabled()).isTrue();
        assertThat(y.requiresGrad()).isFalse();
        assertThatThrownBy(() -> y.sum().backward()).hasMessageContaining("does not require a gradient");
    }

    @Test
    void detachCutsTheTape() {
        Tensor x = Tensor.of(new double[] {2}, 1).requiresGrad(true);
        x.mul(x.detach()).sum().backward();
        assertThat(x.grad().item()).isEqualTo(2.0);
    }

    @Test
    void viewGradientsFlowBackThroughTheInverseView() {
        Tensor x = arange(DType.F64, 2, 3).requiresGrad(true);
        Tensor w = arange(DType.F64, 3, 2);
        x.permute(1, 0).mul(w).slice(0, 1, 3).expand(4, 2, 2).sum().backward();
        // d/dx[i][j] = 4 * w[j][i] for j in 1..2, else 0
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 8, 16, 0, 12, 20);
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.ones(DType.F64, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.mul(1.0);
        }
        y.sum().backward();
        assertThat(x.grad().item()).isEqualTo(1.0);
    }

    @Test
    void errorsNameTheOpAndTheShapes() {
        Tensor a = Tensor.zeros(DType.F32, 2, 3);
        assertThatThrownBy(() -> a.add(Tensor.zeros(DType.F32, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add")
                .hasMessageContaining("(2, 3)").hasMessageContaining("(4,)");
        assertThatThrownBy(() -> a.mul(Tensor.zeros(DType.F64, 2, 3)))
                .hasMessageContaining("mul").hasMessageContaining("float32").hasMessageContaining("float64");
        assertThatThrownBy(() -> a.matmul(Tensor.zeros(DType.F32, 4, 5)))
                .hasMessageContaining("matmul").hasMessageContaining("(2, 3)").hasMessageContaining("(4, 5)");
        assertThatThrownBy(() -> a.reshape(4, 2)).hasMessageContaining("reshape").hasMessageContaining("(2, 3)");
        assertThatThrownBy(() -> a.sum(false, 2)).hasMessageContaining("sum").hasMessageContaining("axis 2");
        assertThatThrownBy(() -> a.slice(1, 2, 5)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("slice");
        assertThatThrownBy(() -> a.getDouble(2, 0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("(2, 3)");
        assertThatThrownBy(() -> a.expand(3, 3)).hasMessageContaining("expand");
        assertThatThrownBy(() -> a.permute(0, 0)).hasMessageContaining("permute");
        assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).hasMessageContaining("(2, 3)");
        assertThatThrownBy(() -> a.f64()).hasMessageContaining("float32");
        assertThatThrownBy(() -> a.transpose(0, 1).f32()).hasMessageContaining("contiguous()");
    }

    @Test
    void parameterVectorRestoresBitForBitAndPerturbs() {
        Tensor w = Tensor.randn(DType.F32, 1, 3, 5).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F32, 2, 5).requiresGrad(true);
        ParameterVector theta = new ParameterVector(List.of(w, b));
        assertThat(theta.size()).isEqualTo(20);
        Tensor saved = theta.snapshot();
        Tensor v = Tensor.randn(DType.F32, 3, 20);
        double eps = 0.01 / ParameterVector.norm(v);
        theta.addScaled(eps, v);
        assertThat(w.getDouble(0, 0)).isNotEqualTo(saved.getDouble(0));
        assertThat(b.getDouble(4)).isCloseTo(saved.getDouble(19) + eps * v.getDouble(19),
                org.assertj.core.data.Offset.offset(1e-6));
        theta.addScaled(-2 * eps, v);
        theta.restore(saved);
        assertThat(theta.snapshot().toFloatArray()).containsExactly(saved.toFloatArray());
        w.sum().add(b.mul(2.0).sum()).backward();
        Tensor g = theta.gradient();
        assertThat(g.getDouble(0)).isEqualTo(1.0);
        assertThat(g.getDouble(19)).isEqualTo(2.0);
        theta.zeroGrad();
        assertThat(ParameterVector.norm(theta.gradient())).isZero();
        assertThatThrownBy(() -> theta.restore(Tensor.zeros(DType.F32, 19))).hasMessageContaining("(20,)");
    }
}
