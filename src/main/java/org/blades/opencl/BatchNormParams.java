package org.blades.opencl;

/**
 * The affine parameters and running statistics of one batch-norm layer on a device (the twin of
 * org.blades.tensor.BatchNorm.Params). The running statistics are updated in place by a TRAIN forward.
 *
 * @param gamma       (C) weight
 * @param beta        (C) bias
 * @param runningMean (C)
 * @param runningVar  (C)
 * @param momentum    weight of the batch statistic in the running update, in [0, 1]
 * @param eps         added to the variance, > 0
 */
public record BatchNormParams(DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runningMean,
                              DeviceBuffer runningVar, float momentum, float eps) {

    /** How statistics are obtained: from the batch (and the running statistics updated), or the running ones. */
    public enum Mode {
        TRAIN, EVAL
    }

    public BatchNormParams {
        if (gamma == null || beta == null || runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("batch_norm: gamma, beta, running mean and running var must not be "
                    + "null");
        }
        if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException("batch_norm: momentum " + momentum + " must be in [0, 1] and eps " + eps
                    + " > 0");
        }
    }
}
