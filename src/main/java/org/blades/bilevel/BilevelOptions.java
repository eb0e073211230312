package org.blades.bilevel;

/**
 * Settings of the bi-level loop (paper Sec. 3.3, Eqs. 11-19), with the paper's defaults.
 *
 * @param weightDecay      wd in the virtual step θ' = θ − α(∇θ Σλᵢℓᵢ + wd·θ); also AdamW's decay (1e-3)
 * @param lambdaLr         β, Adam's learning rate on λ (3e-4)
 * @param fdScale          the finite-difference radius ε = fdScale / ‖v‖ (0.01, as DARTS)
 * @param bilevel          false: λ stays fixed (the "bi-level off" ablation); only the real step runs
 */
public record BilevelOptions(double weightDecay, double lambdaLr, double fdScale, boolean bilevel) {

    public BilevelOptions {
        if (!(weightDecay >= 0) || !(lambdaLr > 0) || !(fdScale > 0)) {
            throw new IllegalArgumentException("BilevelOptions: need weightDecay >= 0, lambdaLr > 0, fdScale > 0; got "
                    + weightDecay + ", " + lambdaLr + ", " + fdScale);
        }
    }

    public static BilevelOptions paper() {
        return new BilevelOptions(1e-3, 3e-4, 0.01, true);
    }

    public BilevelOptions withBilevel(boolean on) {
        return new BilevelOptions(weightDecay, lambdaLr, fdScale, on);
    }

    public BilevelOptions withFdScale(double scale) {
        return new BilevelOptions(weightDecay, lambdaLr, scale, bilevel);
    }
}
