package org.blades.bench;

import java.io.PrintStream;
import org.blades.kernels.Parallel;
import org.blades.kernels.VectorSupport;
import org.blades.models.text.TextConfig;
import org.blades.models.text.TextEncoder;
import org.blades.tasks.Prompts;
import org.blades.tensor.DType;
import org.blades.tensor.IntTensor;
import org.blades.text.ClipTokenizer;

// B = 50 prompts, T = 77 context positions, OUT = 768 output features

/**
 * {@code blades bench text}: CLIP RN50's text tower + Linear(1024, 768) (float32, portable weights) on the 50
 * BLADES prompts, forward and backward of out.sum() with {@code zeroGrad}, timed as
 * reference-data/bench_models_torch.py times PyTorch: {@code --warmup} untimed iterations, then the median and
 * best of {@code --iters}, in milliseconds per step of all 50 prompts. The encoder computes positions up to the
 * last end-of-text token only (17 of 77 here; nothing later can reach a pooled position under the causal mask),
 * so the comparable PyTorch row is its "first17" one. Last line: {@code RESULT clip_text_fwd_bwd_ms=<median>}.
 */
public final class TextBench {
    private static final long WEIGHT_SEED = 2024;

    private TextBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }


    private static final String USAGE = "usage: bench text [--threads N (2)] [--iters N (5)] [--warmup N (2)]";

    /** Runs the benchmark; returns a process exit code (0 on success, 2 on bad arguments). */
    public static int run(String[] args, PrintStream out) {
        int threads = 2;
        int iters = 5;
        int warmup = 2;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("TextBench: " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--threads" -> threads = BenchTiming.positive("TextBench", a, v);
                    case "--iters" -> iters = BenchTiming.positive("TextBench", a, v);
                    case "--warmup" -> warmup = BenchTiming.nonNegative("TextBench", a, v);
                    default -> throw new IllegalArgumentException("TextBench: unknown option '" + a + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        Parallel.setThreads(threads);
        out.printf("TextBench: clip-rn50 text tower + Linear(1024, 768) float32, 50 prompts, threads=%d, %s, java %s,"
                        + " load average %.2f at start%n", Parallel.threads(), VectorSupport.describe(),
                System.getProperty("java.version"), BenchTiming.loadAverage());
        TextEncoder encoder = new TextEncoder(TextConfig.clipRn50(), DType.F32);
        encoder.initPortable(WEIGHT_SEED);
        IntTensor ids = ClipTokenizer.standard().tokenizeBatch(Prompts.texts(), TextConfig.clipRn50().context()); // (B, T)
        out.printf("warm-up %d, median of %d iterations%n", warmup, iters);
        BenchTiming.header(out, "ms/step");
        double[] s = BenchTiming.time(() -> {
            encoder.zeroGrad();
            encoder.forward(ids).sum().backward(); // forward (B, OUT)
        }, warmup, iters);
        double ms = BenchTiming.row(out, "clip-rn50 text fwd+bwd (50)", ids.shape()[0], s, 1);
        out.printf("load average %.2f at end%n", BenchTiming.loadAverage());
        out.printf("RESULT clip_text_fwd_bwd_ms=%.1f%n", ms);
        return 0;
    }
}
