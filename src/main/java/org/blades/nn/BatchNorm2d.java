package org.blades.nn;

import java.util.Set;
import org.blades.tensor.BatchNorm;
import org.blades.tensor.DType;
import org.blades.tensor.Shape;
import org.blades.tensor.Tensor;

// N = batch, C = channels, H/W = height/width

/**
 * torch.nn.BatchNorm2d(C) with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracking running statistics).
 * State, in state_dict order: parameters {@code weight} (C) = 1 and {@code bias} (C) = 0; buffers
 * {@code running_mean} (C) = 0, {@code running_var} (C) = 1 and {@code num_batches_tracked} (), a count.
 *
 * <p>Training mode normalises with the batch statistics and updates the running ones (unbiased variance) and the
 * count; evaluation mode normalises with the running statistics. The count is a float64 scalar (exact below
 * 2^53) saved as I64, see {@link IntegerBuffers}; with a fixed momentum PyTorch only counts, never reads it.
 */
public final class BatchNorm2d extends Module implements IntegerBuffers {
    public static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    private final BatchNorm.Params params;
    private final Tensor numBatchesTracked; // () float64 integer count

    public BatchNorm2d(DType dtype, int channels) {
        this(dtype, channels, BatchNorm.Params.DEFAULT_MOMENTUM, BatchNorm.Params.DEFAULT_EPS);
    }

    public BatchNorm2d(DType dtype, int channels, double momentum, double eps) {
        if (channels < 1) {
            throw new IllegalArgumentException("BatchNorm2d: channels must be >= 1, got " + channels);
        }
        Tensor weight = param("weight", Tensor.ones(dtype, channels)); // (C)
        Tensor bias = param("bias", Tensor.zeros(dtype, channels)); // (C)
        Tensor runningMean = buffer("running_mean", Tensor.zeros(dtype, channels)); // (C)
        Tensor runningVar = buffer("running_var", Tensor.ones(dtype, channels)); // (C)
        this.numBatchesTracked = buffer(NUM_BATCHES_TRACKED, Tensor.scalar(DType.F64, 0.0));
        this.params = new BatchNorm.Params(weight, bias, runningMean, runningVar, momentum, eps);
    }

    /** The affine parameters, the running statistics (live buffers), momentum and eps. */
    public BatchNorm.Params params() {
        return params;
    }

    public int channels() {
        return params.channels();
    }

    /** Training-mode batches seen since initialisation (or as loaded). */
    public long numBatchesTracked() {
        return (long) numBatchesTracked.item();
    }

    /** x (N, C, H, W) → same shape; see the class comment for the two modes. */
    public Tensor forward(Tensor x) {
        if (x == null || x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels() + "): input must be 4-D (N, C, H, W), got "
                    + (x == null ? "null" : x.dtype() + Shape.format(x.shape())));
        }
        if (!isTraining()) {
            return BatchNorm.forward(x, params, BatchNorm.Mode.EVAL);
        }
        Tensor y = BatchNorm.forward(x, params, BatchNorm.Mode.TRAIN);
        numBatchesTracked.fillInPlace(numBatchesTracked.item() + 1.0);
        return y;
    }

    /**
     * {@code relu(forward(x) + residual)} ({@code relu(forward(x))} when residual is null) as one primitive,
     * {@link BatchNorm#forwardRelu}: the same values and gradients as the chain, without its two intermediate
     * tensors.
     *
     * @param x        (N, C, H, W)
     * @param residual (N, C, H, W) or null
     */
    public Tensor forwardRelu(Tensor x, Tensor residual) {
        if (x == null || x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels() + "): input must be 4-D (N, C, H, W), got "
                    + (x == null ? "null" : x.dtype() + Shape.format(x.shape())));
        }
        if (!isTraining()) {
            return BatchNorm.forwardRelu(x, params, BatchNorm.Mode.EVAL, residual);
        }
        Tensor y = BatchNorm.forwardRelu(x, params, BatchNorm.Mode.TRAIN, residual);
        numBatchesTracked.fillInPlace(numBatchesTracked.item() + 1.0);
        return y;
    }

    /**
     * {@code relu(forward(x) + shortcutBn.forward(shortcut))} as one primitive, {@link BatchNorm#forwardAddRelu}:
     * a ResNet block's end with a projection shortcut, without the shortcut's normalised tensor. Both layers must
     * be in the same mode; both count the batch in training.
     *
     * @param x        (N, C, H, W)
     * @param shortcut (N, C, H, W), normalised by shortcutBn
     */
    public Tensor forwardAddRelu(Tensor x, BatchNorm2d shortcutBn, Tensor shortcut) {
        if (x == null || x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels() + "): input must be 4-D (N, C, H, W), got "
                    + (x == null ? "null" : x.dtype() + Shape.format(x.shape())));
        }
        if (shortcutBn.isTraining() != isTraining()) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels() + "): the shortcut's batch norm is in "
                    + (shortcutBn.isTraining() ? "training" : "evaluation") + " mode, this one is not");
        }
        if (!isTraining()) {
            return BatchNorm.forwardAddRelu(x, params, shortcut, shortcutBn.params, BatchNorm.Mode.EVAL);
        }
        Tensor y = BatchNorm.forwardAddRelu(x, params, shortcut, shortcutBn.params, BatchNorm.Mode.TRAIN);
        numBatchesTracked.fillInPlace(numBatchesTracked.item() + 1.0);
        shortcutBn.numBatchesTracked.fillInPlace(shortcutBn.numBatchesTracked.item() + 1.0);
        return y;
    }

    @Override
    public Set<String> integerBufferNames() {
        return Set.of(NUM_BATCHES_TRACKED);
    }
}
