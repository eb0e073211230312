package org.blades.data.loader;

/**
 * How batches are drawn.
 *
 * @param seed      the run's seed; the shuffling and the manipulations of both streams derive from it
 *                  (the authors' code: 42)
 * @param batchSize samples per batch (the paper: 48)
 * @param lastBatch what happens to the samples left over at the end of an epoch
 */
public record SamplerOptions(long seed, int batchSize, LastBatch lastBatch) {

    /** The end of an epoch when the dataset size is not a multiple of the batch size. */
    public enum LastBatch {
        /** Leftover samples are skipped, every batch has batchSize rows (PyTorch's drop_last=True). */
        DROP,
        /** The leftovers form one shorter batch (drop_last=False, the authors' training loader). */
        KEEP
    }

    public SamplerOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("SamplerOptions: batch size " + batchSize + " must be >= 1");
        }
        if (lastBatch == null) {
            throw new IllegalArgumentException("SamplerOptions: lastBatch must not be null");
        }
    }

    /** Seed 42, batch 48, leftovers dropped (so batch norm and the pairwise ranking never see a tiny batch). */
    public static SamplerOptions defaults() {
        return new SamplerOptions(42, 48, LastBatch.DROP);
    }

    public SamplerOptions withSeed(long newSeed) {
        return new SamplerOptions(newSeed, batchSize, lastBatch);
    }

    public SamplerOptions withBatchSize(int newBatchSize) {
        return new SamplerOptions(seed, newBatchSize, lastBatch);
    }

    public SamplerOptions withLastBatch(LastBatch newLastBatch) {
        return new SamplerOptions(seed, batchSize, newLastBatch);
    }
}
