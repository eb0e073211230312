package org.blades.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * Maps raw EXIF values to the class sets of the original method's prompts (see {@link ExifTag#classes()}).
 *
 * <p>The original labelled JSON came from an unpublished script, so the mapping below is ours, written from the
 * EXIF 2.32 code tables and exiftool's names for them; every code not listed is UNMAPPED (masked), never guessed:
 * <pre>
 * make              first word of the upper-cased Make: NIKON→Nikon, APPLE→Apple, FUJIFILM/FUJI→FUJIFILM,
 *                   CANON→Canon, SAMSUNG→Samsung, SONY→Sony (Sony Ericsson included), PANASONIC→Panasonic,
 *                   NOKIA→Nokia, PENTAX/ASAHI→Pentax (Asahi Optical made Pentax cameras); any other make→others
 * metering mode     1 average, 2 centerweighted, 3 spot, 4 multi-spot, 5 multi-segment ("pattern"; Canon→evaluative
 *                   under {@link LabelOptions.MeteringPattern#CANON_EVALUATIVE}), 6 partial, 255 others; 0 = unknown→MISSING
 * exposure mode     0 auto, 1 manual, 2 auto-bracketing; "program", "aperture-priority", "easy-shooting" and
 *                   "shutter-priority" have no code in the EXIF tag (they are Canon maker-note modes) and never occur
 * white balance     0 auto, 1 manual
 * exposure program  1 manual control, 2 normal program, 3 aperture priority, 4 shutter priority, 7 portrait mode,
 *                   8 landscape mode; 0 = not defined→MISSING; 5 creative, 6 action, 9 bulb→UNMAPPED
 * ordinal tags      rank value = the raw value (exposure time per {@link LabelOptions.ExposureTimeScale});
 *                   zero, negative or non-finite values→UNMAPPED; level from {@link OrdinalCuts}
 * </pre>
 */
public final class ExifLabeler {
    private ExifLabeler() {
    }

    /** Labels one image. {@code cuts} may lack a tag (no training values): that tag's level is then masked. */
    public static ExifLabels label(ExifValues v, OrdinalCuts cuts, LabelOptions options) {
        int t = ExifTag.values().length;
        int[] label = new int[t];          // (T,)
        double[] rank = new double[t];     // (T,)
        ExifLabels.Status[] status = new ExifLabels.Status[t];
        Arrays.fill(rank, Double.NaN);
        for (ExifTag tag : ExifTag.values()) {
            int i = tag.ordinal();
            if (v.raw(tag) == null) {
                label[i] = -1;
                status[i] = ExifLabels.Status.MISSING;
                continue;
            }
            int c;
            if (tag.isOrdinal()) {
                Double r = rankValue(tag, v, options);
                if (r != null) {
                    rank[i] = r;
                }
                c = cuts.level(tag, r);
            } else {
                c = categoricalClass(tag, v, options);
            }
            boolean unknownCode = (tag == ExifTag.METERING_MODE || tag == ExifTag.EXPOSURE_PROGRAM)
                    && ((Integer) v.raw(tag)) == 0;
            label[i] = c;
            status[i] = c >= 0 ? ExifLabels.Status.PRESENT
                    : unknownCode ? ExifLabels.Status.MISSING : ExifLabels.Status.UNMAPPED;
        }
        return new ExifLabels(label, rank, status);
    }

    /**
     * The value an ordinal tag is ranked and binned by, or null when it is absent or cannot be ranked (zero,
     * negative, non-finite: cameras write 0 for "unknown" lenses and apertures).
     */
    public static Double rankValue(ExifTag tag, ExifValues v, LabelOptions options) {
        Double raw = v.ordinal(tag);
        if (raw == null || !(raw > 0) || Double.isInfinite(raw)) {
            return null;
        }
        if (tag == ExifTag.EXPOSURE_TIME && options.exposureTimeScale() == LabelOptions.ExposureTimeScale.RECIPROCAL) {
            return 1.0 / raw;
        }
        return raw;
    }

    /** The class index of a categorical tag, or -1 (absent, unknown or unmapped). */
    public static int categoricalClass(ExifTag tag, ExifValues v, LabelOptions options) {
        return switch (tag) {
            case MAKE -> makeClass(v.make());
            case METERING_MODE -> meteringClass(v.meteringMode(), v.make(), options);
            case EXPOSURE_MODE -> codeClass(tag, v.exposureMode(), 0, "auto", 1, "manual", 2, "auto-bracketing");
            case WHITE_BALANCE -> codeClass(tag, v.whiteBalance(), 0, "auto", 1, "manual");
            case EXPOSURE_PROGRAM -> codeClass(tag, v.exposureProgram(), 1, "manual control", 2, "normal program",
                    3, "aperture priority", 4, "shutter priority", 7, "portrait mode", 8, "landscape mode");
            default -> throw new IllegalArgumentException("ExifLabeler.categoricalClass: " + tag + " is ordinal");
        };
    }

    /** The make class; spellings such as "NIKON CORPORATION", "PENTAX Corporation", "SAMSUNG" are folded. */
    public static int makeClass(String make) {
        if (make == null || make.isBlank()) {
            return -1;
        }
        String first = make.toUpperCase(Locale.ROOT).strip().split("[^A-Z0-9]+", 2)[0];
        String cls = switch (first) {
            case "NIKON" -> "Nikon";
            case "APPLE" -> "Apple";
            case "FUJIFILM", "FUJI" -> "FUJIFILM";
            case "CANON" -> "Canon";
            case "SAMSUNG" -> "Samsung";
            case "SONY" -> "Sony";
            case "PANASONIC" -> "Panasonic";
            case "NOKIA" -> "Nokia";
            case "PENTAX", "ASAHI" -> "Pentax";
            default -> "others";
        };
        return ExifTag.MAKE.classes().indexOf(cls);
    }

    static int meteringClass(Integer code, String make, LabelOptions options) {
        if (code == null) {
            return -1;
        }
        if (code == 5 && options.meteringPattern() == LabelOptions.MeteringPattern.CANON_EVALUATIVE
                && makeClass(make) == ExifTag.MAKE.classes().indexOf("Canon")) {
            return ExifTag.METERING_MODE.classes().indexOf("evaluative");
        }
        return codeClass(ExifTag.METERING_MODE, code, 1, "average", 2, "centerweighted", 3, "spot", 4, "multi-spot",
                5, "multi-segment", 6, "partial", 255, "others");
    }

    /** Looks {@code code} up in (code, class name) pairs; -1 when absent or not listed. */
    private static int codeClass(ExifTag tag, Integer code, Object... pairs) {
        if (code == null) {
            return -1;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (code.equals(pairs[i])) {
                int c = tag.classes().indexOf((String) pairs[i + 1]);
                if (c < 0) {
                    throw new IllegalStateException("ExifLabeler: class '" + pairs[i + 1] + "' is not in " + tag.classes());
                }
                return c;
            }
        }
        return -1;
    }
}
