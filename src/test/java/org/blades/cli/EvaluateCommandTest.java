package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blades.cli.DetectionFixture.BAD_IMAGES;
import static org.blades.cli.DetectionFixture.TINY;
import static org.blades.cli.DetectionFixture.concat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.blades.cli.DetectionFixture.Run;
import org.blades.eval.BinaryCounts;
import org.blades.eval.Metrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class EvaluateCommandTest {

    @TempDir
    static Path shared;
    static Path det;
    static Path photos;
    static Path pngFakes;
    static Path jpegFakes;

    @TempDir
    Path tmp;

    /**
     * Photographs: 8 PNGs of 28 px (the detector's training set) and 6 more for testing; generator "png-gan": PNGs of
     * 28 px like the photographs; generator "jpeg-big": JPEGs of 48 px, which must trigger both warnings.
     */
    @BeforeAll
    static void sets() throws IOException {
        Path train = shared.resolve("train");
        DetectionFixture.images(train, "t", 8, "png", 28, true, 1);
        Path features = shared.resolve("train.safetensors");
        assertThat(DetectionFixture.run(EmbedCommand::run, concat(new String[] {train.toString(), "--out",
            features.toString()}, TINY)).code()).isZero();
        det = shared.resolve("det.safetensors");
        assertThat(DetectionFixture.run(FitGmmCommand::run, "--features", features.toString(), "--out", det.toString(),
                "--components", "2", "--covariance", "spherical").code()).isZero();
        photos = shared.resolve("photos");
        DetectionFixture.images(photos, "p", 6, "png", 28, true, 2);
        Files.copy(BAD_IMAGES.resolve("truncated.png"), photos.resolve("p9-cut.png"));
        pngFakes = shared.resolve("png-gan");
        DetectionFixture.images(pngFakes, "g", 5, "png", 28, false, 3);
        jpegFakes = shared.resolve("jpeg-big");
        DetectionFixture.images(jpegFakes, "j", 4, "jpg", 48, false, 4);
    }

    private static Run evaluate(Path out, String... extra) {
        return DetectionFixture.run(EvaluateCommand::run, concat(new String[] {"--real", photos.toString(), "--fake",
            "png-gan=" + pngFakes, "--fake", jpegFakes.toString(), "--detector", det.toString(), "--preset", "tiny",
            "--out", out.toString()}, extra));
    }

    @Test
    void tablesEqualTheMetricsOfTheWrittenScoresAndFormatsAreCompared() throws Exception {
        Path out = tmp.resolve("report");
        Run r = evaluate(out);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("generator").contains("png-gan").contains("jpeg-big").contains("mean")
                .contains("positive class: photographs").contains("wrote " + out.resolve("report.html"));
        // PNG photographs against JPEG images of another size: both warnings, for jpeg-big only
        assertThat(r.err()).contains("warning: file formats differ: photographs are PNG 100 %, jpeg-big is JPEG 100 %")
                .contains("warning: image sizes differ: photographs are all 28x28 (100 %)")
                .contains("jpeg-big is all 48x48").contains("p9-cut.png: truncated");
        assertThat(r.err()).doesNotContain("png-gan is");

        Map<String, List<String[]>> scores = new HashMap<>();
        List<String> scoreLines = Files.readAllLines(out.resolve("scores.csv"));
        assertThat(scoreLines.get(0)).isEqualTo("set,label,path,sha256,decision,score,photo_score,p_value,reason,error");
        for (String line : scoreLines.subList(1, scoreLines.size())) {
            String[] f = ScanCommand.parseCsvLine(line).toArray(new String[0]);
            scores.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
        }
        assertThat(scores.get("photographs")).hasSize(7);
        assertThat(scores.get("photographs").get(6)[4]).isEqualTo("error");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(metrics.get(0)).isEqualTo("generator,photographs,generated,accuracy,auc,ap,tpr,tnr");
        assertThat(metrics).hasSize(4);
        double[] mean = new double[5];
        for (int g = 1; g <= 2; g++) {
            String[] m = metrics.get(g).split(",");
            List<String[]> real = scores.get("photographs").stream().filter(f -> !f[4].equals("error")).toList();
            List<String[]> fake = scores.get(m[0]);
            int n = real.size() + fake.size();
            boolean[] positive = new boolean[n];
            boolean[] predicted = new boolean[n];
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                String[] f = i < real.size() ? real.get(i) : fake.get(i - real.size());
                positive[i] = i < real.size();
                predicted[i] = f[4].equals("photograph");
                s[i] = Double.parseDouble(f[6]);
            }
            BinaryCounts c = Metrics.counts(positive, predicted);
            double[] expected = {c.accuracy(), Metrics.rocAuc(positive, s), Metrics.averagePrecision(positive, s),
                c.tpr(), c.tnr()};
            assertThat(Integer.parseInt(m[1])).isEqualTo(6);
            assertThat(Integer.parseInt(m[2])).isEqualTo(fake.size());
            for (int k = 0; k < 5; k++) {
                assertThat(Double.parseDouble(m[3 + k])).as(m[0] + " metric " + k).isEqualTo(expected[k]);
                mean[k] += expected[k] / 2;
            }
        }
        String[] meanRow = metrics.get(3).split(",");
        assertThat(meanRow[0]).isEqualTo("mean");
        for (int k = 0; k < 5; k++) {
            assertThat(Double.parseDouble(meanRow[3 + k])).isCloseTo(mean[k], org.assertj.core.data.Offset.offset(1e-15));
        }

        for (String svg : List.of("roc.svg", "pr.svg")) {
            Document doc = parse(out.resolve(svg));
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        }
        Document html = parse(out.resolve("report.html"));
        assertThat(html.getElementsByTagName("svg").getLength()).isEqualTo(2);
        assertThat(html.getElementsByTagName("table").getLength()).isEqualTo(2);
        String text = Files.readString(out.resolve("report.html"));
        assertThat(text).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
                .doesNotContain("http://e").contains("file formats differ");
        assertThat(tmp).isDirectoryNotContaining("glob:**/*.tmp");
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // no external entities or DTDs: the report must stand alone
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void jpegReencodingChangesEveryInputAndTheScores() throws IOException {
        Path plain = tmp.resolve("plain");
        Path jpeg = tmp.resolve("jpeg");
        Path cache = tmp.resolve("cache.safetensors");
        Run a = evaluate(plain, "--cache", cache.toString());
        Run b = evaluate(jpeg, "--jpeg", "50", "--cache", cache.toString());
        assertThat(a.code()).as(a.toString()).isZero();
        assertThat(b.code()).as(b.toString()).isZero();
        assertThat(b.err()).contains("not reusing " + cache).contains("--jpeg 50 re-encoded them all");
        assertThat(b.out()).contains("re-encoded as JPEG quality 50");
        List<String> s1 = Files.readAllLines(plain.resolve("scores.csv"));
        List<String> s2 = Files.readAllLines(jpeg.resolve("scores.csv"));
        assertThat(s1).hasSameSizeAs(s2);
        for (int i = 1; i < s1.size(); i++) {
            List<String> x = ScanCommand.parseCsvLine(s1.get(i));
            List<String> y = ScanCommand.parseCsvLine(s2.get(i));
            assertThat(y.get(2)).isEqualTo(x.get(2));
            assertThat(y.get(3)).isEqualTo(x.get(3)); // the files' own hashes
            if (!x.get(4).equals("error")) {
                assertThat(y.get(5)).as(x.get(2)).isNotEqualTo(x.get(5));
            }
        }
        // the cache now holds the re-encoded features; the same run again computes nothing
        Run c = evaluate(tmp.resolve("again"), "--jpeg", "50", "--cache", cache.toString());
        assertThat(c.err()).doesNotContain("not reusing").contains("evaluate [");
        assertThat(Files.readAllLines(tmp.resolve("again/scores.csv"))).isEqualTo(s2);
    }

    @Test
    void generatedImagesAsThePositiveClassKeepAucAndSwapTheRates() throws IOException {
        Run a = evaluate(tmp.resolve("a"));
        Run b = evaluate(tmp.resolve("b"), "--positive", "generated");
        assertThat(b.code()).as(b.toString()).isZero();
        assertThat(b.out()).contains("positive class: AI-generated images; TPR = AI-generated images caught");
        String[] x = Files.readAllLines(tmp.resolve("a/metrics.csv")).get(1).split(",");
        String[] y = Files.readAllLines(tmp.resolve("b/metrics.csv")).get(1).split(",");
        assertThat(a.code()).isZero();
        assertThat(y[3]).isEqualTo(x[3]); // accuracy
        assertThat(Double.parseDouble(y[4])).isCloseTo(Double.parseDouble(x[4]), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(y[6]).isEqualTo(x[7]);
        assertThat(y[7]).isEqualTo(x[6]);
    }

    @Test
    void limitSamplesEachSetAndBadUsageIsOneLine() throws IOException {
        Run r = evaluate(tmp.resolve("lim"), "--limit", "3");
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> metrics = Files.readAllLines(tmp.resolve("lim/metrics.csv"));
        assertThat(metrics.get(1)).startsWith("png-gan,").matches("png-gan,[0-3],3,.*");

        for (String[] args : List.of(new String[] {"--real", photos.toString()},
                new String[] {"--real", photos.toString(), "--fake", "a=" + pngFakes, "--fake", "a=" + jpegFakes,
                    "--detector", det.toString(), "--preset", "tiny", "--out", "x"},
                new String[] {"--real", photos.toString(), "--fake", "a=" + tmp.resolve("nothing"), "--detector",
                    det.toString(), "--preset", "tiny", "--out", "x"},
                new String[] {"--real", photos.toString(), "--fake", pngFakes.toString(), "--detector", det.toString(),
                    "--preset", "tiny", "--out", "x", "--positive", "fake"})) {
            Run bad = DetectionFixture.run(EvaluateCommand::run, args);
            assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
            assertThat(bad.err().strip().lines()).hasSize(1);
        }
    }
}
