package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.blades.bilevel.StepTrace;
import org.blades.data.IndexBuilder;
import org.blades.data.loader.LoaderOptions;
import org.blades.data.loader.SamplerOptions;
import org.blades.detect.CovarianceType;
import org.blades.detect.Decision;
import org.blades.detect.ExpectationMaximization;
import org.blades.detect.GmmFit;
import org.blades.detect.GmmOptions;
import org.blades.detect.OneClassDetector;
import org.blades.detect.OneClassOptions;
import org.blades.embed.Embedder;
import org.blades.embed.FeatureFile;
import org.blades.embed.FeatureOptions;
import org.blades.embed.ImageEncoder;
import org.blades.embed.ImageInputs;
import org.blades.io.Json;
import org.blades.kernels.Parallel;
import org.blades.nn.StateDict;
import org.blades.pretrain.BladesPreset;
import org.blades.pretrain.PretrainOptions;
import org.blades.pretrain.Pretraining;
import org.blades.pretrain.RunConfig;
import org.blades.tasks.Task;
import org.blades.tensor.Tensor;

/**
 * {@code blades demo}: the whole method on the bundled photographs in minutes on a laptop CPU. It extracts the 194
 * camera photographs ({@link DemoSamples}), splits them (seeded, stratified) into held-in and held-out sets, indexes
 * the held-in ones, pretrains the tiny preset with the bi-level optimizer, fits the one-class GMM detector on the
 * held-in photographs' features, and evaluates the surrogate task on the held-out ones ({@link DemoEvaluation}):
 * photographs against manipulated versions of themselves, with an untrained encoder of the same initialisation as
 * the baseline. It writes the λ plot, the trace and an HTML report ({@link DemoReport}) and prints where each
 * artefact is, and says plainly that these numbers are not a measure of detection quality.
 */
public final class DemoCommand {
    private DemoCommand() {
    }

    /** Steps of the default run: about 3 minutes of pretraining on 2 loaded cores (the whole demo under 10). */
    static final int DEFAULT_STEPS = 240;
    static final int DEFAULT_BATCH = 32;
    static final long DEFAULT_SEED = 42;
    /** Share of each content group held out for the evaluation. */
    static final double HELD_OUT_SHARE = 0.25;

    static final String USAGE = String.join("\n",
            "usage: blades demo [--out DIR] [--steps N] [--seed N] [--threads N] [--images N] [--batch N]",
            "",
            "Runs BLADES end to end on the 194 bundled camera photographs (ATTRIBUTION.md in DIR/photos): extracts",
            "them, splits them by content into held-in (75 %) and held-out (25 %) sets with the seed, indexes the",
            "held-in photographs (EXIF labels), pretrains the tiny preset (ResNet width 8, 64 px) with the bi-level",
            "optimizer, fits the one-class GMM detector on the held-in photographs' features, and evaluates the",
            "surrogate task on the held-out ones: each photograph against its five manipulated versions (eye, mouth,",
            "nose flips and the global warp on the canonical face regions), Acc, AUC and AP per manipulation, next to",
            "an untrained encoder of the same initialisation. Writes DIR/report.html (self-contained), the lambda",
            "plot and the trace of the pretraining run, the encoder, the detector and the metrics, and prints where",
            "each is. The same seed gives the same numbers on the same kernels (the Vector API kernels and the",
            "scalar fallback round differently, and training amplifies the difference).",
            "",
            "The demo's numbers show that the pipeline works, not how well AI-generated faces are detected: that",
            "needs the paper preset pretrained on a large face collection (the report and the last lines say how).",
            "",
            "  --out DIR       where everything goes (default ./blades-demo); must be new, empty or an earlier",
            "                  demo's folder, whose artefacts are then replaced",
            "  --steps N       bi-level pretraining steps (default " + DEFAULT_STEPS + ", a few minutes on 2 cores)",
            "  --seed N        seeds the split, the initialisation, the batches, the manipulations and the GMM",
            "                  (default " + DEFAULT_SEED + ")",
            "  --threads N     compute threads and image loading threads (default: cores)",
            "  --images N      use a seeded sample of N of the 194 photographs (default all; for quick tries)",
            "  --batch N       images per pretraining batch (default " + DEFAULT_BATCH + ")",
            "  --help          this text",
            "",
            "Exit code: 0 demo done, 1 it failed, 2 bad usage.");

