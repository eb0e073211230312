package org.blades.tensor;

/**
 * Scalar special functions in float64, accurate to a few ulps, which the JDK lacks.
 * Kept self-contained so float64 gradient checks see a function whose error is far below their tolerance.
 */
public final class SpecialFunctions {
    private SpecialFunctions() {
    }

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/sqrt(pi)
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/sqrt(pi)

    /** The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 2.5) {
            return erfSeries(x);
        }
        double r = 1.0 - erfcContinuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /** The complementary error function 1 - erf(x), without cancellation for large x. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 2.5) {
            return 1.0 - erfSeries(x);
        }
        return erfcContinuedFraction(x);
    }

    /**
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)) (Abramowitz-Stegun 7.1.6):
     * every term is positive, so unlike the alternating Maclaurin series nothing cancels.
     */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /**
     * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))) for x > 0
     * (A&S 7.1.14), evaluated by the modified Lentz method.
     */
    private static double erfcContinuedFraction(double x) {
        if (x > 27.3) {
            return 0.0; // exp(-x^2) underflows
        }
        final double tiny = 1e-300;
        double fval = x;
        double c = x;
        double dd = 0.0;
        for (int n = 1; n < 500; n++) {
            double a = n * 0.5;
            dd = x + a * dd;
            dd = Math.abs(dd) < tiny ? tiny : dd;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            dd = 1.0 / dd;
            double delta = c * dd;
            fval *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return ONE_OVER_SQRT_PI * Math.exp(-x * x) / fval;
    }

    /** Logistic sigmoid, evaluated so that neither branch overflows. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
