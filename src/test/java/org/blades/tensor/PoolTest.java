package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.blades.testing.OpReference;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = channels, H/W = input height/width, KH/KW = window, SH/SW = strides, PH/PW = padding,
// OH/OW = output height/width.

/**
 * {@link Pool} against PyTorch (reference-data/pool.safetensors), against a naive oracle that pads the input
 * explicitly (-inf for max, 0 for average) and scans whole windows, and its tie, NaN and error behaviour.
 */
class PoolTest {

    // ----------------------------------------------------------------------------------------------
    // PyTorch references

    private static final Map<String, Function<OpReference, Tensor>> CASES = Map.of(
            "maxpool_k3s2p1", c -> Pool.maxPool2d(c.in("x"), options(c)),
            "maxpool_k2s2", c -> Pool.maxPool2d(c.in("x"), options(c)),
            "maxpool_k2s2_odd", c -> Pool.maxPool2d(c.in("x"), options(c)),
            "avgpool_k3s2p1", c -> Pool.avgPool2d(c.in("x"), options(c)),
            "avgpool_k2s2", c -> Pool.avgPool2d(c.in("x"), options(c)),
            "global_avgpool", c -> Pool.globalAvgPool(c.in("x")),
            "global_avgpool_keepdim", c -> {
                Tensor x = c.in("x");
                return Pool.globalAvgPool(x).reshape(x.size(0), x.size(1), 1, 1);
            });

    private static Pool2dOptions options(OpReference c) {
        assertThat(c.args().get("ceil_mode")).isEqualTo(Boolean.FALSE);
        if (c.args().containsKey("count_include_pad")) {
            assertThat(c.args().get("count_include_pad")).isEqualTo(Boolean.TRUE);
        }
        int[] k = ints(c.args().get("kernel"));
        int[] s = ints(c.args().get("stride"));
        int[] p = ints(c.args().get("padding"));
        return new Pool2dOptions(k[0], k[1], s[0], s[1], p[0], p[1]);
    }

