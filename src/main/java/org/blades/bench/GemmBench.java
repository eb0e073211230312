package org.blades.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.blades.kernels.Gemm;
import org.blades.kernels.Parallel;
import org.blades.kernels.VectorSupport;

/**
 * SGEMM throughput of {@link Gemm#sgemm} on square shapes and on ResNet-50's convolutions written
 * as im2col GEMMs; with {@code --sizes all} also two conv-backward GEMMs (transposed operands),
 * {@link Gemm#dgemm} and the scalar fallbacks.
 *
 * <p>Legend: M = output channels, K = in_channels * kh * kw, N = OH * OW for one 224 x 224 image
 * (C = W (M, K) x cols (K, N)). GFLOP/s counts 2 * M * N * K per call.
 *
 * <p>Timing: warm-up for about a second of calls per shape (so C2 has compiled the kernels), then
 * {@code --reps} repetitions, each long enough (>= 50 ms) to swamp timer noise; the median is
 * reported. Options: {@code --threads N}, {@code --reps N}, {@code --sizes square|resnet|all}.
 * The last line is {@code RESULT gemm_1024_gflops=<value>}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp target/classes org.blades.bench.GemmBench}.
 */
public final class GemmBench {

    /** One GEMM shape; {@code count} is how often it occurs in a ResNet-50 forward pass. */
    private record Shape(String name, int m, int n, int k, int count, boolean transA, boolean transB) {
        Shape(String name, int m, int n, int k, int count) {
            this(name, m, n, k, count, false, false);
        }

        double flops() {
            return 2.0 * m * n * k;
        }
    }

    private static final List<Shape> SQUARE = List.of(
            new Shape("square 256", 256, 256, 256, 1),
            new Shape("square 1024", 1024, 1024, 1024, 1),
            new Shape("square 2048", 2048, 2048, 2048, 1));

    /** The distinct conv GEMMs of ResNet-50 (torchvision v1.5: stride on the 3x3), batch 1. */
    private static final List<Shape> RESNET = List.of(
            new Shape("conv1 7x7/2 3->64 @112", 64, 12544, 147, 1),
            new Shape("l1 1x1 64->64 @56", 64, 3136, 64, 1),
            new Shape("l1 3x3 64->64 @56", 64, 3136, 576, 3),
            new Shape("l1 1x1 64->256 @56 (+ds)", 256, 3136, 64, 4),
            new Shape("l1 1x1 256->64 @56", 64, 3136, 256, 2),
            new Shape("l2 1x1 256->128 @56", 128, 3136, 256, 1),
            new Shape("l2 3x3 128->128 @28", 128, 784, 1152, 4),
            new Shape("l2 1x1 128->512 @28", 512, 784, 128, 4),
            new Shape("l2 ds 1x1/2 256->512 @28", 512, 784, 256, 1),
            new Shape("l2 1x1 512->128 @28", 128, 784, 512, 3),
            new Shape("l3 1x1 512->256 @28", 256, 784, 512, 1),
            new Shape("l3 3x3 256->256 @14", 256, 196, 2304, 6),
            new Shape("l3 1x1 256->1024 @14", 1024, 196, 256, 6),
            new Shape("l3 ds 1x1/2 512->1024 @14", 1024, 196, 512, 1),
            new Shape("l3 1x1 1024->256 @14", 256, 196, 1024, 5),
            new Shape("l4 1x1 1024->512 @14", 512, 196, 1024, 1),
            new Shape("l4 3x3 512->512 @7", 512, 49, 4608, 3),
            new Shape("l4 1x1 512->2048 @7", 2048, 49, 512, 3),
            new Shape("l4 ds 1x1/2 1024->2048 @7", 2048, 49, 1024, 1),
            new Shape("l4 1x1 2048->512 @7", 512, 49, 2048, 2));

    /** Conv backward for l1's 3x3 (P = 3136, K = 576, O = 64): dW = dY cols^T and dcols = W^T dY. */
    private static final List<Shape> BACKWARD = List.of(
            new Shape("l1 3x3 dW = dY cols^T", 64, 576, 3136, 1, false, true),
            new Shape("l1 3x3 dcols = W^T dY", 576, 3136, 64, 1, true, false));

    private static final long WARMUP_NANOS = 1_000_000_000L;
    private static final long REP_MIN_NANOS = 50_000_000L;

