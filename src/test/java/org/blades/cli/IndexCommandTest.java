package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.blades.data.ExifTag;
import org.blades.data.ImageIndex;
import org.blades.data.IndexEntry;
import org.blades.io.Json;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexCommandTest {

    private static final Path IMAGES = ReferenceFile.projectRoot().resolve("src/test/resources/images");
    private static final Path EXIF = ReferenceFile.projectRoot().resolve("src/test/resources/exif/exif-dev");

    @TempDir
    Path tmp;
    Path dir;
    Path out;

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = IndexCommand.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** A folder with good photos (real EXIF), a subfolder, a truncated and a fake image, and a non-image file. */
    @BeforeEach
    void folder() throws IOException {
        dir = tmp.resolve("photos");
        Files.createDirectories(dir.resolve("sub"));
        for (String f : List.of("Canon_EOS_7D.jpg", "Nikon_D1X.jpg", "Apple_iPhone_4.jpg", "Pentax_Optio_S4i.jpg",
                "Issue_125.jpg")) {
            Files.copy(EXIF.resolve(f), dir.resolve(f));
        }
        Files.copy(IMAGES.resolve("orient_6.jpg"), dir.resolve("sub/rotated.JPG"));
        Files.copy(IMAGES.resolve("rgb8.png"), dir.resolve("sub/1234.png"));
        Files.copy(IMAGES.resolve("truncated.jpg"), dir.resolve("sub/cut.jpg"));
        Files.copy(IMAGES.resolve("not-an-image.jpg"), dir.resolve("fake.jpg"));
        Files.writeString(dir.resolve("notes.txt"), "not indexed");
        out = tmp.resolve("out/index.jsonl");
    }

    private List<Map<String, Object>> lines() throws IOException {
        return Files.readAllLines(out).stream().map(l -> Json.parseObject(l, "index line")).toList();
    }

    @Test
    void indexesEveryImageWithExifLabelsAndListsBadFiles() throws IOException {
        Run r = run(dir.toString(), "--out", out.toString(), "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        List<Map<String, Object>> lines = lines();
        assertThat(lines.get(0)).containsEntry("type", "header").containsEntry("format", "blades-index");
        List<Object> paths = lines.stream().skip(1).map(l -> l.get("path")).toList();
        assertThat(paths).containsExactly("Apple_iPhone_4.jpg", "Canon_EOS_7D.jpg", "Issue_125.jpg", "Nikon_D1X.jpg",
                "Pentax_Optio_S4i.jpg", "fake.jpg", "sub/1234.png", "sub/cut.jpg", "sub/rotated.JPG");

        Map<String, Object> canon = lines.get(2);
        assertThat(canon).containsEntry("type", "image").containsEntry("format", "JPEG");
        assertThat((String) canon.get("sha256")).hasSize(64);
        @SuppressWarnings("unchecked")
        Map<String, Object> exif = (Map<String, Object>) canon.get("exif");
        assertThat(exif).containsEntry("make", "Canon").containsEntry("iso", 200.0).containsEntry("aperture", 11.0)
                .containsEntry("exposure_time", 0.008).containsEntry("metering_mode", 5L);
        @SuppressWarnings("unchecked")
        Map<String, Object> labels = (Map<String, Object>) canon.get("labels");
        assertThat(labels).containsEntry("make", "Canon").containsEntry("metering_mode", "multi-segment")
                .containsEntry("exposure_mode", "manual").containsEntry("exposure_program", "manual control");
        assertThat(labels.get("iso")).isIn("low", "medium", "high");

        Map<String, Object> noExif = lines.get(3);
        assertThat(((Map<?, ?>) noExif.get("labels")).values()).as("all masked").containsOnlyNulls();

        assertThat(lines.get(6)).containsEntry("type", "unreadable").containsEntry("reason", "unsupported");
        assertThat(lines.get(8)).containsEntry("type", "unreadable").containsEntry("reason", "truncated");
        assertThat((String) lines.get(8).get("error")).startsWith("sub/cut.jpg: truncated: ");
        assertThat(lines.get(9)).as("orientation 6: displayed size").containsEntry("width", 10L)
                .containsEntry("height", 16L).containsEntry("orientation", 6L);

        assertThat(r.out()).contains("indexed 9 files: 7 images, 2 unreadable {truncated=1, unsupported=1}")
                .contains("make ").contains("Canon 1").contains("cuts (fitted on the 7 images").contains("wrote ");
        assertThat(r.err()).contains("index [").contains("9/9 files, 2 unreadable");
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("no temp file left")
                    .containsExactly("index.jsonl");
        }
    }

    @Test
    void cutsInTheHeaderAreTheTertilesOfTheFolder() throws IOException {
        assertThat(run(dir.toString(), "--out", out.toString()).code()).isZero();
        ImageIndex index = ImageIndex.read(out);
        // ISO present on Canon 7D (200), Apple (500), Pentax (50): nearest-rank tertiles are 50 and 200.
        assertThat(index.header().cuts().cut(ExifTag.ISO).low()).isEqualTo(50.0);
        assertThat(index.header().cuts().cut(ExifTag.ISO).high()).isEqualTo(200.0);
        for (IndexEntry.Image img : index.images()) {
            // Labels written in the file are the ones the reader recomputes from raw values and cuts.
            assertThat(index.labels(img).className(ExifTag.ISO)).isEqualTo(lineOf(img.path()).get("iso"));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lineOf(String path) throws IOException {
        return (Map<String, Object>) lines().stream().filter(l -> path.equals(l.get("path"))).findFirst().orElseThrow()
                .get("labels");
    }

    @Test
    void rerunReusesUnchangedEntriesAndWritesIdenticalBytes() throws IOException {
        assertThat(run(dir.toString(), "--out", out.toString(), "--threads", "1").code()).isZero();
        byte[] first = Files.readAllBytes(out);
        Run again = run(dir.toString(), "--out", out.toString(), "--threads", "3");
        assertThat(again.out()).contains("reused 9 unchanged entries, 0 after a SHA-256 check, read 0 files");
        assertThat(Files.readAllBytes(out)).isEqualTo(first);

        // Same bytes, new time: hashed and kept. New bytes: read again.
        Path touched = dir.resolve("Canon_EOS_7D.jpg");
        Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 5000));
        Files.copy(IMAGES.resolve("rgb_444.jpg"), dir.resolve("sub/cut.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run third = run(dir.toString(), "--out", out.toString());
        assertThat(third.out()).contains("reused 7 unchanged entries, 1 after a SHA-256 check, read 1 files")
                .contains("8 images, 1 unreadable");
    }

    @Test
    void noReuseReadsEverything() throws IOException {
        assertThat(run(dir.toString(), "--out", out.toString()).code()).isZero();
        assertThat(run(dir.toString(), "--out", out.toString(), "--no-reuse").out()).contains("read 9 files");
    }

    @Test
    void aCorruptPreviousIndexIsIgnoredWithANote() throws IOException {
        Files.createDirectories(out.getParent());
        Files.writeString(out, "{\"not\": \"an index\"}\n");
        Run r = run(dir.toString(), "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("not reusing");
        assertThat(ImageIndex.read(out).entries()).hasSize(9);
    }

    @Test
    void landmarksFromAnFdfStyleSideFile() throws IOException {
        Path side = tmp.resolve("fdf_metainfo.json");
        Files.writeString(side, "{\"1234\": {\"author\": \"x\", \"bounding_box\": [0.1, 0.2, 0.6, 0.7],"
                + " \"landmark\": [[0.3, 0.4], [0.5, 0.4]]}, \"Canon_EOS_7D\": {\"original_bounding_box\": [10, 20, 110, 140]},"
                + " \"99999\": {\"bounding_box\": [0, 0, 1, 1]}}");
        Run r = run(dir.toString(), "--out", out.toString(), "--landmarks", side.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("landmarks: 1 entries of the side file match no image");
        Map<String, Object> png = lines().stream().filter(l -> "sub/1234.png".equals(l.get("path"))).findFirst().orElseThrow();
        assertThat(Json.write(png.get("face"))).isEqualTo("{\"bounding_box\":[0.1,0.2,0.6,0.7],"
                + "\"landmark\":[[0.3,0.4],[0.5,0.4]]}");
        ImageIndex index = ImageIndex.read(out);
        IndexEntry.Image canon = index.images().stream().filter(i -> i.path().equals("Canon_EOS_7D.jpg")).findFirst()
                .orElseThrow();
        assertThat(canon.face().originalBoundingBox()).containsExactly(10.0, 20.0, 110.0, 140.0);
    }

    @Test
    void cutsCanComeFromATrainingIndex() throws IOException {
        Path training = tmp.resolve("train.jsonl");
        assertThat(run(dir.toString(), "--out", training.toString()).code()).isZero();
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.copy(EXIF.resolve("Sony_DSC-HX5V__2_.jpg"), other.resolve("a.jpg"));
        Run r = run(other.toString(), "--out", out.toString(), "--cuts", training.toString());
        assertThat(r.code()).as(r.err()).isZero();
        ImageIndex index = ImageIndex.read(out);
        assertThat(index.header().cuts()).isEqualTo(ImageIndex.read(training).header().cuts());
        assertThat(index.header().cutsSource()).startsWith("taken from " + training);

        Run conflict = run(other.toString(), "--out", out.toString(), "--cuts", training.toString(),
                "--exposure-time", "reciprocal");
        assertThat(conflict.code()).isEqualTo(2);
        assertThat(conflict.err()).contains("disagree with the label options");
    }

    @Test
    void badUsageIsOneLineAndExitCode2() {
        assertThat(run().code()).isEqualTo(2);
        Run noOut = run(dir.toString());
        assertThat(noOut.code()).isEqualTo(2);
        assertThat(noOut.err()).isEqualTo("index: --out FILE is required (see blades index --help)\n");
        assertThat(run(dir.toString(), "--out", out.toString(), "--threads", "0").err())
                .contains("--threads expects a positive integer, got '0'");
        assertThat(run(tmp.resolve("nope").toString(), "--out", out.toString()).err()).contains("is not a directory");
        assertThat(run(dir.toString(), "--out", out.toString(), "--frobnicate").code()).isEqualTo(2);
        Run help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("usage: blades index DIR --out FILE");
    }

    @Test
    void aMalformedSideFileIsAnErrorWithoutStackTrace() throws IOException {
        Path side = tmp.resolve("bad.json");
        Files.writeString(side, "{\"1234\": {\"bounding_box\": [1, 2]}}");
        Run r = run(dir.toString(), "--out", out.toString(), "--landmarks", side.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bounding_box: expected [x0, y0, x1, y1], got 2 numbers").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    /** End to end over the bundled demo photographs (194 JPEGs, 7 MB) in ../shared. */
    @Test
    void sharedSamplesIndexCleanly() throws IOException {
        Path samples = ReferenceFile.projectRoot().resolveSibling("shared").resolve("data/samples");
        assertThat(samples).as("../shared/data/samples must exist beside the project").isDirectory();
        Run r = run(samples.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("indexed 194 files: 194 images, 0 unreadable");
        ImageIndex index = ImageIndex.read(out);
        assertThat(index.images()).hasSize(194);
        ImageIndex.Summary s = index.summary();
        for (ExifTag t : ExifTag.ORDINAL) {
            // Tertiles: no level may be empty on a real photo collection... except medium under heavy ties, so
            // only low and high are required.
            assertThat(s.tags().get(t).values().get("low")).as(t.key()).isPositive();
            assertThat(s.tags().get(t).values().get("high")).as(t.key()).isPositive();
        }
        assertThat(s.tags().get(ExifTag.MAKE).values().get("Canon")).isPositive();
    }
}
