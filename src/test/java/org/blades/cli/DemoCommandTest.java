package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.blades.io.Json;
import org.blades.pretrain.Pretraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code blades demo} on a seeded sample of 24 bundled photographs with 2 bi-level steps of 4 images: every artefact
 * exists, the report parses as XML, stdout names each artefact and says what the numbers are not; a rerun into the
 * same folder replaces the demo and computes the same numbers; a foreign folder is refused.
 */
class DemoCommandTest {
    private static final String[] SMALL = {"--images", "24", "--steps", "2", "--batch", "4", "--threads", "2"};

    @TempDir
    static Path tmp;
    static Path dir;
    static DetectionFixture.Run first;

    @BeforeAll
    static void runDemo() {
        dir = tmp.resolve("demo");
        first = DetectionFixture.run(DemoCommand::run, DetectionFixture.concat(SMALL, "--out", dir.toString()));
    }

    @Test
    void writesEveryArtefact() throws IOException {
        assertThat(first.code()).as(first.toString()).isZero();
        for (String f : List.of(DemoCommand.REPORT, DemoCommand.DETECTOR, DemoCommand.FEATURES, DemoCommand.INDEX,
                DemoCommand.MARKER, "surrogate/metrics.csv", "surrogate/scores.csv", "surrogate/roc.svg",
                "pretrain/" + Pretraining.PLOT, "pretrain/" + Pretraining.TRACE, "pretrain/" + Pretraining.ENCODER,
                "pretrain/" + Pretraining.CHECKPOINT, "pretrain/" + Pretraining.CONFIG,
                "untrained/" + Pretraining.ENCODER, "photos/ATTRIBUTION.md", "photos/split.tsv")) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        // header + one line per step
        assertThat(Files.readAllLines(dir.resolve("pretrain").resolve(Pretraining.TRACE))).hasSize(3);
        // header + (5 manipulations + mean) x (pretrained, untrained)
        assertThat(Files.readAllLines(dir.resolve("surrogate/metrics.csv"))).hasSize(13);
        List<String> split = Files.readAllLines(dir.resolve("photos/split.tsv"));
        assertThat(split).hasSize(25);
        try (var s = Files.list(dir.resolve("photos/held-in"))) {
            long heldIn = s.count();
            try (var t = Files.list(dir.resolve("photos/held-out"))) {
                assertThat(heldIn + t.count()).isEqualTo(24);
            }
        }
        Map<String, Object> marker = Json.parseObject(Files.readString(dir.resolve(DemoCommand.MARKER)), "demo.json");
        assertThat(marker.get("status")).isEqualTo("done");
    }

    @Test
    void reportIsWellFormedAndSelfContained() throws Exception {
        assertThat(first.code()).as(first.toString()).isZero();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        Document doc = f.newDocumentBuilder().parse(dir.resolve(DemoCommand.REPORT).toFile());
        assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength())
                .as("the ROC chart and the λ plot, inline").isEqualTo(2);
        assertThat(doc.getElementsByTagName("img").getLength()).as("examples: 4 photographs x 6 versions")
                .isEqualTo(24);
        String html = Files.readString(dir.resolve(DemoCommand.REPORT));
        assertThat(html).contains("Not a measure of detection quality", "metadata-extractor-images")
                .doesNotContain("src=\"http", "href=\"http", "<script");
    }

    @Test
    void stdoutNamesEveryArtefactAndSaysWhatTheNumbersAreNot() {
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains(dir.resolve(DemoCommand.REPORT).toString(),
                dir.resolve("pretrain").resolve(Pretraining.PLOT).toString(),
                dir.resolve("pretrain").resolve(Pretraining.TRACE).toString(),
                dir.resolve(DemoCommand.DETECTOR).toString(),
                "they say nothing about how well", "blades pretrain --index faces.jsonl --preset paper");
        assertThat(first.out()).contains("mean").contains("eye flip (horizontal)");
        assertThat(first.err()).doesNotContain("Exception");
    }

    @Test
    void rerunIntoTheSameFolderReplacesItWithTheSameNumbers() throws IOException {
        assertThat(first.code()).as(first.toString()).isZero();
        Path copy = tmp.resolve("first-run");
        Files.createDirectories(copy);
        for (String f : List.of("surrogate/metrics.csv", "surrogate/scores.csv", "photos/split.tsv")) {
            Files.copy(dir.resolve(f), copy.resolve(f.replace('/', '_')));
        }
        Files.copy(dir.resolve("pretrain").resolve(Pretraining.TRACE), copy.resolve("trace.csv"));
        Files.writeString(dir.resolve("photos/held-in/stale.jpg"), "left over");

        DetectionFixture.Run again = DetectionFixture.run(DemoCommand::run,
                DetectionFixture.concat(SMALL, "--out", dir.toString()));
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.err()).contains("replacing the earlier demo");
        assertThat(dir.resolve("photos/held-in/stale.jpg")).doesNotExist();
        for (String f : List.of("surrogate/metrics.csv", "surrogate/scores.csv", "photos/split.tsv")) {
            assertThat(Files.readString(dir.resolve(f))).as(f).isEqualTo(Files.readString(copy.resolve(
                    f.replace('/', '_'))));
        }
        assertThat(Files.readString(dir.resolve("pretrain").resolve(Pretraining.TRACE)))
                .isEqualTo(Files.readString(copy.resolve("trace.csv")));
    }

    @Test
    void refusesAFolderThatIsNotADemos() throws IOException {
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("thesis.tex"), "precious");
        DetectionFixture.Run r = DetectionFixture.run(DemoCommand::run, "--out", foreign.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("not empty");
        assertThat(foreign.resolve("thesis.tex")).hasContent("precious");
    }

    @Test
    void splitIsSeededAndStratified() throws IOException {
        List<DemoSamples.Photo> all = DemoSamples.bundled();
        assertThat(all).hasSize(194);
        DemoSamples.Split a = DemoSamples.split(all, DemoCommand.HELD_OUT_SHARE, 42);
        assertThat(DemoSamples.split(all, DemoCommand.HELD_OUT_SHARE, 42)).isEqualTo(a);
        assertThat(DemoSamples.split(all, DemoCommand.HELD_OUT_SHARE, 43)).isNotEqualTo(a);
        // round(0.25 x n) per content group: close_face 20 -> 5, people_small 20 -> 5, scene 154 -> 39
        assertThat(a.heldOut()).hasSize(49);
        assertThat(a.heldIn()).hasSize(145);
        assertThat(a.heldOut().stream().filter(p -> p.content().equals("close_face")).count()).isEqualTo(5);
        assertThat(a.heldOut().stream().filter(p -> p.content().equals("people_small")).count()).isEqualTo(5);
    }
}
