package org.blades.data.manip;

import org.blades.data.RgbImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

// G = warp control points per side

class ManipulationSamplerTest {

    private static final int N = 10_000;

    @Test
    void halfArePhotographsAndTheRestSpreadEvenly() {
        ManipulationSampler s = new ManipulationSampler(42);
        Map<Manipulation, Integer> counts = new EnumMap<>(Manipulation.class);
        int rightEyes = 0;
        for (int i = 0; i < N; i++) {
            ManipulationParams p = s.sample(i);
            counts.merge(p.kind(), 1, Integer::sum);
            rightEyes += p.eye() == EyeSide.RIGHT ? 1 : 0;
        }
        // binomial standard deviations: 50 for p = 0.5, 30 for p = 0.1; bounds at 4 of them
        assertThat(counts.get(Manipulation.NONE)).isBetween(4800, 5200);
        for (Manipulation m : List.of(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP, Manipulation.MOUTH_VFLIP,
                Manipulation.NOSE_FLIP, Manipulation.GLOBAL_WARP)) {
            assertThat(counts.get(m)).as(m.name()).isBetween(880, 1120);
        }
        assertThat(rightEyes).isBetween(4800, 5200);
    }

    @Test
    void authorsCodeOptionsSplitTheHalfInFour() {
        ManipulationSampler s = new ManipulationSampler(1, ManipulationOptions.authorsCode());
        Map<Manipulation, Integer> counts = new EnumMap<>(Manipulation.class);
        int weak = 0;
        for (int i = 0; i < N; i++) {
            ManipulationParams p = s.sample(i);
            counts.merge(p.kind(), 1, Integer::sum);
            weak += p.blendStrength() == 0.75 ? 1 : 0;
        }
        assertThat(counts).doesNotContainKey(Manipulation.NOSE_FLIP);
        for (Manipulation m : List.of(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP, Manipulation.MOUTH_VFLIP,
                Manipulation.GLOBAL_WARP)) {
            assertThat(counts.get(m)).as(m.name()).isBetween(1118, 1382); // 1250 +- 4 x 33
        }
        assertThat(weak).isBetween(2327, 2673); // 2500 +- 4 x 43
    }

    @Test
    void warpScaleAndGridFollowTheOptions() {
        ManipulationSampler s = new ManipulationSampler(5);
        double sumSquares = 0;
        int count = 0;
        for (int i = 0; i < 2000; i++) {
            WarpGrid grid = s.sample(i).warp();
            int g = grid.points();
            assertThat(g).isEqualTo(5);
            for (int r = 0; r < g; r++) {
                for (int c = 0; c < g; c++) {
                    boolean boundary = r == 0 || c == 0 || r == g - 1 || c == g - 1;
                    if (boundary) {
                        assertThat(grid.dx(r, c)).isZero();
                        assertThat(grid.dy(r, c)).isZero();
                    } else {
                        sumSquares += grid.dx(r, c) * grid.dx(r, c) + grid.dy(r, c) * grid.dy(r, c);
                        count += 2;
                    }
                }
            }
        }
        // offsets are s N(0, 1) with s ~ U[0.04, 0.05]: RMS sqrt(E s^2) = 0.04509; 36,000 draws,
        // relative standard error 1 / sqrt(2 x 36,000) = 0.37 %, bounds at 4 of them
        assertThat(Math.sqrt(sumSquares / count)).isBetween(0.0444, 0.0458);
    }

