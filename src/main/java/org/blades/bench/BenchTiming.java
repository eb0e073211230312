package org.blades.bench;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Shared timing and table helpers of the model benchmarks ({@link ResNetBench}, {@link TextBench}): untimed
 * warm-up calls (so C2 has compiled the kernels), then one wall-clock time per timed call, reported as the
 * median and the best. The machine may be shared, so the median is the number to compare and the best shows
 * how much the others' load cost.
 */
final class BenchTiming {
    private BenchTiming() {
    }

    /**
     * Untimed warm-up lasts at least this long as well as the asked number of calls: C2 compiles the kernels
     * over the first seconds, so a fast call (ResNet-50 at batch 1) would otherwise be timed half-compiled.
     */
    static final double WARMUP_SECONDS = 3.0;

    /**
     * Seconds of each of {@code iters} calls of {@code step}, after at least {@code warmup} untimed calls and
     * {@link #WARMUP_SECONDS} of them (no warm-up at all when {@code warmup} is 0).
     */
    static double[] time(Runnable step, int warmup, int iters) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup || (warmup > 0 && (System.nanoTime() - start) * 1e-9 < WARMUP_SECONDS); i++) {
            step.run();
        }
        double[] seconds = new double[iters]; // (iters)
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - t0) * 1e-9;
        }
        return seconds;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static void header(PrintStream out, String unit) {
        out.printf("%-34s %5s %14s %14s%n", "mode", "batch", unit + " median", unit + " best");
    }

    /** One row, the times divided by {@code per} (the batch for per-image numbers); returns the median. */
    static double row(PrintStream out, String mode, int batch, double[] seconds, int per) {
        double med = median(seconds) * 1e3 / per;
        out.printf("%-34s %5d %14.1f %14.1f%n", mode, batch, med, min(seconds) * 1e3 / per);
        return med;
    }

    /** The machine's one-minute load average, or NaN where the platform has none. */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A positive integer option value; a bad one is a usage error naming the option. */
    static int positive(String bench, String option, String value) {
        return atLeast(bench, option, value, 1);
    }

    /** A non-negative integer option value; a bad one is a usage error naming the option. */
    static int nonNegative(String bench, String option, String value) {
        return atLeast(bench, option, value, 0);
    }

    private static int atLeast(String bench, String option, String value, int min) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(bench + ": " + option + " expects an integer >= " + min + ", got '"
                + value + "'");
    }
}
