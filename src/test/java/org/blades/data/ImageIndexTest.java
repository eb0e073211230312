package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link IndexBuilder} and the {@link ImageIndex} file format below the command line. */
class ImageIndexTest {

    @TempDir
    Path tmp;

    private Path folder() throws IOException {
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir.resolve("x"));
        Files.copy(ExifExtractorTest.RESOURCES.resolve("exif-dev/Canon_EOS_7D.jpg"), dir.resolve("b.jpg"));
        Files.copy(ExifExtractorTest.RESOURCES.resolve("exif-dev/Samsung_GT-I9000__Galaxy_S_.jpg"), dir.resolve("x/a.jpeg"));
        Files.copy(ImageDecoderTest.FIXTURES.resolve("truncated.png"), dir.resolve("c.PNG"));
        Files.copy(ImageDecoderTest.FIXTURES.resolve("gray16.png"), dir.resolve(".hidden.png"));
        Files.writeString(dir.resolve("readme.md"), "skip");
        return dir;
    }

    @Test
    void writeThenReadGivesTheSameIndex() throws IOException {
        Path dir = folder();
        Map<String, FaceAnnotation> faces = Map.of("a", new FaceAnnotation(List.of(0.1, 0.2, 0.3, 0.4), null, null, null));
        IndexBuilder.Options options = new IndexBuilder.Options(LabelOptions.PAPER, DecodeOptions.DEFAULT, 2, null, null,
                faces);
        IndexBuilder.Result r = IndexBuilder.build(dir, "d", options, null, (done, total, bad) -> { });
        assertThat(r.read()).isEqualTo(3);
        Path file = tmp.resolve("i.jsonl");
        r.index().write(file);
        ImageIndex back = ImageIndex.read(file);
        assertThat(back.header()).isEqualTo(r.index().header());
        assertThat(back.entries()).isEqualTo(r.index().entries());
        assertThat(back.entries()).extracting(IndexEntry::path).containsExactly("b.jpg", "c.PNG", "x/a.jpeg");
        IndexEntry.Image samsung = back.images().get(1);
        assertThat(samsung.face()).isEqualTo(faces.get("a"));
        assertThat(samsung.exif().orientation()).isEqualTo(6);
        // The fixture is 8x8, so the displayed size is too; the orientation is recorded for the decoder.
        assertThat(samsung.width()).isEqualTo(8);
        assertThat(back.summary().reasons()).containsEntry("truncated", 1);
    }

    @Test
    void listingSkipsHiddenAndNonImageFiles() throws IOException {
        assertThat(IndexBuilder.listImages(folder())).containsExactly("b.jpg", "c.PNG", "x/a.jpeg");
    }

    @Test
    void faceKeysMatchPathOrStemWithOrWithoutExtension() {
        FaceAnnotation f = new FaceAnnotation(null, List.of(List.of(1.0, 2.0)), null, null);
        assertThat(IndexBuilder.faceKey("x/123.jpg", Map.of("123", f))).isEqualTo("123");
        assertThat(IndexBuilder.faceKey("x/123.jpg", Map.of("x/123", f, "123", f))).isEqualTo("x/123");
        assertThat(IndexBuilder.faceKey("x/123.jpg", Map.of("123.jpg", f))).isEqualTo("123.jpg");
        assertThat(IndexBuilder.faceKey("x/123.jpg", Map.of("124", f))).isNull();
    }

    @Test
    void aPreviousIndexOfAnotherReaderIsNotReused() throws IOException {
        Path dir = folder();
        IndexBuilder.Options options = IndexBuilder.Options.defaults();
        ImageIndex first = IndexBuilder.build(dir, "d", options, null, (a, b, c) -> { }).index();
        ImageIndex.Header h = first.header();
        ImageIndex stale = new ImageIndex(new ImageIndex.Header(h.root(), "exif-0/decode-0", h.maxPixels(),
                h.labelOptions(), h.cuts(), h.cutsSource()), first.entries());
        assertThat(IndexBuilder.build(dir, "d", options, stale, (a, b, c) -> { }).read()).isEqualTo(3);
        assertThat(IndexBuilder.build(dir, "d", options, first, (a, b, c) -> { }).reused()).isEqualTo(3);
        assertThat(IndexBuilder.build(dir, "d", options.withThreads(3), first, (a, b, c) -> { }).index().entries())
                .isEqualTo(first.entries());
    }

    @Test
    void malformedIndexFilesNameTheLine() throws IOException {
        Path file = tmp.resolve("bad.jsonl");
        Path dir = folder();
        IndexBuilder.build(dir, "d", IndexBuilder.Options.defaults(), null, (a, b, c) -> { }).index().write(file);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, List.of(lines.get(0), lines.get(1), "{\"type\": \"image\", \"path\": 3}"));
        assertThatThrownBy(() -> ImageIndex.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.jsonl line 3").hasMessageContaining("'path'");
        Files.writeString(file, "");
        assertThatThrownBy(() -> ImageIndex.read(file)).hasMessageContaining("empty file");
    }
}
