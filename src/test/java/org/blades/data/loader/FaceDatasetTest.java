package org.blades.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.blades.data.ExifTag;
import org.blades.data.FaceAnnotation;
import org.blades.data.ImageIndex;
import org.blades.data.Preprocess;
import org.blades.data.manip.EyeSide;
import org.blades.data.manip.FaceLandmarks;
import org.blades.data.manip.FaceRegions;
import org.blades.data.manip.FeatheredFlip;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.PixelBox;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// H/W = input height/width (48 here)

class FaceDatasetTest {

    private static final int SIZE = 48;
    private static final String CANON = "Canon_EOS-1DS_after_Noise_Ninja.jpg";

    @TempDir
    static Path dir;
    static ImageIndex index;

    /** Relative 5-point landmarks of the noise face: a face in the upper left, far from the FFHQ template's place. */
    private static final List<List<Double>> FIVE = List.of(List.of(0.16, 0.18), List.of(0.34, 0.18),
            List.of(0.25, 0.28), List.of(0.18, 0.36), List.of(0.32, 0.36));

    @BeforeAll
    static void images() throws IOException {
        LoaderFixture.noisePngs(dir, 2, 40, 32, 7); // img00, img01: no annotation
        LoaderFixture.noisePng(dir.resolve("noiseface.png"), 40, 32, 9);
        LoaderFixture.redSquare(dir.resolve("face.png"), 100, 80, 30, 20, 70, 60);
        LoaderFixture.redSquare(dir.resolve("fdf7.png"), 100, 80, 30, 20, 70, 60);
        LoaderFixture.copySample(CANON, dir);
        List<List<Double>> seven = List.of(List.of(0.5, 0.5), List.of(0.4, 0.4), List.of(0.6, 0.4),
                List.of(0.3, 0.45), List.of(0.7, 0.45), List.of(0.2, 0.9), List.of(0.8, 0.9));
        index = LoaderFixture.index(dir, Map.of(
                "face", new FaceAnnotation(List.of(0.3, 0.25, 0.7, 0.75), null, null, null),
                "fdf7", new FaceAnnotation(List.of(0.3, 0.25, 0.7, 0.75), seven, null, null),
                "noiseface", new FaceAnnotation(null, FIVE, null, null)));
    }

    private static FaceDataset dataset(SampleOptions o) {
        return new FaceDataset(index, dir, o);
    }

    private static SampleOptions options() {
        return SampleOptions.defaults().withSize(SIZE, SIZE);
    }

    private static int indexOf(FaceDataset d, String path) {
        for (int i = 0; i < d.size(); i++) {
            if (d.entry(i).path().equals(path)) {
                return i;
            }
        }
        throw new AssertionError(path + " is not in the dataset");
    }

    /** The normalised value a pure channel value v in [0, 1] takes in channel c. */
    private static float clip(int c, float v) {
        return (v - Preprocess.CLIP_MEAN[c]) / Preprocess.CLIP_STD[c];
    }

    @Test
    void aFaceBoxIsCroppedTimesOnePointThreeAndResized() throws IOException {
        FaceDataset d = dataset(options().withManipulation(LoaderFixture.noManipulation()));
        Sample s = d.load(indexOf(d, "face.png"), 1);
        // box (30, 20, 70, 60): size int(40 x 1.3) = 52 around the centre (50, 40)
        assertThat(s.crop()).isEqualTo(new FaceCrop(24, 14, 52, 52));
        assertThat(s.image().shape()).containsExactly(3, SIZE, SIZE);
        float[] px = s.image().f32(); // (3, H, W)
        int centre = SIZE / 2 * SIZE + SIZE / 2;
        int corner = 0;
        int hw = SIZE * SIZE;
        // the red square fills the crop but its 6-pixel (of 52) blue margin on every side
        assertThat(px[centre]).isEqualTo(clip(0, 1f));
        assertThat(px[2 * hw + centre]).isEqualTo(clip(2, 0f));
        assertThat(px[corner]).isEqualTo(clip(0, 0f));
        assertThat(px[2 * hw + corner]).isEqualTo(clip(2, 1f));

        FaceDataset whole = dataset(options().withManipulation(LoaderFixture.noManipulation())
                .withFaceBox(SampleOptions.FaceBox.WHOLE_IMAGE, 1.3));
        assertThat(whole.load(indexOf(d, "face.png"), 1).crop()).isNull();
        assertThat(d.load(indexOf(d, "img00.png"), 1).crop()).as("no annotation: whole image").isNull();
    }

    @Test
    void regionsComeFromTheEntrysLandmarksElseFromTheTemplate() throws IOException {
        FaceDataset d = dataset(options());
        assertThat(d.load(indexOf(d, "noiseface.png"), 3).regions()).isEqualTo(Sample.RegionSource.ENTRY);
        assertThat(d.load(indexOf(d, "fdf7.png"), 3).regions()).as("FDF's 7 points have no mouth corners")
                .isEqualTo(Sample.RegionSource.CANONICAL);
        assertThat(d.load(indexOf(d, "img00.png"), 3).regions()).isEqualTo(Sample.RegionSource.CANONICAL);
        FaceDataset canonical = dataset(options().withLandmarks(SampleOptions.LandmarkSource.CANONICAL));
        assertThat(canonical.load(indexOf(d, "noiseface.png"), 3).regions()).isEqualTo(Sample.RegionSource.CANONICAL);
        assertThat(d.describe()).contains("6 images (2 cropped", "1 entries with 5- or 68-point landmarks");
    }

