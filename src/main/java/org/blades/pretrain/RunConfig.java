package org.blades.pretrain;

import java.util.LinkedHashMap;
import java.util.Map;
import org.blades.data.loader.SamplerOptions;

/**
 * Everything that fixes the numbers of a pretraining run: data, model, algorithm, sampling and initialisation.
 * It is written into every checkpoint (and config.json), and a resumed run takes it from there, so a resume can
 * only continue the run it belongs to.
 *
 * @param index         the training index (blades index), as given
 * @param imageRoot     the folder the index's paths are relative to
 * @param preset        model sizes and input size
 * @param options       the algorithm and its ablations
 * @param sampling      seed (42), batch size (48), leftover handling of both batch streams
 * @param initSeed      seed of {@link BladesModel#initPortable} for weights not loaded from a file
 * @param visionWeights a torchvision ResNet state dict (safetensors) to start the image encoder from, or null
 * @param textWeights   an OpenAI CLIP state dict (safetensors) to start the text tower from, or null
 */
public record RunConfig(String index, String imageRoot, BladesPreset preset, PretrainOptions options,
        SamplerOptions sampling, long initSeed, String visionWeights, String textWeights) {

    public RunConfig {
        if (index == null || imageRoot == null || preset == null || options == null || sampling == null) {
            throw new IllegalArgumentException("RunConfig: index, imageRoot, preset, options and sampling must be given");
        }
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("image_root", imageRoot);
        m.put("preset", preset.toJson());
        m.put("options", options.toJson());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", sampling.seed());
        s.put("batch_size", (long) sampling.batchSize());
        s.put("last_batch", sampling.lastBatch().name());
        m.put("sampling", s);
        m.put("init_seed", initSeed);
        m.put("vision_weights", visionWeights);
        m.put("text_weights", textWeights);
        return m;
    }

    public static RunConfig fromJson(Map<String, Object> json) {
        Map<String, Object> s = JsonFields.object(json, "sampling");
        SamplerOptions sampling = new SamplerOptions(JsonFields.integer(s, "seed"),
                Math.toIntExact(JsonFields.integer(s, "batch_size")),
                SamplerOptions.LastBatch.valueOf(JsonFields.string(s, "last_batch")));
        return new RunConfig(JsonFields.string(json, "index"), JsonFields.string(json, "image_root"),
                BladesPreset.fromJson(JsonFields.object(json, "preset")),
                PretrainOptions.fromJson(JsonFields.object(json, "options")), sampling,
                JsonFields.integer(json, "init_seed"), optionalString(json, "vision_weights"),
                optionalString(json, "text_weights"));
    }

    private static String optionalString(Map<String, Object> json, String key) {
        Object v = JsonFields.get(json, key);
        return v == null ? null : JsonFields.string(json, key);
    }
}
