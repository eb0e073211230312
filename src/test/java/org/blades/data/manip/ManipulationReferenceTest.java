package org.blades.data.manip;

import org.blades.data.RgbImage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// C = 3 colour channels, H/W = image height/width, G = warp control points per side, N = landmark count

/**
 * The manipulations against reference-data/manip/manip.safetensors, written by an independent numpy/scipy/OpenCV
 * implementation (reference-data/manip/generate_manip.py) from fixed parameters.
 *
 * <p>Tolerances, per element (measured maxima when written in brackets):
 * <ul>
 *   <li>region boxes, the template and the pre-blend flip: exact (the same formulas rounded to integers; a flip
 *       only moves pixels) [0];</li>
 *   <li>masks: atol 1e-6. OpenCV blurs a float32 image with a float32 kernel and float32 sums, we sum in double:
 *       a few float32 ulps of values in [0, 1] [1.8e-7];</li>
 *   <li>blended images: atol 1e-6, the mask's error times |flipped - original| <= 1 plus one rounding to float32
 *       [1.2e-7];</li>
 *   <li>warps: atol 1e-6. The same sample positions come out of different arithmetic (numpy.linalg.solve per
 *       triangle against our cell coordinates), about 1e-13 px apart, which float32 rounding of the output hides
 *       almost always; the budget is one float32 rounding of values in [0, 1] plus that [0].</li>
 * </ul>
 */
class ManipulationReferenceTest {

    private static final Tolerance MASK = Tolerance.of(1e-6, 0);
    private static final Tolerance BLEND = Tolerance.of(1e-6, 0);
    private static final Tolerance WARP = Tolerance.of(1e-6, 0);

