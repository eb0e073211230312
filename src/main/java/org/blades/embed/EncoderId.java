package org.blades.embed;

import java.util.LinkedHashMap;
import java.util.Map;
import org.blades.models.vision.ResNetConfig;

/**
 * Which image encoder produced a set of features. Two encoders are the same when their weights hash equal; the
 * source is only a note for people.
 *
 * @param sha256 SHA-256 (lowercase hex) of the encoder's architecture and float weights, see
 *               {@link ImageEncoder#weightsSha256}; independent of the file that held them
 * @param config the ResNet's shape
 * @param source where the weights came from, in words ("checkpoint runs/a/last.safetensors", "preset tiny, portable
 *               init seed 0")
 */
public record EncoderId(String sha256, ResNetConfig config, String source) {

    public EncoderId {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}") || config == null || source == null) {
            throw new IllegalArgumentException("EncoderId: need a 64-hex-digit sha256, a config and a source, got "
                    + sha256 + ", " + config + ", " + source);
        }
    }

    /** The first 12 hex digits, enough to tell encoders apart in messages. */
    public String shortHash() {
        return sha256.substring(0, 12);
    }

    /** {"sha256": .., "config": ResNetConfig JSON, "source": ..}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", sha256);
        m.put("config", config.toJson());
        m.put("source", source);
        return m;
    }

    /** The inverse of {@link #toJson}; other keys are ignored. A missing or malformed entry throws, naming it. */
    @SuppressWarnings("unchecked")
    public static EncoderId fromJson(Map<String, Object> json) {
        if (!(json.get("sha256") instanceof String sha) || !(json.get("config") instanceof Map<?, ?> config)) {
            throw new IllegalArgumentException("encoder record: needs 'sha256' (string) and 'config' (object), got "
                    + json);
        }
        Object source = json.get("source");
        return new EncoderId(sha, ResNetConfig.fromJson((Map<String, Object>) config),
                source instanceof String s ? s : "unknown");
    }

    @Override
    public String toString() {
        return shortHash() + " (" + source + ")";
    }
}
