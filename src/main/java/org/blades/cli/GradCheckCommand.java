package org.blades.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.blades.gradcheck.GradCheck;
import org.blades.gradcheck.GradCheckOptions;
import org.blades.gradcheck.GradCheckReport;
import org.blades.gradcheck.OpCase;
import org.blades.gradcheck.OpCases;

/**
 * {@code blades gradcheck}: runs every registered gradient-check case (or those whose name contains the
 * filter text) and prints one table row per case. Exit code 0 when all pass, 1 when any fails, 2 on bad usage.
 */
public final class GradCheckCommand {
    private GradCheckCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades gradcheck [--filter TEXT] [--eps X] [--rtol X] [--atol X] [--max-elements N] [--seed N]",
            "",
            "Checks the reverse-mode gradient of every registered op case against central differences in float64.",
            "An element fails where its relative error > rtol AND its absolute error > atol.",
            "",
            "  --filter TEXT      only cases whose name contains TEXT (case-sensitive)",
            "  --eps X            central-difference step (default " + GradCheckOptions.DEFAULT_EPS + ")",
            "  --rtol X           max relative error |a-n|/max(|a|,|n|) (default "
                    + GradCheckOptions.DEFAULT_MAX_REL_ERROR + ")",
            "  --atol X           absolute errors up to X never fail (default "
                    + GradCheckOptions.DEFAULT_MIN_ABS_ERROR + ")",
            "  --max-elements N   check at most N seeded-sampled elements per input tensor (default 0 = all)",
            "  --seed N           seed of the output weighting and the sampling (default "
                    + GradCheckOptions.DEFAULT_SEED + ")",
            "  --help             this text",
            "",
            "Exit code: 0 all cases pass, 1 some case fails, 2 bad usage.");

    /** Options that take a value. */
    private static final Set<String> VALUED = Set.of("--filter", "--eps", "--rtol", "--atol", "--max-elements",
            "--seed");

    /** Runs {@link OpCases#all()}; the entry point {@code Main} calls. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, OpCases::all, out, err);
    }

    /** Runs the given cases instead of the registry (tests use it to run a deliberately broken case). */
    public static int run(String[] args, List<OpCase> cases, PrintStream out, PrintStream err) {
        return run(args, () -> cases, out, err);
    }

    private static int run(String[] args, Supplier<List<OpCase>> registry, PrintStream out, PrintStream err) {
        return Commands.execute("gradcheck", USAGE, args, VALUED, Set.of(), out, err, cl -> {
            cl.noPositional();
            String filter = cl.get("--filter");
            GradCheckOptions options = options(cl);
            List<OpCase> selected = new ArrayList<>();
            for (OpCase c : registry.get()) {
                if (filter == null || c.name().contains(filter)) {
                    selected.add(c);
                }
            }
            if (selected.isEmpty()) {
                // A filter that matches nothing would otherwise "pass" having checked nothing.
                throw new UsageException("no case name contains '" + filter + "'");
            }
            return runCases(selected, options, out);
        });
    }

    /** The thresholds; the ranges are those {@link GradCheckOptions} accepts, so building it cannot fail. */
    private static GradCheckOptions options(CommandLine cl) {
        return GradCheckOptions.builder()
                .eps(cl.number("--eps", GradCheckOptions.DEFAULT_EPS, Double.MIN_VALUE, Double.MAX_VALUE, false))
                .maxRelError(cl.number("--rtol", GradCheckOptions.DEFAULT_MAX_REL_ERROR, 0, Double.POSITIVE_INFINITY,
                        false))
                .minAbsError(cl.number("--atol", GradCheckOptions.DEFAULT_MIN_ABS_ERROR, 0, Double.POSITIVE_INFINITY,
                        false))
                .maxElementsPerTensor(cl.integer("--max-elements", 0, 0, Integer.MAX_VALUE))
                .seed(cl.longValue("--seed", GradCheckOptions.DEFAULT_SEED))
                .build();
    }

    private static int runCases(List<OpCase> cases, GradCheckOptions options, PrintStream out) {
        int width = "case".length();
        for (OpCase c : cases) {
            width = Math.max(width, c.name().length());
        }
        String rowFormat = "%-" + width + "s  %8s  %11s  %11s  %s%n";
        out.println("gradcheck: " + cases.size() + " cases; thresholds: " + options.describe());
        out.printf(Locale.ROOT, rowFormat, "case", "elements", "max abs err", "max rel err", "result");
        List<String> details = new ArrayList<>();
        int failed = 0;
        for (OpCase c : cases) {
            String result;
            try {
                GradCheckReport report = GradCheck.check(c, options);
                result = report.passed() ? "PASS" : "FAIL";
                out.printf(Locale.ROOT, rowFormat, c.name(), report.elementsChecked(), sci(report.maxAbsError()),
                        sci(report.maxRelError()), result);
                if (!report.passed()) {
                    details.add(report.format());
                }
            } catch (RuntimeException e) {
                // One broken case must not hide the results of the others.
                result = "ERROR";
                out.printf(Locale.ROOT, rowFormat, c.name(), "-", "-", "-", result);
                details.add("gradcheck " + c.name() + ": ERROR " + e);
            }
            if (!result.equals("PASS")) {
                failed++;
            }
        }
        out.println("max rel err leaves out gradients no larger than atol (zero up to rounding).");
        for (String d : details) {
            out.println();
            out.print(d.endsWith("\n") ? d : d + "\n");
        }
        out.println((failed == 0 ? "PASS: " : "FAIL: ") + cases.size() + " cases, " + (cases.size() - failed)
                + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
