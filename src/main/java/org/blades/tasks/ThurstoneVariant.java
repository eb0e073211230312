package org.blades.tasks;

/**
 * The argument of Φ in the Thurstone probability p̂ = Φ(s·Δ), Δ = r̂(x) − r̂(x') the difference of expected
 * levels. Thurstone's model gives each score unit-variance Gaussian noise, so the difference has variance 2 and
 * s = 1/√2 (the paper); the authors' code uses noise of standard deviation 0.5 per score, s = 2, a steeper
 * curve over the same level range [−2, 2].
 */
public enum ThurstoneVariant {
    /** Eq. 8: Φ(Δ/√2). */
    PAPER(1.0 / Math.sqrt(2.0)),
    /** The authors' code: 0.5·(1 + erf(Δ / (√2·0.5))) = Φ(2Δ). */
    ORIGINAL_CODE(2.0);

    private final double scale;

    ThurstoneVariant(double scale) {
        this.scale = scale;
    }

    /** s in Φ(s·Δ). */
    public double scale() {
        return scale;
    }
}
