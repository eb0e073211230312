package org.blades.detect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.tensor.Tensor;

// N = samples to decide, D = feature dimensions, K = components, M = calibration photographs

/**
 * The one-class detector (the paper's Sec. 3.3, "One-Class Anomaly Detection"): a GMM of photographs'
 * features and a log-likelihood threshold below which an image is flagged as AI-generated. The threshold
 * sits at a false-alarm quantile of calibration photographs (5 % in the paper, 10 components: Sec. 4.1); as
 * in the authors' code it is {@code sorted(ll)[floor(rate * M)]}, and an image is a photograph when its
 * log-likelihood is {@code >= threshold}.
 *
 * <p>Each decision also carries the score's empirical p-value among the calibration photographs (see
 * {@link Decision}), so a caller can pick another operating point without recalibrating.
 *
 * <p>File: one safetensors file ({@link #save}, atomic) with tensors gmm.weights (K), gmm.means (K, D),
 * gmm.precisions_cholesky, gmm.covariances (when known) and calibration.scores (M, sorted), all float64, and
 * under the metadata key {@value #METADATA_KEY} a JSON object: format {@value #FORMAT}, covariance_type,
 * components, dimensions, threshold, false_alarm_rate, calibration_size, calibration_sha256, and, when known,
 * encoder: a JSON object naming the image encoder (and preprocessing) whose features the detector was fitted on, so
 * that features of another encoder, which would score meaninglessly, can be refused.
 */
public final class OneClassDetector {

    public static final String FORMAT = "blades-one-class/1";
    public static final String METADATA_KEY = "blades.detector";

    private final GaussianMixture gmm;
    private final double threshold;
    private final double falseAlarmRate;
    private final double[] calibration; // (M) sorted log-likelihoods
    private final String calibrationSha256;
    private final Map<String, Object> encoder; // null when unknown

