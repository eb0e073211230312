package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.blades.tensor.Activation;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// OUTER, N, INNER = a dense tensor viewed around the reduced / softmax axis of N elements;
// BH = batch * heads, TQ = queries, TK = keys.

/**
 * Axis reductions, softmax / log-softmax (forward and the accumulating backward) and the scaled, causally masked
 * attention softmax against the CPU ops in float64 (Tensor.sum / max, Activation.softmax / logSoftmax and
 * autograd), on odd (OUTER, N, INNER) shapes including a fully masked row.
 *
 * <p>Tolerances: sums of up to 129 float terms of magnitude <= 4 in a different order: 1e-5 + 1e-5 |ref|;
 * softmax outputs and gradients (exp within 3 ulp, sums of <= 129 terms): 2e-6 + 1e-5 |ref|; maxima are exact.
 */
class SoftmaxReduceKernelTest {

    private static final Tolerance SUM = new Tolerance(1e-5, 1e-5);
    private static final Tolerance SOFTMAX = new Tolerance(2e-6, 1e-5);
    private static final int[][] AXIS_SHAPES = {{1, 1, 1}, {3, 17, 1}, {1, 129, 3}, {17, 3, 5}, {2, 65, 1}, {5, 1, 3}};

    @Test
    void reduceSumAndMaxAlongTheMiddleAxis() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(21);
        for (int[] s : AXIS_SHAPES) {
            int outer = s[0];
            int n = s[1];
            int inner = s[2];
            float[] x = OpenClTestSupport.uniform(rng, outer * n * inner, -4, 4);
            Tensor xt = Tensor.of(OpenClTestSupport.widen(x), s);
            DeviceBuffer bx = k.device().upload(x);
            DeviceBuffer by = k.device().allocate(outer * inner);
            int[] out = {outer, inner};
            k.reduceSum(bx, outer, n, inner, 0.5f, by);
            TensorCompare.assertClose("0.5 * sum " + java.util.Arrays.toString(s), by.download(), out,
                    xt.sum(false, 1).mul(0.5).toDoubleArray(), out, SUM);
            k.reduceMax(bx, outer, n, inner, by);
            TensorCompare.assertClose("max " + java.util.Arrays.toString(s), by.download(), out,
                    xt.max(false, 1).toDoubleArray(), out, Tolerance.EXACT);
        }
    }

    @Test
    void longReductionsOverFewRowsGoThroughPartialSums() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(27);
        for (int[] s : new int[][] {{1, 100_003, 1}, {2, 5_001, 3}}) {
            int outer = s[0];
            int n = s[1];
            int inner = s[2];
            float[] x = OpenClTestSupport.uniform(rng, outer * n * inner, -1, 1);
            x[n / 2 * inner] = 7.5f; // a maximum inside a middle piece
            Tensor xt = Tensor.of(OpenClTestSupport.widen(x), s);
            DeviceBuffer bx = k.device().upload(x);
            DeviceBuffer by = k.device().allocate(outer * inner);
            int[] out = {outer, inner};
            k.reduceSum(bx, outer, n, inner, 1f / n, by);
            // a mean of 100,003 float terms of magnitude <= 1: pieces and partials summed in float
            TensorCompare.assertClose("mean " + java.util.Arrays.toString(s), by.download(), out,
                    xt.mean(false, 1).toDoubleArray(), out, new Tolerance(1e-6, 1e-4));
            k.reduceMax(bx, outer, n, inner, by);
            TensorCompare.assertClose("max " + java.util.Arrays.toString(s), by.download(), out,
                    xt.max(false, 1).toDoubleArray(), out, Tolerance.EXACT);
        }
    }

    @Test
    void maxPropagatesNaN() {
        OpenClKernels k = OpenClTestSupport.kernels();
        DeviceBuffer bx = k.device().upload(new float[] {1, Float.NaN, 3, -1, -2, -3});
        DeviceBuffer by = k.device().allocate(2);
        k.reduceMax(bx, 2, 3, 1, by);
        assertThat(by.download()[0]).isNaN();
        assertThat(by.download()[1]).isEqualTo(-1f);
    }

    @Test
    void softmaxAndLogSoftmaxForwardAndBackward() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(23);
        for (boolean log : new boolean[] {false, true}) {
            for (int[] s : AXIS_SHAPES) {
                int outer = s[0];
                int n = s[1];
                int inner = s[2];
                int numel = outer * n * inner;
                float[] x = OpenClTestSupport.uniform(rng, numel, -4, 4);
                if (outer > 1 && inner == 1) {
                    // the first row fully masked: zeros (softmax) or -inf (log-softmax), and no NaN anywhere
                    for (int j = 0; j < n; j++) {
                        x[j] = Float.NEGATIVE_INFINITY;
                    }
                }
                float[] dy = OpenClTestSupport.uniform(rng, numel, -1, 1);
                float[] dx0 = OpenClTestSupport.uniform(rng, numel, -1, 1);
                Tensor xt = Tensor.of(OpenClTestSupport.widen(x), s).requiresGrad(true);
                Tensor yt = log ? Activation.logSoftmax(xt, 1) : Activation.softmax(xt, 1);
                yt.backward(Tensor.of(OpenClTestSupport.widen(dy), s));
                double[] dxRef = xt.grad().toDoubleArray();
                for (int i = 0; i < numel; i++) {
                    dxRef[i] += dx0[i];
                }
                DeviceBuffer bx = k.device().upload(x);
                DeviceBuffer by = k.device().allocate(numel);
                DeviceBuffer bdy = k.device().upload(dy);
                DeviceBuffer bdx = k.device().upload(dx0);
                if (log) {
                    k.logSoftmax(bx, by, outer, n, inner);
                    k.logSoftmaxBackward(by, bdy, bdx, outer, n, inner);
                } else {
                    k.softmax(bx, by, outer, n, inner);
                    k.softmaxBackward(by, bdy, bdx, outer, n, inner);
                }
                String what = (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(s);
                TensorCompare.assertClose(what + " y", by.download(), s, yt.toDoubleArray(), s, SOFTMAX);
                TensorCompare.assertClose(what + " dx", bdx.download(), s, dxRef, s, SOFTMAX);
            }
        }
    }

    @Test
    void causalScaledAttentionSoftmaxMatchesTheComposedOps() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(25);
        int[][] cases = {{1, 1, 1}, {3, 17, 17}, {2, 5, 17}, {1, 65, 65}, {5, 3, 3}}; // (BH, TQ, TK)
        for (boolean causal : new boolean[] {true, false}) {
            for (int[] c : cases) {
                int bh = c[0];
                int tq = c[1];
                int tk = c[2];
                int[] shape = {bh, tq, tk};
                int numel = bh * tq * tk;
                float scale = (float) (1 / Math.sqrt(64));
                float[] x = OpenClTestSupport.uniform(rng, numel, -8, 8);
                float[] dy = OpenClTestSupport.uniform(rng, numel, -1, 1);
                double[] mask = new double[numel]; // (BH, TQ, TK) 0 or -inf
                for (int i = 0; i < numel; i++) {
                    int q = (i / tk) % tq;
                    int key = i % tk;
                    mask[i] = causal && key > q + tk - tq ? Double.NEGATIVE_INFINITY : 0;
                }
                Tensor xt = Tensor.of(OpenClTestSupport.widen(x), shape).requiresGrad(true);
                Tensor yt = Activation.softmax(xt.mul(scale).add(Tensor.of(mask, shape)), -1);
                yt.backward(Tensor.of(OpenClTestSupport.widen(dy), shape));
                DeviceBuffer bx = k.device().upload(x);
                DeviceBuffer by = k.device().allocate(numel);
                DeviceBuffer bdy = k.device().upload(dy);
                DeviceBuffer bdx = k.device().allocate(numel);
                k.attentionSoftmax(bx, by, bh, tq, tk, scale, causal);
                k.attentionSoftmaxBackward(by, bdy, bdx, bh, tq, tk, scale);
                String what = (causal ? "causal " : "") + "attention softmax " + java.util.Arrays.toString(c);
                TensorCompare.assertClose(what + " probs", by.download(), shape, yt.toDoubleArray(), shape, SOFTMAX);
                TensorCompare.assertClose(what + " dscores", bdx.download(), shape, xt.grad().toDoubleArray(), shape,
                        SOFTMAX);
            }
        }
    }
}
