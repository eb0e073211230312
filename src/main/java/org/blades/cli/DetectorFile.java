package org.blades.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.blades.detect.Decision;
import org.blades.detect.OneClassDetector;
import org.blades.detect.PerceptronClassifier;
import org.blades.embed.Embedder;
import org.blades.embed.EncoderId;
import org.blades.embed.FeatureOptions;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.nn.StateDict;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// N = images, D = feature dimensions, H = hidden units

/**
 * A fitted detector file of either kind, as {@code scan} and {@code evaluate} use it: the one-class GMM
 * ({@link OneClassDetector}, {@code blades fit-gmm}) or the binary perceptron ({@code blades fit-mlp}). Both carry an
 * encoder record ({@link #encoderRecord}): the {@link EncoderId} JSON plus "preprocess" ({@link FeatureOptions} JSON)
 * of the features they were fitted on.
 *
 * <p>Perceptron file: the {@link PerceptronClassifier} state dict (fc1.weight (H, D), fc1.bias, fc2.weight (2, H),
 * fc2.bias) as safetensors, and under the metadata key {@value OneClassDetector#METADATA_KEY} (shared with the
 * one-class file, told apart by its format) a JSON object: format {@value #MLP_FORMAT}, dimensions, hidden, encoder,
 * training (the trainer's summary).
 */
abstract sealed class DetectorFile permits DetectorFile.OneClass, DetectorFile.Binary {

    static final String MLP_FORMAT = "blades-mlp/1";

    /**
     * One image's verdict.
     *
     * @param score       the detector's own score: log-likelihood (one-class) or P(AI-generated) (binary)
     * @param pValue      the one-class detector's empirical p-value among calibration photographs; null for the
     *                    binary detector
     * @param generated   flagged as AI-generated
     * @param photoScore  a score that is higher for photographs, whatever the kind: log-likelihood, or
     *                    -P(AI-generated) (not 1 - P, which rounds tiny probabilities into ties); the ranking metrics
     *                    use it with photographs as the positive class
     */
    record Verdict(double score, Double pValue, boolean generated, double photoScore) {
    }

    /** The encoder record the detector was saved with, or null. */
    abstract Map<String, Object> encoderRecord();

    /** One line: kind and operating point. */
    abstract String describe();

    /** What the score column means, for --help texts and summaries. */
    abstract String scoreMeaning();

    /** A verdict per row of {@code features} (N, D). */
    abstract Verdict[] judge(Tensor features);

    /** D. */
    abstract int dimensions();

    /** A verdict per embedded image, in order (one detector call for all of them). */
    Verdict[] judge(List<Embedder.Embedded> embedded) {
        if (embedded.isEmpty()) {
            return new Verdict[0];
        }
        int d = embedded.get(0).feature().length;
        float[] x = new float[embedded.size() * d]; // (N, D)
        for (int i = 0; i < embedded.size(); i++) {
            System.arraycopy(embedded.get(i).feature(), 0, x, i * d, d);
        }
        return judge(Tensor.of(x, embedded.size(), d));
    }

