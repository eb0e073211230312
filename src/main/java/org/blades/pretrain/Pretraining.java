package org.blades.pretrain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.blades.bilevel.StepTrace;
import org.blades.data.ImageIndex;
import org.blades.data.loader.Batch;
import org.blades.data.loader.BatchSampler;
import org.blades.data.loader.DataLoader;
import org.blades.data.loader.FaceDataset;
import org.blades.data.loader.LoaderOptions;
import org.blades.data.loader.SampleOptions;
import org.blades.data.loader.SamplerState;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.nn.Checkpoint;
import org.blades.nn.StateDict;
import org.blades.nn.optim.AdamState;
import org.blades.tasks.Task;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// K = 11 tasks

/**
 * A bi-level pretraining run over an image index, in a run directory:
 * <pre>
 *   RUN_DIR/config.json                 the {@link RunConfig}, for people (the checkpoint holds it too)
 *   RUN_DIR/trace.csv                   one line per step ({@link TraceFile})
 *   RUN_DIR/lambda.svg                  λ over training ({@link LambdaPlot}), redrawn at every checkpoint
 *   RUN_DIR/checkpoint.safetensors      the latest checkpoint (+ .sha256), replaced atomically
 *   RUN_DIR/visual.safetensors          the image encoder alone (torchvision names), written by {@link #finish}
 * </pre>
 *
 * <p>A step draws the next batch of the inner stream and of the outer stream (two independent
 * {@link BatchSampler} streams over the same images, ORIGINAL-CODE-FACTS.md) and runs one {@link BilevelTrainer}
 * iteration with α from the inner batch's epoch. The run lasts {@code epochs × batchesPerEpoch} steps.
 *
 * <p>Resuming: the checkpoint holds the model (parameters and batch-norm statistics), λ, both optimisers' step
 * counts and moments, both samplers' positions, the step and the config. Nothing else carries state: α is a
 * function of the epoch ({@link CosineSchedule}), every random draw of the loader is derived from (seed, stream,
 * epoch), and the model is not re-initialised. So a resumed run computes the same numbers, bit for bit, as one
 * that never stopped.
 */
public final class Pretraining implements AutoCloseable {
    /** The checkpoint's metadata "format". */
    public static final String FORMAT = "blades-pretrain/1";
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String TRACE = "trace.csv";
    public static final String PLOT = "lambda.svg";
    public static final String CONFIG = "config.json";
    public static final String ENCODER = "visual.safetensors";

    private final Path runDir;
    private final RunConfig config;
    private final BladesModel model;
    private final BladesObjective objective;
    private final BilevelTrainer<Batch> trainer;
    private final ExecutorService workers;
    private final DataLoader innerLoader;
    private final DataLoader outerLoader;
    private final TraceFile trace;
    private final long totalSteps;
    private long step;
    private long lastEpoch;

    private Pretraining(Path runDir, RunConfig config, BladesModel model, long step, SamplerState inner,
            SamplerState outer, Checkpoint resumeFrom, LoaderOptions loading) throws IOException {
        this.runDir = runDir;
        this.config = config;
        this.model = model;
        this.objective = new BladesObjective(model, config.options());
        this.trainer = new BilevelTrainer<>(objective, config.options());
        if (resumeFrom != null) {
            trainer.loadState(trainerState(resumeFrom, objective));
        }
        ImageIndex index = ImageIndex.read(Path.of(config.index()));
        FaceDataset dataset = new FaceDataset(index, Path.of(config.imageRoot()),
                SampleOptions.defaults().withSize(config.preset().inputSize(), config.preset().inputSize()));
        this.workers = DataLoader.newWorkerPool(loading.workers());
        DataLoader in = null;
        try {
            BatchSampler innerSampler = new BatchSampler(dataset.size(), config.sampling(), BatchSampler.Stream.INNER,
                    inner);
            this.totalSteps = (long) config.options().epochs() * innerSampler.batchesPerEpoch();
            in = new DataLoader(dataset, innerSampler, loading, workers);
            this.outerLoader = new DataLoader(dataset,
                    new BatchSampler(dataset.size(), config.sampling(), BatchSampler.Stream.OUTER, outer), loading,
                    workers);
            this.innerLoader = in;
        } catch (RuntimeException e) {
            if (in != null) {
                in.close();
            }
            workers.shutdownNow();
            throw e;
        }
        this.step = step;
        this.lastEpoch = inner.epoch();
        Path traceFile = runDir.resolve(TRACE);
        Set<Task> computed = config.options().computedTasks();
        this.trace = step == 0 ? TraceFile.create(traceFile, computed) : TraceFile.resume(traceFile, step, computed);
    }

