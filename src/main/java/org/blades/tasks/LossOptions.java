package org.blades.tasks;

/**
 * The choices the task losses leave open: the paper's settings ({@link #paper()}) and the ablations of Table 7b.
 *
 * @param focalGamma  γ of the focal factor (1 − p̂_y)^γ in Eq. 5; the paper uses 2, and 0 disables focal
 *                    weighting (the paper's footnote 3)
 * @param ordinalLoss pairwise ranking (the paper) or per-level classification (the ranking ablation)
 * @param thurstone   the Φ argument of Eq. 8: the paper's Φ(Δ/√2) or the authors' code's Φ(2Δ)
 */
public record LossOptions(double focalGamma, OrdinalLoss ordinalLoss, ThurstoneVariant thurstone) {

    /** γ = 2 (Sec. 4.1, "Implementation Details"). */
    public static final double PAPER_FOCAL_GAMMA = 2.0;

    public LossOptions {
        if (!(focalGamma >= 0.0) || Double.isInfinite(focalGamma)) {
            throw new IllegalArgumentException("LossOptions: focal gamma must be finite and >= 0, got " + focalGamma);
        }
        if (ordinalLoss == null || thurstone == null) {
            throw new IllegalArgumentException("LossOptions: ordinalLoss and thurstone must be given");
        }
    }

    /** γ = 2, pairwise ranking, Φ(Δ/√2). */
    public static LossOptions paper() {
        return new LossOptions(PAPER_FOCAL_GAMMA, OrdinalLoss.PAIRWISE_RANKING, ThurstoneVariant.PAPER);
    }

    public LossOptions withFocalGamma(double gamma) {
        return new LossOptions(gamma, ordinalLoss, thurstone);
    }

    public LossOptions withOrdinalLoss(OrdinalLoss loss) {
        return new LossOptions(focalGamma, loss, thurstone);
    }

    public LossOptions withThurstone(ThurstoneVariant variant) {
        return new LossOptions(focalGamma, ordinalLoss, variant);
    }
}
