package org.blades.bilevel;

/**
 * Settings of the bi-level loop itself (paper Sec. 3.3, Eqs. 11-19). The learning rates are not here: the
 * outer optimiser (Adam on λ) carries its own, and α is the inner optimiser's scheduled rate of the step.
 *
 * @param weightDecay wd in the virtual step θ' = θ − α(∇θ Σλᵢℓᵢ + wd·θ): AdamW's decoupled decay (1e-3) taken
 *                    as an L2 term, as the authors' code does
 * @param fdScale     the finite-difference radius ε = fdScale / ‖v‖ (0.01, as DARTS)
 * @param bilevel     false: λ stays fixed and only the real step runs (Table 7b, "bi-level optimization ✗")
 */
public record BilevelOptions(double weightDecay, double fdScale, boolean bilevel) {

    public BilevelOptions {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay) || !(fdScale > 0) || Double.isInfinite(fdScale)) {
            throw new IllegalArgumentException("BilevelOptions: need finite weightDecay >= 0 and fdScale > 0; got "
                    + weightDecay + ", " + fdScale);
        }
    }

    /** wd 1e-3, ε·‖v‖ = 0.01, bi-level on. */
    public static BilevelOptions paper() {
        return new BilevelOptions(1e-3, 0.01, true);
    }

    public BilevelOptions withBilevel(boolean on) {
        return new BilevelOptions(weightDecay, fdScale, on);
    }

    public BilevelOptions withFdScale(double scale) {
        return new BilevelOptions(weightDecay, scale, bilevel);
    }

    public BilevelOptions withWeightDecay(double wd) {
        return new BilevelOptions(wd, fdScale, bilevel);
    }
}
