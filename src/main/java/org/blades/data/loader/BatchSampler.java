package org.blades.data.loader;

import java.util.SplittableRandom;

// N = dataset size, B = batch size

/**
 * Seeded shuffling into batches, one epoch after another, without end (the trainer decides when to stop).
 *
 * <p>Epoch e visits every dataset index once, in the order of a Fisher-Yates permutation drawn from a
 * {@link SplittableRandom} seeded with (seed, stream, e) alone, so each epoch's order differs, is reproducible,
 * and does not depend on the epochs before it. Batches are consecutive runs of B positions of that order; with
 * {@link SamplerOptions.LastBatch#DROP} the N mod B leftovers of an epoch are skipped, with KEEP they form one
 * shorter batch.
 *
 * <p>Two streams: {@link Stream#INNER} feeds the training step, {@link Stream#OUTER} the second batch of the
 * bi-level step (the outer loss ℓ₁ on a batch "drawn from the same training loader", ORIGINAL-CODE-FACTS.md).
 * They share the seed but not the derived seeds, so their orders and manipulations are independent, and each
 * keeps its own state: drawing from one never shifts the other.
 *
 * <p>Not thread-safe; the {@link DataLoader} owning it calls it from the trainer's thread.
 */
public final class BatchSampler {

    /** Which of the trainer's two batch streams a sampler feeds. */
    public enum Stream {
        /** The training batches (the inner loop). */
        INNER,
        /** The outer loop's batch of the bi-level step. */
        OUTER
    }

    private final int datasetSize;
    private final SamplerOptions options;
    private final Stream stream;
    private long epoch;
    private int position;
    private long permutationEpoch = -1;
    private int[] permutation; // (N) the order of permutationEpoch

    /**
     * @param datasetSize N, the number of usable images
     * @param start       where to begin: {@link SamplerState#START}, or a checkpoint's state to resume
     */
    public BatchSampler(int datasetSize, SamplerOptions options, Stream stream, SamplerState start) {
        if (options == null || stream == null || start == null) {
            throw new IllegalArgumentException("BatchSampler: options, stream and start state must not be null");
        }
        if (datasetSize < 1) {
            throw new IllegalArgumentException("BatchSampler: the dataset is empty");
        }
        if (options.lastBatch() == SamplerOptions.LastBatch.DROP && options.batchSize() > datasetSize) {
            throw new IllegalArgumentException("BatchSampler: batch size " + options.batchSize() + " is larger than "
                    + "the " + datasetSize + " images of the dataset, so dropping the last partial batch leaves no "
                    + "batch at all");
        }
        if (start.position() > datasetSize) {
            throw new IllegalArgumentException("BatchSampler: resume position " + start.position() + " is beyond the "
                    + datasetSize + " images of the dataset (was the state saved for another index?)");
        }
        this.datasetSize = datasetSize;
        this.options = options;
        this.stream = stream;
        this.epoch = start.epoch();
        this.position = (int) start.position();
    }

    /** The training stream from the start of a run. */
    public static BatchSampler inner(int datasetSize, SamplerOptions options) {
        return new BatchSampler(datasetSize, options, Stream.INNER, SamplerState.START);
    }

    /** The bi-level outer stream from the start of a run. */
    public static BatchSampler outer(int datasetSize, SamplerOptions options) {
        return new BatchSampler(datasetSize, options, Stream.OUTER, SamplerState.START);
    }

    public Stream stream() {
        return stream;
    }

    public SamplerOptions options() {
        return options;
    }

    public int datasetSize() {
        return datasetSize;
    }

    /** The state before the next batch. */
    public SamplerState state() {
        return new SamplerState(epoch, position);
    }

    /** Batches per epoch: floor(N / B) with DROP, ceil(N / B) with KEEP. */
    public int batchesPerEpoch() {
        int b = options.batchSize();
        return options.lastBatch() == SamplerOptions.LastBatch.DROP ? datasetSize / b : (datasetSize + b - 1) / b;
    }

    /** The next batch; moves into the next epoch when this one has no full batch (DROP) or no sample (KEEP) left. */
    public BatchPlan next() {
        int b = options.batchSize();
        int left = datasetSize - position;
        if (left == 0 || (left < b && options.lastBatch() == SamplerOptions.LastBatch.DROP)) {
            epoch++;
            position = 0;
            left = datasetSize;
        }
        int[] order = permutation(epoch);
        int rows = Math.min(b, left);
        int[] indices = new int[rows]; // (B)
        System.arraycopy(order, position, indices, 0, rows);
        int start = position;
        position += rows;
        int remaining = datasetSize - position;
        boolean endsEpoch = remaining == 0 || (remaining < b && options.lastBatch() == SamplerOptions.LastBatch.DROP);
        long manipulationSeed = Seeds.derive(options.seed(), Seeds.Purpose.MANIPULATION, stream, epoch);
        return new BatchPlan(stream, epoch, start, indices, manipulationSeed, state(), endsEpoch, order);
    }

    /** A copy of epoch {@code e}'s order of the dataset indices (N). */
    public int[] order(long e) {
        if (e < 0) {
            throw new IllegalArgumentException("BatchSampler.order: epoch " + e + " is negative");
        }
        return shuffle(datasetSize, Seeds.derive(options.seed(), Seeds.Purpose.SHUFFLE, stream, e));
    }

    /** The order of epoch e, kept while the sampler is in it (plans of the epoch share it). */
    private int[] permutation(long e) {
        if (permutationEpoch != e) {
            permutation = order(e);
            permutationEpoch = e;
        }
        return permutation;
    }

    /** Durstenfeld's Fisher-Yates shuffle of 0..n-1: every permutation equally likely. */
    static int[] shuffle(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] p = new int[n]; // (N)
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
