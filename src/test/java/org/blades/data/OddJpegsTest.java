package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every odd or broken JPEG (../shared/data/odd-jpegs: truncated, corrupt markers, strange sampling, fuzzed
 * headers) gives values, "missing", or one clear per-file error naming the file and the reason: never another
 * exception, never a hang. The timeout is a hang guard, not a performance test.
 */
class OddJpegsTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(5);
    private static final Path LOCAL = ExifExtractorTest.RESOURCES.resolve("odd-jpegs");
    private static final Path SHARED = ExifExtractorTest.SHARED.resolve("odd-jpegs");

    /** exiftool's readings of all 49 files (reference-data/exif/make_fixtures.py). */
    private static final Map<String, Map<String, String>> EXIFTOOL = new HashMap<>();

    static {
        for (Map<String, String> r : ExiftoolCsv.read(ExifExtractorTest.RESOURCES.resolve("odd-jpegs.numeric.csv"),
                "SourceFile,")) {
            EXIFTOOL.put(r.get("SourceFile").substring(2), r);
        }
    }

    @TestFactory
    Stream<DynamicTest> projectCopies() throws IOException {
        return files(LOCAL).stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    /** The three files above 100 kB are not copied into the project; ../shared is beside it in CI. */
    @TestFactory
    Stream<DynamicTest> sharedOriginals() throws IOException {
        assertThat(SHARED).as("../shared/data/odd-jpegs must exist beside the project").isDirectory();
        List<Path> all = files(SHARED);
        assertThat(all).hasSize(49);
        return all.stream().filter(f -> !Files.exists(LOCAL.resolve(f.getFileName())))
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    @Test
    void theSuiteContainsBothReadableAndRefusedFiles() throws IOException {
        int decoded = 0;
        int refused = 0;
        for (Path f : files(SHARED)) {
            try {
                ImageDecoder.decode(f, DecodeOptions.DEFAULT);
                decoded++;
            } catch (ImageFileException e) {
                refused++;
            }
        }
        // d22db5be decodes cleanly; the others are fuzzed or cut (c3018ebe decodes with a "bad Huffman code").
        assertThat(decoded).isGreaterThanOrEqualTo(1);
        assertThat(refused).isGreaterThan(40);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void check(Path file) {
        String name = file.toString();
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                ExifValues v = ExifExtractor.read(file).values();
                Map<String, String> r = EXIFTOOL.get(file.getFileName().toString());
                assertThat(r).as("exiftool row for " + name).isNotNull();
                // Where we read a value it is exiftool's; we may read less (a broken IFD) but never something else.
                if (v.make() != null) {
                    assertThat(v.make()).isEqualTo(r.get("Make"));
                }
                if (v.exposureTime() != null) {
                    assertThat(ExiftoolCsv.equalsRational(r.get("ExposureTime"), v.exposureTime())).isTrue();
                }
                if (v.iso() != null) {
                    assertThat(ExiftoolCsv.equalsInteger(r.get("ISO"), v.iso())).isTrue();
                }
                if (v.orientation() != null) {
                    assertThat(ExiftoolCsv.equalsInteger(r.get("Orientation"), v.orientation())).isTrue();
                }
            } catch (ImageFileException e) {
                assertClear(e, name);
            }
            try {
                RgbImage img = ImageDecoder.decode(file, DecodeOptions.DEFAULT);
                assertThat(img.height() * (long) img.width()).isPositive();
            } catch (ImageFileException e) {
                assertClear(e, name);
            }
        }, () -> name + " took longer than " + HANG_GUARD);
    }

    private static void assertClear(ImageFileException e, String name) {
        assertThat(e.getMessage()).startsWith(name + ": " + e.reason().words() + ": ");
        assertThat(e.detail()).isNotBlank().doesNotContain("\n");
    }
}