    private static ReferenceFile ref;
    private static RgbImage face;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("manip/manip");
        int[] shape = ref.shape("face.in.image");
        face = new RgbImage(ref.floats("face.in.image"), shape[1], shape[2]);
    }

    @AfterAll
    static void close() {
        if (ref != null) {
            ref.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> regionsMatch() {
        return Stream.of("regions_68pt", "regions_5pt", "regions_ffhq224").map(name -> DynamicTest.dynamicTest(name, () -> {
            Map<String, Object> args = ref.caseArgs(name);
            int h = ((Long) args.get("height")).intValue();
            int w = ((Long) args.get("width")).intValue();
            FaceRegions r = FaceRegions.from(FaceLandmarks.of(ref.doubles(name + ".in.landmarks")), h, w);
            assertThat(r.leftEye()).isEqualTo(box(ref.file().longs(name + ".out.left_eye")));
            assertThat(r.rightEye()).isEqualTo(box(ref.file().longs(name + ".out.right_eye")));
            assertThat(r.mouth()).isEqualTo(box(ref.file().longs(name + ".out.mouth")));
            assertThat(r.nose()).isEqualTo(box(ref.file().longs(name + ".out.nose")));
        }));
    }

    @Test
    void canonicalLandmarksAreTheTemplate() {
        assertThat(CanonicalLandmarks.ffhq(224).xy()).containsExactly(ref.doubles("regions_ffhq224.in.landmarks"));
    }

    @TestFactory
    Stream<DynamicTest> flipsMatch() {
        return Stream.of("eye_hflip_left", "eye_hflip_right", "mouth_hflip", "mouth_vflip", "mouth_rot180", "nose_flip")
                .map(name -> DynamicTest.dynamicTest(name, () -> checkFlip(name)));
    }

    private void checkFlip(String name) {
        Map<String, Object> args = ref.caseArgs(name);
        FlipAxis axis = FlipAxis.valueOf(((String) args.get("axis")).toUpperCase(Locale.ROOT));
        String region = (String) args.get("region");
        double strength = (Double) args.get("strength");
        Manipulation kind = switch (region) {
            case "left_eye", "right_eye" -> Manipulation.EYE_HFLIP;
            case "mouth" -> axis == FlipAxis.HORIZONTAL ? Manipulation.MOUTH_HFLIP : Manipulation.MOUTH_VFLIP;
            case "nose" -> Manipulation.NOSE_FLIP;
            default -> throw new AssertionError("unknown region " + region);
        };
        ManipulationOptions d = ManipulationOptions.defaults();
        // the case's axis for the vertical mouth flip: VERTICAL (ours) or BOTH (the authors' code)
        FlipAxis mouthAxis = kind == Manipulation.MOUTH_VFLIP ? axis : d.mouthVerticalAxis();
        ManipulationOptions opts = new ManipulationOptions(d.photographicFraction(), d.manipulations(), mouthAxis,
                d.noseAxis(), (Double) args.get("feather"), d.blendStrengths(), d.warpScaleMin(), d.warpScaleMax(),
                d.warpGridPoints(), d.regions());
        if (kind == Manipulation.NOSE_FLIP) {
            assertThat(opts.noseAxis()).isEqualTo(axis);
        }
        EyeSide side = region.equals("left_eye") ? EyeSide.LEFT : EyeSide.RIGHT;
        ManipulationParams params = new ManipulationParams(-1, kind, side, strength, WarpGrid.identity(5));
        FaceLandmarks lm = FaceLandmarks.of(ref.doubles("regions_68pt.in.landmarks"));
        ManipulatedFace out = new FaceManipulator(opts).apply(face, lm, params);

        FaceRegions regions = FaceRegions.from(lm, face.height(), face.width(), opts.regions());
        PixelBox box = switch (region) {
            case "left_eye" -> regions.leftEye();
            case "right_eye" -> regions.rightEye();
            case "mouth" -> regions.mouth();
            default -> regions.nose();
        };
        assertThat(box).isEqualTo(box(longs(args.get("box"))));
        double sigma = FeatheredFlip.featherSigma(box, opts.featherFraction());
        assertThat(sigma).isEqualTo((Double) args.get("sigma"));
        PixelBox flipBox = box.grownCentred(FeatheredFlip.featherRadius(sigma), face.height(), face.width());
        assertThat(flipBox).isEqualTo(box(longs(args.get("flip_box"))));

        int[] chw = {3, face.height(), face.width()};
        int[] hw = {face.height(), face.width()};
        if (ref.file().contains(name + ".out.flipped")) {
            report(ref.assertClose(name + ".out.flipped", FeatheredFlip.flip(face, flipBox, axis).data(), chw,
                    Tolerance.EXACT));
        }
        report(ref.assertClose(name + ".out.mask", scaled(out.blendMask(), 1 / strength), hw, MASK));
        report(ref.assertClose(name + ".out.image", out.image().data(), chw, BLEND));
    }

    @Test
    void maskAtTheImageBorderMatches() {
        Map<String, Object> args = ref.caseArgs("mask_edge");
        PixelBox box = box(longs(args.get("box")));
        double sigma = (Double) args.get("sigma");
        assertThat(FeatheredFlip.featherRadius(sigma)).isEqualTo(((Long) args.get("radius")).intValue());
        float[] mask = FeatheredFlip.featherMask(face.height(), face.width(), box, sigma);
        report(ref.assertClose("mask_edge.out.mask", mask, new int[] {face.height(), face.width()}, MASK));
    }

    @TestFactory
    Stream<DynamicTest> warpsMatch() {
        return Stream.of("warp", "warp_strong").map(name -> DynamicTest.dynamicTest(name, () -> {
            int g = ((Long) ref.caseArgs(name).get("grid")).intValue();
            WarpGrid grid = new WarpGrid(g, ref.doubles(name + ".in.offsets"));
            RgbImage out = PiecewiseAffineWarp.warp(face, grid);
            report(ref.assertClose(name + ".out.image", out.data(), new int[] {3, face.height(), face.width()}, WARP));
        }));
    }

    private static PixelBox box(long[] v) {
        return new PixelBox((int) v[0], (int) v[1], (int) v[2], (int) v[3]);
    }

    private static long[] longs(Object jsonList) {
        List<?> list = (List<?>) jsonList;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) list.get(i);
        }
        return out;
    }

    /** The stored blend mask is strength x mask; the reference stores the mask itself. */
    private static float[] scaled(float[] v, double factor) {
        float[] out = new float[v.length]; // (H, W)
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * factor);
        }
        return out;
    }

    private static void report(TensorCompare.Report r) {
        System.out.println("manip reference: " + r.summary());
    }
}