    @Test
    void sameIndexAndSeedGiveTheSameParametersInAnyOrder() {
        ManipulationSampler s = new ManipulationSampler(2024);
        List<ManipulationParams> forward = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            forward.add(s.sample(i));
        }
        for (int i = 499; i >= 0; i--) {
            assertThat(new ManipulationSampler(2024).sample(i)).isEqualTo(forward.get(i));
        }
        List<ManipulationParams> parallel = IntStream.range(0, 500).parallel().mapToObj(s::sample).toList();
        assertThat(parallel).isEqualTo(forward);
        long differing = IntStream.range(0, 500)
                .filter(i -> !new ManipulationSampler(2025).sample(i).equals(forward.get(i))).count();
        assertThat(differing).isEqualTo(500);
    }

    @Test
    void sameIndexAndSeedGiveTheSamePixels() {
        RgbImage img = TestImages.noise(96, 96, 9);
        FaceRegions regions = FaceRegions.from(CanonicalLandmarks.ffhq(96), 96, 96);
        FaceManipulator m = new FaceManipulator(ManipulationOptions.defaults());
        ManipulationSampler s = new ManipulationSampler(77);
        List<RgbImage> first = IntStream.range(0, 40).mapToObj(i -> m.apply(img, regions, s.sample(i)).image()).toList();
        List<RgbImage> again = IntStream.range(0, 40).parallel().map(i -> 39 - i)
                .mapToObj(i -> m.apply(img, regions, new ManipulationSampler(77).sample(i)).image()).toList();
        for (int i = 0; i < 40; i++) {
            assertThat(again.get(39 - i).data()).as("sample %d", i).containsExactly(first.get(i).data());
        }
        for (int i = 0; i < 40; i++) {
            boolean photo = s.sample(i).kind() == Manipulation.NONE;
            assertThat(java.util.Arrays.equals(first.get(i).data(), img.data()))
                    .as("sample %d (%s) unchanged", i, s.sample(i).kind()).isEqualTo(photo);
        }
    }

    @Test
    void labelsMarkTheManipulatedRegions() {
        assertThat(Manipulation.NONE.labels()).isEqualTo(new ManipulationLabels(false, false, false, false));
        assertThat(Manipulation.EYE_HFLIP.labels()).isEqualTo(new ManipulationLabels(true, true, false, false));
        assertThat(Manipulation.MOUTH_HFLIP.labels()).isEqualTo(new ManipulationLabels(true, false, true, false));
        assertThat(Manipulation.MOUTH_VFLIP.labels()).isEqualTo(new ManipulationLabels(true, false, true, false));
        assertThat(Manipulation.NOSE_FLIP.labels()).isEqualTo(new ManipulationLabels(true, false, false, true));
        assertThat(Manipulation.GLOBAL_WARP.labels()).isEqualTo(new ManipulationLabels(true, true, true, true));
        // prompt order of the fine task: mouth, eye, nose
        assertThat(Manipulation.EYE_HFLIP.labels().fineTargets()).containsExactly(0f, 1f, 0f);
        assertThat(Manipulation.GLOBAL_WARP.labels().fineTargets()).containsExactly(1f, 1f, 1f);
        assertThat(Manipulation.NONE.labels().coarseClass()).isZero();
        assertThat(Manipulation.NOSE_FLIP.labels().coarseClass()).isOne();

        RgbImage img = TestImages.noise(64, 64, 1);
        FaceManipulator m = new FaceManipulator(ManipulationOptions.defaults());
        ManipulatedFace warped = m.apply(img, CanonicalLandmarks.ffhq(64),
                new ManipulationSampler(11).sample(PiecewiseAffineWarpTest.firstWarp(new ManipulationSampler(11))));
        assertThat(warped.labels()).isEqualTo(new ManipulationLabels(true, true, true, true));
        assertThat(warped.blendMask()).isNull();
        ManipulatedFace nose = m.apply(img, CanonicalLandmarks.ffhq(64), ManipulationParams.of(Manipulation.NOSE_FLIP,
                EyeSide.LEFT));
        assertThat(nose.labels().nose()).isTrue();
        assertThat(nose.blendMask()).hasSize(64 * 64);
    }

    @Test
    void eyeFlipTouchesOnlyTheChosenEye() {
        RgbImage img = TestImages.noise(128, 128, 2);
        FaceRegions r = FaceRegions.from(CanonicalLandmarks.ffhq(128), 128, 128);
        FaceManipulator m = new FaceManipulator(ManipulationOptions.defaults());
        RgbImage left = m.apply(img, r, ManipulationParams.of(Manipulation.EYE_HFLIP, EyeSide.LEFT)).image();
        PixelBox right = r.rightEye();
        int cx = (right.x0() + right.x1()) / 2;
        int cy = (right.y0() + right.y1()) / 2;
        assertThat(left.at(0, cy, cx)).isEqualTo(img.at(0, cy, cx));
        PixelBox l = r.leftEye();
        int ly = (l.y0() + l.y1()) / 2;
        assertThat(left.at(0, ly, l.x0() + 1)).isNotEqualTo(img.at(0, ly, l.x0() + 1));
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new ManipulationSampler(1).sample(-1)).hasMessageContaining("index -1 is negative");
        ManipulationOptions d = ManipulationOptions.defaults();
        assertThatThrownBy(() -> new ManipulationOptions(0.5, List.of(Manipulation.NONE), d.mouthVerticalAxis(),
                d.noseAxis(), d.featherFraction(), d.blendStrengths(), 0.04, 0.05, 5, d.regions()))
                .hasMessageContaining("must not contain NONE");
        assertThatThrownBy(() -> new ManipulationOptions(0.5, d.manipulations(), d.mouthVerticalAxis(), d.noseAxis(),
                d.featherFraction(), d.blendStrengths(), 0.05, 0.04, 5, d.regions()))
                .hasMessageContaining("warp scale range [0.05, 0.04]");
        assertThatThrownBy(() -> new FaceManipulator(d).apply(TestImages.noise(32, 32, 1),
                FaceRegions.from(CanonicalLandmarks.ffhq(224), 224, 224),
                ManipulationParams.of(Manipulation.MOUTH_HFLIP, EyeSide.LEFT)))
                .hasMessageContaining("MOUTH_HFLIP region").hasMessageContaining("exceeds the 32x32 image");
    }
}
