package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.Test;

/**
 * The EXIF reader against exiftool 12.57 ({@code -n}, EXIF group) on every photograph of ../shared/data/exif-dev:
 * once on the project's EXIF-only fixtures (src/test/resources/exif, made by reference-data/exif/make_fixtures.py),
 * once on the originals. Equality is exact except where exiftool itself rounds (see {@link ExiftoolCsv}).
 */
class ExifExtractorTest {

    static final Path RESOURCES = ReferenceFile.projectRoot().resolve("src/test/resources/exif");
    static final Path SHARED = ReferenceFile.projectRoot().resolveSibling("shared").resolve("data");

    /** Which of our fields each exiftool column feeds; "Aperture" is FNumber, else ApertureValue. */
    enum Column { ISO, APERTURE, EXPOSURE_TIME, FOCAL_LENGTH, MAKE, METERING_MODE, EXPOSURE_MODE, WHITE_BALANCE,
        EXPOSURE_PROGRAM, ORIENTATION }

    @Test
    void fixturesAgreeWithExiftoolOnEveryTag() {
        List<Map<String, String>> rows = ExiftoolCsv.read(RESOURCES.resolve("exif-dev.numeric.csv"), "Fixture,");
        assertThat(rows).hasSize(77);
        Map<Column, Integer> agree = compareAll(rows, r -> RESOURCES.resolve("exif-dev").resolve(r.get("Fixture")));
        System.out.println("EXIF agreement with exiftool, 77 fixtures: " + agree);
    }

    /** The originals themselves; ../shared sits beside the project in every checkout and in CI. */
    @Test
    void originalsAgreeWithExiftoolOnEveryTag() {
        Path csv = SHARED.resolve("exiftool-exif-dev.numeric.csv");
        assertThat(csv).as("../shared/data must exist beside the project").exists();
        List<Map<String, String>> rows = ExiftoolCsv.read(csv, "SourceFile,");
        assertThat(rows).hasSize(77);
        Map<Column, Integer> agree = compareAll(rows, r -> SHARED.resolve("exif-dev").resolve(r.get("SourceFile")));
        System.out.println("EXIF agreement with exiftool, 77 originals: " + agree);
    }

    /** Compares every row, collecting all disagreements before failing; returns per-column agreement counts. */
    private static Map<Column, Integer> compareAll(List<Map<String, String>> rows,
            java.util.function.Function<Map<String, String>, Path> file) {
        Map<Column, Integer> agree = new EnumMap<>(Column.class);
        List<String> problems = new ArrayList<>();
        int present = 0;
        for (Map<String, String> r : rows) {
            ExifValues v;
            try {
                v = ExifExtractor.read(file.apply(r)).values();
            } catch (ImageFileException e) {
                problems.add(e.getMessage());
                continue;
            }
            for (Column c : Column.values()) {
                String expected = expected(r, c);
                Object ours = ours(v, c);
                if (!expected.isEmpty()) {
                    present++;
                }
                if (matches(c, r, expected, ours)) {
                    agree.merge(c, 1, Integer::sum);
                } else {
                    problems.add(r.get("SourceFile") + ": " + c + " exiftool '" + expected + "', ours " + ours);
                }
            }
        }
        assertThat(problems).as("disagreements with exiftool").isEmpty();
        assertThat(present).as("non-missing readings compared").isGreaterThan(400);
        return agree;
    }

    private static String expected(Map<String, String> r, Column c) {
        return switch (c) {
            case ISO -> r.get("ISO");
            case APERTURE -> usableFNumber(r) ? r.get("FNumber") : r.get("ApertureValue");
            case EXPOSURE_TIME -> r.get("ExposureTime");
            case FOCAL_LENGTH -> r.get("FocalLength");
            case MAKE -> r.get("Make");
            case METERING_MODE -> r.get("MeteringMode");
            case EXPOSURE_MODE -> r.get("ExposureMode");
            case WHITE_BALANCE -> r.get("WhiteBalance");
            case EXPOSURE_PROGRAM -> r.get("ExposureProgram");
            case ORIENTATION -> r.get("Orientation");
        };
    }