    private static int[] ints(Object o) {
        return ((List<?>) o).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    @Test
    void everyReferenceCaseIsCovered() {
        try (ReferenceFile ref = ReferenceFile.open("pool")) {
            assertThat(CASES.keySet()).containsExactlyInAnyOrderElementsOf(ref.caseNames());
        }
    }

    @TestFactory
    List<DynamicTest> matchesPyTorch() {
        return CASES.keySet().stream().sorted().map(name -> DynamicTest.dynamicTest(name, () -> {
            try (ReferenceFile ref = ReferenceFile.open("pool")) {
                OpReference c = new OpReference(ref, name);
                // Windows of at most 9 values and global means of 42: float32 default tolerance.
                c.check(CASES.get(name).apply(c), Tolerance.F32);
                System.out.println(String.join("\n", c.report()));
            }
        })).toList();
    }

    // ----------------------------------------------------------------------------------------------
    // Naive oracle: explicit padding, whole windows

    /** y, dx for loss = sum(y * gout), from a padded copy of x; max keeps the first strictly greater value. */
    private static double[][] naive(boolean max, double[] x, double[] gout, int n, int c, int h, int w,
                                    Pool2dOptions o) {
        int hp = h + 2 * o.padH();
        int wp = w + 2 * o.padW();
        int oh = (hp - o.kernelH()) / o.strideH() + 1;
        int ow = (wp - o.kernelW()) / o.strideW() + 1;
        double[] y = new double[n * c * oh * ow]; // (N, C, OH, OW)
        double[] dx = new double[x.length]; // (N, C, H, W)
        for (int pl = 0; pl < n * c; pl++) {
            double[] padded = new double[hp * wp]; // (H + 2 PH, W + 2 PW)
            java.util.Arrays.fill(padded, max ? Double.NEGATIVE_INFINITY : 0.0);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    padded[(i + o.padH()) * wp + j + o.padW()] = x[(pl * h + i) * w + j];
                }
            }
            for (int a = 0; a < oh; a++) {
                for (int b = 0; b < ow; b++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0.0;
                    int bi = -1;
                    int bj = -1;
                    for (int i = a * o.strideH(); i < a * o.strideH() + o.kernelH(); i++) {
                        for (int j = b * o.strideW(); j < b * o.strideW() + o.kernelW(); j++) {
                            double v = padded[i * wp + j];
                            if (!max) {
                                acc += v;
                            } else if (v > acc) {
                                acc = v;
                                bi = i - o.padH();
                                bj = j - o.padW();
                            }
                        }
                    }
                    int k = (pl * oh + a) * ow + b;
                    double g = gout[k];
                    if (max) {
                        y[k] = acc;
                        dx[(pl * h + bi) * w + bj] += g;
                    } else {
                        y[k] = acc / (o.kernelH() * o.kernelW());
                        for (int i = a * o.strideH() - o.padH(); i < a * o.strideH() - o.padH() + o.kernelH(); i++) {
                            for (int j = b * o.strideW() - o.padW(); j < b * o.strideW() - o.padW() + o.kernelW(); j++) {
                                if (i >= 0 && i < h && j >= 0 && j < w) {
                                    dx[(pl * h + i) * w + j] += g / (o.kernelH() * o.kernelW());
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {y, dx};
    }

    /** Seeded random shapes and windows (rectangular, padding up to half the window), strided inputs. */
    @TestFactory
    List<DynamicTest> matchesTheNaiveOracle() {
        SplittableRandom rng = new SplittableRandom(301);
        List<DynamicTest> tests = new ArrayList<>();
        int[] sizes = {1, 2, 5, 17};
        while (tests.size() < 48) {
            int n = 1 + rng.nextInt(3);
            int c = 1 + rng.nextInt(4);
            int h = sizes[rng.nextInt(4)];
            int w = sizes[rng.nextInt(4)];
            int kh = 1 + rng.nextInt(4);
            int kw = rng.nextBoolean() ? kh : 1 + rng.nextInt(4);
            Pool2dOptions o = new Pool2dOptions(kh, kw, 1 + rng.nextInt(3), 1 + rng.nextInt(3),
                    rng.nextInt(kh / 2 + 1), rng.nextInt(kw / 2 + 1));
            if (h + 2 * o.padH() < kh || w + 2 * o.padW() < kw) {
                continue;
            }
            boolean max = tests.size() % 2 == 0;
            DType dtype = tests.size() % 4 < 2 ? DType.F32 : DType.F64;
            boolean permuted = rng.nextBoolean();
            long seed = rng.nextLong();
            String label = (max ? "max " : "avg ") + dtype + " x (" + n + ", " + c + ", " + h + ", " + w + ")"
                    + (permuted ? " permuted" : "") + " " + o;
            tests.add(DynamicTest.dynamicTest(label, () -> {
                Tensor leaf = permuted
                        ? Tensor.randn(dtype, seed, n, h, w, c).requiresGrad(true)
                        : Tensor.randn(dtype, seed, n, c, h, w).requiresGrad(true);
                Tensor x = permuted ? leaf.permute(0, 3, 1, 2) : leaf; // (N, C, H, W)
                Tensor y = max ? Pool.maxPool2d(x, o) : Pool.avgPool2d(x, o);
                Tensor gout = Tensor.randn(dtype, seed + 1, y.shape());
                y.backward(gout);
                double[][] ref = naive(max, x.toDoubleArray(), gout.toDoubleArray(), n, c, h, w, o);
                // Max pooling copies values; averages are summed in float64 in the oracle's order and rounded
                // once, so the outputs agree exactly.
                double[] expected = ref[0];
                if (dtype == DType.F32) {
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = (float) expected[i];
                    }
                }
                TensorCompare.assertClose("out", y.toDoubleArray(), expected, y.shape(), Tolerance.EXACT);
                // Overlapping windows add into one float32 gradient element, rounding after each addition.
                Tensor dx = permuted ? leaf.grad().permute(0, 3, 1, 2) : leaf.grad();
                TensorCompare.assertClose("grad x", dx.toDoubleArray(), ref[1], x.shape(),
                        dtype == DType.F32 ? Tolerance.F32 : Tolerance.of(1e-15, 1e-14));
            }));
        }
        return tests;
    }

    // ----------------------------------------------------------------------------------------------
    // Semantics at the edges

    @Test
    void maxPoolSendsTheGradientToTheFirstMaximumOfATiedWindow() {
        Tensor x = Tensor.ones(DType.F64, 1, 1, 3, 4).requiresGrad(true);
        Tensor y = Pool.maxPool2d(x, new Pool2dOptions(2, 2, 1, 2, 0, 0)); // (1, 1, 2, 2)
        y.sum().backward();
        // Windows start at (0, 0), (0, 2), (1, 0), (1, 2): each gives its dy to its top-left element.
        assertThat(x.grad().toDoubleArray()).containsExactly(
                1, 0, 1, 0,
                1, 0, 1, 0,
                0, 0, 0, 0);
    }

    @Test
    void maxPoolPaddingIsMinusInfinityNotZero() {
        Tensor x = Tensor.full(DType.F32, -5.0, 1, 2, 3, 3);
        Tensor y = Pool.maxPool2d(x, 3, 2, 1);
        assertThat(y.toDoubleArray()).containsOnly(-5.0);
    }

    @Test
    void avgPoolCountsThePaddingInTheDivisor() {
        Tensor x = Tensor.ones(DType.F64, 1, 1, 3, 3);
        Tensor y = Pool.avgPool2d(x, 3, 2, 1); // (1, 1, 2, 2): each corner window holds 4 of the 9 ones
        assertThat(y.toDoubleArray()).containsExactly(4.0 / 9, 4.0 / 9, 4.0 / 9, 4.0 / 9);
    }

    @Test
    void maxPoolPropagatesNaN() {
        Tensor x = Tensor.randn(DType.F32, 5, 1, 1, 4, 4);
        x.setDouble(Double.NaN, 0, 0, 1, 1);
        double[] y = Pool.maxPool2d(x, 2, 2, 0).toDoubleArray(); // (1, 1, 2, 2)
        assertThat(y[0]).isNaN();
        assertThat(y[1]).isNotNaN();
        assertThat(y[3]).isNotNaN();
    }

    /**
     * The float32 kernel against its twin, the dtype-generic scan that float64 runs, on values with ties,
     * -inf, NaN and windows hanging over the padding: same outputs, same argmax (seen through the gradient).
     */
    @Test
    void maxPoolFloat32KernelMatchesTheGenericScan() {
        double[] v = Tensor.randn(DType.F64, 7, 2, 3, 9, 8).toDoubleArray(); // (N, C, H, W)
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 7 == 0 ? Math.rint(v[i]) : (float) v[i]; // float32 values; ties among the rounded ones
        }
        v[5] = Double.NaN;
        v[40] = Double.NaN;
        v[41] = Double.NaN;
        v[90] = Double.NEGATIVE_INFINITY;
        for (int i = 200; i < 218; i++) {
            v[i] = Double.NEGATIVE_INFINITY;
        }
        Tensor x64 = Tensor.of(v.clone(), 2, 3, 9, 8).requiresGrad(true);
        Tensor x32 = Tensor.of(v.clone(), 2, 3, 9, 8).to(DType.F32).detach().requiresGrad(true);
        Pool2dOptions o = Pool2dOptions.of(3, 2, 1);
        Tensor y64 = Pool.maxPool2d(x64, o);
        Tensor y32 = Pool.maxPool2d(x32, o);
        assertThat(y32.toDoubleArray()).containsExactly(y64.toDoubleArray());
        double[] g = Tensor.randn(DType.F64, 8, y64.shape()).toDoubleArray(); // (N, C, OH, OW)
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.rint(8 * g[i]); // small integers: float32 sums of them are exact
        }
        Tensor gout = Tensor.of(g, y64.shape());
        y64.backward(gout);
        y32.backward(gout.to(DType.F32));
        assertThat(x32.grad().toDoubleArray()).containsExactly(x64.grad().toDoubleArray());
    }

    @Test
    void globalAvgPoolIsTheMeanOverHeightAndWidth() {
        Tensor x = Tensor.randn(DType.F64, 6, 2, 3, 4, 5).requiresGrad(true);
        Tensor y = Pool.globalAvgPool(x);
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.getDouble(1, 2)).isCloseTo(x.slice(0, 1, 2).slice(1, 2, 3).sum().item() / 20,
                org.assertj.core.api.Assertions.within(1e-14));
        y.sum().backward();
        assertThat(x.grad().toDoubleArray()).containsOnly(1.0 / 20);
    }

    // ----------------------------------------------------------------------------------------------
    // Argument errors

    @Test
    void rejectsWrongRank() {
        assertThatThrownBy(() -> Pool.maxPool2d(Tensor.zeros(DType.F32, 3, 8, 8), 2, 2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_pool2d").hasMessageContaining("4-D").hasMessageContaining("(3, 8, 8)");
        assertThatThrownBy(() -> Pool.avgPool2d(Tensor.zeros(DType.F32, 8, 8), 2, 2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("avg_pool2d").hasMessageContaining("(8, 8)");
        assertThatThrownBy(() -> Pool.globalAvgPool(Tensor.zeros(DType.F32, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("global_avg_pool2d").hasMessageContaining("(2, 3)");
    }

    @Test
    void rejectsBadWindowStrideAndPadding() {
        Tensor x = Tensor.zeros(DType.F32, 1, 1, 8, 8);
        assertThatThrownBy(() -> Pool.maxPool2d(x, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_pool2d: kernel 0");
        assertThatThrownBy(() -> Pool.avgPool2d(x, 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avg_pool2d").hasMessageContaining("stride 0");
        assertThatThrownBy(() -> Pool.maxPool2d(x, 3, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_pool2d")
                .hasMessageContaining("padding 2").hasMessageContaining("kernel / 2");
        assertThatThrownBy(() -> new Pool2dOptions(2, 2, 1, 1, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding (0, 2)");
    }

    @Test
    void rejectsWindowLargerThanThePaddedInput() {
        assertThatThrownBy(() -> Pool.maxPool2d(Tensor.zeros(DType.F32, 2, 3, 2, 9), 5, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_pool2d").hasMessageContaining("window (5, 5)")
                .hasMessageContaining("padded input (4, 11)").hasMessageContaining("(2, 3, 2, 9)");
    }
}