    /** The encoder record's encoder, or null when the record is missing or unreadable. */
    EncoderId encoder() {
        Map<String, Object> r = encoderRecord();
        try {
            return r == null ? null : EncoderId.fromJson(r);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The encoder record's preprocessing, or null. */
    @SuppressWarnings("unchecked")
    FeatureOptions preprocess() {
        Map<String, Object> r = encoderRecord();
        try {
            return r != null && r.get("preprocess") instanceof Map<?, ?> m
                    ? FeatureOptions.fromJson((Map<String, Object>) m) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The record fit commands store: the encoder and the features' preprocessing (without any JPEG re-encoding). */
    static Map<String, Object> encoderRecord(EncoderId encoder, FeatureOptions options) {
        Map<String, Object> m = new LinkedHashMap<>(encoder.toJson());
        m.put("preprocess", options.withJpegQuality(0).toJson());
        return m;
    }

    /** Reads either kind; a file of neither is an IOException saying what it is not. */
    static DetectorFile load(Path path) throws IOException {
        String format;
        try (SafetensorsFile f = Safetensors.open(path)) {
            String json = f.metadata().get(OneClassDetector.METADATA_KEY);
            if (json == null) {
                throw new IOException(path + ": not a detector file (no '" + OneClassDetector.METADATA_KEY
                        + "' metadata; make one with blades fit-gmm or fit-mlp)");
            }
            Object fmt = Json.parseObject(json, path + " metadata").get("format");
            format = fmt instanceof String s ? s : "";
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": malformed detector metadata: " + e.getMessage(), e);
        }
        if (format.equals(OneClassDetector.FORMAT)) {
            return new OneClass(OneClassDetector.load(path));
        }
        if (format.equals(MLP_FORMAT)) {
            return Binary.load(path);
        }
        throw new IOException(path + ": detector format '" + format + "', expected " + OneClassDetector.FORMAT + " or "
                + MLP_FORMAT);
    }

    /** Saves a trained perceptron atomically; returns the file's SHA-256. */
    static String saveBinary(PerceptronClassifier model, Map<String, Object> encoderRecord,
                             Map<String, Object> training, Path path) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", MLP_FORMAT);
        meta.put("dimensions", (long) model.inputDimension());
        meta.put("hidden", (long) model.hiddenUnits());
        meta.put("encoder", encoderRecord);
        meta.put("training", training);
        return StateDict.save(model, path, Map.of(OneClassDetector.METADATA_KEY, Json.write(meta)));
    }

    /** The one-class GMM detector. */
    static final class OneClass extends DetectorFile {
        private final OneClassDetector detector;

        OneClass(OneClassDetector detector) {
            this.detector = detector;
        }

        OneClassDetector detector() {
            return detector;
        }

        @Override
        Map<String, Object> encoderRecord() {
            return detector.encoder();
        }

        @Override
        String describe() {
            return String.format(Locale.ROOT, "one-class GMM (%d %s components, D = %d), threshold %.6g at %.3g %% "
                    + "false alarms on %d photographs", detector.gmm().components(),
                    detector.gmm().covarianceType().sklearnName(), detector.gmm().dimensions(), detector.threshold(),
                    100 * detector.falseAlarmRate(), detector.calibrationSize());
        }

        @Override
        String scoreMeaning() {
            return "log-likelihood under the photographs' GMM (below the threshold: AI-generated)";
        }

        @Override
        int dimensions() {
            return detector.gmm().dimensions();
        }

        @Override
        Verdict[] judge(Tensor features) {
            Decision[] d = detector.decide(features);
            Verdict[] out = new Verdict[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = new Verdict(d[i].score(), d[i].pValue(), d[i].generated(), d[i].score());
            }
            return out;
        }
    }

    /** The binary perceptron detector: AI-generated when P(AI-generated) >= 0.5, as the trainer's accuracy. */
    static final class Binary extends DetectorFile {
        private final PerceptronClassifier model;
        private final Map<String, Object> encoder;

        private Binary(PerceptronClassifier model, Map<String, Object> encoder) {
            this.model = model;
            this.encoder = encoder;
        }

        @SuppressWarnings("unchecked")
        static Binary load(Path path) throws IOException {
            try (SafetensorsFile f = Safetensors.open(path)) {
                Map<String, Object> meta = Json.parseObject(f.metadata().get(OneClassDetector.METADATA_KEY),
                        path + " metadata");
                if (!(meta.get("dimensions") instanceof Long d) || !(meta.get("hidden") instanceof Long h)) {
                    throw new IOException(path + ": perceptron metadata needs integer 'dimensions' and 'hidden'");
                }
                PerceptronClassifier model = new PerceptronClassifier(DType.F32, Math.toIntExact(d), Math.toIntExact(h));
                StateDict.load(model, f, StateDict.LoadOptions.STRICT);
                Object enc = meta.get("encoder");
                return new Binary(model, enc instanceof Map<?, ?> m ? (Map<String, Object>) m : null);
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": malformed perceptron detector: " + e.getMessage(), e);
            }
        }

        @Override
        Map<String, Object> encoderRecord() {
            return encoder;
        }

        @Override
        String describe() {
            return "binary perceptron (" + model.inputDimension() + " -> " + model.hiddenUnits()
                    + " -> 2), AI-generated when P(AI-generated) >= 0.5";
        }

        @Override
        String scoreMeaning() {
            return "P(AI-generated) from the perceptron (0.5 or more: AI-generated)";
        }

        @Override
        int dimensions() {
            return model.inputDimension();
        }

        @Override
        Verdict[] judge(Tensor features) {
            double[] p = model.probabilityGenerated(features); // (N)
            Verdict[] out = new Verdict[p.length];
            for (int i = 0; i < p.length; i++) {
                out[i] = new Verdict(p[i], null, p[i] >= 0.5, -p[i]);
            }
            return out;
        }
    }
}