    /**
     * A new run in {@code runDir} (created if needed): the model from its init seed and the optional weight
     * files, λ = 1, fresh optimisers, both samplers at the start.
     */
    public static Pretraining start(RunConfig config, Path runDir, LoaderOptions loading) throws IOException {
        Files.createDirectories(runDir);
        if (Files.exists(runDir.resolve(CHECKPOINT))) {
            throw new IOException(runDir + " already holds a run (" + CHECKPOINT + "); resume it or choose another "
                    + "directory");
        }
        BladesModel model = new BladesModel(config.preset(), DType.F32);
        model.initPortable(config.initSeed());
        if (config.visionWeights() != null) {
            try (SafetensorsFile f = Safetensors.open(Path.of(config.visionWeights()))) {
                model.loadVisionWeights(f);
            }
        }
        if (config.textWeights() != null) {
            try (SafetensorsFile f = Safetensors.open(Path.of(config.textWeights()))) {
                model.loadTextWeights(f);
            }
        }
        Path configTmp = runDir.resolve(CONFIG + ".tmp");
        Files.writeString(configTmp, Json.writePretty(config.toJson()) + "\n", StandardCharsets.UTF_8);
        Files.move(configTmp, runDir.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return new Pretraining(runDir, config, model, 0, SamplerState.START, SamplerState.START, null, loading);
    }

    /** Continues the run of {@code runDir} from its checkpoint, with the configuration stored there. */
    public static Pretraining resume(Path runDir, LoaderOptions loading) throws IOException {
        Checkpoint c = Checkpoint.read(runDir.resolve(CHECKPOINT));
        Map<String, Object> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(runDir.resolve(CHECKPOINT) + ": not a pretraining checkpoint (format "
                    + meta.get("format") + ", expected " + FORMAT + ")");
        }
        RunConfig config = RunConfig.fromJson(JsonFields.object(meta, "config"));
        BladesModel model = new BladesModel(config.preset(), DType.F32);
        c.model().loadInto(model, StateDict.LoadOptions.STRICT);
        Map<String, Object> samplers = JsonFields.object(meta, "samplers");
        return new Pretraining(runDir, config, model, JsonFields.integer(meta, "step"),
                samplerState(JsonFields.object(samplers, "inner")), samplerState(JsonFields.object(samplers, "outer")),
                c, loading);
    }

    public RunConfig config() {
        return config;
    }

    public BladesModel model() {
        return model;
    }

    /** λ: (K), live. */
    public Tensor lambda() {
        return trainer.lambda();
    }

    /** Steps done so far (the checkpoint's step after a resume). */
    public long step() {
        return step;
    }

    /** The run's length: epochs × inner batches per epoch. */
    public long totalSteps() {
        return totalSteps;
    }

    public int batchSize() {
        return config.sampling().batchSize();
    }

    public boolean finished() {
        return step >= totalSteps;
    }

    /** One bi-level iteration; its line is in the trace when this returns. */
    public StepTrace step(StepListener listener) throws IOException {
        if (finished()) {
            throw new IllegalStateException("Pretraining: all " + totalSteps + " steps are done");
        }
        Batch inner = innerLoader.next();
        Batch outer = outerLoader.next();
        lastEpoch = inner.epoch();
        StepTrace t = trainer.step(inner, outer, lastEpoch);
        step++;
        trace.append(step, lastEpoch, t);
        listener.stepDone(step, lastEpoch, t);
        return t;
    }