    private static final Set<String> VALUED = Set.of("--out", "--steps", "--seed", "--threads", "--images",
            "--batch");

    /** Marks a folder as the demo's, so a rerun may replace what it wrote there and nothing else. */
    static final String MARKER = "demo.json";
    static final String PHOTOS = "photos";
    static final String HELD_IN = "held-in";
    static final String HELD_OUT = "held-out";
    static final String INDEX = "index-held-in.jsonl";
    static final String RUN = "pretrain";
    static final String UNTRAINED = "untrained";
    static final String FEATURES = "features-held-in.safetensors";
    static final String DETECTOR = "detector.safetensors";
    static final String SURROGATE = "surrogate";
    static final String REPORT = "report.html";
    /** Everything a demo writes into its folder: what a rerun removes first. */
    private static final List<String> ARTEFACTS = List.of(PHOTOS, INDEX, RUN, UNTRAINED, FEATURES, DETECTOR, SURROGATE,
            REPORT, MARKER);

    /**
     * The demo's settings.
     *
     * @param out          the output folder
     * @param steps        bi-level steps
     * @param seed         the one seed everything random derives from
     * @param threads      compute threads ({@link Parallel}) and loader / decoder threads
     * @param images       how many bundled photographs to use (a seeded sample when fewer than all)
     * @param batch        pretraining batch size of both streams
     * @param lr           AdamW's initial learning rate α on θ
     * @param lambdaLr     Adam's learning rate β on λ
     * @param gmm          the detector's mixture
     * @param falseAlarms  share of held-in photographs the detector's threshold flags
     */
    record Options(Path out, int steps, long seed, int threads, int images, int batch, double lr, double lambdaLr,
                   GmmOptions gmm, double falseAlarms) {

        /**
         * The demo's algorithm settings: the paper's, except where a tiny model trained from scratch for a few
         * hundred steps needs otherwise (α 1e-3 instead of 1e-5, which fine-tunes a pretrained CLIP; β 3e-3 so that
         * λ visibly moves in a few hundred steps instead of the paper's tens of thousands; a 2-component
         * diagonal-covariance GMM: ~145 photographs cannot support 10 full covariances in 64 dimensions, whose
         * fit then flags nearly every held-out photograph, whereas the diagonal one keeps its 5 % false-alarm
         * rate roughly on photographs it has not seen).
         */
        static Options defaults(Path out) {
            return new Options(out, DEFAULT_STEPS, DEFAULT_SEED, Runtime.getRuntime().availableProcessors(),
                    Integer.MAX_VALUE, DEFAULT_BATCH, 1e-3, 3e-3,
                    GmmOptions.defaults().withComponents(2).withCovarianceType(CovarianceType.DIAG), 0.05);
        }
    }

    /** Standalone entry point (the same as {@code blades demo}). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("demo", USAGE, args, VALUED, Set.of(), out, err, cl -> {
            if (!cl.positional().isEmpty()) {
                throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
            }
            Options d = Options.defaults(CommandLine.path(cl.get("--out") == null ? "blades-demo" : cl.get("--out"),
                    "--out"));
            long seed = cl.longValue("--seed", d.seed());
            Options o = new Options(d.out(), cl.integer("--steps", d.steps(), 1, 10_000_000), seed,
                    cl.integer("--threads", d.threads(), 1, 256), cl.integer("--images", d.images(), 8,
                    Integer.MAX_VALUE), cl.integer("--batch", d.batch(), 1, 4096), d.lr(), d.lambdaLr(),
                    d.gmm().withSeed(seed), d.falseAlarms());
            return demo(o, out, err);
        });
    }

    /** The run's results, for the report and stdout. */
    record Result(Options options, int photographs, int heldIn, int heldOut, int epochs, long stepsPerEpoch,
                  List<DemoEvaluation.Row> pretrained, List<DemoEvaluation.Row> untrained, double[] lambda,
                  Map<String, Double> seconds, String detectorSummary, DemoEvaluation.Inputs heldOutInputs,
                  List<Integer> examples) {
    }

