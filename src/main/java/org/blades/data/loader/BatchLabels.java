package org.blades.data.loader;

import java.util.Arrays;
import java.util.List;
import org.blades.data.ExifLabels;
import org.blades.data.ExifTag;
import org.blades.data.manip.ManipulationLabels;

// B = batch, T = 9 EXIF tags (ExifTag order), M = 3 fine regions (mouth, eye, nose)

/**
 * The targets of one batch as flat arrays with their masks, in the layout the task losses read. Class ids index
 * the task's prompts ({@link ExifTag#classes()} is in the prompts' logit-column order; ordinal levels are 0 low,
 * 1 medium, 2 high); a masked entry holds -1 (class) or NaN (rank value) and must not be read.
 *
 * <p>Ordinal tags carry two masks: the rank value (pairwise ranking, Eqs. 8-9) is valid whenever the tag has a
 * rankable value; the level (the per-level ablation) additionally needs cut points.
 */
public final class BatchLabels {

    private static final int T = ExifTag.values().length;

    private final int batch;
    private final int[] classIds;     // (T, B) class or level id, -1 where masked
    private final double[] rank;      // (T, B) rank value of ordinal tags, NaN where masked or categorical
    private final int[] coarse;       // (B) 0 photographic, 1 manipulated
    private final float[] fine;       // (B, M) 1 = region manipulated

    BatchLabels(List<ExifLabels> exif, List<ManipulationLabels> manipulation) {
        if (exif.size() != manipulation.size()) {
            throw new IllegalArgumentException("BatchLabels: " + exif.size() + " EXIF labels for " + manipulation.size()
                    + " manipulation labels");
        }
        batch = exif.size();
        classIds = new int[T * batch];
        rank = new double[T * batch];
        coarse = new int[batch];
        fine = new float[batch * 3];
        for (int b = 0; b < batch; b++) {
            ExifLabels e = exif.get(b);
            for (ExifTag tag : ExifTag.values()) {
                int k = tag.ordinal() * batch + b;
                classIds[k] = e.label(tag);
                Double r = tag.isOrdinal() ? e.rankValue(tag) : null;
                rank[k] = r == null ? Double.NaN : r;
            }
            ManipulationLabels m = manipulation.get(b);
            coarse[b] = m.coarseClass();
            System.arraycopy(m.fineTargets(), 0, fine, b * 3, 3);
        }
    }

    /** B. */
    public int batchSize() {
        return batch;
    }

    /** (B) the class (categorical tag) or level (ordinal tag) of each sample, -1 where masked. */
    public int[] classIds(ExifTag tag) {
        return Arrays.copyOfRange(classIds, tag.ordinal() * batch, (tag.ordinal() + 1) * batch);
    }

    /** (B) true where the sample has a class or level of this tag. */
    public boolean[] valid(ExifTag tag) {
        boolean[] v = new boolean[batch]; // (B)
        for (int b = 0; b < batch; b++) {
            v[b] = classIds[tag.ordinal() * batch + b] >= 0;
        }
        return v;
    }

    /** (B) the rank value of an ordinal tag (seconds, f-number, mm, ISO after the label options), NaN where masked. */
    public double[] rankValues(ExifTag tag) {
        requireOrdinal(tag);
        return Arrays.copyOfRange(rank, tag.ordinal() * batch, (tag.ordinal() + 1) * batch);
    }

    /** (B) true where the sample has a rankable value of this ordinal tag. */
    public boolean[] rankValid(ExifTag tag) {
        requireOrdinal(tag);
        boolean[] v = new boolean[batch]; // (B)
        for (int b = 0; b < batch; b++) {
            v[b] = !Double.isNaN(rank[tag.ordinal() * batch + b]);
        }
        return v;
    }

    /** (B) coarse class: 0 photographic, 1 manipulated (prompts 45, 46); never masked. */
    public int[] coarse() {
        return coarse.clone();
    }

    /** (B, 3) fine targets in prompt order mouth, eye, nose (prompts 47-49); never masked. */
    public float[] fine() {
        return fine.clone();
    }

    private static void requireOrdinal(ExifTag tag) {
        if (!tag.isOrdinal()) {
            throw new IllegalArgumentException("BatchLabels: " + tag + " is categorical and has no rank value");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchLabels other && Arrays.equals(classIds, other.classIds)
                && Arrays.equals(rank, other.rank) && Arrays.equals(coarse, other.coarse)
                && Arrays.equals(fine, other.fine);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(classIds) * 31 + Arrays.hashCode(coarse);
    }
}