    /**
     * Steps until step {@code lastStep} (at most the run's end) or until {@code stop} says so, checked after
     * every step, never inside one. A checkpoint is written every {@code checkpointEvery} steps and always when
     * the loop ends, so a stop request (Ctrl-C) loses no finished step; at the run's end {@link #finish} also
     * writes the image encoder.
     *
     * @return the step reached
     */
    public long run(long lastStep, long checkpointEvery, java.util.function.BooleanSupplier stop,
            StepListener listener) throws IOException {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("Pretraining.run: checkpointEvery " + checkpointEvery + " must be >= 1");
        }
        long target = Math.min(lastStep, totalSteps);
        long written = step;
        while (step < target && !stop.getAsBoolean()) {
            step(listener);
            if (step % checkpointEvery == 0 && step < target) {
                checkpoint();
                written = step;
            }
        }
        if (finished()) {
            finish();
        } else if (written != step || !Files.exists(runDir.resolve(CHECKPOINT))) {
            checkpoint();
        }
        return step;
    }

    /** Called after every step, e.g. by a progress bar. */
    @FunctionalInterface
    public interface StepListener {
        void stepDone(long step, long epoch, StepTrace trace);
    }

    /** Writes the checkpoint of the current step (atomically, replacing the last one) and redraws the plot. */
    public void checkpoint() throws IOException {
        Map<String, Tensor> extras = new LinkedHashMap<>();
        BilevelTrainer.State s = trainer.state();
        double[] l = s.lambda(); // (K)
        extras.put("lambda", Tensor.of(l, l.length).to(trainer.lambda().dtype()));
        Map<String, Object> steps = new LinkedHashMap<>();
        putAdam(extras, steps, "adam_lambda", s.lambdaAdam().get(0));
        List<String> names = new ArrayList<>(objective.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            putAdam(extras, steps, "adamw." + names.get(i), s.thetaAdamW().get(i));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", step);
        meta.put("total_steps", totalSteps);
        meta.put("epoch", lastEpoch);
        meta.put("lr", trainer.learningRate(lastEpoch));
        Map<String, Object> samplers = new LinkedHashMap<>();
        samplers.put("inner", samplerJson(innerLoader.state()));
        samplers.put("outer", samplerJson(outerLoader.state()));
        meta.put("samplers", samplers);
        meta.put("optimizer_steps", steps);
        meta.put("rng", "none held: every random draw derives from (sampling.seed, stream, epoch) and the samplers' "
                + "positions above; the weights were initialised once from init_seed");
        meta.put("config", config.toJson());
        Checkpoint.of(model, extras, meta).write(runDir.resolve(CHECKPOINT));
        drawPlot();
    }

    /** The final checkpoint, the plot and the image encoder alone ({@link #ENCODER}, torchvision names). */
    public void finish() throws IOException {
        checkpoint();
        StateDict.save(model.visual(), runDir.resolve(ENCODER), Map.of("format", "blades-visual/1", "preset",
                config.preset().name(), "input_size", Integer.toString(config.preset().inputSize()), "step",
                Long.toString(step)));
    }

    private void drawPlot() throws IOException {
        EnumSet<Task> primary = EnumSet.noneOf(Task.class);
        double[] w = config.options().outerWeights();
        for (Task t : Task.values()) {
            if (w[t.lambdaIndex()] != 0) {
                primary.add(t);
            }
        }
        LambdaPlot.write(runDir.resolve(PLOT), TraceFile.readLambda(runDir.resolve(TRACE)), primary,
                "BLADES pretraining, " + config.preset().name() + " preset: task weights λ (primary in bold)");
    }

    private static void putAdam(Map<String, Tensor> extras, Map<String, Object> steps, String name, AdamState s) {
        steps.put(name, s.step());
        if (s.step() > 0) {
            extras.put(name + ".exp_avg", s.expAvg());
            extras.put(name + ".exp_avg_sq", s.expAvgSq());
        }
    }

    private static BilevelTrainer.State trainerState(Checkpoint c, BladesObjective objective) {
        Map<String, Object> steps = JsonFields.object(c.metadata(), "optimizer_steps");
        List<AdamState> theta = new ArrayList<>();
        for (String name : objective.namedParameters().keySet()) {
            theta.add(adam(c, steps, "adamw." + name));
        }
        return new BilevelTrainer.State(c.extra("lambda").toDoubleArray(), List.of(adam(c, steps, "adam_lambda")),
                theta);
    }

    private static AdamState adam(Checkpoint c, Map<String, Object> steps, String name) {
        long n = JsonFields.integer(steps, name);
        return n == 0 ? new AdamState(0, null, null)
                : new AdamState(n, c.extra(name + ".exp_avg"), c.extra(name + ".exp_avg_sq"));
    }

    private static Map<String, Object> samplerJson(SamplerState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", s.epoch());
        m.put("position", s.position());
        return m;
    }

    private static SamplerState samplerState(Map<String, Object> json) {
        return new SamplerState(JsonFields.integer(json, "epoch"), JsonFields.integer(json, "position"));
    }

    /** Stops the loader threads and closes the trace. */
    @Override
    public void close() throws IOException {
        try {
            innerLoader.close();
            outerLoader.close();
            workers.shutdown();
        } finally {
            trace.close();
        }
    }
}