    /** Held-out photographs the report shows with their manipulations: close faces first, then in name order. */
    static final int EXAMPLES = 4;

    static int demo(Options o, PrintStream out, PrintStream err) throws IOException {
        Path dir = o.out();
        DemoSamples.Split split = DemoSamples.split(DemoSamples.subset(DemoSamples.bundled(), o.images(), o.seed()),
                HELD_OUT_SHARE, o.seed());
        if (split.heldIn().size() < o.batch()) {
            throw new UsageException(split.heldIn().size() + " held-in photographs cannot fill a batch of "
                    + o.batch() + "; lower --batch or raise --images");
        }
        if (split.heldOut().isEmpty()) {
            throw new UsageException("no photograph is held out; raise --images");
        }
        prepareFolder(dir, err);
        int threadsBefore = Parallel.threads();
        Parallel.setThreads(o.threads());
        try {
            Result r = pipeline(o, split, err);
            DemoReport.write(dir, r);
            writeMarker(dir, r, "done");
            print(r, out);
            return 0;
        } finally {
            Parallel.setThreads(threadsBefore);
        }
    }

    private static Result pipeline(Options o, DemoSamples.Split split, PrintStream err) throws IOException {
        Path dir = o.out();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        int photos = split.heldIn().size() + split.heldOut().size();

        // 1. The bundled photographs, extracted.
        Path photoDir = dir.resolve(PHOTOS);
        Path heldInDir = photoDir.resolve(HELD_IN);
        Path heldOutDir = photoDir.resolve(HELD_OUT);
        DemoSamples.extract(split.heldIn(), heldInDir);
        DemoSamples.extract(split.heldOut(), heldOutDir);
        DemoSamples.copy(DemoSamples.ATTRIBUTION, photoDir.resolve(DemoSamples.ATTRIBUTION));
        AtomicFiles.write(photoDir.resolve("split.tsv"), splitTsv(split));
        err.printf(Locale.ROOT, "demo: %d photographs: %d held in, %d held out (seed %d), in %s%n", photos,
                split.heldIn().size(), split.heldOut().size(), o.seed(), photoDir);
        seconds.put("extract", lap(t0));

        // 2. The index of the held-in photographs (EXIF labels and their tertile cuts).
        long t = System.nanoTime();
        IndexBuilder.Result indexed = IndexBuilder.build(heldInDir, PHOTOS + "/" + HELD_IN,
                IndexBuilder.Options.defaults().withThreads(o.threads()), null,
                new ProgressBar(err, "index", "files", "unreadable"));
        if (indexed.index().summary().unreadable() > 0) {
            throw new IOException("the index lists " + indexed.index().summary().unreadable() + " bundled photographs "
                    + "as unreadable: " + indexed.index().summary().reasons());
        }
        Path indexFile = dir.resolve(INDEX);
        indexed.index().write(indexFile);
        seconds.put("index", lap(t));

        // 3. Bi-level pretraining of the tiny preset, exactly o.steps() steps.
        t = System.nanoTime();
        Path runDir = dir.resolve(RUN);
        BladesPreset preset = BladesPreset.tiny();
        long stepsPerEpoch = split.heldIn().size() / o.batch();
        int epochs = (int) Math.max(1, (o.steps() + stepsPerEpoch - 1) / stepsPerEpoch);
        PretrainOptions paper = PretrainOptions.paper();
        PretrainOptions algorithm = paper.withEpochs(epochs).withInner(paper.inner().withLr(o.lr()))
                .withOuter(paper.outer().withLr(o.lambdaLr()));
        // Absolute paths: `blades pretrain --resume` finds the data from any working directory.
        RunConfig config = new RunConfig(indexFile.toAbsolutePath().normalize().toString(),
                heldInDir.toAbsolutePath().normalize().toString(), preset, algorithm,
                new SamplerOptions(o.seed(), o.batch(), SamplerOptions.LastBatch.DROP), o.seed(), null, null);
        Path untrainedFile = dir.resolve(UNTRAINED).resolve(Pretraining.ENCODER);
        double[] lambda;
        try (Pretraining run = Pretraining.start(config, runDir, new LoaderOptions(o.threads(), 2))) {
            Files.createDirectories(untrainedFile.getParent());
            StateDict.save(run.model().visual(), untrainedFile, Map.of("format", "blades-visual/1", "preset",
                    preset.name(), "step", "0"));
            err.printf(Locale.ROOT, "demo: pretraining the tiny preset, %d bi-level steps of %d images (%d epochs of "
                    + "%d steps), into %s%n", o.steps(), o.batch(), epochs, stepsPerEpoch, runDir);
            StepProgress bar = new StepProgress(err, o.steps());
            while (run.step() < o.steps()) {
                run.step(bar);
            }
            bar.end();
            // The run stops at o.steps(), possibly inside its last epoch; finish() writes the encoder all the same.
            run.finish();
            lambda = run.lambda().toDoubleArray();
        }
        seconds.put("pretrain", lap(t));

        // 4. The detector: held-in photographs' features, the GMM, the 5 % threshold.
        t = System.nanoTime();
        FeatureOptions features = FeatureOptions.square(preset.inputSize());
        List<ImageInputs.Item> heldInItems = ImageInputs.expand(List.of(heldInDir.toString()));
        ImageEncoder encoder = ImageEncoder.load(runDir);
        FeatureFile heldInFeatures = embed(encoder, heldInItems, features, o, err, "embed");
        heldInFeatures.write(dir.resolve(FEATURES));
        OneClassDetector detector = fit(heldInFeatures.features(), o).withEncoder(
                DetectorFile.encoderRecord(encoder.id(), features));
        detector.save(dir.resolve(DETECTOR));
        String detectorSummary = new DetectorFile.OneClass(detector).describe();
        seconds.put("detector", lap(t));

        // 5. The surrogate task on the held-out photographs, pretrained and untrained encoders.
        t = System.nanoTime();
        List<Path> heldOutFiles = new ArrayList<>();
        for (DemoSamples.Photo p : split.heldOut()) {
            heldOutFiles.add(heldOutDir.resolve(p.file()));
        }
        DemoEvaluation.Inputs inputs = DemoEvaluation.prepare(heldOutFiles, preset.inputSize(), o.seed());
        DemoEvaluation.Scored scored = DemoEvaluation.score(detector, inputs, DemoEvaluation.embed(encoder, inputs, 64));
        List<DemoEvaluation.Row> pretrained = DemoEvaluation.rows(scored);
        ImageEncoder untrainedEncoder = ImageEncoder.load(untrainedFile);
        OneClassDetector untrainedDetector = fit(embed(untrainedEncoder, heldInItems, features, o, err,
                "embed (untrained)").features(), o);
        List<DemoEvaluation.Row> untrained = DemoEvaluation.rows(DemoEvaluation.score(untrainedDetector, inputs,
                DemoEvaluation.embed(untrainedEncoder, inputs, 64)));
        Path surrogate = dir.resolve(SURROGATE);
        Files.createDirectories(surrogate);
        AtomicFiles.write(surrogate.resolve("metrics.csv"), metricsCsv(pretrained, untrained));
        AtomicFiles.write(surrogate.resolve("scores.csv"), scoresCsv(scored));
        AtomicFiles.write(surrogate.resolve("roc.svg"), DemoReport.rocSvgFile(pretrained));
        seconds.put("evaluate", lap(t));
        seconds.put("total", lap(t0));
        List<Integer> examples = new ArrayList<>();
        for (boolean faces : new boolean[] {true, false}) {
            for (int i = 0; i < split.heldOut().size() && examples.size() < EXAMPLES; i++) {
                if (split.heldOut().get(i).content().equals("close_face") == faces) {
                    examples.add(i);
                }
            }
        }
        return new Result(o, photos, split.heldIn().size(), split.heldOut().size(), epochs, stepsPerEpoch,
                pretrained, untrained, lambda, seconds, detectorSummary, inputs, List.copyOf(examples));
    }

