package org.blades.data;

import java.util.Arrays;
import java.util.Locale;

// T = 9 EXIF tags, indexed by ExifTag.ordinal()

/**
 * The learning targets of one image: a class (categorical tags) or level (ordinal tags) per tag, the rank value of
 * each ordinal tag for pairwise ranking, and a mask. A masked tag is left out of its task's loss; it is never
 * filled with a guess.
 */
public final class ExifLabels {

    /** Why a tag has or lacks a label. */
    public enum Status {
        /** Labelled. */
        PRESENT,
        /** The file does not carry the tag, or carries the standard's "unknown" code (metering 0, program 0). */
        MISSING,
        /**
         * The file carries a value that maps to no class (a reserved or vendor code, ExposureProgram "action"...) or
         * an ordinal value that cannot be ranked (zero, negative, non-finite), or there are no cut points.
         */
        UNMAPPED
    }

    private final int[] label;       // (T,) class or level index, -1 when masked
    private final double[] rank;     // (T,) rank value of ordinal tags, NaN when masked or categorical
    private final Status[] status;   // (T,)

    ExifLabels(int[] label, double[] rank, Status[] status) {
        int t = ExifTag.values().length;
        if (label.length != t || rank.length != t || status.length != t) {
            throw new IllegalArgumentException("ExifLabels: arrays must have one entry per tag (" + t + ")");
        }
        this.label = label.clone();
        this.rank = rank.clone();
        this.status = status.clone();
    }

    /** The class index into {@link ExifTag#classes()} (levels 0/1/2 for ordinal tags), or -1 when masked. */
    public int label(ExifTag tag) {
        return label[tag.ordinal()];
    }

    /** The class name, or null when masked. */
    public String className(ExifTag tag) {
        int l = label[tag.ordinal()];
        return l < 0 ? null : tag.classes().get(l);
    }

    /** True when the tag takes part in its task's loss. */
    public boolean present(ExifTag tag) {
        return label[tag.ordinal()] >= 0;
    }

    public Status status(ExifTag tag) {
        return status[tag.ordinal()];
    }

    /**
     * The value pairwise ranking compares for an ordinal tag (after {@link LabelOptions}), or null when masked.
     * Ranking needs only this value, so it is available even when there are no cut points.
     */
    public Double rankValue(ExifTag tag) {
        if (!tag.isOrdinal()) {
            throw new IllegalArgumentException("ExifLabels.rankValue: " + tag + " is categorical");
        }
        double r = rank[tag.ordinal()];
        return Double.isNaN(r) ? null : r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExifLabels other && Arrays.equals(label, other.label)
                && Arrays.equals(rank, other.rank) && Arrays.equals(status, other.status);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(label) + Arrays.hashCode(rank)) + Arrays.hashCode(status);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ExifLabels[");
        for (ExifTag t : ExifTag.values()) {
            if (t.ordinal() > 0) {
                sb.append(", ");
            }
            sb.append(t.key()).append('=').append(present(t) ? className(t) : status(t).name().toLowerCase(Locale.ROOT));
        }
        return sb.append(']').toString();
    }
}