    private GemmBench() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the benchmark; returns a process exit code (0 on success, 2 on bad arguments). */
    public static int run(String[] args, PrintStream out) {
        int threads = Parallel.threads();
        int reps = 7;
        String sizes = "all";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length || !(a.equals("--threads") || a.equals("--reps") || a.equals("--sizes"))) {
                out.println("usage: GemmBench [--threads N] [--reps N] [--sizes square|resnet|all]");
                return 2;
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--reps" -> reps = Integer.parseInt(v);
                    default -> sizes = v;
                }
            } catch (NumberFormatException e) {
                out.println("GemmBench: " + a + " expects an integer, got " + v);
                return 2;
            }
        }
        if (threads < 1 || reps < 1 || !List.of("square", "resnet", "all").contains(sizes)) {
            out.println("GemmBench: need --threads >= 1, --reps >= 1, --sizes square|resnet|all");
            return 2;
        }
        int previousThreads = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            runShapes(out, reps, sizes);
        } finally {
            Parallel.setThreads(previousThreads);
        }
        return 0;
    }

    private static void runShapes(PrintStream out, int reps, String sizes) {
        out.printf("GemmBench: Gemm.sgemm (%s), threads=%d, java %s, median of %d reps%n",
                VectorSupport.describe(), Parallel.threads(), System.getProperty("java.version"), reps);
        out.printf("%-30s %6s %6s %6s %10s %10s%n", "shape", "M", "N", "K", "ms/call", "GFLOP/s");

        double gflops1024 = Double.NaN;
        if (!sizes.equals("resnet")) {
            for (Shape s : SQUARE) {
                double g = report(out, s, reps, Path.VECTOR_OR_FALLBACK);
                if (s.m() == 1024) {
                    gflops1024 = g;
                }
            }
        }
        if (!sizes.equals("square")) {
            double flops = 0;
            double seconds = 0;
            for (Shape s : RESNET) {
                double g = report(out, s, reps, Path.VECTOR_OR_FALLBACK);
                flops += s.count() * s.flops();
                seconds += s.count() * s.flops() / (g * 1e9);
            }
            out.printf("%-30s %6s %6s %6s %10.3f %10.1f%n", "resnet50 convs, weighted", "", "", "",
                    seconds * 1e3, flops / seconds / 1e9);
        }
        if (sizes.equals("all")) {
            for (Shape s : BACKWARD) {
                report(out, s, reps, Path.VECTOR_OR_FALLBACK);
            }
            report(out, new Shape("Gemm.sgemmBlocked 512 (scalar)", 512, 512, 512, 1), reps, Path.SGEMM_BLOCKED);
            report(out, new Shape("Gemm.dgemm 1024 (double)", 1024, 1024, 1024, 1), reps, Path.DGEMM);
            report(out, new Shape("Gemm.dgemmBlocked 512 (scalar)", 512, 512, 512, 1), reps, Path.DGEMM_BLOCKED);
        }
        if (Double.isNaN(gflops1024)) {
            gflops1024 = measure(new Shape("square 1024", 1024, 1024, 1024, 1), reps, Path.VECTOR_OR_FALLBACK);
        }
        out.printf("RESULT gemm_1024_gflops=%.1f%n", gflops1024);
    }

    private enum Path { VECTOR_OR_FALLBACK, SGEMM_BLOCKED, DGEMM, DGEMM_BLOCKED }

    private static double report(PrintStream out, Shape s, int reps, Path path) {
        double g = measure(s, reps, path);
        out.printf("%-30s %6d %6d %6d %10.3f %10.1f%n", s.name(), s.m(), s.n(), s.k(), s.flops() / g / 1e6, g);
        return g;
    }

    /** Median GFLOP/s over reps repetitions after warm-up. */
    private static double measure(Shape s, int reps, Path path) {
        SplittableRandom rnd = new SplittableRandom(42);
        int m = s.m();
        int n = s.n();
        int k = s.k();
        Runnable call;
        if (path == Path.DGEMM || path == Path.DGEMM_BLOCKED) {
            double[] a = rnd.doubles((long) m * k, -1, 1).toArray(); // (M, K)
            double[] b = rnd.doubles((long) k * n, -1, 1).toArray(); // (K, N)
            double[] c = new double[m * n]; // (M, N)
            call = path == Path.DGEMM_BLOCKED
                    ? () -> Gemm.dgemmBlocked(false, false, m, n, k, 1.0, a, 0, k, b, 0, n, 0.0, c, 0, n)
                    : () -> Gemm.dgemm(false, false, m, n, k, 1.0, a, 0, k, b, 0, n, 0.0, c, 0, n);
        } else {
            boolean ta = s.transA();
            boolean tb = s.transB();
            float[] a = randomFloats(rnd, m * k); // (M, K), or (K, M) when transA
            float[] b = randomFloats(rnd, k * n); // (K, N), or (N, K) when transB
            float[] c = new float[m * n]; // (M, N)
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            call = path == Path.SGEMM_BLOCKED
                    ? () -> Gemm.sgemmBlocked(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n)
                    : () -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        }
        long warmStart = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - warmStart < WARMUP_NANOS || calls < 3) {
            call.run();
            calls++;
        }
        double nanosPerCall = (double) (System.nanoTime() - warmStart) / calls;
        int perRep = (int) Math.max(1, Math.ceil(REP_MIN_NANOS / nanosPerCall));
        double[] gflops = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRep; i++) {
                call.run();
            }
            long t1 = System.nanoTime();
            gflops[r] = s.flops() * perRep / (t1 - t0);
        }
        Arrays.sort(gflops);
        return gflops[reps / 2];
    }

    private static float[] randomFloats(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }
}
