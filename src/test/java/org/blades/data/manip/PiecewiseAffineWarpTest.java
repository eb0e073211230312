package org.blades.data.manip;

import org.blades.data.RgbImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

// C = 3 colour channels, H/W = image height/width, G = control points per side

class PiecewiseAffineWarpTest {

    @Test
    void zeroDisplacementIsTheIdentity() {
        RgbImage img = TestImages.noise(37, 53, 3);
        RgbImage out = PiecewiseAffineWarp.warp(img, WarpGrid.identity(5));
        for (int k = 0; k < img.data().length; k++) {
            assertThat((double) out.data()[k]).as("element %d", k).isCloseTo(img.data()[k], within(1e-6));
        }
    }

    @Test
    void boundaryPixelsStayWhenOnlyInteriorPointsMove() {
        RgbImage img = TestImages.noise(48, 64, 4);
        ManipulationParams p = new ManipulationSampler(11).sample(firstWarp(new ManipulationSampler(11)));
        RgbImage out = PiecewiseAffineWarp.warp(img, p.warp());
        int changedInside = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                    boolean border = x == 0 || y == 0 || x == 63 || y == 47;
                    if (border) {
                        assertThat((double) out.at(c, y, x)).as("c %d y %d x %d", c, y, x)
                                .isCloseTo(img.at(c, y, x), within(1e-6));
                    } else if (Math.abs(out.at(c, y, x) - img.at(c, y, x)) > 1e-3) {
                        changedInside++;
                    }
                }
            }
        }
        assertThat(changedInside).isGreaterThan(3 * 46 * 62 / 2);
    }

    @Test
    void displacedControlPointSamplesItsNewPosition() {
        // W - 1 = 64 and H - 1 = 48 are multiples of G - 1 = 4: control points fall on pixel centres
        RgbImage ramp = TestImages.ramp(49, 65);
        double[] off = new double[2 * 5 * 5]; // (G, G, 2)
        off[2 * (2 * 5 + 1)] = 0.05;          // point (row 2, column 1) moves right by 0.05 W = 3.25 px
        off[2 * (2 * 5 + 1) + 1] = -0.04;     // and up by 0.04 H = 1.96 px
        RgbImage out = PiecewiseAffineWarp.warp(ramp, new WarpGrid(5, off));
        int x = 16;
        int y = 24;
        for (int c = 0; c < 3; c++) {
            assertThat((double) out.at(c, y, x)).isCloseTo(TestImages.rampValue(c, x + 3.25, y - 1.96), within(1e-5));
            // a pixel in a cell without that point is unchanged
            assertThat(out.at(c, 40, 60)).isCloseTo(ramp.at(c, 40, 60), within(1e-6f));
        }
    }

    @Test
    void globallyAffineDisplacementWarpsAffinely() {
        // every control point moved by one affine map A: each triangle's map is A, whatever the triangulation
        int h = 41;
        int w = 57;
        int g = 4;
        double[] off = new double[2 * g * g]; // (G, G, 2)
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                double x = j * (w - 1.0) / (g - 1);
                double y = i * (h - 1.0) / (g - 1);
                off[2 * (i * g + j)] = (0.05 * x - 0.03 * y + 0.7) / w;     // A(x, y) - x, as a fraction of W
                off[2 * (i * g + j) + 1] = (0.02 * x + 0.04 * y - 0.4) / h; // A(x, y) - y, as a fraction of H
            }
        }
        RgbImage out = PiecewiseAffineWarp.warp(TestImages.ramp(h, w), new WarpGrid(g, off));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sx = Math.min(w - 1, Math.max(0, x + 0.05 * x - 0.03 * y + 0.7));
                double sy = Math.min(h - 1, Math.max(0, y + 0.02 * x + 0.04 * y - 0.4));
                for (int c = 0; c < 3; c++) {
                    assertThat((double) out.at(c, y, x)).as("c %d y %d x %d", c, y, x)
                            .isCloseTo(TestImages.rampValue(c, sx, sy), within(1e-5));
                }
            }
        }
    }

    @Test
    void tooSmallImageIsNamed() {
        assertThatThrownBy(() -> PiecewiseAffineWarp.warp(new RgbImage(new float[3 * 8], 1, 8), WarpGrid.identity(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1x8 image");
        assertThatThrownBy(() -> new WarpGrid(3, new double[5])).hasMessageContaining("(3, 3, 2) = 18 values, got 5");
    }

    static long firstWarp(ManipulationSampler s) {
        for (long i = 0; ; i++) {
            if (s.sample(i).kind() == Manipulation.GLOBAL_WARP) {
                return i;
            }
        }
    }
}
