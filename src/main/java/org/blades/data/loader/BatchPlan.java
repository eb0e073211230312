package org.blades.data.loader;

// B = rows of the batch, N = dataset size

/**
 * The dataset indices of one batch before anything is decoded, with everything the workers need to fill it
 * deterministically.
 *
 * @param stream           the sampler stream it came from
 * @param epoch            the epoch it belongs to
 * @param startPosition    the epoch position of its first row
 * @param indices          (B) dataset index of each row, in row order
 * @param manipulationSeed seed of the {@link org.blades.data.manip.ManipulationSampler} for this stream and epoch
 * @param after            the sampler's state once this batch is consumed (what a checkpoint stores)
 * @param endsEpoch        true for the last batch of its epoch
 * @param permutation      (N) the epoch's shuffled order, where replacements for unusable images come from
 */
public record BatchPlan(BatchSampler.Stream stream, long epoch, int startPosition, int[] indices,
        long manipulationSeed, SamplerState after, boolean endsEpoch, int[] permutation) {

    public BatchPlan {
        indices = indices.clone();
        // Not copied: one epoch's permutation is shared by all its plans, and only read (see the accessor).
    }

    public int size() {
        return indices.length;
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** A copy of the epoch's shuffled order (N). */
    @Override
    public int[] permutation() {
        return permutation.clone();
    }

    /**
     * The dataset index that replaces row {@code row} when its image and the {@code attempt - 1} candidates before
     * it are unusable: the sample {@code attempt} positions later in the epoch's shuffled order, wrapping around.
     * The same in every run, whichever worker gets there first.
     *
     * @param attempt 1 for the first replacement, at most N - 1
     */
    int replacement(int row, int attempt) {
        int n = permutation.length;
        return permutation[(int) ((startPosition + (long) row + attempt) % n)];
    }

    /** N: the size of the dataset this plan was drawn from. */
    int datasetSize() {
        return permutation.length;
    }
}
