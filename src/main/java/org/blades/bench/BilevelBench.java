package org.blades.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.blades.bilevel.TaskObjective;
import org.blades.nn.optim.AdamW;
import org.blades.pretrain.BilevelTrainer;
import org.blades.pretrain.BladesModel;
import org.blades.pretrain.BladesObjective;
import org.blades.pretrain.BladesPreset;
import org.blades.pretrain.PretrainOptions;
import org.blades.tasks.ClassLabels;
import org.blades.tasks.ExpectedLevel;
import org.blades.tasks.OrdinalLabels;
import org.blades.tasks.RegionLabels;
import org.blades.tasks.Task;
import org.blades.tasks.TaskLabels;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

// B = batch, S = input side, K = 11 tasks, M = 3 fine regions

/**
 * The cost of one bi-level iteration against a plain weighted-loss step (forward, backward, AdamW) on the same
 * model and batch, for the tiny and the paper preset (float32, synthetic images and labels, so only the model
 * is timed).
 *
 * <p>The bi-level iteration runs three forward+backward passes (virtual step, outer gradient v, real step) and two
 * forward passes (F(θ±εv)); the paper puts it at about 3.7× a plain step, and it must stay under 4×. The bench also
 * times a forward pass alone (no tape) and a forward+backward alone and prints the ratio those predict,
 * (3·fb + 2·f) / fb, next to the measured one: the difference is the bi-level bookkeeping (θ snapshots and
 * restores, the gradient vectors, two optimisers).
 *
 * <p>Options: {@code --preset tiny|paper|both} (both), {@code --batch B} (tiny 16, paper 2: the paper's 48 takes
 * minutes per iteration on a CPU), {@code --iters N} timed rounds of every measurement (tiny 7, paper 1; the
 * median is reported), {@code --warmup N} untimed rounds first (tiny 3, paper 1). Measurements are interleaved
 * round by round. Last line:
 * {@code RESULT bilevel_step_ratio=<v>}, the largest ratio over the presets run.
 */
public final class BilevelBench {

    private BilevelBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    private record Synthetic(Tensor images, TaskLabels labels) { // images (B, 3, S, S)
    }

    /** {@link BladesObjective} on synthetic batches. */
    private record Objective(BladesObjective inner) implements TaskObjective<Synthetic> {
        @Override
        public Tensor taskLosses(Synthetic b) {
            return inner.taskLosses(b.images(), b.labels());
        }

        @Override
        public ParameterVector parameters() {
            return inner.parameters();
        }
    }

    /** Median seconds of each measurement. */
    private record Timing(double forward, double forwardBackward, double plain, double bilevel) {
        double ratio() {
            return bilevel / plain;
        }

        double predicted() {
            return (3 * forwardBackward + 2 * forward) / forwardBackward;
        }
    }

    static String usage() {
        return "usage: blades bench bilevel [--preset tiny|paper|both] [--batch B] [--iters N] [--warmup N]";
    }

