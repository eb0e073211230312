package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// C = channels, H/W = image height/width, KH/KW = kernel height/width, OH/OW = output height/width,
// K = C*KH*KW rows and P = OH*OW columns of the column matrix.

/**
 * {@link Im2col} against its per-element twin {@link Im2colScalar} over a grid of odd geometries (1x1 to 7x7
 * and rectangular kernels, strides 1 and 2, paddings 0 to 3, images 1x1 to 17x17), at non-zero array offsets.
 * Both are pure copies (im2col) or sums in the same order (col2im), so they must agree bit for bit.
 */
class Im2colTest {

    /** Every valid geometry of the grid; the kernel must fit the padded image. */
    private static List<ConvGeometry> geometries() {
        int[] channels = {1, 3, 17};
        int[] sizes = {1, 5, 17};
        int[][] kernels = {{1, 1}, {3, 3}, {7, 7}, {2, 5}, {3, 1}};
        int[][] strides = {{1, 1}, {2, 2}, {1, 2}};
        int[][] pads = {{0, 0}, {1, 1}, {3, 3}, {0, 2}};
        List<ConvGeometry> out = new ArrayList<>();
        for (int c : channels) {
            for (int h : sizes) {
                for (int w : sizes) {
                    for (int[] k : kernels) {
                        for (int[] s : strides) {
                            for (int[] p : pads) {
                                if (h + 2 * p[0] >= k[0] && w + 2 * p[1] >= k[1]) {
                                    out.add(new ConvGeometry(c, h, w, k[0], k[1], s[0], s[1], p[0], p[1]));
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static float[] randomFloats(SplittableRandom rng, int n) {
        float[] v = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static double[] randomDoubles(SplittableRandom rng, int n) {
        double[] v = new double[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble() * 2 - 1;
        }
        return v;
    }

    /** Bit-for-bit equality; AssertJ's containsExactly is too slow for a thousand arrays of 10^5 elements. */
    private static void assertSame(String what, float[] actual, float[] expected) {
        int i = java.util.Arrays.mismatch(actual, expected);
        assertThat(i).as("%s: first difference at %d of %d", what, i, expected.length).isEqualTo(-1);
    }

    private static void assertSame(String what, double[] actual, double[] expected) {
        int i = java.util.Arrays.mismatch(actual, expected);
        assertThat(i).as("%s: first difference at %d of %d", what, i, expected.length).isEqualTo(-1);
    }

    @Test
    void gridCoversTheInterestingCases() {
        List<ConvGeometry> gs = geometries();
        assertThat(gs).hasSizeGreaterThan(500);
        assertThat(gs).anyMatch(ConvGeometry::isPointwise);
        assertThat(gs).anyMatch(g -> g.kernelH() == 7 && g.height() == 1 && g.padH() == 3);
    }

    @Test
    void im2colFloatMatchesScalarTwinExactly() {
        SplittableRandom rng = new SplittableRandom(11);
        for (ConvGeometry g : geometries()) {
            int xOff = 3;
            int colsOff = 5;
            float[] x = randomFloats(rng, xOff + g.imageSize() + 2); // (C, H, W) at xOff, guard values around
            int colsLen = colsOff + g.colRows() * g.colCols() + 4;
            float[] fast = randomFloats(rng, colsLen); // (K, P) at colsOff; garbage must be overwritten
            float[] plain = fast.clone(); // (K, P) at colsOff
            Im2col.im2col(x, xOff, g, fast, colsOff);
            Im2colScalar.im2col(x, xOff, g, plain, colsOff);
            assertSame("im2col " + g, fast, plain);
        }
    }

    @Test
    void im2colDoubleMatchesScalarTwinExactly() {
        SplittableRandom rng = new SplittableRandom(12);
        for (ConvGeometry g : geometries()) {
            int xOff = 7;
            int colsOff = 1;
            double[] x = randomDoubles(rng, xOff + g.imageSize() + 3); // (C, H, W) at xOff
            double[] fast = randomDoubles(rng, colsOff + g.colRows() * g.colCols() + 2); // (K, P) at colsOff
            double[] plain = fast.clone(); // (K, P) at colsOff
            Im2col.im2col(x, xOff, g, fast, colsOff);
            Im2colScalar.im2col(x, xOff, g, plain, colsOff);
            assertSame("im2col " + g, fast, plain);
        }
    }

    @Test
    void col2imFloatMatchesScalarTwinExactlyAndAccumulates() {
        SplittableRandom rng = new SplittableRandom(13);
        for (ConvGeometry g : geometries()) {
            int colsOff = 2;
            int dxOff = 4;
            float[] cols = randomFloats(rng, colsOff + g.colRows() * g.colCols()); // (K, P) at colsOff
            float[] fast = randomFloats(rng, dxOff + g.imageSize() + 3); // (C, H, W) at dxOff, prior values kept
            float[] plain = fast.clone(); // (C, H, W) at dxOff
            Im2col.col2im(cols, colsOff, g, fast, dxOff);
            Im2colScalar.col2im(cols, colsOff, g, plain, dxOff);
            assertSame("col2im " + g, fast, plain);
        }
    }

    @Test
    void col2imDoubleMatchesScalarTwinExactly() {
        SplittableRandom rng = new SplittableRandom(14);
        for (ConvGeometry g : geometries()) {
            double[] cols = randomDoubles(rng, g.colRows() * g.colCols()); // (K, P)
            double[] fast = randomDoubles(rng, g.imageSize()); // (C, H, W)
            double[] plain = fast.clone(); // (C, H, W)
            Im2col.col2im(cols, 0, g, fast, 0);
            Im2colScalar.col2im(cols, 0, g, plain, 0);
            assertSame("col2im " + g, fast, plain);
        }
    }

    /**
     * The row-stride variants write (read) only their OH*OW columns of a wider matrix: image 1 of 3 side by
     * side, ldCols = 3*P + 1, with random values in the other columns that must survive.
     */
    @Test
    void stridedVariantsMatchScalarTwinsAndLeaveOtherColumnsAlone() {
        SplittableRandom rng = new SplittableRandom(16);
        for (ConvGeometry g : geometries()) {
            int p = g.colCols();
            int ld = 3 * p + 1;
            int colsOff = 2 + p; // image 1's block
            float[] x = randomFloats(rng, g.imageSize() + 1); // (C, H, W) at 1
            float[] fast = randomFloats(rng, 2 + g.colRows() * ld); // (K, ld) at 2
            float[] plain = fast.clone(); // (K, ld) at 2
            float[] before = fast.clone(); // (K, ld) at 2
            Im2col.im2col(x, 1, g, fast, colsOff, ld);
            Im2colScalar.im2col(x, 1, g, plain, colsOff, ld);
            assertSame("strided im2col " + g, fast, plain);
            for (int r = 0; r < g.colRows(); r++) {
                for (int j = 0; j < ld; j++) {
                    int i = 2 + r * ld + j;
                    if (j < p || j >= 2 * p) {
                        assertThat(fast[i]).as("strided im2col %s wrote column %d of row %d", g, j, r)
                                .isEqualTo(before[i]);
                    }
                }
            }
            float[] dxFast = randomFloats(rng, g.imageSize() + 3); // (C, H, W) at 3
            float[] dxPlain = dxFast.clone(); // (C, H, W) at 3
            Im2col.col2im(fast, colsOff, ld, g, dxFast, 3);
            Im2colScalar.col2im(fast, colsOff, ld, g, dxPlain, 3);
            assertSame("strided col2im " + g, dxFast, dxPlain);
            float[] dxDense = java.util.Arrays.copyOf(dxPlain, dxPlain.length); // (C, H, W) at 3
            float[] block = new float[g.colRows() * p]; // (K, P) image 1's block, compacted
            for (int r = 0; r < g.colRows(); r++) {
                System.arraycopy(fast, colsOff + r * ld, block, r * p, p);
            }
            java.util.Arrays.fill(dxDense, 0f);
            java.util.Arrays.fill(dxPlain, 0f);
            Im2col.col2im(block, 0, g, dxDense, 3);
            Im2col.col2im(fast, colsOff, ld, g, dxPlain, 3);
            assertSame("strided col2im vs compacted " + g, dxPlain, dxDense);
        }
        assertThatThrownBy(() -> Im2col.im2col(new float[27], 0, new ConvGeometry(1, 3, 3, 1, 1, 1, 1, 0, 0),
                new float[27], 0, 8)).hasMessageContaining("row stride 8 < OH*OW = 9");
    }

    /** col2im is the adjoint of im2col: <im2col(x), c> == <x, col2im(c)>. Pins the scalar twins themselves. */
    @Test
    void col2imIsTheAdjointOfIm2col() {
        SplittableRandom rng = new SplittableRandom(15);
        for (ConvGeometry g : geometries()) {
            double[] x = randomDoubles(rng, g.imageSize()); // (C, H, W)
            double[] c = randomDoubles(rng, g.colRows() * g.colCols()); // (K, P)
            double[] cols = new double[c.length]; // (K, P)
            double[] back = new double[x.length]; // (C, H, W)
            Im2colScalar.im2col(x, 0, g, cols, 0);
            Im2colScalar.col2im(c, 0, g, back, 0);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < c.length; i++) {
                lhs += cols[i] * c[i];
            }
            for (int i = 0; i < x.length; i++) {
                rhs += x[i] * back[i];
            }
            assertThat(lhs).as("adjoint %s", g).isCloseTo(rhs, within(1e-10 * (1 + Math.abs(rhs))));
        }
    }

    @Test
    void paddingReadsAsZeroAndStrideSkips() {
        // One 2x3 image, 2x2 kernel, stride (1, 2), padding (1, 1): OH = 3, OW = 2.
        ConvGeometry g = new ConvGeometry(1, 2, 3, 2, 2, 1, 2, 1, 1);
        float[] x = {1, 2, 3, 4, 5, 6}; // (1, 2, 3)
        float[] cols = new float[4 * 6]; // (4, 6)
        Im2col.im2col(x, 0, g, cols, 0);
        // row (kh, kw) = (0, 0) reads x[oh - 1, 2*ow - 1]; (1, 1) reads x[oh, 2*ow]
        assertThat(java.util.Arrays.copyOfRange(cols, 0, 6)).containsExactly(0, 0, 0, 2, 0, 5);
        assertThat(java.util.Arrays.copyOfRange(cols, 18, 24)).containsExactly(1, 3, 4, 6, 0, 0);
    }

    @Test
    void geometryRejectsAKernelLargerThanThePaddedImage() {
        assertThatThrownBy(() -> new ConvGeometry(3, 2, 5, 7, 3, 1, 1, 2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernel (7, 3)").hasMessageContaining("padded input (6, 5)");
        assertThatThrownBy(() -> new ConvGeometry(3, 5, 5, 3, 3, 0, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride (0, 1)");
    }
}
