package org.blades.data.loader;

/**
 * Where a {@link BatchSampler} stands: the epoch it is in and how many positions of that epoch's shuffled order
 * it has handed out. Together with the seed, the dataset size and the {@link SamplerOptions}, this is everything
 * needed to continue a stream exactly: a sampler resumed from a saved state produces the same batches as one that
 * was never stopped. Checkpoints store the state of the last batch the trainer consumed
 * ({@link DataLoader#state()}), not of batches that were only prefetched.
 *
 * @param epoch    0 for the first pass over the data
 * @param position positions of the epoch's permutation already used, in [0, dataset size]
 */
public record SamplerState(long epoch, long position) {

    /** The start of a run. */
    public static final SamplerState START = new SamplerState(0, 0);

    public SamplerState {
        if (epoch < 0 || position < 0) {
            throw new IllegalArgumentException("SamplerState: epoch " + epoch + " and position " + position
                    + " must be >= 0");
        }
    }
}
