package org.blades.embed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.io.StDType;
import org.blades.tensor.Tensor;

// N = embedded images, D = feature dimensions

/**
 * Features of a set of images, as {@code blades embed} writes them and the fit commands read them; also the cache
 * that later runs reuse rows from.
 *
 * <p>File: one safetensors file with {@code features} F32 (N, D), L2-normalised rows, and {@code sha256} U8 (N, 32),
 * each row's file SHA-256; under the metadata key {@value #METADATA_KEY} a JSON object: format {@value #FORMAT},
 * {@code key} (the cache key, {@link FeatureOptions#cacheKey}), {@code encoder} ({@link EncoderId#toJson}),
 * {@code preprocess} ({@link FeatureOptions#toJson}), {@code dimensions}, {@code paths} (N strings, as named on the
 * command line) and {@code failures} (the images that could not be embedded: path, sha256 or null, reason, error).
 * Written atomically.
 *
 * @param key      the cache key the rows were made under: {@code options.cacheKey(encoder)} when made by this version
 *                 (a file from an older preprocessing pipeline keeps its old key, and so is never reused)
 * @param encoder  the encoder that made the rows
 * @param options  the preprocessing that made the rows
 * @param rows     the embedded images, in input order
 * @param failures the images that could not be embedded, in input order
 */
public record FeatureFile(String key, EncoderId encoder, FeatureOptions options, List<Row> rows, List<Failure> failures) {

    public static final String FORMAT = "blades-features/1";
    public static final String METADATA_KEY = "blades.features";

    /**
     * One embedded image.
     *
     * @param feature (D) unit length; owned by the row, not copied
     */
    public record Row(String path, String sha256, float[] feature) {
    }

    /**
     * One image that could not be embedded.
     *
     * @param sha256 null when the file could not even be read
     * @param reason a short category ("truncated", "corrupt", "unsupported", "too large", "unreadable", "internal
     *               error")
     * @param error  the full message, naming the file
     */
    public record Failure(String path, String sha256, String reason, String error) {
    }

    public FeatureFile {
        if (key == null || encoder == null || options == null) {
            throw new IllegalArgumentException("FeatureFile: key, encoder and options must be given");
        }
        rows = List.copyOf(rows);
        failures = List.copyOf(failures);
        int d = encoder.config().outDim();
        for (Row r : rows) {
            if (r.feature().length != d || r.sha256() == null || !r.sha256().matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("FeatureFile: row " + r.path() + " has " + r.feature().length
                        + " values (encoder D = " + d + ") or a malformed sha256 " + r.sha256());
            }
        }
    }

    /** New rows made now, keyed by {@code options.cacheKey(encoder)}. */
    public static FeatureFile of(EncoderId encoder, FeatureOptions options, List<Row> rows, List<Failure> failures) {
        return new FeatureFile(options.cacheKey(encoder), encoder, options, rows, failures);
    }

    /** D. */
    public int dimensions() {
        return encoder.config().outDim();
    }

    /** All rows as one float32 tensor (N, D). */
    public Tensor features() {
        int d = dimensions();
        float[] x = new float[rows.size() * d]; // (N, D)
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).feature(), 0, x, i * d, d);
        }
        return Tensor.of(x, rows.size(), d);
    }

    /** Rows by file SHA-256 (the first row of each hash). */
    public Map<String, float[]> bySha256() {
        Map<String, float[]> m = new HashMap<>();
        for (Row r : rows) {
            m.putIfAbsent(r.sha256(), r.feature());
        }
        return m;
    }

    /** Writes the file atomically; returns its SHA-256. At least one row is needed (no zero-size tensors). */
    public String write(Path path) throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("FeatureFile.write: no rows to write to " + path);
        }
        int n = rows.size();
        byte[] sha = new byte[n * 32]; // (N, 32)
        List<Object> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            System.arraycopy(HexFormat.of().parseHex(rows.get(i).sha256()), 0, sha, i * 32, 32);
            paths.add(rows.get(i).path());
        }
        List<Object> fails = new ArrayList<>();
        for (Failure f : failures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.path());
            m.put("sha256", f.sha256());
            m.put("reason", f.reason());
            m.put("error", f.error());
            fails.add(m);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("key", key());
        meta.put("encoder", encoder.toJson());
        meta.put("preprocess", options.toJson());
        meta.put("dimensions", (long) dimensions());
        meta.put("paths", paths);
        meta.put("failures", fails);
        float[] x = features().f32(); // (N, D)
        return Safetensors.writer()
                .put("features", x, n, dimensions())
                .putRaw("sha256", StDType.U8, sha, n, 32)
                .metadata(METADATA_KEY, Json.write(meta))
                .write(path);
    }

    private static String text(Object o) {
        return o instanceof String s ? s : null;
    }

    /** Reads a file written by {@link #write}; anything else throws an IOException naming the file and the problem. */
    @SuppressWarnings("unchecked")
    public static FeatureFile read(Path path) throws IOException {
        try (SafetensorsFile f = Safetensors.open(path)) {
            String json = f.metadata().get(METADATA_KEY);
            if (json == null) {
                throw new IOException(path + ": not a features file (no '" + METADATA_KEY + "' metadata; make one with "
                        + "blades embed)");
            }
            Map<String, Object> meta = Json.parseObject(json, path + " metadata " + METADATA_KEY);
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException(path + ": features format " + meta.get("format") + ", expected " + FORMAT);
            }
            if (!(meta.get("encoder") instanceof Map<?, ?> enc) || !(meta.get("preprocess") instanceof Map<?, ?> pre)
                    || !(meta.get("paths") instanceof List<?> paths) || !(meta.get("key") instanceof String key)
                    || !f.contains("features") || !f.contains("sha256")) {
                throw new IOException(path + ": features file lacks its encoder, preprocess, paths or key record, or "
                        + "its features or sha256 tensor");
            }
            EncoderId encoder = EncoderId.fromJson((Map<String, Object>) enc);
            FeatureOptions options = FeatureOptions.fromJson((Map<String, Object>) pre);
            int[] shape = f.shape("features");
            int d = encoder.config().outDim();
            if (shape.length != 2 || shape[1] != d || shape[0] != paths.size()
                    || !Arrays.equals(f.shape("sha256"), new int[] {shape[0], 32})) {
                throw new IOException(path + ": features " + Arrays.toString(shape) + ", sha256 "
                        + Arrays.toString(f.shape("sha256")) + " and " + paths.size()
                        + " paths do not agree with D = " + d);
            }
            float[] x = f.floats("features"); // (N, D)
            long[] sha = f.longs("sha256"); // (N, 32)
            List<Row> rows = new ArrayList<>();
            byte[] one = new byte[32]; // (32) one row's hash
            for (int i = 0; i < shape[0]; i++) {
                for (int b = 0; b < 32; b++) {
                    one[b] = (byte) sha[i * 32 + b];
                }
                float[] row = new float[d]; // (D)
                System.arraycopy(x, i * d, row, 0, d);
                rows.add(new Row(String.valueOf(paths.get(i)), HexFormat.of().formatHex(one), row));
            }
            List<Failure> failures = new ArrayList<>();
            if (meta.get("failures") instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> m) {
                        failures.add(new Failure(text(m.get("path")), text(m.get("sha256")), text(m.get("reason")),
                                text(m.get("error"))));
                    }
                }
            }
            return new FeatureFile(key, encoder, options, rows, failures);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": malformed features file: " + e.getMessage(), e);
        }
    }
}