    private static FeatureFile embed(ImageEncoder encoder, List<ImageInputs.Item> items, FeatureOptions features,
                                     Options o, PrintStream err, String task) throws IOException {
        Embedder.Result r = Embedder.run(encoder, items, new Embedder.Options(features, 32, o.threads()), Map.of(),
                new ProgressBar(err, task, "images", "failed"));
        if (r.failed() > 0) {
            throw new IOException(r.failed() + " bundled photographs could not be embedded: "
                    + r.failures().get(0).error());
        }
        return r.toFile(encoder.id(), features);
    }

    private static OneClassDetector fit(Tensor features, Options o) {
        GmmFit fit = ExpectationMaximization.fit(features, o.gmm());
        return OneClassDetector.calibrate(fit.model(), features, new OneClassOptions(o.falseAlarms()));
    }

    private static double lap(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Refuses a folder that is neither new, empty nor an earlier demo's; in an earlier demo's, removes what the
     * demo writes (and only that), then marks the folder as this run's.
     */
    private static void prepareFolder(Path dir, PrintStream err) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " is a file; the demo needs a folder");
        }
        if (Files.isDirectory(dir)) {
            boolean empty;
            try (Stream<Path> s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty) {
                if (!Files.isRegularFile(dir.resolve(MARKER))) {
                    throw new UsageException("--out " + dir + " is not empty and holds no earlier demo (no " + MARKER
                            + "); give a new or empty folder");
                }
                err.println("demo: replacing the earlier demo in " + dir);
                for (String name : ARTEFACTS) {
                    deleteTree(dir.resolve(name));
                }
            }
        }
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(MARKER), Json.writePretty(Map.of("format", "blades-demo/1", "status",
                "running")) + "\n");
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(p)) {
            all = new ArrayList<>(walk.toList());
        }
        all.sort(Comparator.reverseOrder());
        for (Path x : all) {
            Files.delete(x);
        }
    }

    private static String splitTsv(DemoSamples.Split split) {
        StringBuilder sb = new StringBuilder("file\tcontent\tset\n");
        for (DemoSamples.Photo p : split.heldIn()) {
            sb.append(p.file()).append('\t').append(p.content()).append('\t').append(HELD_IN).append('\n');
        }
        for (DemoSamples.Photo p : split.heldOut()) {
            sb.append(p.file()).append('\t').append(p.content()).append('\t').append(HELD_OUT).append('\n');
        }
        return sb.toString();
    }

    static final List<String> METRIC_COLUMNS = List.of("encoder", "manipulation", "photographs", "manipulated",
            "accuracy", "auc", "ap", "tpr", "tnr");

    /** Fractions at full precision, the pretrained encoder's rows first, each block ending with its mean. */
    private static String metricsCsv(List<DemoEvaluation.Row> pretrained, List<DemoEvaluation.Row> untrained) {
        StringBuilder sb = new StringBuilder(String.join(",", METRIC_COLUMNS)).append('\n');
        for (int block = 0; block < 2; block++) {
            for (DemoEvaluation.Row r : block == 0 ? pretrained : untrained) {
                sb.append(block == 0 ? "pretrained" : "untrained").append(',')
                        .append(ScanCommand.csvField(r.name())).append(',').append(r.photographs()).append(',')
                        .append(r.manipulated()).append(',').append(Json.formatDouble(r.accuracy())).append(',')
                        .append(Json.formatDouble(r.auc())).append(',').append(Json.formatDouble(r.ap())).append(',')
                        .append(Json.formatDouble(r.tpr())).append(',').append(Json.formatDouble(r.tnr())).append('\n');
            }
        }
        return sb.toString();
    }

    /** One line per held-out input and the pretrained detector's verdict. */
    private static String scoresCsv(DemoEvaluation.Scored s) {
        StringBuilder sb = new StringBuilder("file,version,decision,log_likelihood,p_value\n");
        for (int i = 0; i < s.inputs().photographs(); i++) {
            for (int v = 0; v <= DemoEvaluation.KINDS.size(); v++) {
                Decision d = s.at(i, v);
                sb.append(ScanCommand.csvField(s.inputs().names().get(i))).append(',')
                        .append(ScanCommand.csvField(v == 0 ? "photograph"
                                : DemoEvaluation.label(DemoEvaluation.KINDS.get(v - 1)))).append(',')
                        .append(d.generated() ? "manipulated" : "photograph").append(',')
                        .append(Json.formatDouble(d.score())).append(',').append(Json.formatDouble(d.pValue()))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static void writeMarker(Path dir, Result r, String status) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "blades-demo/1");
        m.put("status", status);
        m.put("seed", r.options().seed());
        m.put("steps", (long) r.options().steps());
        m.put("batch", (long) r.options().batch());
        m.put("photographs", (long) r.photographs());
        m.put("held_in", (long) r.heldIn());
        m.put("held_out", (long) r.heldOut());
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (int block = 0; block < 2; block++) {
            List<DemoEvaluation.Row> rows = block == 0 ? r.pretrained() : r.untrained();
            DemoEvaluation.Row mean = rows.get(rows.size() - 1);
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("accuracy", mean.accuracy());
            x.put("auc", mean.auc());
            x.put("ap", mean.ap());
            metrics.put(block == 0 ? "pretrained_mean" : "untrained_mean", x);
        }
        m.put("surrogate", metrics);
        Map<String, Object> secs = new LinkedHashMap<>(r.seconds());
        m.put("seconds", secs);
        AtomicFiles.write(dir.resolve(MARKER), Json.writePretty(m) + "\n");
    }

    /** The plain statement about what the demo's numbers mean and how to get real ones. */
    static final String REAL_QUALITY = String.join("\n",
            "These numbers come from a tiny model (ResNet width 8, 64 x 64 inputs) pretrained for a few minutes on",
            "camera photographs that mostly show no face, tested on a surrogate task (photographs against our own",
            "manipulations of them). They show that the pipeline works end to end; they say nothing about how well",
            "BLADES detects AI-generated faces. Real detection quality needs the paper preset (ResNet-50 with CLIP",
            "RN50's text tower, 224 px) pretrained on a large face collection with EXIF: the paper uses 130,000 FDF",
            "face photographs, 20 epochs of batch 48 on a GPU, then fits the GMM on face photographs. Here:",
            "  blades index FACES/ --landmarks FACES.json --out faces.jsonl",
            "  blades pretrain --index faces.jsonl --preset paper --out run/",
            "      [--vision-weights resnet50.safetensors --text-weights clip-rn50.safetensors]",
            "  blades embed REAL_FACES/ --encoder run/ --out real.safetensors",
            "  blades fit-gmm --features real.safetensors --out detector.safetensors",
            "  blades evaluate --real TEST_FACES/ --fake GENERATOR=GENERATED_FACES/ --detector detector.safetensors \\",
            "      --encoder run/ --out evaluation/");

    private static void print(Result r, PrintStream out) {
        Options o = r.options();
        Path dir = o.out();
        out.printf(Locale.ROOT, "BLADES demo: %d bundled photographs (%d held in, %d held out), tiny preset, %d "
                + "bi-level steps of %d images, seed %d%n", r.photographs(), r.heldIn(), r.heldOut(), o.steps(),
                o.batch(), o.seed());
        out.println("detector: " + r.detectorSummary());
        out.println();
        out.println("surrogate task: held-out photographs against manipulated versions of themselves (%)");
        out.printf(Locale.ROOT, "%-24s %7s %7s %7s   %s%n", "manipulation", "Acc", "AUC", "AP",
                "untrained encoder: Acc / AUC / AP");
        for (int i = 0; i < r.pretrained().size(); i++) {
            DemoEvaluation.Row p = r.pretrained().get(i);
            DemoEvaluation.Row u = r.untrained().get(i);
            out.printf(Locale.ROOT, "%-24s %7.2f %7.2f %7.2f   %.2f / %.2f / %.2f%n", p.name(), 100 * p.accuracy(),
                    100 * p.auc(), 100 * p.ap(), 100 * u.accuracy(), 100 * u.auc(), 100 * u.ap());
        }
        List<String> parts = new ArrayList<>();
        List<Task> order = new ArrayList<>(List.of(Task.values()));
        order.sort((a, b) -> Double.compare(r.lambda()[b.lambdaIndex()], r.lambda()[a.lambdaIndex()]));
        for (Task task : order) {
            parts.add(String.format(Locale.ROOT, "%s %.3f", task.name().toLowerCase(Locale.ROOT),
                    r.lambda()[task.lambdaIndex()]));
        }
        out.println("lambda after pretraining (sorted): " + String.join(", ", parts));
        out.println();
        out.println("artefacts:");
        artefact(out, "report", dir.resolve(REPORT));
        artefact(out, "lambda plot", dir.resolve(RUN).resolve(Pretraining.PLOT));
        artefact(out, "trace", dir.resolve(RUN).resolve(Pretraining.TRACE));
        artefact(out, "encoder", dir.resolve(RUN).resolve(Pretraining.ENCODER));
        artefact(out, "checkpoint", dir.resolve(RUN).resolve(Pretraining.CHECKPOINT));
        artefact(out, "detector", dir.resolve(DETECTOR));
        artefact(out, "features", dir.resolve(FEATURES));
        artefact(out, "metrics", dir.resolve(SURROGATE).resolve("metrics.csv"));
        artefact(out, "scores", dir.resolve(SURROGATE).resolve("scores.csv"));
        artefact(out, "ROC curves", dir.resolve(SURROGATE).resolve("roc.svg"));
        artefact(out, "index", dir.resolve(INDEX));
        artefact(out, "photographs", dir.resolve(PHOTOS));
        out.printf(Locale.ROOT, "took %s (pretraining %s)%n", DemoReport.duration(r.seconds().get("total")),
                DemoReport.duration(r.seconds().get("pretrain")));
        out.println();
        out.println(REAL_QUALITY);
        out.println();
        out.println("Try the demo's detector on your own images (it is no real detector, see above):");
        out.println("  blades scan IMAGES/ --detector " + dir.resolve(DETECTOR) + " --encoder " + dir.resolve(RUN));
    }

    private static void artefact(PrintStream out, String what, Path path) {
        out.printf(Locale.ROOT, "  %-12s %s%n", what, path);
    }

    /** One line on stderr, redrawn at most five times a second: steps, loss, elapsed time and ETA. */
    private static final class StepProgress implements Pretraining.StepListener {
        private static final int WIDTH = 24;
        private final PrintStream err;
        private final long total;
        private final long start = System.nanoTime();
        private long lastDraw;

        StepProgress(PrintStream err, long total) {
            this.err = err;
            this.total = total;
        }

        @Override
        public void stepDone(long step, long epoch, StepTrace t) {
            long now = System.nanoTime();
            if (step < total && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            double seconds = (now - start) / 1e9;
            int filled = (int) (WIDTH * step / Math.max(1, total));
            err.printf(Locale.ROOT, "\rpretrain [%s%s] %d/%d steps, epoch %d, loss %.4f, %s, ETA %s ",
                    "#".repeat(filled), ".".repeat(WIDTH - filled), step, total, epoch + 1, t.weightedLoss(),
                    DemoReport.duration(seconds), DemoReport.duration(seconds / step * (total - step)));
            err.flush();
        }

        void end() {
            err.println();
        }
    }
}
