package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.blades.bilevel.StepTrace;
import org.blades.data.ImageIndex;
import org.blades.data.loader.LoaderOptions;
import org.blades.data.loader.SamplerOptions;
import org.blades.pretrain.BladesPreset;
import org.blades.pretrain.PretrainOptions;
import org.blades.pretrain.Pretraining;
import org.blades.pretrain.PrimaryTask;
import org.blades.pretrain.RunConfig;
import org.blades.tasks.LossOptions;
import org.blades.tasks.OrdinalLoss;
import org.blades.tasks.Task;
import org.blades.tasks.ThurstoneVariant;

/**
 * {@code blades pretrain --index index.jsonl --preset tiny|paper --out RUN_DIR}: bi-level pretraining (the paper's
 * Sec. 3.3) with a progress bar on stderr, the per-step trace, the λ plot and checkpoints in RUN_DIR
 * (see {@link Pretraining}); {@code --resume} continues a run from its checkpoint. Ctrl-C finishes the current step,
 * writes a checkpoint and exits. Exit code 0 when the run (or its requested part) is done, 1 on failure, 2 on bad
 * usage.
 */
public final class PretrainCommand {
    private PretrainCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades pretrain --index FILE --out RUN_DIR [options]",
            "       blades pretrain --resume --out RUN_DIR [--max-steps N] [--checkpoint-every N] [--workers N]",
            "",
            "Bi-level pretraining of BLADES' image and text encoders on the images of an index (blades index):",
            "per step a virtual SGD step, the outer gradient v on a second batch, the task losses at theta +- eps v,",
            "Adam on the task weights lambda, then AdamW on theta (Eqs. 11-19). RUN_DIR gets trace.csv (one line per",
            "step), lambda.svg (lambda over training), checkpoint.safetensors (every N steps, on Ctrl-C and at the",
            "end), config.json and, at the end, visual.safetensors (the image encoder for detection).",
            "",
            "data and model",
            "  --index FILE            the training index (required for a new run)",
            "  --root DIR              folder the index's paths are relative to (default: the index's root, as written",
            "                          in its header, else the index file's folder)",
            "  --preset NAME           tiny (64 px, small ResNet and text tower, CPU demo) or paper (ResNet-50 +",
            "                          CLIP RN50 text tower, 224 px); default paper",
            "  --input-size PX         override the preset's input size",
            "  --vision-weights FILE   torchvision ResNet state dict (safetensors) to start from (fc is skipped)",
            "  --text-weights FILE     OpenAI CLIP state dict (safetensors) to start the text tower from",
            "  --init-seed N           seed of the deterministic initialisation of everything not loaded (default 0)",
            "algorithm (defaults: the paper's)",
            "  --epochs N              epochs, also the cosine schedule's T_max (20)",
            "  --batch N               batch size of both streams (48)",
            "  --seed N                sampling and manipulation seed (42)",
            "  --lr X                  AdamW's initial learning rate alpha (1e-5)",
            "  --weight-decay X        AdamW's and the virtual step's weight decay (1e-3)",
            "  --lambda-lr X           Adam's learning rate on lambda (3e-4)",
            "  --fd-scale X            eps * ||v|| of the finite difference (0.01)",
            "ablations (Table 7)",
            "  --no-bilevel            lambda fixed at 1 (7b)",
            "  --primary P             coarse (default), fine or equal: the outer loss (7c)",
            "  --freeze-text           the text encoder does not train (7a)",
            "  --focal-gamma G         focal exponent of the categorical tasks; 0 = no focal weighting (2, 7b)",
            "  --ordinal M             ranking (default) or levels: per-level classification instead of ranking (7b)",
            "  --thurstone V           paper: Phi(D/sqrt 2) (default), or code: Phi(2 D) as the authors' code",
            "  --tasks LIST            pretext tasks, comma-separated, among " + taskNames() + ",",
            "                          or the groups exif, ordinal, categorical (default: all eleven) (7d)",
            "run control",
            "  --out RUN_DIR           the run directory (required)",
            "  --resume                continue the run in RUN_DIR with its stored configuration",
            "  --max-steps N           stop after step N of the run (a checkpoint is written); default: the end",
            "  --checkpoint-every N    steps between checkpoints (default 500)",
            "  --workers N             image loading threads (default: cores)",
            "  --help                  this text");

    private static String taskNames() {
        List<String> names = new ArrayList<>();
        for (Task t : Task.values()) {
            names.add(t.name().toLowerCase(Locale.ROOT));
        }
        return String.join(", ", names);
    }

    /** Standalone entry point (the same as {@code blades pretrain}). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Options that take a value. */
    private static final Set<String> VALUED = Set.of("--index", "--root", "--out", "--preset", "--input-size",
            "--vision-weights", "--text-weights", "--init-seed", "--epochs", "--batch", "--seed", "--lr",
            "--weight-decay", "--lambda-lr", "--fd-scale", "--primary", "--focal-gamma", "--ordinal", "--thurstone",
            "--tasks", "--max-steps", "--checkpoint-every", "--workers");
    private static final Set<String> FLAGS = Set.of("--resume", "--no-bilevel", "--freeze-text");
    /** What a resumed run may still choose; everything else is the stored configuration. */
    private static final Set<String> RUN_CONTROL = Set.of("--out", "--resume", "--max-steps", "--checkpoint-every",
            "--workers");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("pretrain", USAGE, args, VALUED, FLAGS, out, err,
                cl -> pretrain(Invocation.of(cl), out, err));
    }

    private static int pretrain(Invocation inv, PrintStream out, PrintStream err) throws IOException {
        LoaderOptions loading = LoaderOptions.defaults().withWorkers(inv.workers());
        Path runDir = CommandLine.path(inv.out(), "--out");
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C: the JVM runs this hook and halts when it returns, so it waits until the training loop has finished
        // its step and written the checkpoint.
        Thread hook = new Thread(() -> {
            stop.set(true);
            err.println();
            err.println("pretrain: interrupted; finishing the current step, then writing a checkpoint");
            err.flush();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "blades-pretrain-stop");
        try (Pretraining run = inv.resume() ? Pretraining.resume(runDir, loading)
                : Pretraining.start(inv.config(), runDir, loading)) {
            Runtime.getRuntime().addShutdownHook(hook);
            long first = run.step();
            long target = Math.min(inv.maxSteps(), run.totalSteps());
            err.printf(Locale.ROOT, "pretrain: %s preset, %d steps of %d images (%d epochs), %s at step %d%n",
                    run.config().preset().name(), run.totalSteps(), run.batchSize(), run.config().options().epochs(),
                    inv.resume() ? "resuming" : "starting", first);
            StepProgress bar = new StepProgress(err, first, target, run.totalSteps(), run.batchSize());
            long reached = run.run(target, inv.checkpointEvery(), stop::get, bar);
            bar.end();
            report(run, runDir, reached, stop.get(), out);
            return 0;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already (the hook is running), or the hook was never registered: nothing to undo
            }
        }
    }

    private static void report(Pretraining run, Path runDir, long reached, boolean interrupted, PrintStream out) {
        out.printf(Locale.ROOT, "%s at step %d of %d%n", interrupted ? "interrupted" : run.finished() ? "finished"
                : "stopped", reached, run.totalSteps());
        double[] lambda = run.lambda().toDoubleArray();
        List<Task> order = new ArrayList<>(List.of(Task.values()));
        order.sort((a, b) -> Double.compare(lambda[b.lambdaIndex()], lambda[a.lambdaIndex()]));
        List<String> parts = new ArrayList<>();
        for (Task t : order) {
            parts.add(String.format(Locale.ROOT, "%s %.5f", t.name().toLowerCase(Locale.ROOT),
                    lambda[t.lambdaIndex()]));
        }
        out.println("lambda (sorted): " + String.join(", ", parts));
        out.println("wrote " + Pretraining.CHECKPOINT + ", " + Pretraining.TRACE + ", " + Pretraining.PLOT
                + (run.finished() ? ", " + Pretraining.ENCODER : "") + " in " + runDir);
    }

    /** One line on stderr, redrawn at most five times a second: steps, epoch, images/s, ETA, loss and λ₁. */
    private static final class StepProgress implements Pretraining.StepListener {
        private static final int WIDTH = 24;
        private final PrintStream err;
        private final long first;
        private final long target;
        private final long total;
        private final int batch;
        private final long start = System.nanoTime();
        private long lastDraw;

        StepProgress(PrintStream err, long first, long target, long total, int batch) {
            this.err = err;
            this.first = first;
            this.target = target;
            this.total = total;
            this.batch = batch;
        }

        @Override
        public void stepDone(long step, long epoch, StepTrace t) {
            long now = System.nanoTime();
            if (step < target && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            double seconds = (now - start) / 1e9;
            long done = step - first;
            double perStep = seconds / Math.max(1, done);
            int filled = (int) (WIDTH * step / Math.max(1, total));
            err.printf(Locale.ROOT, "\rpretrain [%s%s] %d/%d epoch %d  %.2f img/s  ETA %s  loss %.4f  outer %.4f  "
                    + "λ_coarse %.5f ", "#".repeat(filled), ".".repeat(WIDTH - filled), step, total, epoch + 1,
                    done * batch / Math.max(1e-9, seconds), duration(perStep * (target - step)), t.weightedLoss(),
                    t.outerLoss(), t.lambdaAfter()[Task.COARSE.lambdaIndex()]);
            err.flush();
        }

        void end() {
            err.println();
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                    : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
    }

    /** The parsed command line. */
    private record Invocation(boolean resume, String out, long maxSteps, long checkpointEvery, int workers,
            CommandLine cl) {

        static Invocation of(CommandLine cl) {
            cl.noPositional();
            boolean resume = cl.flag("--resume");
            List<String> config = new ArrayList<>();
            for (String name : cl.given()) {
                if (!RUN_CONTROL.contains(name)) {
                    config.add(name);
                }
            }
            if (resume && !config.isEmpty()) {
                java.util.Collections.sort(config);
                throw new UsageException("--resume continues with the run's stored configuration; drop "
                        + String.join(", ", config));
            }
            if (!resume && cl.get("--index") == null) {
                throw new UsageException("--index FILE is required for a new run");
            }
            return new Invocation(resume, cl.require("--out", "RUN_DIR"),
                    cl.longValue("--max-steps", Long.MAX_VALUE, 1, Long.MAX_VALUE),
                    cl.longValue("--checkpoint-every", 500, 1, Long.MAX_VALUE),
                    cl.integer("--workers", Runtime.getRuntime().availableProcessors(), 1, 256), cl);
        }

        /** The new run's configuration: the paper's defaults, changed by the options given. */
        RunConfig config() throws IOException {
            BladesPreset preset = cl.choice("--preset", BladesPreset.paper(),
                    Map.of("tiny", BladesPreset.tiny(), "paper", BladesPreset.paper()));
            if (cl.get("--input-size") != null) {
                preset = preset.withInputSize(cl.integer("--input-size", 0, 1, 4096));
            }
            PretrainOptions o = PretrainOptions.paper();
            o = o.withEpochs(cl.integer("--epochs", o.epochs(), 1, 1_000_000));
            o = o.withInner(o.inner().withLr(cl.number("--lr", o.inner().lr(), 0, 1, false))
                    .withWeightDecay(cl.number("--weight-decay", o.inner().weightDecay(), 0, 1, false)));
            o = o.withOuter(o.outer().withLr(cl.number("--lambda-lr", o.outer().lr(), 0, 1, false)));
            o = o.withFdScale(cl.number("--fd-scale", o.fdScale(), Double.MIN_VALUE, 1, false));
            o = o.withBilevel(!cl.flag("--no-bilevel")).withTrainText(!cl.flag("--freeze-text"));
            o = o.withPrimary(cl.choice("--primary", o.primary(),
                    Arrays.stream(PrimaryTask.values()).collect(Collectors.toMap(PrimaryTask::key, p -> p))));
            LossOptions losses = o.losses()
                    .withFocalGamma(cl.number("--focal-gamma", o.losses().focalGamma(), 0, 100, false))
                    .withOrdinalLoss(cl.choice("--ordinal", o.losses().ordinalLoss(), Map.of(
                            "ranking", OrdinalLoss.PAIRWISE_RANKING, "levels", OrdinalLoss.LEVEL_CLASSIFICATION)))
                    .withThurstone(cl.choice("--thurstone", o.losses().thurstone(),
                            Map.of("paper", ThurstoneVariant.PAPER, "code", ThurstoneVariant.ORIGINAL_CODE)));
            o = o.withLosses(losses);
            if (cl.get("--tasks") != null) {
                o = o.withTasks(tasks(cl.get("--tasks")));
            }
            SamplerOptions sampling = SamplerOptions.defaults()
                    .withBatchSize(cl.integer("--batch", SamplerOptions.defaults().batchSize(), 1, 1_000_000))
                    .withSeed(cl.longValue("--seed", SamplerOptions.defaults().seed()));
            String index = cl.file("--index").toString();
            Path vision = cl.file("--vision-weights");
            Path text = cl.file("--text-weights");
            return new RunConfig(index, imageRoot(index), preset, o, sampling, cl.longValue("--init-seed", 0),
                    vision == null ? null : vision.toString(), text == null ? null : text.toString());
        }

        /** --root, else the index header's root if it is a folder from here, else the index file's folder. */
        private String imageRoot(String index) throws IOException {
            Path root = cl.folder("--root");
            if (root != null) {
                return root.toString();
            }
            Path indexFile = Path.of(index);
            String headerRoot = ImageIndex.read(indexFile).header().root();
            if (headerRoot != null && Files.isDirectory(Path.of(headerRoot))) {
                return headerRoot;
            }
            Path parent = indexFile.toAbsolutePath().getParent();
            return (headerRoot != null && parent != null && Files.isDirectory(parent.resolve(headerRoot))
                    ? parent.resolve(headerRoot) : parent).toString();
        }

        private static Set<Task> tasks(String list) {
            EnumSet<Task> out = EnumSet.noneOf(Task.class);
            for (String raw : list.split(",")) {
                String name = raw.strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "exif" -> {
                        out.addAll(Task.ofKind(Task.Kind.ORDINAL));
                        out.addAll(Task.ofKind(Task.Kind.CATEGORICAL));
                    }
                    case "ordinal" -> out.addAll(Task.ofKind(Task.Kind.ORDINAL));
                    case "categorical" -> out.addAll(Task.ofKind(Task.Kind.CATEGORICAL));
                    default -> {
                        try {
                            out.add(Task.valueOf(name.toUpperCase(Locale.ROOT)));
                        } catch (IllegalArgumentException e) {
                            throw new UsageException("--tasks: unknown task '" + raw.strip() + "' (" + taskNames()
                                    + ", exif, ordinal, categorical)");
                        }
                    }
                }
            }
            if (out.isEmpty()) {
                throw new UsageException("--tasks: no task given");
            }
            return out;
        }
    }
}
