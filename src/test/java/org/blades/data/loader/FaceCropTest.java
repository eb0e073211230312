package org.blades.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.blades.data.RgbImage;
import org.blades.data.manip.FaceLandmarks;
import org.junit.jupiter.api.Test;

// H/W = image height/width

class FaceCropTest {

    @Test
    void theAuthorsCropShiftsAtTheTopLeftAndCutsAtTheBottomRight() {
        // l, t, r, b = 10, 20 (20.5 rounds to even), 51, 70 (70.5 to even); size = int(50 * 1.3) = 65;
        // centre (30, 45); x0 = max(30 - 32, 0) = 0, y0 = 13; width min(100 - 0, 65), height min(80 - 13, 65)
        assertThat(FaceCrop.around(10.4, 20.5, 50.6, 70.5, 100, 80, 1.3)).isEqualTo(new FaceCrop(0, 13, 65, 65));
        // l, t, r, b = 80, 60, 98, 79; size = int(19 * 1.3) = 24; centre (89, 69); x0, y0 = 77, 57; cut to 23 x 23
        assertThat(FaceCrop.around(80, 60, 98, 79, 100, 80, 1.3)).isEqualTo(new FaceCrop(77, 57, 23, 23));
        // a square box well inside stays square: size = int(40 * 1.3) = 52, centre (50, 40)
        assertThat(FaceCrop.around(30, 20, 70, 60, 100, 80, 1.3)).isEqualTo(new FaceCrop(24, 14, 52, 52));
    }

    @Test
    void emptyOrOutsideBoxesGiveNoCrop() {
        assertThat(FaceCrop.around(50, 50, 50, 50, 100, 80, 1.3)).isNull();
        assertThat(FaceCrop.around(60, 50, 40, 30, 100, 80, 1.3)).isNull();
        assertThat(FaceCrop.around(120, 10, 160, 50, 100, 80, 1.3)).isNull();
        assertThat(FaceCrop.around(Double.NaN, 10, 60, 50, 100, 80, 1.3)).isNull();
    }

    @Test
    void applyCopiesTheRectangleOfEveryChannel() {
        int h = 5;
        int w = 7;
        float[] px = new float[3 * h * w]; // (3, H, W)
        for (int i = 0; i < px.length; i++) {
            px[i] = i;
        }
        RgbImage crop = new FaceCrop(2, 1, 3, 2).apply(new RgbImage(px, h, w));
        assertThat(crop.height()).isEqualTo(2);
        assertThat(crop.width()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    assertThat(crop.at(c, y, x)).isEqualTo((c * h + y + 1) * w + x + 2);
                }
            }
        }
    }

    @Test
    void landmarksMoveWithTheResizedCrop() {
        FaceCrop crop = new FaceCrop(10, 20, 50, 25);
        // the crop's first pixel (10, 20) covers output pixels 0..1 in x (x2) and 0..3 in y (x4): centres 0.5, 1.5;
        // the crop's centre (34.5, 32) is the output's centre (49.5, 49.5)
        FaceLandmarks in = FaceLandmarks.fivePoint(10, 20, 34.5, 32, 0, 0, 0, 0, 0, 0);
        FaceLandmarks out = crop.map(in, 100, 100);
        assertThat(out.x(0)).isCloseTo(0.5, within(1e-12));
        assertThat(out.y(0)).isCloseTo(1.5, within(1e-12));
        assertThat(out.x(1)).isCloseTo(49.5, within(1e-12));
        assertThat(out.y(1)).isCloseTo(49.5, within(1e-12));
    }
}
