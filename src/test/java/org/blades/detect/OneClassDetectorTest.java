package org.blades.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.blades.bench.GmmBench;
import org.blades.io.Safetensors;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// M = calibration photographs, D = feature dimensions

class OneClassDetectorTest {

    private static Tensor photos; // (M, D)
    private static GaussianMixture gmm;

    @BeforeAll
    static void fit() {
        var m = GmmBench.syntheticMixture(400, 12, 3, 21);
        photos = Tensor.of(m.x(), m.n(), m.d());
        gmm = ExpectationMaximization.fit(photos, GmmOptions.defaults().withComponents(3)).model();
    }

    @Test
    void thresholdIsTheAuthorsQuantileAndFlagsAtMostTheTargetRate() {
        OneClassDetector det = OneClassDetector.calibrate(gmm, photos, OneClassOptions.defaults());
        double[] ll = gmm.scoreSamples(photos);
        Arrays.sort(ll);
        assertThat(det.threshold()).isEqualTo(ll[(int) (0.05 * 400)]);
        assertThat(det.calibrationFalseAlarms()).isEqualTo(20 / 400.0);
        long flagged = Arrays.stream(det.decide(photos)).filter(Decision::generated).count();
        assertThat(flagged).isEqualTo(20);
        assertThat(det.calibrationSize()).isEqualTo(400);
        OneClassDetector none = OneClassDetector.calibrate(gmm, photos, new OneClassOptions(0));
        assertThat(none.threshold()).isEqualTo(ll[0]);
        assertThat(Arrays.stream(none.decide(photos)).noneMatch(Decision::generated)).isTrue();
    }

    @Test
    void decisionsCarryTheScoreAndItsEmpiricalPValue() {
        OneClassDetector det = OneClassDetector.calibrate(gmm, photos, OneClassOptions.defaults());
        double[] cal = det.calibrationScores();
        Decision atThreshold = det.decide(det.threshold());
        assertThat(atThreshold.generated()).isFalse();
        assertThat(atThreshold.pValue()).isEqualTo(22 / 401.0); // 21 calibration scores <= threshold, plus one
        Decision belowAll = det.decide(cal[0] - 1);
        assertThat(belowAll.generated()).isTrue();
        assertThat(belowAll.pValue()).isEqualTo(1 / 401.0);
        assertThat(det.decide(cal[399] + 1).pValue()).isEqualTo(1.0);
        // far from every photograph: flagged, with the smallest p-value
        Tensor outlier = Tensor.full(DType.F64, 50.0, 1, 12);
        Decision d = det.decide(outlier)[0];
        assertThat(d.generated()).isTrue();
        assertThat(d.pValue()).isEqualTo(1 / 401.0);
        assertThat(d.score()).isEqualTo(gmm.scoreSamples(outlier)[0]);
        assertThatThrownBy(() -> det.decide(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saveAndLoadRoundTripExactly(@TempDir Path dir) throws IOException {
        OneClassDetector det = OneClassDetector.calibrate(gmm, photos, OneClassOptions.defaults());
        Path file = dir.resolve("one-class.safetensors");
        String sha = det.save(file);
        assertThat(sha).isEqualTo(Safetensors.sha256(file));
        assertThat(names(dir)).containsExactly("one-class.safetensors"); // no temp file left behind
        OneClassDetector back = OneClassDetector.load(file);
        assertThat(back.threshold()).isEqualTo(det.threshold());
        assertThat(back.falseAlarmRate()).isEqualTo(0.05);
        assertThat(back.calibrationSha256()).isEqualTo(det.calibrationSha256()).hasSize(64);
        assertThat(back.calibrationScores()).isEqualTo(det.calibrationScores());
        assertThat(back.gmm().precisionsCholesky()).isEqualTo(gmm.precisionsCholesky());
        assertThat(back.gmm().covariances()).isEqualTo(gmm.covariances());
        Tensor probe = Tensor.randn(DType.F64, 3, 5, 12);
        assertThat(back.decide(probe)).containsExactly(det.decide(probe));
        try (var f = Safetensors.open(file)) {
            assertThat(f.metadata().get(OneClassDetector.METADATA_KEY))
                    .contains("\"format\":\"blades-one-class/1\"")
                    .contains("\"false_alarm_rate\":0.05")
                    .contains("\"calibration_sha256\":\"" + det.calibrationSha256() + "\"");
        }
    }

    @Test
    void theEncoderRecordTravelsWithTheFile(@TempDir Path dir) throws IOException {
        OneClassDetector det = OneClassDetector.calibrate(gmm, photos, OneClassOptions.defaults());
        assertThat(det.encoder()).isNull();
        Path plain = dir.resolve("plain.safetensors");
        det.save(plain);
        assertThat(OneClassDetector.load(plain).encoder()).isNull();

        Map<String, Object> record = Map.of("sha256", "ab".repeat(32), "config", Map.of("width", 8L));
        OneClassDetector tagged = det.withEncoder(record);
        assertThat(tagged.threshold()).isEqualTo(det.threshold());
        Path file = dir.resolve("tagged.safetensors");
        tagged.save(file);
        assertThat(OneClassDetector.load(file).encoder()).isEqualTo(record);
        assertThatThrownBy(() -> det.withEncoder(Map.of("x", new Object()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void calibrationHashIdentifiesTheFeatures() {
        String h = OneClassDetector.calibrationHash(photos);
        assertThat(OneClassDetector.calibrate(gmm, photos, OneClassOptions.defaults()).calibrationSha256()).isEqualTo(h);
        double[] x = photos.toDoubleArray();
        x[5] = Math.nextUp(x[5]);
        assertThat(OneClassDetector.calibrationHash(Tensor.of(x, 400, 12))).isNotEqualTo(h);
        // float32 features hash as their exact float64 values
        Tensor f32 = photos.to(DType.F32);
        assertThat(OneClassDetector.calibrationHash(f32)).isEqualTo(OneClassDetector.calibrationHash(f32.to(DType.F64)));
    }

    @Test
    void loadRejectsForeignAndCorruptFiles(@TempDir Path dir) throws IOException {
        Path foreign = dir.resolve("foreign.safetensors");
        Safetensors.writer().put("x", new double[] {1}, 1).write(foreign);
        assertThatThrownBy(() -> OneClassDetector.load(foreign)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a one-class detector file");
        Path bad = dir.resolve("bad.safetensors");
        Safetensors.writer()
                .put("gmm.weights", new double[] {1}, 1)
                .put("gmm.means", new double[] {0, 0}, 1, 2)
                .put("gmm.precisions_cholesky", new double[] {1, 0, 0.5, 1}, 1, 2, 2)
                .put("calibration.scores", new double[] {-3, -2}, 2)
                .metadata(OneClassDetector.METADATA_KEY, "{\"format\":\"blades-one-class/1\",\"covariance_type\":\"full\","
                        + "\"components\":1,\"dimensions\":2,\"threshold\":-3.0,\"false_alarm_rate\":0.05,"
                        + "\"calibration_size\":2,\"calibration_sha256\":\"x\"}")
                .write(bad);
        assertThatThrownBy(() -> OneClassDetector.load(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("upper-triangular");
    }

    private static java.util.List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
