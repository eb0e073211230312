package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.blades.tensor.Elementwise;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// n = elements; shapes are written out per case.

/**
 * The elementwise kernels against the CPU ops they mirror, run in float64 on the same (float) inputs: unary
 * functions and their derivative rules (Elementwise.Unary), broadcasting binary ops and both operands' gradients
 * (Tensor.add ... minimum with autograd), sumTo, strided copies, fill and axpy.
 *
 * <p>Tolerances: pointwise results 1e-6 + 1e-5 |ref| (OpenCL's float exp/log/tanh/pow/erf are within 16 ulp =
 * 1e-6 relative, the rest within 1 ulp). Broadcast gradients sum up to 2,193 float terms of magnitude <= 8 in a
 * different order than the oracle: 2e-5 + 1e-5 |ref|.
 */
class ElementwiseKernelTest {

    private static final Tolerance POINTWISE = new Tolerance(1e-6, 1e-5);
    private static final Tolerance SUMMED = new Tolerance(2e-5, 1e-5);

    /** A unary op with its CPU twin and an input range inside its domain. */
    private record UnaryCase(UnaryOp op, Elementwise.Unary cpu, double lo, double hi) {
    }

    private static List<UnaryCase> unaryCases() {
        return List.of(
                new UnaryCase(UnaryOp.NEG, Elementwise.Unary.NEG, -4, 4),
                new UnaryCase(UnaryOp.EXP, Elementwise.Unary.EXP, -4, 4),
                new UnaryCase(UnaryOp.LOG, Elementwise.Unary.LOG, 0.05, 8),
                new UnaryCase(UnaryOp.SQRT, Elementwise.Unary.SQRT, 0.05, 8),
                new UnaryCase(UnaryOp.ABS, Elementwise.Unary.ABS, -4, 4),
                new UnaryCase(UnaryOp.RELU, Elementwise.Unary.RELU, -4, 4),
                new UnaryCase(UnaryOp.SIGMOID, Elementwise.Unary.SIGMOID, -12, 12),
                new UnaryCase(UnaryOp.TANH, Elementwise.Unary.TANH, -6, 6),
                new UnaryCase(UnaryOp.ERF, Elementwise.Unary.ERF, -3, 3),
                new UnaryCase(UnaryOp.GELU_TANH, Elementwise.Unary.GELU_TANH, -6, 6),
                new UnaryCase(UnaryOp.QUICK_GELU, Elementwise.Unary.QUICK_GELU, -6, 6),
                new UnaryCase(UnaryOp.pow(2.5f), Elementwise.Unary.pow(2.5), 0.05, 4),
                new UnaryCase(UnaryOp.pow(-1f), Elementwise.Unary.pow(-1), 0.25, 4),
                new UnaryCase(UnaryOp.clamp(-0.5f, 1.25f), Elementwise.Unary.clamp(-0.5, 1.25), -2, 2),
                new UnaryCase(UnaryOp.affine(-1.5f, 0.25f), null, -4, 4));
    }

