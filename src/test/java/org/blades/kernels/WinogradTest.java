package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// N = batch, C = input channels, O = output channels, H/W = image height/width, TH/TW = tiles per column/row,
// TT = TH*TW, e = one of the 16 positions of a transformed tile.

/**
 * {@link Winograd} F(2x2, 3x3): the paper's per-tile matrix products ({@link WinogradScalar#forward}, float64)
 * against the direct convolution {@link ConvScalar}, and the fast row-wise transforms against their tile-by-tile
 * twins in {@link WinogradScalar} (same operations in the same order, so bit for bit), on odd and even sizes
 * from 1x1 up, at non-zero offsets and with row strides wider than one image.
 */
class WinogradTest {

    /** (H, W) pairs: 1x1, 2x2, 3x3, odd and even mixes, and ResNet's smallest stage. */
    private static final int[][] SIZES = {{1, 1}, {2, 2}, {3, 3}, {5, 7}, {4, 6}, {7, 7}, {1, 5}, {6, 3}, {8, 8}};
    private static final int[] CHANNELS = {1, 3, 17};

    private static double[] randomDoubles(SplittableRandom rng, int n) {
        double[] v = new double[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble() * 2 - 1;
        }
        return v;
    }

    private static float[] randomFloats(SplittableRandom rng, int n) {
        float[] v = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static void assertSame(String what, float[] actual, float[] expected) {
        int i = java.util.Arrays.mismatch(actual, expected);
        assertThat(i).as("%s: first difference at %d of %d", what, i, expected.length).isEqualTo(-1);
    }

    /**
     * Float64 Winograd equals the direct sum up to rounding: both sum 9C products of unit-size terms, the
     * Winograd one after transforms with entries 1/2 and +-1 (a few extra roundings per term), so the difference
     * is a few hundred ulps of the partial sums at most, far below 1e-12 for C <= 17.
     */
    @TestFactory
    List<DynamicTest> float64WinogradEqualsTheDirectConvolution() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] hw : SIZES) {
            for (int c : CHANNELS) {
                for (int o : CHANNELS) {
                    int n = 1 + (hw[0] + c + o) % 3;
                    tests.add(DynamicTest.dynamicTest("N " + n + " C " + c + " O " + o + " " + hw[0] + "x" + hw[1],
                            () -> {
                                ConvGeometry g = new ConvGeometry(c, hw[0], hw[1], 3, 3, 1, 1, 1, 1);
                                SplittableRandom rng = new SplittableRandom(31L * c + 7L * o + hw[0] * 100 + hw[1]);
                                double[] x = randomDoubles(rng, n * g.imageSize()); // (N, C, H, W)
                                double[] w = randomDoubles(rng, o * c * 9); // (O, C, 3, 3)
                                double[] expected = new double[n * o * hw[0] * hw[1]]; // (N, O, H, W)
                                ConvScalar.forward(x, w, null, expected, n, o, g);
                                double[] actual = new double[expected.length]; // (N, O, H, W)
                                WinogradScalar.forward(x, w, actual, n, o, g);
                                for (int i = 0; i < expected.length; i++) {
                                    assertThat(Math.abs(actual[i] - expected[i])).as("element %d", i)
                                            .isLessThanOrEqualTo(1e-12);
                                }
                            }));
                }
            }
        }
        return tests;
    }

    @Test
    void appliesOnlyToThreeByThreeStrideOnePaddingOne() {
        assertThat(Winograd.applies(new ConvGeometry(3, 5, 5, 3, 3, 1, 1, 1, 1))).isTrue();
        assertThat(Winograd.applies(new ConvGeometry(3, 5, 5, 3, 3, 2, 2, 1, 1))).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(3, 5, 5, 3, 3, 1, 1, 0, 0))).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(3, 5, 5, 1, 1, 1, 1, 0, 0))).isFalse();
        assertThat(Winograd.applies(new ConvGeometry(3, 5, 5, 3, 1, 1, 1, 1, 0))).isFalse();
        assertThatThrownBy(() -> WinogradScalar.forward(new double[25], new double[9], new double[9], 1, 1,
                new ConvGeometry(1, 5, 5, 3, 3, 2, 2, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 1");
    }

    /** Input and output transforms over planes at offsets, V/M rows wider than one plane's tiles. */
    @TestFactory
    List<DynamicTest> fastTransformsMatchTheTileByTileTwinsBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][] sizes = {{1, 1}, {2, 2}, {3, 3}, {5, 7}, {4, 6}, {7, 7}, {1, 5}, {6, 3}, {14, 14}, {15, 9}, {56, 56}};
        for (int[] hw : sizes) {
            tests.add(DynamicTest.dynamicTest(hw[0] + "x" + hw[1], () -> {
                int H = hw[0];
                int W = hw[1];
                int TT = Winograd.tiles(H) * Winograd.tiles(W);
                SplittableRandom rng = new SplittableRandom(H * 1000L + W);
                int xOff = 5;
                int vOff = 3;
                int stride = TT + 11;
                float[] x = randomFloats(rng, xOff + H * W + 4); // (H, W) at xOff
                float[] fast = randomFloats(rng, vOff + 16 * stride); // (16, stride) at vOff
                float[] twin = fast.clone();
                Winograd.inputPlane(x, xOff, H, W, fast, vOff, stride);
                WinogradScalar.inputPlane(x, xOff, H, W, twin, vOff, stride);
                assertSame("V", fast, twin);

                float[] m = randomFloats(rng, vOff + 16 * stride); // (16, stride) at vOff
                float[] y = randomFloats(rng, xOff + H * W + 4); // (H, W) at xOff
                float[] yTwin = y.clone();
                Winograd.outputPlane(m, vOff, stride, H, W, y, xOff);
                WinogradScalar.outputPlane(m, vOff, stride, H, W, yTwin, xOff);
                assertSame("Y", y, yTwin);
            }));
        }
        return tests;
    }

    @Test
    void weightTransformsMatchTheTwinsBitForBit() {
        SplittableRandom rng = new SplittableRandom(77);
        for (int[] oc : new int[][] {{1, 1}, {3, 17}, {17, 3}, {64, 64}}) {
            int O = oc[0];
            int C = oc[1];
            float[] w = randomFloats(rng, O * C * 9); // (O, C, 3, 3)
            int es = Winograd.blockStride(O * C);
            float[] fast = new float[16 * es]; // (16, es): U_e (O, C) at e*es
            float[] twin = new float[16 * es]; // (16, es)
            Winograd.weights(w, O, C, fast, es, 0, O / 2);
            Winograd.weights(w, O, C, fast, es, O / 2, O);
            WinogradScalar.weights(w, O, C, twin, es, 0, O);
            assertSame("U " + O + "x" + C, fast, twin);
            float[] fastRot = new float[16 * es]; // (16, es): U'_e (C, O) at e*es
            float[] twinRot = new float[16 * es]; // (16, es)
            Winograd.weightsRotated(w, O, C, fastRot, es, 0, C / 2);
            Winograd.weightsRotated(w, O, C, fastRot, es, C / 2, C);
            WinogradScalar.weightsRotated(w, O, C, twinRot, es, 0, C);
            assertSame("U' " + O + "x" + C, fastRot, twinRot);
        }
    }

    /** p = (0 1 2 3) -> (3 1 2 0): P G = G J, with J reversing three entries. */
    private static int flip(int r) {
        return r == 0 || r == 3 ? 3 - r : r;
    }

    /**
     * The identity behind the input gradient's transform: with w'[c, o] = rot180(w[o, c]) = J w[o, c] J and
     * G J = P G, {@code G w' G^T = P (G w G^T) P^T}, so U'_e[c, o] = U_{pi(e)}[o, c] with
     * pi(4r + s) = 4 p(r) + p(s); bit for bit, since the float32 transform then adds the same pairs in swapped
     * order. (The GEMMs could read U^T, permuted, instead of U'; packing a transposed operand gathers, which
     * measured 3 times the cost of the plain copy and more than the rotated transform saves.)
     */
    @Test
    void rotatedTransformIsTheForwardTransformTransposedAndPermuted() {
        SplittableRandom rng = new SplittableRandom(78);
        for (int[] oc : new int[][] {{1, 1}, {3, 17}, {17, 3}, {64, 64}}) {
            int O = oc[0];
            int C = oc[1];
            float[] w = randomFloats(rng, O * C * 9); // (O, C, 3, 3)
            int es = Winograd.blockStride(O * C);
            float[] u = new float[16 * es]; // (16, es): U_e (O, C) at e*es
            Winograd.weights(w, O, C, u, es, 0, O);
            float[] ur = new float[16 * es]; // (16, es): U'_e (C, O) at e*es
            Winograd.weightsRotated(w, O, C, ur, es, 0, C);
            for (int e = 0; e < 16; e++) {
                int pe = 4 * flip(e / 4) + flip(e % 4);
                for (int c = 0; c < C; c++) {
                    for (int o = 0; o < O; o++) {
                        assertThat(Float.floatToRawIntBits(ur[e * es + c * O + o])).as("U'_%d[%d, %d] of %dx%d", e,
                                c, o, O, C).isEqualTo(Float.floatToRawIntBits(u[pe * es + o * C + c]));
                    }
                }
            }
        }
    }

    /**
     * The Winograd weight gradient (adjoints of the output and weight transforms, dU summed over tiles) equals the
     * direct one in float64: the same 9 * N * H * W products per weight, a few extra roundings each.
     */
    @TestFactory
    List<DynamicTest> float64WinogradWeightGradientEqualsTheDirectOne() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] hw : new int[][] {{1, 1}, {2, 2}, {3, 3}, {5, 7}, {7, 7}, {4, 6}}) {
            for (int c : CHANNELS) {
                for (int o : CHANNELS) {
                    int n = 1 + (hw[1] + c + o) % 3;
                    tests.add(DynamicTest.dynamicTest("N " + n + " C " + c + " O " + o + " " + hw[0] + "x" + hw[1],
                            () -> {
                                ConvGeometry g = new ConvGeometry(c, hw[0], hw[1], 3, 3, 1, 1, 1, 1);
                                SplittableRandom rng = new SplittableRandom(37L * c + 5L * o + hw[0] * 100 + hw[1]);
                                double[] x = randomDoubles(rng, n * g.imageSize()); // (N, C, H, W)
                                double[] dy = randomDoubles(rng, n * o * hw[0] * hw[1]); // (N, O, H, W)
                                double[] start = randomDoubles(rng, o * c * 9); // (O, C, 3, 3)
                                double[] expected = start.clone(); // (O, C, 3, 3)
                                ConvScalar.backward(x, new double[o * c * 9], dy, null, expected, null, n, o, g);
                                double[] actual = start.clone(); // (O, C, 3, 3)
                                WinogradScalar.weightGradient(x, dy, actual, n, o, g);
                                for (int i = 0; i < expected.length; i++) {
                                    assertThat(Math.abs(actual[i] - expected[i])).as("element %d", i)
                                            .isLessThanOrEqualTo(1e-12);
                                }
                            }));
                }
            }
        }
        return tests;
    }

    /** The adjoint output transform over planes at offsets, dM rows wider than one plane's tiles. */
    @TestFactory
    List<DynamicTest> adjointOutputTransformMatchesTheTileByTileTwinBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][] sizes = {{1, 1}, {2, 2}, {3, 3}, {5, 7}, {4, 6}, {7, 7}, {1, 5}, {6, 3}, {14, 14}, {15, 9}, {56, 56}};
        for (int[] hw : sizes) {
            tests.add(DynamicTest.dynamicTest(hw[0] + "x" + hw[1], () -> {
                int H = hw[0];
                int W = hw[1];
                int TT = Winograd.tiles(H) * Winograd.tiles(W);
                SplittableRandom rng = new SplittableRandom(H * 1000L + W + 1);
                int dyOff = 6;
                int mOff = 2;
                int stride = TT + 13;
                float[] dy = randomFloats(rng, dyOff + H * W + 3); // (H, W) at dyOff
                float[] fast = randomFloats(rng, mOff + 16 * stride); // (16, stride) at mOff
                float[] twin = fast.clone();
                Winograd.outputPlaneAdjoint(dy, dyOff, H, W, fast, mOff, stride);
                WinogradScalar.outputPlaneAdjoint(dy, dyOff, H, W, twin, mOff, stride);
                assertSame("dM", fast, twin);
            }));
        }
        return tests;
    }

    /** The adjoint weight transform adds into dw, over two row ranges, as its twin does in one. */
    @Test
    void adjointWeightTransformMatchesTheTwinBitForBit() {
        SplittableRandom rng = new SplittableRandom(79);
        for (int[] oc : new int[][] {{1, 1}, {3, 17}, {17, 3}, {64, 64}}) {
            int O = oc[0];
            int C = oc[1];
            int es = Winograd.blockStride(O * C);
            float[] du = randomFloats(rng, 16 * es); // (16, es): dU_e (O, C) at e*es
            float[] fast = randomFloats(rng, O * C * 9); // (O, C, 3, 3)
            float[] twin = fast.clone();
            Winograd.weightsAdjoint(du, es, O, C, fast, 0, O / 2);
            Winograd.weightsAdjoint(du, es, O, C, fast, O / 2, O);
            WinogradScalar.weightsAdjoint(du, es, O, C, twin, 0, O);
            assertSame("dw " + O + "x" + C, fast, twin);
        }
    }

    /**
     * The whole float32 pipeline from the twins (U, V, the per-position products summed in float64, A^T M A)
     * equals the direct convolution to float32 accuracy, and the rotated weights give the input gradient: a
     * check that the transforms fit together and that U' is the transform of rot180(w)^T.
     */
    @Test
    void twinsComposeToTheConvolutionAndItsInputGradient() {
        SplittableRandom rng = new SplittableRandom(91);
        int N = 2, C = 3, O = 5, H = 5, W = 6;
        ConvGeometry g = new ConvGeometry(C, H, W, 3, 3, 1, 1, 1, 1);
        float[] x = randomFloats(rng, N * C * H * W); // (N, C, H, W)
        float[] w = randomFloats(rng, O * C * 9); // (O, C, 3, 3)
        float[] dy = randomFloats(rng, N * O * H * W); // (N, O, H, W)
        double[] y = new double[N * O * H * W]; // (N, O, H, W)
        ConvScalar.forward(toDouble(x), toDouble(w), null, y, N, O, g);
        double[] dx = new double[N * C * H * W]; // (N, C, H, W)
        ConvScalar.backward(toDouble(x), toDouble(w), toDouble(dy), dx, null, null, N, O, g);

        float[] u = new float[16 * O * C]; // (16, O, C)
        WinogradScalar.weights(w, O, C, u, O * C, 0, O);
        assertClose("y", pipeline(x, u, N, C, O, H, W), y);
        float[] ur = new float[16 * O * C]; // (16, C, O)
        WinogradScalar.weightsRotated(w, O, C, ur, O * C, 0, C);
        assertClose("dx", pipeline(dy, ur, N, O, C, H, W), dx);
    }

    /** @param u (16, cout, cin); @return (N, cout, H, W) */
    private static float[] pipeline(float[] in, float[] u, int N, int cin, int cout, int H, int W) {
        int TT = Winograd.tiles(H) * Winograd.tiles(W);
        float[] out = new float[N * cout * H * W]; // (N, cout, H, W)
        for (int n = 0; n < N; n++) {
            float[] v = new float[16 * cin * TT]; // (16, cin, TT)
            for (int c = 0; c < cin; c++) {
                WinogradScalar.inputPlane(in, (n * cin + c) * H * W, H, W, v, c * TT, cin * TT);
            }
            float[] m = new float[16 * cout * TT]; // (16, cout, TT)
            for (int e = 0; e < 16; e++) {
                for (int o = 0; o < cout; o++) {
                    for (int t = 0; t < TT; t++) {
                        double acc = 0;
                        for (int c = 0; c < cin; c++) {
                            acc += (double) u[(e * cout + o) * cin + c] * v[(e * cin + c) * TT + t];
                        }
                        m[(e * cout + o) * TT + t] = (float) acc;
                    }
                }
            }
            for (int o = 0; o < cout; o++) {
                WinogradScalar.outputPlane(m, o * TT, cout * TT, H, W, out, (n * cout + o) * H * W);
            }
        }
        return out;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length]; // (a.length)
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Float32 transforms of unit-size values and 9C <= 45 terms: a few ulps of values up to ~10, below 1e-5. */
    private static void assertClose(String what, float[] actual, double[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s element %d: %s vs %s", what, i, actual[i],
                    expected[i]).isLessThanOrEqualTo(1e-5 + 1e-5 * Math.abs(expected[i]));
        }
    }
}
