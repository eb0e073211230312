package org.blades.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

// n = valid training values of one tag

/**
 * Tertile cut points of the four ordinal tags, fitted once on the training set and stored with the index so
 * every later stage bins the same way.
 *
 * <p>Definition (nearest-rank tertiles, so a cut is always a value that occurs in the data): with the n valid
 * values of a tag sorted ascending as v[0..n-1], {@code low = v[ceil(n/3) - 1]} and {@code high = v[ceil(2n/3) - 1]};
 * a value x is "low" when x <= low, "medium" when low < x <= high, "high" otherwise. Ties therefore never split
 * one value across two levels (as the predecessor's equal-count split of the sorted list did); the price is that
 * heavily tied tags (ISO 100) get unequal levels, possibly an empty medium level.
 *
 * <p>The values are in the scale {@link ExifLabeler#rankValue} returns, i.e. after {@link LabelOptions}; cuts are
 * only meaningful together with the options they were fitted under.
 */
public record OrdinalCuts(Map<ExifTag, Cut> cuts) {

    /**
     * @param low   the upper bound (inclusive) of "low"
     * @param high  the upper bound (inclusive) of "medium"
     * @param count how many valid values the cut was fitted on
     */
    public record Cut(double low, double high, int count) {
        public Cut {
            if (!(Double.isFinite(low) && Double.isFinite(high) && low <= high && count > 0)) {
                throw new IllegalArgumentException("ordinal cut: need finite low <= high and count > 0, got low=" + low
                        + ", high=" + high + ", count=" + count);
            }
        }

        /** 0 = low, 1 = medium, 2 = high. */
        public int level(double value) {
            return value <= low ? 0 : value <= high ? 1 : 2;
        }
    }

    public OrdinalCuts {
        for (ExifTag t : cuts.keySet()) {
            if (!t.isOrdinal()) {
                throw new IllegalArgumentException("ordinal cuts: " + t + " is not an ordinal tag");
            }
        }
        Map<ExifTag, Cut> copy = new EnumMap<>(ExifTag.class);
        copy.putAll(cuts); // EnumMap(Map) rejects an empty non-EnumMap argument
        cuts = Collections.unmodifiableMap(copy);
    }

    /** The cut of {@code tag}, or null when the training set had no valid value of it (the tag is then always masked). */
    public Cut cut(ExifTag tag) {
        return cuts.get(tag);
    }

    /** The level (0 low, 1 medium, 2 high) of a rank value, or -1 when the value is null or the tag has no cut. */
    public int level(ExifTag tag, Double rankValue) {
        Cut c = cuts.get(tag);
        return c == null || rankValue == null ? -1 : c.level(rankValue);
    }

    /** Fits the cuts on the rank values of a training set (null entries, i.e. masked values, are skipped). */
    public static OrdinalCuts fit(Iterable<ExifValues> training, LabelOptions options) {
        Map<ExifTag, List<Double>> byTag = new EnumMap<>(ExifTag.class);
        for (ExifTag t : ExifTag.ORDINAL) {
            byTag.put(t, new ArrayList<>());
        }
        for (ExifValues v : training) {
            for (ExifTag t : ExifTag.ORDINAL) {
                Double r = ExifLabeler.rankValue(t, v, options);
                if (r != null) {
                    byTag.get(t).add(r);
                }
            }
        }
        Map<ExifTag, Cut> cuts = new EnumMap<>(ExifTag.class);
        for (ExifTag t : ExifTag.ORDINAL) {
            double[] sorted = byTag.get(t).stream().mapToDouble(Double::doubleValue).toArray(); // (n,)
            if (sorted.length > 0) {
                Arrays.sort(sorted);
                int n = sorted.length;
                // ceil(k*n/3) - 1 in integer arithmetic: (k*n + 2) / 3 - 1.
                cuts.put(t, new Cut(sorted[(n + 2) / 3 - 1], sorted[(2 * n + 2) / 3 - 1], n));
            }
        }
        return new OrdinalCuts(cuts);
    }

    /** JSON form for an index header: {"iso": {"low": 100.0, "high": 200.0, "count": 5}, ...}; tags without a cut are absent. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ExifTag t : ExifTag.ORDINAL) {
            Cut c = cuts.get(t);
            if (c != null) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("low", c.low());
                e.put("high", c.high());
                e.put("count", (long) c.count());
                m.put(t.key(), e);
            }
        }
        return m;
    }

    /** The inverse of {@link #toJson()}. */
    public static OrdinalCuts fromJson(Map<String, Object> json) {
        Map<ExifTag, Cut> cuts = new EnumMap<>(ExifTag.class);
        for (Map.Entry<String, Object> e : json.entrySet()) {
            ExifTag t = ExifTag.ofKey(e.getKey());
            if (!t.isOrdinal()) {
                throw new IllegalArgumentException("ordinal cuts: " + t.key() + " is not an ordinal tag");
            }
            if (!(e.getValue() instanceof Map<?, ?> c)) {
                throw new IllegalArgumentException("ordinal cuts: entry '" + e.getKey() + "' is not an object");
            }
            cuts.put(t, new Cut(number(c, "low", t), number(c, "high", t), (int) number(c, "count", t)));
        }
        return new OrdinalCuts(cuts);
    }

    private static double number(Map<?, ?> c, String field, ExifTag t) {
        Object v = c.get(field);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("ordinal cuts: " + t.key() + "." + field + " is missing or not a number");
        }
        return n.doubleValue();
    }
}
