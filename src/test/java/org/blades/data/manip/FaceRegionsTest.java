package org.blades.data.manip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

// N = landmark count

class FaceRegionsTest {

    @Test
    void canonicalRegionsSitOnTheirLandmarks() {
        FaceLandmarks lm = CanonicalLandmarks.ffhq(224);
        FaceRegions r = FaceRegions.from(lm, 224, 224);
        assertThat(r.leftEye().contains((int) Math.round(lm.x(0)), (int) Math.round(lm.y(0)))).isTrue();
        assertThat(r.rightEye().contains((int) Math.round(lm.x(1)), (int) Math.round(lm.y(1)))).isTrue();
        assertThat(r.nose().contains((int) Math.round(lm.x(2)), (int) Math.round(lm.y(2)))).isTrue();
        assertThat(r.mouth().contains((int) Math.round(lm.x(3)), (int) Math.round(lm.y(3)))).isTrue();
        assertThat(r.mouth().contains((int) Math.round(lm.x(4)), (int) Math.round(lm.y(4)))).isTrue();
        // eyes: corners 0.4 d apart, grown by half an eye width: 0.8 d wide, 0.4 d high (d = 55.1 px at 224)
        double d = Math.hypot(lm.x(1) - lm.x(0), lm.y(1) - lm.y(0));
        assertThat((double) r.leftEye().width()).isBetween(0.8 * d - 2, 0.8 * d + 2);
        assertThat((double) r.leftEye().height()).isBetween(0.4 * d - 2, 0.4 * d + 2);
        assertThat(r.leftEye().x1()).isLessThanOrEqualTo(r.rightEye().x0());
    }

    @Test
    void ibug68UsesTheEyeCornersAndPoint33() {
        double[] xy = new double[136]; // (68, 2)
        for (int i = 0; i < 68; i++) {
            xy[2 * i] = 50;
            xy[2 * i + 1] = 50;
        }
        set(xy, 36, 20, 40);
        set(xy, 39, 32, 41);
        set(xy, 42, 52, 41);
        set(xy, 45, 64, 40);
        set(xy, 33, 42, 58);
        set(xy, 48, 30, 72);
        set(xy, 54, 54, 72);
        set(xy, 8, -30, 500); // the chin may leave the crop: only the points the regions use must lie inside
        FaceRegions r = FaceRegions.from(FaceLandmarks.of(xy), 100, 100);
        // left eye: corners x 20..32, y 40..41, width hypot(12, 1) = 12.04, margin 6.02
        assertThat(r.leftEye()).isEqualTo(new PixelBox(14, 34, 39, 48));
        // mouth: corners 24 apart, margin 8
        assertThat(r.mouth()).isEqualTo(new PixelBox(22, 64, 63, 81));
        // nose: tip (42, 58), eye midpoint (42, 40.5); d = 32, margin 8
        assertThat(r.nose()).isEqualTo(new PixelBox(34, 33, 51, 67));
    }

    @Test
    void mappedFollowsCropAndResize() {
        FaceLandmarks lm = FaceLandmarks.fivePoint(10, 20, 30, 20, 20, 30, 12, 40, 28, 40);
        FaceLandmarks m = lm.mapped(2, 2, -10, -20);
        assertThat(m.x(0)).isEqualTo(10);
        assertThat(m.y(4)).isEqualTo(60);
    }

    @Test
    void landmarkOutsideTheImageIsNamed() {
        FaceLandmarks lm = CanonicalLandmarks.ffhq(512);
        assertThatThrownBy(() -> FaceRegions.from(lm, 224, 224))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'image-left eye centre' (5-point index 0) at (192.98, 239.95)")
                .hasMessageContaining("outside the 224x224 image");
    }

    @Test
    void nonFiniteLandmarkIsNamed() {
        double[] xy = CanonicalLandmarks.ffhq(224).xy().clone();
        xy[5] = Double.NaN;
        assertThatThrownBy(() -> FaceRegions.from(FaceLandmarks.fivePoint(xy), 224, 224))
                .hasMessageContaining("'nose tip'").hasMessageContaining("not finite");
    }

    @Test
    void emptyRegionIsNamed() {
        // both mouth corners on one point: zero width, zero margin, a single pixel
        FaceLandmarks lm = FaceLandmarks.fivePoint(80, 100, 140, 100, 110, 130, 110, 160, 110, 160);
        assertThatThrownBy(() -> FaceRegions.from(lm, 224, 224))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the mouth region")
                .hasMessageContaining("1x1 pixels")
                .hasMessageContaining("below the minimum 2x2");
    }

    @Test
    void coincidingEyesAreNamed() {
        FaceLandmarks lm = FaceLandmarks.fivePoint(100, 100, 100, 100, 110, 130, 90, 160, 130, 160);
        assertThatThrownBy(() -> FaceRegions.from(lm, 224, 224)).hasMessageContaining("eye centres")
                .hasMessageContaining("coincide");
    }

    @Test
    void wrongCoordinateCountIsNamed() {
        assertThatThrownBy(() -> FaceLandmarks.of(new double[12])).hasMessageContaining("12 coordinates match no layout");
        assertThatThrownBy(() -> CanonicalLandmarks.ffhq(0)).hasMessageContaining("crop size 0");
    }

    private static void set(double[] xy, int i, double x, double y) {
        xy[2 * i] = x;
        xy[2 * i + 1] = y;
    }
}