    @Test
    void unaryForwardAndBackwardMatchTheCpuRules() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(3);
        for (UnaryCase uc : unaryCases()) {
            for (int n : new int[] {1, 3, 17, 65, 129 * 17}) {
                float[] x = OpenClTestSupport.uniform(rng, n, uc.lo(), uc.hi());
                if (n > 3 && uc.lo() < 0) {
                    x[0] = -1f; // the kinks of relu, abs and clamp, and the extremes of the GELUs
                    x[1] = 0f;
                    x[2] = 1f;
                }
                float[] dy = OpenClTestSupport.uniform(rng, n, -1, 1);
                float[] dx0 = OpenClTestSupport.uniform(rng, n, -1, 1); // backward accumulates onto this
                Tensor xt = Tensor.of(OpenClTestSupport.widen(x), n).requiresGrad(true);
                Tensor yt = uc.cpu() != null ? Elementwise.unary(uc.cpu(), xt) : xt.mul(-1.5).add(0.25);
                yt.backward(Tensor.of(OpenClTestSupport.widen(dy), n));
                double[] dxRef = xt.grad().toDoubleArray();
                for (int i = 0; i < n; i++) {
                    dxRef[i] += dx0[i];
                }
                DeviceBuffer bx = k.device().upload(x);
                DeviceBuffer by = k.device().allocate(n);
                DeviceBuffer bdy = k.device().upload(dy);
                DeviceBuffer bdx = k.device().upload(dx0);
                k.unary(uc.op(), bx, by, n);
                k.unaryBackward(uc.op(), bx, by, bdy, bdx, n);
                String what = uc.op().kind() + "(" + uc.op().p0() + ", " + uc.op().p1() + ") n=" + n;
                TensorCompare.assertClose(what + " y", by.download(), new int[] {n}, yt.toDoubleArray(),
                        new int[] {n}, POINTWISE);
                TensorCompare.assertClose(what + " dx", bdx.download(), new int[] {n}, dxRef, new int[] {n},
                        POINTWISE);
            }
        }
    }

    @Test
    void opCodesMatchTheKernelSource() {
        String source = KernelSources.read("elementwise.cl");
        for (UnaryOp.Kind kind : UnaryOp.Kind.values()) {
            assertThat(source).as("unary %s", kind)
                    .contains("#define U_" + kind.name() + " " + kind.ordinal() + "\n");
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertThat(source).as("binary %s", op)
                    .contains("#define B_" + op.name() + " " + op.ordinal() + "\n");
        }
        assertThat(source).contains("#define META_RANK " + OpenClKernels.META_RANK + "\n");
    }

    @Test
    void geluExtremesAndReluNaN() {
        OpenClKernels k = OpenClTestSupport.kernels();
        float[] x = {300f, 400f, -300f, -400f, 12f, -12f, Float.NaN};
        DeviceBuffer bx = k.device().upload(x);
        DeviceBuffer by = k.device().allocate(x.length);
        k.unary(UnaryOp.GELU_TANH, bx, by, x.length);
        assertThat(Arrays.copyOf(by.download(), 6)).containsExactly(300f, 400f, -0f, -0f, 12f, -0f);
        k.unary(UnaryOp.RELU, bx, by, x.length);
        assertThat(by.download()[6]).isNaN();
    }

    /** A binary op with its CPU twin and operand ranges (ties are made likely for max/min by rounding). */
    private record BinaryCase(BinaryOp op, BinaryOperator<Tensor> cpu, double lo, double hi, double bLo, double bHi) {
    }

    private static List<BinaryCase> binaryCases() {
        return List.of(
                new BinaryCase(BinaryOp.ADD, Tensor::add, -2, 2, -2, 2),
                new BinaryCase(BinaryOp.SUB, Tensor::sub, -2, 2, -2, 2),
                new BinaryCase(BinaryOp.MUL, Tensor::mul, -2, 2, -2, 2),
                new BinaryCase(BinaryOp.DIV, Tensor::div, -2, 2, 0.5, 2),
                new BinaryCase(BinaryOp.POW, Tensor::pow, 0.5, 2, -2, 2),
                new BinaryCase(BinaryOp.MAXIMUM, Tensor::maximum, -1, 1, -1, 1),
                new BinaryCase(BinaryOp.MINIMUM, Tensor::minimum, -1, 1, -1, 1));
    }

    /** (shape of a, shape of b): same shapes, row and column broadcasts, rank-0 and mixed-rank cases. */
    private static final int[][][] SHAPES = {
        {{17, 65}, {17, 65}},
        {{17, 65}, {65}},
        {{3, 1, 17}, {1, 5, 1}},
        {{129}, {}},
        {{}, {3, 17}},
        {{2, 3, 1, 17}, {2, 3, 5, 17}},
        {{1}, {1}},
        {{3, 65, 1, 1}, {65, 3, 1}},
    };

    @Test
    void binaryForwardAndBothGradientsMatchAutograd() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(5);
        for (BinaryCase bc : binaryCases()) {
            for (int[][] s : SHAPES) {
                int[] out = OpenClKernels.broadcastShape("test", s[0], s[1]);
                checkBinary(k, rng, bc, s[0], s[1], out);
            }
        }
    }

    private static void checkBinary(OpenClKernels k, SplittableRandom rng, BinaryCase bc, int[] sa, int[] sb,
                                    int[] out) {
        int na = numel(sa);
        int nb = numel(sb);
        int n = numel(out);
        float[] a = OpenClTestSupport.uniform(rng, na, bc.lo(), bc.hi());
        float[] b = OpenClTestSupport.uniform(rng, nb, bc.bLo(), bc.bHi());
        if (bc.op() == BinaryOp.DIV) {
            for (int i = 0; i < nb; i++) {
                b[i] = rng.nextBoolean() ? b[i] : -b[i];
            }
        }
        if (bc.op() == BinaryOp.MAXIMUM || bc.op() == BinaryOp.MINIMUM) {
            for (int i = 0; i < na; i++) {
                a[i] = Math.round(a[i] * 4) / 4f;
            }
            for (int i = 0; i < nb; i++) {
                b[i] = Math.round(b[i] * 4) / 4f;
            }
        }
        float[] dy = OpenClTestSupport.uniform(rng, n, -1, 1);
        Tensor at = Tensor.of(OpenClTestSupport.widen(a), sa).requiresGrad(true);
        Tensor bt = Tensor.of(OpenClTestSupport.widen(b), sb).requiresGrad(true);
        Tensor yt = bc.cpu().apply(at, bt);
        yt.backward(Tensor.of(OpenClTestSupport.widen(dy), out));
        DeviceBuffer ba = k.device().upload(a);
        DeviceBuffer bb = k.device().upload(b);
        DeviceBuffer by = k.device().allocate(n);
        DeviceBuffer bdy = k.device().upload(dy);
        DeviceBuffer bda = k.device().allocate(na);
        DeviceBuffer bdb = k.device().allocate(nb);
        View va = View.dense(ba, sa);
        View vb = View.dense(bb, sb);
        int[] shape = k.binary(bc.op(), va, vb, by);
        k.binaryBackward(bc.op(), BinaryOp.Operand.A, va, vb, bdy, bda);
        k.binaryBackward(bc.op(), BinaryOp.Operand.B, va, vb, bdy, bdb);
        String what = bc.op() + " " + Arrays.toString(sa) + " with " + Arrays.toString(sb);
        assertThat(shape).as(what).containsExactly(out);
        TensorCompare.assertClose(what + " y", by.download(), out, yt.toDoubleArray(), out, POINTWISE);
        TensorCompare.assertClose(what + " da", bda.download(), sa, at.grad().toDoubleArray(), sa, SUMMED);
        TensorCompare.assertClose(what + " db", bdb.download(), sb, bt.grad().toDoubleArray(), sb, SUMMED);
    }

    @Test
    void stridedOperandsAndComparisons() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(9);
        // a: the transpose of a stored (65, 17) matrix at offset 3, so a (17, 65) view with strides (1, 17)
        float[] stored = OpenClTestSupport.uniform(rng, 3 + 65 * 17, -1, 1);
        float[] b = OpenClTestSupport.uniform(rng, 65, -1, 1);
        DeviceBuffer bs = k.device().upload(stored);
        DeviceBuffer bb = k.device().upload(b);
        View a = new View(bs, 3, new int[] {17, 65}, new int[] {1, 17});
        DeviceBuffer y = k.device().allocate(17 * 65);
        k.binary(BinaryOp.GT, a, View.dense(bb, 65), y);
        float[] got = y.download();
        for (int i = 0; i < 17; i++) {
            for (int j = 0; j < 65; j++) {
                float av = stored[3 + j * 17 + i];
                assertThat(got[i * 65 + j]).isEqualTo(av > b[j] ? 1f : 0f);
            }
        }
        k.copyStrided(a, y, 0);
        got = y.download();
        for (int i = 0; i < 17; i++) {
            for (int j = 0; j < 65; j++) {
                assertThat(got[i * 65 + j]).isEqualTo(stored[3 + j * 17 + i]);
            }
        }
    }

    @Test
    void sumToFillCopyAndAxpy() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(15);
        int[] from = {3, 17, 65};
        float[] dy = OpenClTestSupport.uniform(rng, 3 * 17 * 65, -1, 1);
        DeviceBuffer bdy = k.device().upload(dy);
        for (int[] to : new int[][] {{17, 1}, {65}, {3, 1, 65}, {}, {3, 17, 65}}) {
            Tensor ref = Tensor.of(OpenClTestSupport.widen(dy), from).sumTo(to);
            DeviceBuffer dx = k.device().allocate(numel(to));
            k.sumTo(bdy, from, dx, to);
            TensorCompare.assertClose("sumTo " + Arrays.toString(to), dx.download(), to, ref.toDoubleArray(), to,
                    SUMMED);
        }
        assertThatThrownBy(() -> k.sumTo(bdy, from, k.device().allocate(4), new int[] {4}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not broadcastable");

        DeviceBuffer buf = k.device().upload(new float[] {1, 2, 3, 4, 5});
        k.fill(buf, 1, 3, -7f);
        assertThat(buf.download()).containsExactly(1, -7, -7, -7, 5);
        DeviceBuffer dst = k.device().allocate(6);
        k.copy(buf, 2, dst, 1, 3);
        assertThat(dst.download()).containsExactly(0, -7, -7, 5, 0, 0);
        k.axpy(2f, buf, dst, 5);
        assertThat(dst.download()).containsExactly(2, -21, -21, -9, 10, 0);
    }

    @Test
    void rejectsAliasedOutputsAndWrongSizes() {
        OpenClKernels k = OpenClTestSupport.kernels();
        DeviceBuffer x = k.device().allocate(8);
        assertThatThrownBy(() -> k.unary(UnaryOp.RELU, x, x, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unary RELU").hasMessageContaining("also an input");
        assertThatThrownBy(() -> k.unary(UnaryOp.RELU, x, k.device().allocate(4), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8 elements");
        assertThatThrownBy(() -> k.binary(BinaryOp.ADD, View.dense(x, 2, 4), View.dense(x, 8), k.device().allocate(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binary add: shapes [2, 4] and [8] are not broadcastable (dimension -1: 4 vs 8)");
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }
}
