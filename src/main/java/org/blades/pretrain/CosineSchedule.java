package org.blades.pretrain;

/**
 * Cosine annealing of the inner learning rate, stepped once per epoch (Loshchilov and Hutter's SGDR without
 * restarts, as torch.optim.lr_scheduler.CosineAnnealingLR with {@code scheduler.step()} after each epoch):
 *
 * <pre>
 *   α(e) = α_min + (α₀ − α_min) · (1 + cos(π e / T_max)) / 2,   e = 0, 1, ... the epoch
 * </pre>
 *
 * This is PyTorch's closed form; its default recursive update gives the same values up to float64 rounding
 * (a few ulps). The closed form depends on the epoch alone, so a resumed run needs no schedule history.
 *
 * @param baseLr α₀ (1e-5 in the paper)
 * @param tMax   T_max, the number of epochs (20 in the paper)
 * @param minLr  α_min (PyTorch's eta_min, 0)
 */
public record CosineSchedule(double baseLr, long tMax, double minLr) {

    public CosineSchedule {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr) || tMax < 1 || !(minLr >= 0) || minLr > baseLr) {
            throw new IllegalArgumentException("CosineSchedule: need 0 <= minLr <= baseLr (finite) and tMax >= 1, got "
                    + "baseLr " + baseLr + ", tMax " + tMax + ", minLr " + minLr);
        }
    }

    /** α(epoch). */
    public double learningRate(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("CosineSchedule: epoch " + epoch + " is negative");
        }
        return minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
