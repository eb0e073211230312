package org.blades.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How raw EXIF values become labels. {@link #PAPER} is the default everywhere; the alternatives reproduce what
 * the authors' code (or its predecessor) is known to do, for comparison runs.
 *
 * @param exposureTimeScale the quantity exposure time is ranked and binned by
 * @param meteringPattern   which class EXIF metering code 5 ("pattern") falls into
 */
public record LabelOptions(ExposureTimeScale exposureTimeScale, MeteringPattern meteringPattern) {

    /** Paper: exposure time in seconds; metering code 5 is "multi-segment" whatever the make. */
    public static final LabelOptions PAPER = new LabelOptions(ExposureTimeScale.SECONDS, MeteringPattern.MULTI_SEGMENT);

    public LabelOptions {
        Objects.requireNonNull(exposureTimeScale, "exposureTimeScale");
        Objects.requireNonNull(meteringPattern, "meteringPattern");
    }

    public enum ExposureTimeScale {
        /** Seconds, so "high" is a long exposure (the paper, and ours). */
        SECONDS,
        /**
         * 1 / seconds: the predecessor code (AIGFD_EXIF) parsed "1/200 sec" as 200, which reverses the order, so
         * "high" is a short exposure.
         */
        RECIPROCAL
    }

    public enum MeteringPattern {
        /** Code 5 is "multi-segment" (exiftool's name for the EXIF "pattern" mode), for every make. */
        MULTI_SEGMENT,
        /**
         * Code 5 in a Canon file is "evaluative", Canon's own name for pattern metering (Canon's maker notes call
         * the mode Evaluative); other makes stay "multi-segment". Without this no standard EXIF code ever yields the
         * "evaluative" class of the prompt set, whose source the authors did not publish.
         */
        CANON_EVALUATIVE
    }

    /** The options as an index header writes them: {"exposure_time_scale": "SECONDS", "metering_pattern": ...}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exposure_time_scale", exposureTimeScale.name());
        m.put("metering_pattern", meteringPattern.name());
        return m;
    }

    /** The inverse of {@link #toJson()}. */
    public static LabelOptions fromJson(Map<String, Object> json) {
        Object scale = json.get("exposure_time_scale");
        Object pattern = json.get("metering_pattern");
        try {
            return new LabelOptions(ExposureTimeScale.valueOf(String.valueOf(scale)),
                    MeteringPattern.valueOf(String.valueOf(pattern)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("label options: unknown exposure_time_scale '" + scale
                    + "' or metering_pattern '" + pattern + "'", e);
        }
    }
}
