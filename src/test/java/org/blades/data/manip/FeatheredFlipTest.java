package org.blades.data.manip;

import org.blades.data.RgbImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

// C = 3 colour channels, H/W = image height/width

class FeatheredFlipTest {

    private static final RgbImage IMAGE = TestImages.noise(40, 50, 7);
    private static final PixelBox BOX = new PixelBox(12, 9, 31, 20);

    @Test
    void horizontalFlipMirrorsExactlyTheBox() {
        RgbImage f = FeatheredFlip.flip(IMAGE, BOX, FlipAxis.HORIZONTAL);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 50; x++) {
                    float expected = BOX.contains(x, y) ? IMAGE.at(c, y, BOX.x0() + BOX.x1() - 1 - x) : IMAGE.at(c, y, x);
                    assertThat(f.at(c, y, x)).as("c %d y %d x %d", c, y, x).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void verticalFlipMirrorsRowsAndBothIsTheComposition() {
        RgbImage v = FeatheredFlip.flip(IMAGE, BOX, FlipAxis.VERTICAL);
        assertThat(v.at(1, BOX.y0(), 20)).isEqualTo(IMAGE.at(1, BOX.y1() - 1, 20));
        assertThat(v.at(2, 5, 20)).isEqualTo(IMAGE.at(2, 5, 20));
        RgbImage both = FeatheredFlip.flip(IMAGE, BOX, FlipAxis.BOTH);
        assertThat(both.data()).containsExactly(FeatheredFlip.flip(v, BOX, FlipAxis.HORIZONTAL).data());
        assertThat(FeatheredFlip.flip(both, BOX, FlipAxis.BOTH).data()).containsExactly(IMAGE.data());
        assertThat(IMAGE.data()).containsExactly(TestImages.noise(40, 50, 7).data()); // the input is never written
    }

    @Test
    void maskIsOneInsideZeroOutsideAndSymmetric() {
        PixelBox box = new PixelBox(20, 20, 52, 44); // shorter side 24, sigma 3, radius 12
        double sigma = FeatheredFlip.featherSigma(box, 1.0 / 8);
        assertThat(sigma).isEqualTo(3.0);
        assertThat(FeatheredFlip.featherRadius(sigma)).isEqualTo(12);
        float[] m = FeatheredFlip.featherMask(80, 90, box, sigma); // (H, W)
        // deep inside (4 sigma from every edge): (1 - 2 Q(4))^2 = 0.99987
        assertThat((double) m[32 * 90 + 36]).isGreaterThan(0.9998);
        // beyond the kernel radius outside the box: exactly 0
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 90; x++) {
                boolean far = x < box.x0() - 12 || x >= box.x1() + 12 || y < box.y0() - 12 || y >= box.y1() + 12;
                if (far) {
                    assertThat(m[y * 90 + x]).as("y %d x %d", y, x).isZero();
                }
                assertThat(m[y * 90 + x]).isBetween(0f, 1.0000001f);
            }
        }
        // symmetric about the box centre, both axes; monotone from the centre outwards
        for (int y = 0; y < 80; y++) {
            int my = box.y0() + box.y1() - 1 - y;
            for (int x = 0; x < 90; x++) {
                int mx = box.x0() + box.x1() - 1 - x;
                if (mx >= 0 && mx < 90 && my >= 0 && my < 80) {
                    assertThat((double) m[y * 90 + mx]).isCloseTo(m[y * 90 + x], within(1e-6));
                    assertThat((double) m[my * 90 + x]).isCloseTo(m[y * 90 + x], within(1e-6));
                }
            }
        }
        for (int x = 36; x < 89; x++) {
            assertThat(m[32 * 90 + x + 1]).isLessThanOrEqualTo(m[32 * 90 + x] + 1e-7f);
        }
        // on the box's last pixel column the mask is the Gaussian's mass within half a pixel beyond its centre
        double edge = 0.5 * (1 + erfApprox(0.5 / (3 * Math.sqrt(2))));
        assertThat((double) m[32 * 90 + box.x1() - 1]).isCloseTo(edge, within(0.02));
    }

    @Test
    void blurKeepsAFullIntervalAtOneAcrossTheBorder() {
        double[] b = FeatheredFlip.blurredInterval(9, 0, 9, 4.0, 16); // kernel wider than the axis: folds repeatedly
        for (double v : b) {
            assertThat(v).isCloseTo(1.0, within(1e-12));
        }
        assertThat(FeatheredFlip.reflect101(-1, 5)).isEqualTo(1);
        assertThat(FeatheredFlip.reflect101(5, 5)).isEqualTo(3);
        assertThat(FeatheredFlip.reflect101(-9, 5)).isEqualTo(1);
        assertThat(FeatheredFlip.reflect101(3, 1)).isZero();
    }

    @Test
    void separableMaskEqualsThePlainTwoDimensionalBlur() {
        // a box touching two image borders, so reflect-101 matters on both axes
        int h = 30;
        int w = 26;
        PixelBox box = new PixelBox(0, 17, 9, 30);
        double sigma = 2.2;
        int r = FeatheredFlip.featherRadius(sigma);
        float[] mask = FeatheredFlip.featherMask(h, w, box, sigma); // (H, W)
        double norm = 0;
        for (int t = -r; t <= r; t++) {
            norm += Math.exp(-t * t / (2 * sigma * sigma));
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int sy = FeatheredFlip.reflect101(y + dy, h);
                        int sx = FeatheredFlip.reflect101(x + dx, w);
                        if (box.contains(sx, sy)) {
                            acc += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                        }
                    }
                }
                assertThat((double) mask[y * w + x]).as("y %d x %d", y, x).isCloseTo(acc / (norm * norm), within(1e-7));
            }
        }
    }

    @Test
    void blendLeavesPixelsOutsideTheMaskAndScalesByStrength() {
        float[] mask = new float[40 * 50]; // (H, W)
        float[] out = new float[40 * 50];  // (H, W)
        RgbImage full = FeatheredFlip.flipAndBlend(IMAGE, BOX, FlipAxis.HORIZONTAL, 1.0 / 8, 1.0, mask);
        RgbImage weak = FeatheredFlip.flipAndBlend(IMAGE, BOX, FlipAxis.HORIZONTAL, 1.0 / 8, 0.75, out);
        PixelBox flipBox = BOX.grownCentred(FeatheredFlip.featherRadius(FeatheredFlip.featherSigma(BOX, 1.0 / 8)), 40, 50);
        RgbImage flipped = FeatheredFlip.flip(IMAGE, flipBox, FlipAxis.HORIZONTAL);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 50; x++) {
                    if (!flipBox.contains(x, y)) {
                        assertThat(full.at(c, y, x)).isEqualTo(IMAGE.at(c, y, x));
                    }
                    double a = 0.75 * mask[y * 50 + x];
                    double expected = a * flipped.at(c, y, x) + (1 - a) * IMAGE.at(c, y, x);
                    assertThat((double) weak.at(c, y, x)).isCloseTo(expected, within(1e-6));
                }
            }
        }
        assertThat((double) out[14 * 50 + 21]).isCloseTo(0.75 * mask[14 * 50 + 21], within(1e-7));
    }

    @Test
    void grownBoxStaysCentredAtTheBorder() {
        PixelBox b = new PixelBox(3, 10, 20, 30).grownCentred(5, 100, 22);
        assertThat(b).isEqualTo(new PixelBox(1, 5, 22, 35));
    }

    @Test
    void boxOutsideTheImageIsNamed() {
        assertThatThrownBy(() -> FeatheredFlip.flip(IMAGE, new PixelBox(40, 0, 60, 10), FlipAxis.BOTH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flip: region x [40, 60) y [0, 10) exceeds the 40x50 image");
        assertThatThrownBy(() -> FeatheredFlip.flip(IMAGE, new PixelBox(4, 4, 4, 10), FlipAxis.BOTH))
                .hasMessageContaining("is empty");
    }

    /** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), enough for a 0.02 check. */
    private static double erfApprox(double x) {
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return 1 - poly * Math.exp(-x * x);
    }
}