    @Test
    void aFlipChangesOnlyTheRegionOfTheMappedLandmarks() throws IOException {
        FaceDataset plain = dataset(options().withManipulation(LoaderFixture.noManipulation()));
        FaceDataset flips = dataset(options().withManipulation(LoaderFixture.onlyFlips()));
        int i = indexOf(plain, "noiseface.png");
        double[] xy = new double[10]; // (5, 2) in pixels of the 40 x 32 image, mapped to the 48 x 48 input
        for (int k = 0; k < 5; k++) {
            xy[2 * k] = FIVE.get(k).get(0) * 40;
            xy[2 * k + 1] = FIVE.get(k).get(1) * 32;
        }
        FaceRegions expected = FaceRegions.from(new FaceCrop(0, 0, 40, 32).map(FaceLandmarks.of(xy), SIZE, SIZE),
                SIZE, SIZE, flips.options().manipulation().regions());
        float[] base = plain.load(i, 5).image().f32(); // (3, H, W)
        int checked = 0;
        for (long seed = 0; seed < 6; seed++) {
            Sample s = flips.load(i, seed);
            PixelBox region = s.manipulation() == Manipulation.EYE_HFLIP ? expected.eye(s.applied().eye())
                    : expected.mouth();
            // the flip covers the region grown by the feather's reach (FeatheredFlip), nothing beyond
            int reach = FeatheredFlip.featherRadius(FeatheredFlip.featherSigma(region,
                    flips.options().manipulation().featherFraction()));
            PixelBox box = region.grownCentred(reach, SIZE, SIZE);
            float[] px = s.image().f32(); // (3, H, W)
            int changed = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        int k = (c * SIZE + y) * SIZE + x;
                        if (px[k] != base[k]) {
                            changed++;
                            assertThat(box.contains(x, y)).as("%s changed (%d, %d) outside %s", s.manipulation(), x,
                                    y, box).isTrue();
                        }
                    }
                }
            }
            assertThat(changed).as("%s changed nothing", s.manipulation()).isPositive();
            checked++;
        }
        assertThat(checked).isEqualTo(6);
        assertThat(expected.eye(EyeSide.LEFT).x1()).as("the face sits in the upper left, away from the template")
                .isLessThan(20);
    }

    @Test
    void withEntryLandmarksOnlyAFaceWithoutThemGetsTheWarpInsteadOfAFlip() throws IOException {
        FaceDataset d = dataset(options().withManipulation(LoaderFixture.onlyFlips())
                .withLandmarks(SampleOptions.LandmarkSource.ENTRY));
        Sample none = d.load(indexOf(d, "img00.png"), 9);
        assertThat(none.regions()).isEqualTo(Sample.RegionSource.NONE);
        assertThat(none.drawn().kind()).isIn(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP);
        assertThat(none.applied().kind()).isEqualTo(Manipulation.GLOBAL_WARP);
        assertThat(none.applied().warp()).isEqualTo(none.drawn().warp());
        assertThat(none.labels().fineTargets()).containsExactly(1f, 1f, 1f);
        Sample own = d.load(indexOf(d, "noiseface.png"), 9);
        assertThat(own.regions()).isEqualTo(Sample.RegionSource.ENTRY);
        assertThat(own.applied()).isEqualTo(own.drawn());
    }

    @Test
    void samplesDependOnlyOnIndexAndSeed() throws IOException {
        FaceDataset d = dataset(options());
        int changedKinds = 0;
        for (int i = 0; i < d.size(); i++) {
            Sample a = d.load(i, 11);
            Sample b = d.load(i, 11);
            assertThat(b.image().f32()).isEqualTo(a.image().f32());
            assertThat(b.applied()).isEqualTo(a.applied());
            changedKinds += d.load(i, 12).manipulation() != a.manipulation() ? 1 : 0;
        }
        assertThat(changedKinds).as("another epoch's seed draws other manipulations").isPositive();
    }

    @Test
    void exifTargetsComeFromTheIndex() throws IOException {
        FaceDataset d = dataset(options());
        Sample canon = d.load(indexOf(d, CANON), 0);
        assertThat(canon.exif().className(ExifTag.MAKE)).isEqualTo("Canon");
        assertThat(canon.exif().rankValue(ExifTag.ISO)).isNotNull();
        Sample png = d.load(indexOf(d, "img00.png"), 0);
        for (ExifTag t : ExifTag.values()) {
            assertThat(png.exif().present(t)).as(t.key()).isFalse();
        }
    }

    @Test
    void tooSmallInputsAndMissingFoldersAreRejected() {
        assertThatThrownBy(() -> dataset(SampleOptions.defaults().withSize(4, 4)))
                .hasMessageContaining("too small for the manipulation regions");
        assertThatThrownBy(() -> new FaceDataset(index, dir.resolve("nope"), options()))
                .hasMessageContaining("is not a directory");
    }
}
