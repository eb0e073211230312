package org.blades.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;

import org.blades.io.Json;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// numel = elements of the compared tensor (product of its shape), rank = its number of dimensions

/**
 * Element-wise comparison of a computed tensor against a reference, llm.c style: one call per named
 * tensor, a failure names the tensor, the worst element's multi-dimensional index, both values and how
 * much of the tolerance budget was used; a passing call still returns the numbers so a test can print them.
 *
 * <p>Rules per element, with budget = atol + rtol * |ref| and share = |actual - ref| / budget:
 * finite ref: passes when share <= 1 (an exact match passes even with a zero budget; NaN or inf actual fails);
 * NaN ref: passes only when actual is NaN too; ±inf ref: passes only when actual is the same infinity.
 * A failing non-finite case counts as an infinite share.
 */
public final class TensorCompare {

    private static final int LISTED_FAILURES = 5;

    private TensorCompare() {
    }

    /**
     * Outcome of one comparison.
     *
     * @param shape          compared shape (copy of the reference shape)
     * @param failures       number of elements outside the tolerance
     * @param maxAbsError    max |actual - ref| over elements where both are finite
     * @param maxBudgetShare max |actual - ref| / budget (1.0 = at the limit; +inf for a non-finite mismatch)
     * @param worstIndex     multi-dimensional index of the element with the largest share (first on ties); null if empty
     * @param message        the failure text (null when passed)
     */
    public record Report(String name, int[] shape, long numel, Tolerance tolerance, long failures, double maxAbsError,
                         double maxBudgetShare, int[] worstIndex, double worstActual, double worstReference, String message) {

        public boolean passed() {
            return failures == 0;
        }

        /** One line for test logs: name, shape, max abs error, max budget share and where. */
        public String summary() {
            return String.format(Locale.ROOT, "%s %s: max |diff| %.3e, max budget share %.1f%% at %s (%s)%s",
                    name, shapeString(shape), maxAbsError, 100 * maxBudgetShare,
                    worstIndex == null ? "-" : indexString(worstIndex), tolerance,
                    passed() ? "" : ", " + failures + " of " + numel + " elements FAIL");
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /** Asserts {@code actual} matches {@code reference}, both of {@code shape}; returns the report on success. */
    public static Report assertClose(String name, double[] actual, double[] reference, int[] shape, Tolerance tol) {
        return assertClose(name, actual, shape, reference, shape, tol);
    }

    /** Float data, compared in double (float to double is exact). */
    public static Report assertClose(String name, float[] actual, float[] reference, int[] shape, Tolerance tol) {
        return orThrow(compare(name, widen(actual), shape, widen(reference), shape, tol, true));
    }

    /** Asserts the shapes are equal, then the values; shape mismatch is its own failure. */
    public static Report assertClose(String name, double[] actual, int[] actualShape, double[] reference, int[] referenceShape,
                                     Tolerance tol) {
        return orThrow(compare(name, actual, actualShape, reference, referenceShape, tol, false));
    }

    /** Float actual against a reference read as double (e.g. SafetensorsFile.doubles of an F32 tensor). */
    public static Report assertClose(String name, float[] actual, int[] actualShape, double[] reference, int[] referenceShape,
                                     Tolerance tol) {
        return orThrow(compare(name, widen(actual), actualShape, reference, referenceShape, tol, true));
    }

    /**
     * Asserts two computations of the same values agree (fused against composed, fast path against oracle):
     * same dtype, same shape, then {@code expected} is the reference of the element-wise check.
     */
    public static Report assertSameValues(String what, Tensor actual, Tensor expected, Tolerance tol) {
        if (actual.dtype() != expected.dtype()) {
            throw new AssertionError("tensor '" + what + "': dtype mismatch: actual " + actual.dtype() + " vs expected "
                    + expected.dtype());
        }
        return actual.dtype() == DType.F32
                ? assertClose(what, actual.toFloatArray(), actual.shape(), expected.toDoubleArray(), expected.shape(), tol)
                : assertClose(what, actual.toDoubleArray(), actual.shape(), expected.toDoubleArray(), expected.shape(), tol);
    }

    /** Like assertClose but never throws for values out of tolerance; shape or length mismatch still throws. */
    public static Report compare(String name, double[] actual, int[] actualShape, double[] reference, int[] referenceShape,
                                 Tolerance tol) {
        return compare(name, actual, actualShape, reference, referenceShape, tol, false);
    }

    private static Report orThrow(Report r) {
        if (!r.passed()) {
            throw new AssertionError(r.message());
        }
        return r;
    }

    /** @param actualIsFloat print actual values as the shortest float decimal (they came from a float[]) */
    private static Report compare(String name, double[] actual, int[] actualShape, double[] reference, int[] referenceShape,
                                  Tolerance tol, boolean actualIsFloat) {
        if (!Arrays.equals(actualShape, referenceShape)) {
            throw new AssertionError("tensor '" + name + "': shape mismatch: actual " + shapeString(actualShape)
                    + " vs reference " + shapeString(referenceShape));
        }
        long numel = 1;
        for (int d : referenceShape) {
            numel *= d;
        }
        if (actual.length != numel || reference.length != numel) {
            throw new AssertionError("tensor '" + name + "': shape " + shapeString(referenceShape) + " has " + numel
                    + " elements but actual has " + actual.length + " values and reference " + reference.length);
        }
        long failures = 0;
        double maxAbs = 0;
        double maxShare = 0;
        int worst = -1;
        StringBuilder listed = new StringBuilder();
        for (int i = 0; i < reference.length; i++) {
            double a = actual[i];
            double r = reference[i];
            double share = share(a, r, tol);
            double diff = Math.abs(a - r);
            if (Double.isFinite(a) && Double.isFinite(r) && diff > maxAbs) {
                maxAbs = diff;
            }
            if (worst < 0 || share > maxShare) {
                maxShare = share;
                worst = i;
            }
            if (share > 1) {
                failures++;
                if (failures <= LISTED_FAILURES) {
                    listed.append("\n    ").append(indexString(unravel(i, referenceShape))).append(": ")
                            .append(elementLine(a, r, tol, actualIsFloat));
                }
            }
        }
        int[] worstIndex = worst < 0 ? null : unravel(worst, referenceShape);
        double worstA = worst < 0 ? Double.NaN : actual[worst];
        double worstR = worst < 0 ? Double.NaN : reference[worst];
        String message = null;
        if (failures > 0) {
            message = "tensor '" + name + "' " + shapeString(referenceShape) + ": " + failures + " of " + numel
                    + " elements outside tolerance (" + tol + ")"
                    + "\n  worst at " + indexString(worstIndex) + ": " + elementLine(worstA, worstR, tol, actualIsFloat)
                    + String.format(Locale.ROOT, "\n  max |diff| over finite elements %.3e", maxAbs)
                    + "\n  first failures:" + listed;
        }
        return new Report(name, referenceShape.clone(), numel, tol, failures, maxAbs, maxShare, worstIndex, worstA, worstR, message);
    }

    /** |a - r| / budget, 0 for an exact match (also NaN == NaN), +inf for any non-finite mismatch. */
    static double share(double a, double r, Tolerance tol) {
        if (Double.isNaN(r) || Double.isNaN(a)) {
            return Double.isNaN(r) && Double.isNaN(a) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (a == r) {
            return 0;
        }
        if (Double.isInfinite(r) || Double.isInfinite(a)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(a - r) / tol.budget(r);
    }

    private static String elementLine(double a, double r, Tolerance tol, boolean actualIsFloat) {
        double share = share(a, r, tol);
        return "actual " + exact(a, actualIsFloat) + " vs reference " + exact(r, false)
                + String.format(Locale.ROOT, " (|diff| %.3e, budget %.3e, %s)", Math.abs(a - r), tol.budget(r),
                Double.isInfinite(share) ? "non-finite mismatch" : String.format(Locale.ROOT, "%.1f%% of budget", 100 * share));
    }

    /**
     * The shortest decimal that identifies the value exactly (a float's own shortest form for float data),
     * so two printed values differ exactly when the numbers do, without 17-digit noise.
     */
    private static String exact(double v, boolean isFloat) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return isFloat ? Json.formatFloat((float) v) : Json.formatDouble(v);
    }

    /** Row-major flat index to per-dimension index. */
    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length]; // (rank)
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    static String indexString(int[] idx) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < idx.length; i++) {
            sb.append(i > 0 ? ", " : "").append(idx[i]);
        }
        return sb.append(']').toString();
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length]; // (numel)
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * got and want hold the same bits (float32 values widen to float64 exactly, signed zeros included), and want is
     * finite, so an element left NaN or any rounding difference fails. Reports the count and the first difference
     * instead of dumping arrays.
     */
    public static void assertSameBits(String what, Tensor got, Tensor want) {
        assertThat(got.dtype()).as(what + ": dtype").isEqualTo(want.dtype());
        assertThat(got.shape()).as(what + ": shape").containsExactly(want.shape());
        double[] g = got.toDoubleArray(); // logical order
        double[] e = want.toDoubleArray(); // logical order
        int differ = 0;
        int first = -1;
        int nonFinite = 0;
        for (int i = 0; i < e.length; i++) {
            if (!Double.isFinite(e[i])) {
                nonFinite++;
            }
            if (Double.doubleToRawLongBits(g[i]) != Double.doubleToRawLongBits(e[i])) {
                differ++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        assertThat(nonFinite).as(what + ": non-finite reference values").isZero();
        assertThat(differ).as("%s: %d of %d elements differ, first at %d: got %s, want %s", what, differ, e.length,
                first, first < 0 ? "-" : g[first], first < 0 ? "-" : e[first]).isZero();
    }
}