    private OneClassDetector(GaussianMixture gmm, double threshold, double falseAlarmRate, double[] calibration,
                             String calibrationSha256, Map<String, Object> encoder) {
        this.gmm = gmm;
        this.threshold = threshold;
        this.falseAlarmRate = falseAlarmRate;
        this.calibration = calibration;
        this.calibrationSha256 = calibrationSha256;
        this.encoder = encoder == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(encoder));
    }

    /**
     * Sets the threshold from photographs' features (usually the GMM's own training photographs, as in the
     * paper and the authors' code).
     *
     * @param photos (M, D)
     */
    public static OneClassDetector calibrate(GaussianMixture gmm, Tensor photos, OneClassOptions options) {
        Samples s = gmm.samples(photos, "calibrate");
        if (s.n() == 0) {
            throw new IllegalArgumentException("OneClassDetector.calibrate: no calibration photographs");
        }
        s.requireFinite("OneClassDetector.calibrate");
        double[] scores = gmm.scoreSamples(photos); // (M)
        Arrays.sort(scores);
        int index = (int) Math.floor(options.falseAlarmRate() * s.n());
        return new OneClassDetector(gmm, scores[index], options.falseAlarmRate(), scores, sha256(s), null);
    }

    /**
     * SHA-256 (lowercase hex) identifying a calibration set: over the ASCII line "blades-calibration/1 M D\n"
     * and then the features as float64 little-endian, row-major. Features that are float32 hash as their exact
     * float64 values.
     */
    public static String calibrationHash(Tensor photos) {
        return sha256(Samples.of(photos, "calibrationHash"));
    }

    private static String sha256(Samples s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("blades-calibration/1 " + s.n() + " " + s.d() + "\n").getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);
            double[] x = s.x();
            for (int i = 0; i < x.length; i++) {
                if (!buf.hasRemaining()) {
                    md.update(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putDouble(x[i]);
            }
            md.update(buf.array(), 0, buf.position());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    public GaussianMixture gmm() {
        return gmm;
    }

    /** What the encoder record says (see the class comment), unmodifiable; null when the detector has none. */
    public Map<String, Object> encoder() {
        return encoder;
    }

    /**
     * This detector with an encoder record: JSON values (Map, List, String, Long, Double, Boolean, null), saved with
     * the detector and returned by {@link #encoder()}.
     */
    public OneClassDetector withEncoder(Map<String, Object> record) {
        if (record == null) {
            throw new IllegalArgumentException("OneClassDetector.withEncoder: record is null");
        }
        Json.write(record); // fails now, naming the value, if something is not JSON
        return new OneClassDetector(gmm, threshold, falseAlarmRate, calibration, calibrationSha256, record);
    }

    /** Log-likelihood threshold: below it an image is flagged as AI-generated. */
    public double threshold() {
        return threshold;
    }

    /** The calibration's target false-alarm rate. */
    public double falseAlarmRate() {
        return falseAlarmRate;
    }

    /** M. */
    public int calibrationSize() {
        return calibration.length;
    }

    public String calibrationSha256() {
        return calibrationSha256;
    }

    /** The calibration photographs' log-likelihoods, sorted ascending (M), copy. */
    public double[] calibrationScores() {
        return calibration.clone();
    }

    /** The share of calibration photographs flagged by the threshold: at most the target rate. */
    public double calibrationFalseAlarms() {
        return lowerCount(threshold) / (double) calibration.length;
    }

    /** The decision for each row of {@code features} (N, D). */
    public Decision[] decide(Tensor features) {
        double[] scores = gmm.scoreSamples(features);
        Decision[] out = new Decision[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = decide(scores[i]);
        }
        return out;
    }

    /** The decision for a log-likelihood already computed under {@link #gmm()}. */
    public Decision decide(double score) {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("OneClassDetector.decide: score is NaN");
        }
        return new Decision(score, pValue(score), score < threshold);
    }

    /** (1 + #{calibration scores <= score}) / (M + 1). */
    public double pValue(double score) {
        return (1 + upperCount(score)) / (double) (calibration.length + 1);
    }

    /** #{calibration scores < v}. */
    private int lowerCount(double v) {
        int lo = 0;
        int hi = calibration.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (calibration[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** #{calibration scores <= v}. */
    private int upperCount(double v) {
        int lo = 0;
        int hi = calibration.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (calibration[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Writes the detector file atomically (temp file, fsync, rename); returns the file's SHA-256. */
    public String save(Path path) throws IOException {
        int k = gmm.components();
        int d = gmm.dimensions();
        int[] paramShape = switch (gmm.covarianceType()) {
            case FULL -> new int[] {k, d, d};
            case DIAG -> new int[] {k, d};
            case SPHERICAL -> new int[] {k};
        };
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("covariance_type", gmm.covarianceType().sklearnName());
        meta.put("components", k);
        meta.put("dimensions", d);
        meta.put("threshold", threshold);
        meta.put("false_alarm_rate", falseAlarmRate);
        meta.put("calibration_size", calibration.length);
        meta.put("calibration_sha256", calibrationSha256);
        if (encoder != null) {
            meta.put("encoder", encoder);
        }
        Safetensors.Writer w = Safetensors.writer()
                .put("gmm.weights", gmm.weightsRef(), k)
                .put("gmm.means", gmm.meansRef(), k, d)
                .put("gmm.precisions_cholesky", gmm.precisionsCholeskyRef(), paramShape)
                .put("calibration.scores", calibration, calibration.length)
                .metadata(METADATA_KEY, Json.write(meta));
        if (gmm.covariancesRef() != null) {
            w.put("gmm.covariances", gmm.covariancesRef(), paramShape);
        }
        return w.write(path);
    }

    /** Reads a detector file written by {@link #save}; a file of another format or with bad shapes throws. */
    public static OneClassDetector load(Path path) throws IOException {
        try (SafetensorsFile f = Safetensors.open(path)) {
            String json = f.metadata().get(METADATA_KEY);
            if (json == null) {
                throw new IOException(path + ": not a one-class detector file (no '" + METADATA_KEY + "' metadata)");
            }
            Map<String, Object> meta;
            try {
                meta = Json.parseObject(json, path + " metadata " + METADATA_KEY);
            } catch (Json.JsonException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException(path + ": detector format " + meta.get("format") + ", expected " + FORMAT);
            }
            CovarianceType type;
            GaussianMixture gmm;
            try {
                type = CovarianceType.fromSklearnName(string(meta, "covariance_type", path));
                double[] cov = f.contains("gmm.covariances") ? f.doubles("gmm.covariances") : null;
                gmm = GaussianMixture.fromStored(type, f.doubles("gmm.weights"), f.doubles("gmm.means"), cov,
                        f.doubles("gmm.precisions_cholesky"));
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": malformed one-class detector: " + e.getMessage(), e);
            }
            if (gmm.components() != number(meta, "components", path) || gmm.dimensions() != number(meta, "dimensions", path)) {
                throw new IOException(path + ": metadata says K = " + meta.get("components") + ", D = "
                        + meta.get("dimensions") + " but the tensors hold K = " + gmm.components() + ", D = "
                        + gmm.dimensions());
            }
            double[] scores = f.doubles("calibration.scores");
            if (scores.length == 0 || scores.length != number(meta, "calibration_size", path)) {
                throw new IOException(path + ": " + scores.length + " calibration scores but calibration_size "
                        + meta.get("calibration_size"));
            }
            for (int i = 1; i < scores.length; i++) {
                if (!(scores[i - 1] <= scores[i])) {
                    throw new IOException(path + ": calibration.scores are not sorted at index " + i);
                }
            }
            Object enc = meta.get("encoder");
            if (enc != null && !(enc instanceof Map)) {
                throw new IOException(path + ": detector metadata 'encoder' is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> encoderRecord = (Map<String, Object>) enc;
            return new OneClassDetector(gmm, number(meta, "threshold", path), number(meta, "false_alarm_rate", path),
                    scores, string(meta, "calibration_sha256", path), encoderRecord);
        }
    }

    private static double number(Map<String, Object> meta, String key, Path path) throws IOException {
        if (!(meta.get(key) instanceof Number n)) {
            throw new IOException(path + ": detector metadata '" + key + "' is missing or not a number");
        }
        return n.doubleValue();
    }

    private static String string(Map<String, Object> meta, String key, Path path) throws IOException {
        if (!(meta.get(key) instanceof String v)) {
            throw new IOException(path + ": detector metadata '" + key + "' is missing or not a string");
        }
        return v;
    }
}
