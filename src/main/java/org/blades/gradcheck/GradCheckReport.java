package org.blades.gradcheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one {@link GradCheck}: a row per checked element, and the first non-finite value met, if any
 * (the check stops there). {@link #format()} renders the thresholds and the rows that matter;
 * {@link #assertPassed()} throws that table as an AssertionError.
 */
public final class GradCheckReport {
    private final String subject;
    private final GradCheckOptions options;
    private final List<Row> rows;
    private final NonFinite nonFinite; // null when every value was finite

    GradCheckReport(String subject, GradCheckOptions options, List<Row> rows, NonFinite nonFinite) {
        this.subject = subject;
        this.options = options;
        this.rows = List.copyOf(rows);
        this.nonFinite = nonFinite;
    }

    /**
     * One checked element.
     *
     * @param tensor   the input's name ("input[i]" when it has none)
     * @param index    the element's multi-index in the input
     * @param budget   how much of the tolerance the error uses: min(relErr / maxRelError, absErr / minAbsError);
     *                 the element fails exactly when this exceeds 1
     */
    public record Row(String tensor, int[] index, double analytic, double numeric, double absError,
            double relError, double budget, boolean ok) {

        public Row {
            Objects.requireNonNull(tensor, "tensor");
            index = index.clone();
        }

        @Override
        public int[] index() {
            return index.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && tensor.equals(r.tensor) && Arrays.equals(index, r.index)
                    && Double.compare(analytic, r.analytic) == 0 && Double.compare(numeric, r.numeric) == 0
                    && Double.compare(absError, r.absError) == 0 && Double.compare(relError, r.relError) == 0
                    && Double.compare(budget, r.budget) == 0 && ok == r.ok;
        }

        @Override
        public int hashCode() {
            return Objects.hash(tensor, Arrays.hashCode(index), analytic, numeric);
        }

        @Override
        public String toString() {
            return tensor + Arrays.toString(index) + ": analytic " + analytic + ", numeric " + numeric
                    + ", abs err " + num(absError) + ", rel err " + num(relError) + (ok ? ", ok" : ", FAIL");
        }
    }

    /**
     * A NaN or infinity met during the check.
     *
     * @param where  "output", "loss", "analytic gradient" or "numeric gradient"
     * @param tensor the tensor holding the value (the output's name, or the input's for gradients)
     * @param index  its multi-index in that tensor
     * @param detail extra context, e.g. the two perturbed losses of a numeric gradient; may be empty
     */
    public record NonFinite(String where, String tensor, int[] index, double value, String detail) {

        public NonFinite {
            index = index.clone();
        }

        @Override
        public int[] index() {
            return index.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NonFinite n && where.equals(n.where) && tensor.equals(n.tensor)
                    && Arrays.equals(index, n.index) && Double.compare(value, n.value) == 0
                    && detail.equals(n.detail);
        }

        @Override
        public int hashCode() {
            return Objects.hash(where, tensor, Arrays.hashCode(index));
        }

        /** E.g. "numeric gradient of 'x' at [0, 2] is NaN (L(x+eps) = 1.5, L(x-eps) = NaN)". */
        public String message() {
            return where + " of '" + tensor + "' at " + Arrays.toString(index) + " is " + value
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }

        @Override
        public String toString() {
            return message();
        }
    }

    public String subject() {
        return subject;
    }

    public GradCheckOptions options() {
        return options;
    }

    public List<Row> rows() {
        return rows;
    }

    public int elementsChecked() {
        return rows.size();
    }

    public Optional<NonFinite> nonFinite() {
        return Optional.ofNullable(nonFinite);
    }

    /** No non-finite value and no failing element. */
    public boolean passed() {
        return nonFinite == null && rows.stream().allMatch(Row::ok);
    }

    public List<Row> failures() {
        return rows.stream().filter(r -> !r.ok()).toList();
    }

    /** The row that uses the largest share of its tolerance. */
    public Optional<Row> worst() {
        return rows.stream().max(Comparator.comparingDouble(Row::budget));
    }

    public double maxAbsError() {
        return rows.stream().mapToDouble(Row::absError).max().orElse(0.0);
    }

    /**
     * The largest relative error among rows whose gradient, max(|analytic|, |numeric|), exceeds minAbsError.
     * Gradients that are zero up to rounding are left out: their relative error is near 1 and means nothing.
     */
    public double maxRelError() {
        return rows.stream()
                .filter(r -> Math.max(Math.abs(r.analytic()), Math.abs(r.numeric())) > options.minAbsError())
                .mapToDouble(Row::relError).max().orElse(0.0);
    }

    /** One line for the CLI and logs. */
    public String summary() {
        String verdict = passed() ? "PASS" : "FAIL";
        String why = nonFinite != null ? ", " + nonFinite.message()
                : failures().isEmpty() ? "" : ", " + failures().size() + " failing";
        return subject + ": " + verdict + ", " + elementsChecked() + " elements, max abs err " + num(maxAbsError())
                + ", max rel err " + num(maxRelError()) + why;
    }

    /**
     * The thresholds line, the non-finite value if one stopped the check, then a table: every failing row
     * (worst first) when some fail, otherwise the worst few; at most printLimit rows.
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        List<Row> failures = failures();
        sb.append("gradcheck ").append(subject).append(": ");
        if (nonFinite != null) {
            sb.append("FAIL, stopped at a non-finite value after ").append(elementsChecked()).append(" elements");
        } else if (!failures.isEmpty()) {
            sb.append("FAIL, ").append(failures.size()).append(" of ").append(elementsChecked())
                    .append(" elements fail");
        } else {
            sb.append("PASS, ").append(elementsChecked()).append(" elements checked");
        }
        sb.append('\n');
        sb.append("thresholds: ").append(options.describe()).append('\n');
        if (nonFinite != null) {
            sb.append("NON-FINITE: ").append(nonFinite.message()).append('\n');
        }
        List<Row> shown = new ArrayList<>(failures.isEmpty() ? rows : failures);
        shown.sort(Comparator.comparingDouble(Row::budget).reversed());
        int hidden = Math.max(0, shown.size() - options.printLimit());
        shown = shown.subList(0, shown.size() - hidden);
        if (shown.isEmpty()) {
            return sb.toString();
        }
        sb.append(failures.isEmpty() ? "worst rows" : "failing rows, worst first")
                .append(" (budget: share of the tolerance used, above 1 fails):\n");
        int nameWidth = "tensor".length();
        int indexWidth = "index".length();
        for (Row r : shown) {
            nameWidth = Math.max(nameWidth, r.tensor().length());
            indexWidth = Math.max(indexWidth, Arrays.toString(r.index).length());
        }
        String rowFormat = "%-" + nameWidth + "s  %-" + indexWidth + "s  %17s  %17s  %9s  %9s  %9s  %s%n";
        sb.append(String.format(Locale.ROOT, rowFormat, "tensor", "index", "analytic", "numeric", "abs err",
                "rel err", "budget", "ok"));
        for (Row r : shown) {
            sb.append(String.format(Locale.ROOT, rowFormat, r.tensor(), Arrays.toString(r.index),
                    value(r.analytic()), value(r.numeric()), num(r.absError()), num(r.relError()),
                    num(r.budget()), r.ok() ? "ok" : "FAIL"));
        }
        if (hidden > 0) {
            sb.append("(").append(hidden).append(" more ").append(failures.isEmpty() ? "" : "failing ")
                    .append("rows not shown; printLimit ").append(options.printLimit()).append(")\n");
        }
        return sb.toString();
    }

    /** Throws an AssertionError carrying {@link #format()} unless the check passed. */
    public GradCheckReport assertPassed() {
        if (!passed()) {
            throw new AssertionError(format());
        }
        return this;
    }

    @Override
    public String toString() {
        return summary();
    }

    /** Errors and thresholds: three significant digits are all a reader compares. */
    static String num(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** Gradient values: enough digits to see where analytic and numeric part. */
    private static String value(double v) {
        return String.format(Locale.ROOT, "%+.10e", v);
    }
}
