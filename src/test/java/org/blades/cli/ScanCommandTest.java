package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blades.cli.DetectionFixture.BAD_IMAGES;
import static org.blades.cli.DetectionFixture.TINY;
import static org.blades.cli.DetectionFixture.concat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.blades.cli.DetectionFixture.Run;
import org.blades.detect.OneClassDetector;
import org.blades.embed.FeatureFile;
import org.blades.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scan, and the fit-gmm / fit-mlp commands that make its detectors. */
class ScanCommandTest {

    @TempDir
    static Path shared;
    static Path det;
    static Path mlp;
    static Path photoFeatures;

    @TempDir
    Path tmp;

    /** A one-class detector and a perceptron fitted on tiny-encoder features of synthetic sets. */
    @BeforeAll
    static void detectors() throws IOException {
        Path photos = shared.resolve("photos");
        Path fakes = shared.resolve("fakes");
        DetectionFixture.images(photos, "p", 12, "png", 28, true, 10);
        DetectionFixture.images(fakes, "g", 12, "png", 28, false, 20);
        photoFeatures = shared.resolve("photos.safetensors");
        Path fakeFeatures = shared.resolve("fakes.safetensors");
        assertThat(DetectionFixture.run(EmbedCommand::run, concat(new String[] {photos.toString(), "--out",
            photoFeatures.toString()}, TINY)).code()).isZero();
        assertThat(DetectionFixture.run(EmbedCommand::run, concat(new String[] {fakes.toString(), "--out",
            fakeFeatures.toString()}, TINY)).code()).isZero();
        det = shared.resolve("gmm.safetensors");
        Run fit = DetectionFixture.run(FitGmmCommand::run, "--features", photoFeatures.toString(), "--out",
                det.toString(), "--components", "2", "--covariance", "diag", "--false-alarm-rate", "0.1");
        assertThat(fit.code()).as(fit.toString()).isZero();
        assertThat(fit.out()).contains("fitted 2 diag components on 12 photographs (D = 768)")
                .contains("threshold").contains("wrote " + det);
        mlp = shared.resolve("mlp.safetensors");
        Run fitMlp = DetectionFixture.run(FitMlpCommand::run, "--real", photoFeatures.toString(), "--fake",
                fakeFeatures.toString(), "--out", mlp.toString(), "--hidden", "16", "--epochs", "20", "--detector",
                det.toString(), "--validation", "0.25", "--pseudo-outliers", "0.1");
        assertThat(fitMlp.code()).as(fitMlp.toString()).isZero();
        assertThat(fitMlp.out()).contains("trained 768 -> 16 -> 2 on 12 photographs (1 relabelled as pseudo-outliers)");
    }

    private static Run scan(String... args) {
        return DetectionFixture.run(ScanCommand::run, concat(args, "--detector", det.toString(), "--preset", "tiny"));
    }

    @Test
    void theDetectorRecordsItsEncoderAndPreprocessing() throws IOException {
        FeatureFile photos = FeatureFile.read(photoFeatures);
        Map<String, Object> record = OneClassDetector.load(det).encoder();
        assertThat(record).containsEntry("sha256", photos.encoder().sha256()).containsKey("preprocess");
        @SuppressWarnings("unchecked")
        Map<String, Object> pre = (Map<String, Object>) record.get("preprocess");
        assertThat(pre).containsEntry("height", 32L).containsEntry("width", 32L);
        assertThat(DetectorFile.load(mlp).encoder().sha256()).isEqualTo(photos.encoder().sha256());
    }

