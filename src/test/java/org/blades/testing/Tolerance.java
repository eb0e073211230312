package org.blades.testing;

/**
 * Per-element tolerance {@code |actual - ref| <= atol + rtol * |ref|}, one per compared tensor.
 * The absolute part keeps the check meaningful where the reference is zero (a purely relative
 * tolerance there would demand exact equality).
 */
public record Tolerance(double atol, double rtol) {

    /** The project default for float32 results (see the design notes): 1e-6 + 1e-5 * |ref|. */
    public static final Tolerance F32 = new Tolerance(1e-6, 1e-5);

    /** Bit-for-bit equality (NaN matches NaN). */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public Tolerance {
        if (!(atol >= 0) || !(rtol >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)) {
            throw new IllegalArgumentException("tolerance: atol " + atol + " and rtol " + rtol + " must be finite and >= 0");
        }
    }

    public static Tolerance of(double atol, double rtol) {
        return new Tolerance(atol, rtol);
    }

    /** The allowed |actual - ref| at this reference value. */
    public double budget(double ref) {
        return atol + rtol * Math.abs(ref);
    }

    @Override
    public String toString() {
        return "atol " + atol + " + rtol " + rtol + " * |ref|";
    }
}