    private static boolean usableFNumber(Map<String, String> r) {
        return !r.get("FNumber").isEmpty() && Double.parseDouble(r.get("FNumber")) > 0;
    }

    private static Object ours(ExifValues v, Column c) {
        return switch (c) {
            case ISO -> v.iso();
            case APERTURE -> v.aperture();
            case EXPOSURE_TIME -> v.exposureTime();
            case FOCAL_LENGTH -> v.focalLength();
            case MAKE -> v.make();
            case METERING_MODE -> v.meteringMode();
            case EXPOSURE_MODE -> v.exposureMode();
            case WHITE_BALANCE -> v.whiteBalance();
            case EXPOSURE_PROGRAM -> v.exposureProgram();
            case ORIENTATION -> v.orientation();
        };
    }

    private static boolean matches(Column c, Map<String, String> r, String expected, Object ours) {
        return switch (c) {
            case APERTURE -> usableFNumber(r) ? ExiftoolCsv.equalsRational(expected, (Double) ours)
                    : ExiftoolCsv.equalsApexAperture(expected, (Double) ours);
            case EXPOSURE_TIME, FOCAL_LENGTH -> ExiftoolCsv.equalsRational(expected, (Double) ours);
            case ISO -> ExiftoolCsv.equalsInteger(expected, (Double) ours);
            case MAKE -> ExiftoolCsv.equalsText(expected, (String) ours);
            default -> ExiftoolCsv.equalsInteger(expected, (Integer) ours);
        };
    }

    @Test
    void apertureFallsBackToApexConversion() throws ImageFileException {
        // FujiFilm DS-7 has ApertureValue 2.3 (APEX) and no FNumber: 2^(2.3/2) = 2.2191...
        ExifValues v = ExifExtractor.read(RESOURCES.resolve("exif-dev/FujiFilm_DS-7__1_.jpg")).values();
        assertThat(v.aperture()).isCloseTo(2.21913894413569, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void makeFallsBackToIfd1LikeExiftool() throws ImageFileException {
        // Sony Cybershot (1) stores Make only in IFD1 (the thumbnail IFD); exiftool reports it, so do we.
        assertThat(ExifExtractor.read(RESOURCES.resolve("exif-dev/Sony_Cybershot__1_.jpg")).values().make())
                .isEqualTo("SONY");
    }

    @Test
    void fileWithoutExifIsAllMissing() throws ImageFileException {
        ExifExtractor.Reading r = ExifExtractor.read(RESOURCES.resolve("exif-dev/Issue_125.jpg"));
        assertThat(r.values()).isEqualTo(ExifValues.NONE);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void pngAndBmpAreReadToo() throws Exception {
        assertThat(ExifExtractor.read(ImageDecoderTest.FIXTURES.resolve("rgb8.png")).values()).isEqualTo(ExifValues.NONE);
        assertThat(ExifExtractor.read(ImageDecoderTest.FIXTURES.resolve("rgb24.bmp")).values()).isEqualTo(ExifValues.NONE);
        assertThat(ExifExtractor.read(ImageDecoderTest.FIXTURES.resolve("orient_6.jpg")).values().orientation())
                .isEqualTo(6);
    }

    @Test
    void unknownFormatIsAClearError() {
        assertThatThrownBy(() -> ExifExtractor.read(ImageDecoderTest.FIXTURES.resolve("not-an-image.jpg")))
                .isInstanceOf(ImageFileException.class)
                .hasMessageEndingWith("not-an-image.jpg: unsupported: not a JPEG, PNG, BMP or GIF file (no known "
                        + "signature in its first bytes)");
    }

    @Test
    void everyCsvFixtureExists() {
        for (Map<String, String> r : ExiftoolCsv.read(RESOURCES.resolve("exif-dev.numeric.csv"), "Fixture,")) {
            assertThat(Files.isRegularFile(RESOURCES.resolve("exif-dev").resolve(r.get("Fixture")))).as(r.get("Fixture"))
                    .isTrue();
        }
    }
}
