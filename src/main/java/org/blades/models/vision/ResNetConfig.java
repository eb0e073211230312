package org.blades.models.vision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape of a torchvision-style ResNet with bottleneck blocks (expansion 4, groups 1, base width 64).
 *
 * @param width  stem channels and planes of stage 1; stage s (1..4) has {@code width * 2^(s-1)} planes and
 *               {@code 4 * width * 2^(s-1)} output channels. torchvision fixes it at 64.
 * @param blocks bottleneck blocks per stage, four entries, each >= 1 (ResNet-50: [3, 4, 6, 3])
 * @param outDim outputs of the final fc, Linear(32 * width, outDim) (BLADES: 768 replaces ImageNet's 1000)
 */
public record ResNetConfig(int width, List<Integer> blocks, int outDim) {
    /** Bottleneck output channels per plane, torchvision's Bottleneck.expansion. */
    public static final int EXPANSION = 4;
    /** Feature dimension of BLADES' joint image/text space. */
    public static final int BLADES_DIM = 768;

    public ResNetConfig {
        blocks = blocks == null ? null : List.copyOf(blocks);
        if (width < 1 || blocks == null || blocks.size() != 4 || outDim < 1
                || blocks.stream().anyMatch(b -> b == null || b < 1)) {
            throw new IllegalArgumentException("ResNetConfig: width " + width + " and outDim " + outDim
                    + " must be >= 1 and blocks four counts >= 1, got " + blocks);
        }
    }

    /** torchvision resnet50 with fc = Linear(2048, 768), the paper's image encoder. */
    public static ResNetConfig resnet50() {
        return new ResNetConfig(64, List.of(3, 4, 6, 3), BLADES_DIM);
    }

    /**
     * A small ResNet for tests and the CPU demo: width 8, one block per stage, fc = Linear(256, 768); about 0.33 M
     * parameters. Any input size works (each of the five stride-2 steps halves it, rounding up); in training mode
     * every batch norm needs more than one value per channel, so inputs of 32x32 or less need a batch of 2 or more.
     */
    public static ResNetConfig tiny() {
        return new ResNetConfig(8, List.of(1, 1, 1, 1), BLADES_DIM);
    }

    public ResNetConfig withOutDim(int dim) {
        return new ResNetConfig(width, blocks, dim);
    }

    /** Planes (the bottleneck's inner width) of stage s = 0..3. */
    public int planes(int stage) {
        return width << stage;
    }

    /** Pooled feature dimension, the fc's input: {@code 4 * 8 * width} (2048 for ResNet-50). */
    public int featureDim() {
        return EXPANSION * planes(3);
    }

    /** {"width": .., "blocks": [..], "out_dim": ..}, the form checkpoint metadata and the reference files use. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", (long) width);
        m.put("blocks", blocks.stream().map(Integer::longValue).toList());
        m.put("out_dim", (long) outDim);
        return m;
    }

    /** The inverse of {@link #toJson}; a missing or non-integer entry throws, naming it. */
    public static ResNetConfig fromJson(Map<String, Object> json) {
        Object blocks = json.get("blocks");
        if (!(blocks instanceof List<?> list) || list.stream().anyMatch(b -> !(b instanceof Long))) {
            throw new IllegalArgumentException("ResNetConfig JSON: 'blocks' must be a list of integers, got " + blocks
                    + " in " + json);
        }
        return new ResNetConfig(intEntry(json, "width"), list.stream().map(b -> Math.toIntExact((Long) b)).toList(),
                intEntry(json, "out_dim"));
    }

    private static int intEntry(Map<String, Object> json, String key) {
        if (!(json.get(key) instanceof Long v)) {
            throw new IllegalArgumentException("ResNetConfig JSON: '" + key + "' must be an integer, got "
                    + json.get(key) + " in " + json);
        }
        return Math.toIntExact(v);
    }
}