    /** Runs the benchmark; returns a process exit code (0 success, 2 bad arguments). */
    public static int run(String[] args, PrintStream out) {
        String preset = "both";
        Integer batch = null;
        Integer iters = null;
        Integer warmup = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                out.println(usage());
                return 2;
            }
            String v = args[i + 1];
            try {
                switch (args[i]) {
                    case "--preset" -> preset = v;
                    case "--batch" -> batch = positive(v);
                    case "--iters" -> iters = positive(v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    default -> {
                        out.println("BilevelBench: unknown option " + args[i] + "\n" + usage());
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                out.println("BilevelBench: " + args[i] + " expects a positive integer, got '" + v + "'");
                return 2;
            }
        }
        List<String> presets = switch (preset) {
            case "both" -> List.of("tiny", "paper");
            case "tiny", "paper" -> List.of(preset);
            default -> {
                out.println("BilevelBench: unknown preset '" + preset + "'\n" + usage());
                yield null;
            }
        };
        if (presets == null || (warmup != null && warmup < 0)) {
            return 2;
        }
        out.printf(Locale.ROOT, "BilevelBench: float32, java %s, %d cores%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        double worst = 0;
        for (String name : presets) {
            boolean tiny = name.equals("tiny");
            int b = batch != null ? batch : tiny ? 16 : 2;
            int n = iters != null ? iters : tiny ? 7 : 1;
            int w = warmup != null ? warmup : tiny ? 3 : 1;
            Timing t = measure(BladesPreset.named(name), b, n, w, out);
            out.printf(Locale.ROOT, "%s: batch %d: forward %.3f s, forward+backward %.3f s, plain step %.3f s "
                    + "(%.2f images/s), bi-level step %.3f s (%.2f images/s)%n", name, b, t.forward(),
                    t.forwardBackward(), t.plain(), b / t.plain(), t.bilevel(), b / t.bilevel());
            out.printf(Locale.ROOT, "%s: bi-level / plain = %.2f (passes predict %.2f; paper: ~3.7, limit 4)%n", name,
                    t.ratio(), t.predicted());
            worst = Math.max(worst, t.ratio());
        }
        out.printf(Locale.ROOT, "RESULT bilevel_step_ratio=%.3f%n", worst);
        return 0;
    }

    private static int positive(String v) {
        int x = Integer.parseInt(v);
        if (x <= 0) {
            throw new NumberFormatException(v);
        }
        return x;
    }

    private static Timing measure(BladesPreset preset, int batch, int iters, int warmup, PrintStream out) {
        long t0 = System.nanoTime();
        BladesModel model = new BladesModel(preset, DType.F32);
        model.initPortable(0);
        PretrainOptions options = PretrainOptions.paper();
        Objective objective = new Objective(new BladesObjective(model, options));
        BilevelTrainer<Synthetic> trainer = new BilevelTrainer<>(objective, options);
        AdamW plainOptimizer = new AdamW(objective.parameters().parameters(), options.inner());
        Tensor lambda = Tensor.full(DType.F32, 1.0, Task.COUNT); // (K)
        double alpha = options.inner().lr();
        SplittableRandom rng = new SplittableRandom(2024);
        Synthetic inner = synthetic(preset.inputSize(), batch, rng);
        Synthetic outer = synthetic(preset.inputSize(), batch, rng);
        out.printf(Locale.ROOT, "%s: %d parameters, %d px; built in %.1f s%n", preset.name(),
                objective.parameters().size(), preset.inputSize(), (System.nanoTime() - t0) / 1e9);

        Runnable forward = () -> {
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                objective.taskLosses(inner);
            }
        };
        Runnable forwardBackward = () -> {
            objective.parameters().zeroGrad();
            objective.taskLosses(inner).mul(lambda).sum().backward();
            objective.parameters().zeroGrad();
        };
        Runnable plain = () -> {
            objective.parameters().zeroGrad();
            objective.taskLosses(inner).mul(lambda).sum().backward();
            plainOptimizer.setLearningRate(alpha);
            plainOptimizer.step();
            objective.parameters().zeroGrad();
        };
        Runnable bilevel = () -> trainer.step(inner, outer, 0);
        double[] medians = interleaved(List.of(forward, forwardBackward, plain, bilevel), iters, warmup);
        return new Timing(medians[0], medians[1], medians[2], medians[3]);
    }

    /**
     * Median seconds of each task over {@code iters} rounds that run every task once, after {@code warmup} untimed
     * rounds: interleaving keeps JIT compilation and machine drift from favouring whichever is timed last.
     */
    private static double[] interleaved(List<Runnable> tasks, int iters, int warmup) {
        for (int i = 0; i < warmup; i++) {
            tasks.forEach(Runnable::run);
        }
        double[][] s = new double[tasks.size()][iters]; // (tasks, iters)
        for (int i = 0; i < iters; i++) {
            for (int k = 0; k < tasks.size(); k++) {
                long t = System.nanoTime();
                tasks.get(k).run();
                s[k][i] = (System.nanoTime() - t) / 1e9;
            }
        }
        double[] out = new double[tasks.size()]; // (tasks)
        for (int k = 0; k < tasks.size(); k++) {
            Arrays.sort(s[k]);
            out[k] = iters % 2 == 1 ? s[k][iters / 2] : (s[k][iters / 2 - 1] + s[k][iters / 2]) / 2;
        }
        return out;
    }

    /** Random images and labels with every task present, so every loss runs. */
    private static Synthetic synthetic(int side, int batch, SplittableRandom rng) {
        float[] px = new float[batch * 3 * side * side]; // (B, 3, S, S)
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        boolean[] all = new boolean[batch]; // (B)
        Arrays.fill(all, true);
        Map<Task, OrdinalLabels> ordinal = new EnumMap<>(Task.class);
        Map<Task, ClassLabels> categorical = new EnumMap<>(Task.class);
        for (Task t : Task.values()) {
            int[] ids = new int[batch]; // (B)
            double[] values = new double[batch]; // (B)
            for (int b = 0; b < batch; b++) {
                ids[b] = rng.nextInt(t.classCount());
                values[b] = rng.nextInt(1, 6);
            }
            if (t.kind() == Task.Kind.ORDINAL) {
                int[] levels = new int[batch]; // (B)
                for (int b = 0; b < batch; b++) {
                    levels[b] = rng.nextInt(ExpectedLevel.LEVELS);
                }
                ordinal.put(t, new OrdinalLabels(values, all, new ClassLabels(levels, all)));
            } else if (t.kind() == Task.Kind.CATEGORICAL) {
                categorical.put(t, new ClassLabels(ids, all));
            }
        }
        int[] coarse = new int[batch]; // (B)
        double[] fine = new double[batch * 3]; // (B, M)
        for (int b = 0; b < batch; b++) {
            coarse[b] = rng.nextInt(2);
            for (int m = 0; m < 3; m++) {
                fine[b * 3 + m] = coarse[b] == 1 && rng.nextBoolean() ? 1 : 0;
            }
        }
        return new Synthetic(Tensor.of(px, batch, 3, side, side), new TaskLabels(ordinal, categorical,
                ClassLabels.allValid(coarse), new RegionLabels(fine, all)));
    }
}