    @Test
    void aCorruptFileInTheMiddleIsAnErrorRowAndTheScanGoesOn() throws IOException {
        Path dir = tmp.resolve("mixed");
        DetectionFixture.images(dir, "a", 1, "png", 28, true, 31);
        Files.copy(BAD_IMAGES.resolve("truncated.jpg"), dir.resolve("b.jpg"));
        DetectionFixture.images(dir, "c", 1, "png", 28, false, 32);
        Path csv = tmp.resolve("out/results.csv");
        Run r = scan(dir.toString(), "--out", csv.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("scanned 3 images: ").contains("1 errors (1 truncated)")
                .contains("score: log-likelihood").contains("wrote " + csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("path,sha256,decision,score,p_value,reason,error");
        assertThat(lines).hasSize(4);
        List<List<String>> rows = lines.subList(1, 4).stream().map(ScanCommand::parseCsvLine).toList();
        assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(7));
        assertThat(rows).extracting(row -> row.get(0)).containsExactly(dir + "/a0.png", dir + "/b.jpg", dir + "/c0.png");
        List<String> bad = rows.get(1);
        assertThat(bad.get(2)).isEqualTo("error");
        assertThat(bad.get(1)).hasSize(64);
        assertThat(bad.get(3)).isEmpty();
        assertThat(bad.get(5)).isEqualTo("truncated");
        assertThat(bad.get(6)).contains("b.jpg: truncated");
        for (List<String> good : List.of(rows.get(0), rows.get(2))) {
            assertThat(good.get(2)).isIn("ai-generated", "photograph");
            double score = Double.parseDouble(good.get(3));
            double p = Double.parseDouble(good.get(4));
            assertThat(p).isBetween(0.0, 1.0);
            OneClassDetector d = OneClassDetector.load(det);
            assertThat(good.get(2)).isEqualTo(score < d.threshold() ? "ai-generated" : "photograph");
            assertThat(p).isEqualTo(d.pValue(score));
            assertThat(good.get(5)).isEmpty();
        }
    }

    @Test
    void jsonLinesHoldEveryColumn() throws IOException {
        Path dir = tmp.resolve("two");
        DetectionFixture.images(dir, "x", 2, "jpg", 26, true, 40);
        Files.copy(BAD_IMAGES.resolve("not-an-image.jpg"), dir.resolve("y.jpg"));
        Path out = tmp.resolve("results.jsonl");
        Run r = scan(dir.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        List<Map<String, Object>> rows = Files.readAllLines(out).stream().map(l -> Json.parseObject(l, "line")).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows).allSatisfy(m -> assertThat(m.keySet()).containsExactly("path", "sha256", "decision", "score",
                "p_value", "reason", "error"));
        assertThat(rows.get(0).get("score")).isInstanceOf(Double.class);
        assertThat(rows.get(2)).containsEntry("decision", "error").containsEntry("reason", "unsupported")
                .containsEntry("score", null);
    }

    @Test
    void listFilesAndCsvOnStdoutWithTheSummaryOnStderr() throws IOException {
        Path data = tmp.resolve("data");
        DetectionFixture.images(data.resolve("odd, name"), "q", 1, "png", 28, true, 50);
        DetectionFixture.images(data, "r", 1, "png", 28, false, 51);
        Path list = data.resolve("todo.lst");
        Files.writeString(list, "r0.png\n# skipped\nodd, name/q0.png\nmissing.png\n");
        Run r = scan(list.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("path,sha256,");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).startsWith("\"" + data + "/odd, name/q0.png\",");
        assertThat(ScanCommand.parseCsvLine(lines.get(2)).get(0)).isEqualTo(data + "/odd, name/q0.png");
        assertThat(ScanCommand.parseCsvLine(lines.get(3))).element(5).isEqualTo("unreadable");
        assertThat(r.err()).contains("scanned 3 images").contains("1 errors (1 unreadable)");
    }

    @Test
    void nothingScoredFailsAndAnotherEncoderIsRefused() throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.copy(BAD_IMAGES.resolve("truncated.jpg"), dir.resolve("t.jpg"));
        Run none = scan(dir.toString(), "--out", tmp.resolve("r.csv").toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no image could be scored");
        assertThat(tmp.resolve("r.csv")).exists(); // the error rows are still written

        Run other = DetectionFixture.run(ScanCommand::run, dir.toString(), "--detector", det.toString(), "--preset",
                "tiny", "--init-seed", "5");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("was fitted on features of encoder").contains("--help");

        Run size = scan(dir.toString(), "--input-size", "64");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("differs from the 32x32 inputs");
    }

    @Test
    void theBinaryDetectorScoresWithoutPValues() throws IOException {
        Path dir = tmp.resolve("m");
        DetectionFixture.images(dir, "z", 2, "png", 28, false, 60);
        Run r = DetectionFixture.run(ScanCommand::run, dir.toString(), "--detector", mlp.toString(), "--preset", "tiny",
                "--format", "jsonl");
        assertThat(r.code()).as(r.toString()).isZero();
        List<Map<String, Object>> rows = r.out().lines().map(l -> Json.parseObject(l, "line")).toList();
        assertThat(rows).hasSize(2).allSatisfy(m -> {
            assertThat(m.get("p_value")).isNull();
            double p = (Double) m.get("score");
            assertThat(p).isBetween(0.0, 1.0);
            assertThat(m.get("decision")).isEqualTo(p >= 0.5 ? "ai-generated" : "photograph");
        });
        assertThat(r.err()).contains("P(AI-generated)");
    }

    @Test
    void fitCommandsRefuseBadInput() throws IOException {
        Run few = DetectionFixture.run(FitGmmCommand::run, "--features", photoFeatures.toString(), "--out",
                tmp.resolve("x").toString(), "--components", "20");
        assertThat(few.code()).isEqualTo(2);
        assertThat(few.err()).contains("12 photographs cannot fit 20 components");
        Run notFeatures = DetectionFixture.run(FitGmmCommand::run, "--features", det.toString(), "--out",
                tmp.resolve("x").toString());
        assertThat(notFeatures.code()).isEqualTo(1);
        assertThat(notFeatures.err()).contains("not a features file");
        Run pseudo = DetectionFixture.run(FitMlpCommand::run, "--real", photoFeatures.toString(), "--fake",
                photoFeatures.toString(), "--out", tmp.resolve("m").toString(), "--pseudo-outliers", "0.1");
        assertThat(pseudo.code()).isEqualTo(2);
        assertThat(pseudo.err()).contains("--pseudo-outliers needs --detector");
        Run help = DetectionFixture.run(FitMlpCommand::run, "--help");
        assertThat(help.code()).isZero();
        assertThat(DetectionFixture.run(FitGmmCommand::run, "-h").out()).contains("usage: blades fit-gmm");
        assertThat(DetectionFixture.run(ScanCommand::run, "--help").out()).contains("usage: blades scan");
    }
}
