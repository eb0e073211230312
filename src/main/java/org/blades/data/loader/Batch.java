package org.blades.data.loader;

import java.util.Arrays;
import java.util.List;
import org.blades.data.manip.Manipulation;
import org.blades.tensor.Tensor;

// B = batch, H/W = model input height/width

/**
 * One batch as the trainer receives it.
 *
 * @param images        (B, 3, H, W) float32, CLIP-normalised
 * @param labels        the targets of the eleven tasks with their masks
 * @param indices       (B) the dataset index of each row (after replacements)
 * @param paths         (B) each row's image path, relative to the dataset root
 * @param manipulations (B) what was done to each row
 * @param plan          where the batch came from: stream, epoch, position, the sampler state after it
 * @param errors        the unusable images this batch skipped, each with its replacement; usually empty
 */
public record Batch(Tensor images, BatchLabels labels, int[] indices, List<String> paths,
        List<Manipulation> manipulations, BatchPlan plan, List<SampleError> errors) {

    public Batch {
        indices = indices.clone();
        paths = List.copyOf(paths);
        manipulations = List.copyOf(manipulations);
        errors = List.copyOf(errors);
        int b = indices.length;
        if (images.dim() != 4 || images.size(0) != b || images.size(1) != 3 || labels.batchSize() != b
                || paths.size() != b || manipulations.size() != b) {
            throw new IllegalArgumentException("Batch: images " + Arrays.toString(images.shape()) + ", "
                    + labels.batchSize() + " labels, " + paths.size() + " paths and " + manipulations.size()
                    + " manipulations must all have " + b + " rows of (3, H, W)");
        }
    }

    /** B. */
    public int size() {
        return indices.length;
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** The sampler state once this batch is consumed: what a checkpoint stores to resume after it. */
    public SamplerState after() {
        return plan.after();
    }

    public long epoch() {
        return plan.epoch();
    }

    /** True for the last batch of its epoch (the cosine schedule steps per epoch). */
    public boolean endsEpoch() {
        return plan.endsEpoch();
    }
}
