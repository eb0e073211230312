package org.blades.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.blades.kernels.Parallel;
import org.blades.kernels.VectorSupport;
import org.blades.models.text.TextConfig;
import org.blades.models.text.TextEncoder;
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

    /**
     * The 50 BLADES prompts in logit-column order, worded as reference-data/generate_text.py's blades_prompts():
     * 12 EXIF value levels, 10 camera makes, 8 metering modes, 7 exposure modes, 2 white-balance modes, 6
     * exposure programs, real/manipulated, 3 manipulated regions.
     */
    public static List<String> prompts() {
        List<String> p = new ArrayList<>();
        for (String attribute : List.of("ISO speed rating", "aperture", "exposure time", "focal length")) {
            for (String level : List.of("low", "medium", "high")) {
                p.add("a photo of a face with the " + level + " value of " + attribute);
            }
        }
        for (String make : List.of("Nikon", "Apple", "FUJIFILM", "Canon", "Samsung", "Sony", "Panasonic", "Nokia",
                "Pentax", "others")) {
            p.add("a photo of a face taken with the " + make + " brand camera");
        }
        for (String mode : List.of("average", "centerweighted", "others", "partial", "spot", "multi-spot",
                "multi-segment", "evaluative")) {
            p.add("A photo of the face captured using the " + mode + " metering mode");
        }
        for (String mode : List.of("auto", "auto-bracketing", "program", "manual", "aperture-priority",
                "easy-shooting", "shutter-priority")) {
            p.add("A photo of the face captured using the " + mode + " exposure mode");
        }
        for (String mode : List.of("auto", "manual")) {
            p.add("A photo of the face captured using the " + mode + " white balance mode");
        }
        for (String program : List.of("landscape mode", "manual control", "normal program", "portrait mode",
                "shutter priority", "aperture priority")) {
            p.add("A photo of the face captured using the exposure program set to " + program);
        }
        for (String kind : List.of("photographic", "manipulated")) {
            p.add("a photo of a " + kind + " face");
        }
        for (String region : List.of("mouth", "eye", "nose")) {
            p.add("a photo of a face with a manipulated " + region + " region");
        }
        return List.copyOf(p);
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
        IntTensor ids = ClipTokenizer.standard().tokenizeBatch(prompts(), TextConfig.clipRn50().context()); // (B, T)
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
