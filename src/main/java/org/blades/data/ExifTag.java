package org.blades.data;

import java.util.List;

/**
 * The nine EXIF tags of BLADES' pretext tasks, in the order of the task weights (iso, aperture, exposure time,
 * focal length, make, metering mode, exposure mode, white balance, exposure program).
 *
 * <p>Ordinal tags are ranked and binned into {@link #LEVELS}; categorical tags are classified into
 * {@link #classes()}, listed in the prompts' logit-column order of the original code (prompts 12-44).
 */
public enum ExifTag {
    ISO("iso", List.of()),
    APERTURE("aperture", List.of()),
    EXPOSURE_TIME("exposure_time", List.of()),
    FOCAL_LENGTH("focal_length", List.of()),
    MAKE("make", List.of("Nikon", "Apple", "FUJIFILM", "Canon", "Samsung", "Sony", "Panasonic", "Nokia", "Pentax",
            "others")),
    METERING_MODE("metering_mode", List.of("average", "centerweighted", "others", "partial", "spot", "multi-spot",
            "multi-segment", "evaluative")),
    EXPOSURE_MODE("exposure_mode", List.of("auto", "auto-bracketing", "program", "manual", "aperture-priority",
            "easy-shooting", "shutter-priority")),
    WHITE_BALANCE("white_balance", List.of("auto", "manual")),
    EXPOSURE_PROGRAM("exposure_program", List.of("landscape mode", "manual control", "normal program",
            "portrait mode", "shutter priority", "aperture priority"));

    /** The three levels of every ordinal tag, low to high (Eq. 7: d = 1, 2, 3). */
    public static final List<String> LEVELS = List.of("low", "medium", "high");

    /** The four ordinal tags, in task order. */
    public static final List<ExifTag> ORDINAL = List.of(ISO, APERTURE, EXPOSURE_TIME, FOCAL_LENGTH);

    /** The five categorical tags, in task order. */
    public static final List<ExifTag> CATEGORICAL = List.of(MAKE, METERING_MODE, EXPOSURE_MODE, WHITE_BALANCE,
            EXPOSURE_PROGRAM);

    private final String key;
    private final List<String> classes;

    ExifTag(String key, List<String> classes) {
        this.key = key;
        this.classes = classes;
    }

    /** The tag's name in index files and reports ("exposure_time"). */
    public String key() {
        return key;
    }

    public boolean isOrdinal() {
        return classes.isEmpty();
    }

    /** A categorical tag's class names in logit-column order; {@link #LEVELS} for an ordinal tag. */
    public List<String> classes() {
        return classes.isEmpty() ? LEVELS : classes;
    }

    /** The tag whose {@link #key()} is {@code key}. */
    public static ExifTag ofKey(String key) {
        for (ExifTag t : values()) {
            if (t.key.equals(key)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown EXIF tag key '" + key + "'");
    }
}
