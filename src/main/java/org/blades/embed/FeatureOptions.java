package org.blades.embed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.blades.data.DecodeOptions;
import org.blades.data.ImageIndex;
import org.blades.data.PreprocessOptions;
import org.blades.io.Json;

/**
 * How an image file becomes the encoder's input: decoding, optional JPEG re-encoding, resizing and CLIP
 * normalisation ({@link org.blades.data.Preprocess}).
 *
 * @param preprocess  input size and decoding rules; the pixel limit only decides which files are refused, so it is
 *                    not part of the cache key
 * @param jpegQuality 0 for none, else 1..100: every input is first decoded and re-encoded as a JPEG of this
 *                    quality ({@link JpegRecompression}), the robustness protocol of the paper's Table 5
 */
public record FeatureOptions(PreprocessOptions preprocess, int jpegQuality) {

    /**
     * Names the preprocessing code, with the decoder's version from {@link ImageIndex#READER}. Change it whenever
     * the same file and encoder could give other features, so that old caches are not reused.
     */
    public static final String PIPELINE = "blades-preprocess/1 antialiased-bilinear clip-norm " + ImageIndex.READER;

    public FeatureOptions {
        if (preprocess == null) {
            throw new IllegalArgumentException("FeatureOptions: preprocess options must be given");
        }
        if (jpegQuality < 0 || jpegQuality > 100) {
            throw new IllegalArgumentException("FeatureOptions: jpegQuality must be 0 (off) or 1..100, got "
                    + jpegQuality);
        }
    }

    /** Square inputs of {@code size} pixels, EXIF orientation applied, no re-encoding. */
    public static FeatureOptions square(int size) {
        return new FeatureOptions(new PreprocessOptions(size, size, DecodeOptions.DEFAULT), 0);
    }

    public FeatureOptions withJpegQuality(int quality) {
        return new FeatureOptions(preprocess, quality);
    }

    public FeatureOptions withMaxPixels(long maxPixels) {
        return new FeatureOptions(new PreprocessOptions(preprocess.height(), preprocess.width(),
                preprocess.decode().withMaxPixels(maxPixels)), jpegQuality);
    }

    /** {"pipeline", "height", "width", "orientation": "apply"|"ignore", "jpeg_quality": null|Q}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pipeline", PIPELINE);
        m.put("height", (long) preprocess.height());
        m.put("width", (long) preprocess.width());
        m.put("orientation", preprocess.decode().orientation() == DecodeOptions.Orientation.APPLY ? "apply" : "ignore");
        m.put("jpeg_quality", jpegQuality == 0 ? null : (long) jpegQuality);
        return m;
    }

    /** The inverse of {@link #toJson} (with the default pixel limit); a malformed entry throws, naming it. */
    public static FeatureOptions fromJson(Map<String, Object> json) {
        if (!(json.get("height") instanceof Long h) || !(json.get("width") instanceof Long w)
                || !(json.get("orientation") instanceof String o) || !(o.equals("apply") || o.equals("ignore"))) {
            throw new IllegalArgumentException("preprocess record: needs integer 'height', 'width' and 'orientation' "
                    + "apply|ignore, got " + json);
        }
        Object q = json.get("jpeg_quality");
        if (q != null && !(q instanceof Long)) {
            throw new IllegalArgumentException("preprocess record: 'jpeg_quality' must be null or an integer, got " + q);
        }
        DecodeOptions decode = DecodeOptions.DEFAULT.withOrientation(o.equals("apply")
                ? DecodeOptions.Orientation.APPLY : DecodeOptions.Orientation.IGNORE);
        return new FeatureOptions(new PreprocessOptions(Math.toIntExact(h), Math.toIntExact(w), decode),
                q == null ? 0 : Math.toIntExact((Long) q));
    }

    /** The same geometry and decoding (everything but the JPEG re-encoding): features are then comparable. */
    public boolean sameGeometry(FeatureOptions other) {
        return preprocess.height() == other.preprocess.height() && preprocess.width() == other.preprocess.width()
                && preprocess.decode().orientation() == other.preprocess.decode().orientation();
    }

    /**
     * The cache key of features made by {@code encoder} with these options: SHA-256 (hex) of the compact JSON
     * {"encoder": encoder sha256, "preprocess": {@link #toJson}}.
     */
    public String cacheKey(EncoderId encoder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("encoder", encoder.sha256());
        m.put("preprocess", toJson());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.write(m).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** "224x224, jpeg 95" for messages. */
    public String describe() {
        return preprocess.height() + "x" + preprocess.width()
                + (preprocess.decode().orientation() == DecodeOptions.Orientation.IGNORE ? ", EXIF orientation ignored" : "")
                + (jpegQuality == 0 ? "" : ", re-encoded as JPEG quality " + jpegQuality);
    }
}
