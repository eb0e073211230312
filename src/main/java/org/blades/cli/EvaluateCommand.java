package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.blades.embed.Embedder;
import org.blades.embed.FeatureFile;
import org.blades.embed.FeatureOptions;
import org.blades.embed.ImageEncoder;
import org.blades.embed.ImageInputs;
import org.blades.eval.BinaryCounts;
import org.blades.eval.Metrics;
import org.blades.eval.PrecisionRecallCurve;
import org.blades.eval.RocCurve;
import org.blades.io.Json;
import org.blades.report.Html;
import org.blades.report.LineChart;

// N = images of one comparison (photographs + one generator's images) or of one set

/**
 * {@code blades evaluate --real DIR --fake NAME=DIR ...}: a detector's accuracy, AUC, AP, TPR and TNR per generator
 * and on average, as the paper's Tables 1-4, with ROC and precision-recall curves (SVG), per-image scores (CSV) and one
 * self-contained HTML report. It also compares the photographs with each generator's images by file format and
 * pixel size, which a detector can learn instead of faces.
 */
public final class EvaluateCommand {
    private EvaluateCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades evaluate --real PATH --fake NAME=PATH [--fake NAME=PATH ...] --detector DET",
            "                       (--encoder PATH | --preset NAME) --out DIR [options]",
            "",
            "Scores photographs (--real) and the images of each generator (--fake) with a detector and writes to",
            "DIR: metrics.csv (per generator and the mean: accuracy at the detector's own decision, ROC AUC, average",
            "precision, TPR, TNR), scores.csv (per image), roc.svg, pr.svg and report.html (self-contained: tables,",
            "inline charts, warnings). The table also goes to stdout. PATH is a folder, an image index, a list file",
            "or an image, as for blades scan; NAME defaults to the folder's name. Each generator is compared with",
            "all photographs; the mean is over generators, as in the paper's tables. Ranking metrics follow the",
            "authors' protocol: photographs are the positive class, scored by the one-class log-likelihood (or",
            "-P(AI-generated) for the perceptron); so TPR is the share of photographs kept and TNR the share of",
            "AI-generated images caught. Images that cannot be read are listed and left out.",
            "It warns when photographs and a generator's images differ in file format or pixel size: a detector may",
            "then tell JPEG from PNG, or 1024 px from 256 px, rather than photographs from generated faces.",
            "",
            "  --real PATH             the photographs (required)",
            "  --fake NAME=PATH        one generator's images (required, repeatable)",
            "  --detector FILE         a detector from blades fit-gmm or blades fit-mlp",
            Commands.ENCODER_HELP,
            "  --out DIR               where the report files go (created; files replaced atomically)",
            "  --jpeg Q                re-encode every input as JPEG quality Q (1-100) first: the robustness test of",
            "                          the paper's Table 5 (and one encoder for every format)",
            "  --limit N               at most N images per set, a seeded sample (the paper: 5,000 per generator)",
            "  --seed N                seed of --limit's sample (default 2024, the authors')",
            "  --positive CLASS        photograph (default, the authors' protocol) or generated: the class whose",
            "                          score ranks first for AUC and AP, and whose rate TPR is",
            "  --cache FILE            a features file to reuse rows from and to add this run's rows to",
            "  --input-size N          only for a detector that records no preprocessing (default 224)",
            "  --max-pixels N          refuse images above N pixels (default 100000000)",
            "  --batch N               images per encoder call (default 32)",
            "  --threads N             files decoded in parallel (default: cores, at most 4)",
            "  --help                  this text",
            "",
            "Exit code: 0 report written, 1 the photographs or every generator had no usable image, or the run",
            "failed, 2 bad usage (also: an encoder other than the detector's).");

    private static final Set<String> VALUED = Set.of("--real", "--fake", "--detector", "--encoder", "--preset",
            "--init-seed", "--out", "--jpeg", "--limit", "--seed", "--positive", "--cache", "--input-size",
            "--max-pixels", "--batch", "--threads");

    /** Share of images whose format would have to change to turn one set's mix into the other's, that warns. */
    static final double FORMAT_WARNING = 0.25;
    /** Largest gap between the two sets' cumulative pixel-count distributions (Kolmogorov-Smirnov) that warns. */
    static final double SIZE_WARNING = 0.5;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("evaluate", USAGE, args, VALUED, Set.of(), out, err, cl -> evaluate(cl, out, err));
    }

    /** One set of images: the photographs or one generator's. */
    private record ImageSet(String name, String source, boolean photographs, List<ImageInputs.Item> items) {
    }

    /** A scored image of a set. */
    private record Scored(Embedder.Embedded image, DetectorFile.Verdict verdict) {
    }

    /** A set after embedding and scoring. */
    private record SetResult(ImageSet set, List<Scored> scored, List<FeatureFile.Failure> failures) {
        List<Embedder.Facts> facts() {
            List<Embedder.Facts> out = new ArrayList<>();
            for (Scored s : scored) {
                if (s.image().facts() != null) {
                    out.add(s.image().facts());
                }
            }
            return out;
        }
    }

    /**
     * One generator's numbers against the photographs (or their means), all in [0, 1].
     *
     * @param roc null for the mean row
     * @param pr  null for the mean row
     */
    record Row(String generator, int photographs, int generated, double accuracy, double auc, double ap, double tpr,
               double tnr, RocCurve roc, PrecisionRecallCurve pr) {
    }

    private static int evaluate(CommandLine cl, PrintStream out, PrintStream err) throws IOException {
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0)
                    + "' (images go with --real and --fake NAME=PATH)");
        }
        String realArg = cl.require("--real", "PATH");
        List<String> fakeArgs = cl.all("--fake");
        if (fakeArgs.isEmpty()) {
            throw new UsageException("--fake NAME=PATH is required (at least one generator)");
        }
        Path detectorPath = CommandLine.existingFile(cl.require("--detector", "DET"), "--detector");
        Path outDir = CommandLine.path(cl.require("--out", "DIR"), "--out");
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UsageException("--out " + outDir + " is a file; the report needs a folder");
        }
        String positive = cl.get("--positive") == null ? "photograph" : cl.get("--positive");
        if (!positive.equals("photograph") && !positive.equals("generated")) {
            throw new UsageException("--positive expects photograph or generated, got '" + positive + "'");
        }
        boolean photoPositive = positive.equals("photograph");
        int jpeg = cl.integer("--jpeg", 0, 1, 100);
        int limit = cl.integer("--limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        long seed = cl.longValue("--seed", 2024);
        int batch = cl.integer("--batch", 32, 1, 4096);
        int threads = Commands.threads(cl);

        List<String[]> generators = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String f : fakeArgs) {
            int eq = f.indexOf('=');
            String path = eq < 0 ? f : f.substring(eq + 1);
            CommandLine.existing(path, "--fake");
            String name = eq < 0 ? nameOf(path) : f.substring(0, eq);
            if (name.isEmpty() || !names.add(name)) {
                throw new UsageException("--fake " + f + ": " + (name.isEmpty() ? "empty generator name"
                        : "generator name '" + name + "' given twice"));
            }
            generators.add(new String[] {name, path});
        }
        CommandLine.existing(realArg, "--real");

        DetectorFile detector = DetectorFile.load(detectorPath);
        ImageEncoder encoder = Commands.encoder(cl, err);
        Commands.checkEncoder(detector, detectorPath, encoder, err);
        FeatureOptions options = Commands.featureOptions(cl, encoder, detector.preprocess()).withJpegQuality(jpeg);
        err.println("detector: " + detector.describe());

        List<ImageSet> sets = new ArrayList<>();
        sets.add(new ImageSet("photographs", realArg, true, sample(ImageInputs.expand(List.of(realArg)), limit, seed)));
        for (String[] g : generators) {
            sets.add(new ImageSet(g[0], g[1], false, sample(ImageInputs.expand(List.of(g[1])), limit, seed)));
        }
        List<ImageInputs.Item> all = new ArrayList<>();
        for (ImageSet s : sets) {
            all.addAll(s.items());
        }
        Path cachePath = cl.get("--cache") == null ? null : CommandLine.path(cl.get("--cache"), "--cache");
        FeatureFile cache = cachePath == null ? null : Commands.reusable(cachePath, options.cacheKey(encoder.id()), err);
        Embedder.Result r = Embedder.run(encoder, all, new Embedder.Options(options, batch, threads),
                Commands.rowsOf(cache), new ProgressBar(err, "evaluate", "images", "failed"));
        if (cachePath != null) {
            Commands.updateCache(cachePath, cache, r.toFile(encoder.id(), options));
        }
        List<SetResult> results = score(sets, r, detector);

        List<String> warnings = new ArrayList<>();
        List<FeatureFile.Failure> failures = r.failures();
        if (!failures.isEmpty()) {
            err.println("evaluate: " + failures.size() + " image" + (failures.size() == 1 ? "" : "s")
                    + " could not be used and are left out:");
            Commands.listFailures(failures, 20, err);
        }
        SetResult photos = results.get(0);
        if (photos.scored().isEmpty()) {
            err.println("evaluate: none of the photographs in " + realArg + " could be scored");
            return 1;
        }
        List<Row> rows = new ArrayList<>();
        for (SetResult g : results.subList(1, results.size())) {
            if (g.scored().isEmpty()) {
                warnings.add("generator " + g.set().name() + ": no image could be scored; left out of the mean");
                continue;
            }
            warnings.addAll(biasWarnings(photos, g, jpeg));
            warnings.addAll(overlapWarnings(photos, g));
            rows.add(row(g.set().name(), photos.scored(), g.scored(), photoPositive));
        }
        if (rows.isEmpty()) {
            warnings.forEach(w -> err.println("warning: " + w));
            err.println("evaluate: no generator had a usable image");
            return 1;
        }
        Row mean = mean(rows);
        for (String w : warnings) {
            err.println("warning: " + w);
        }

        String positiveWords = photoPositive ? "photographs" : "AI-generated images";
        String table = table(rows, mean);
        Files.createDirectories(outDir);
        AtomicFiles.write(outDir.resolve("metrics.csv"), metricsCsv(rows, mean));
        AtomicFiles.write(outDir.resolve("scores.csv"), scoresCsv(results));
        LineChart.Options rocOptions = new LineChart.Options("ROC (positive: " + positiveWords + ")",
                "false-positive rate", "true-positive rate", true, LineChart.Corner.LOWER_RIGHT);
        LineChart.Options prOptions = new LineChart.Options("Precision-recall (positive: " + positiveWords + ")",
                "recall", "precision", false, LineChart.Corner.LOWER_LEFT);
        List<LineChart.Series> rocSeries = new ArrayList<>();
        List<LineChart.Series> prSeries = new ArrayList<>();
        for (Row row : rows) {
            rocSeries.add(new LineChart.Series(row.generator(), row.roc().fpr(), row.roc().tpr(), false));
            prSeries.add(new LineChart.Series(row.generator(), row.pr().recall(), row.pr().precision(), true));
        }
        AtomicFiles.write(outDir.resolve("roc.svg"), LineChart.svgFile(rocOptions, rocSeries));
        AtomicFiles.write(outDir.resolve("pr.svg"), LineChart.svgFile(prOptions, prSeries));
        String settings = settings(detectorPath, detector, encoder, options, photoPositive, limit, seed);
        AtomicFiles.write(outDir.resolve("report.html"), html(settings, rows, mean, photoPositive, warnings, results,
                failures, LineChart.svg(rocOptions, rocSeries), LineChart.svg(prOptions, prSeries)));

        out.println(settings);
        out.print(table);
        if (!warnings.isEmpty()) {
            out.println(warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s") + " (see stderr and the report)");
        }
        out.println("wrote " + outDir.resolve("report.html") + " (with metrics.csv, scores.csv, roc.svg, pr.svg)");
        return 0;
    }

    /** The last path component, without an extension for a file. */
    private static String nameOf(String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        String n = p.getFileName() == null ? path : p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return Files.isRegularFile(p) && dot > 0 ? n.substring(0, dot) : n;
    }

    /** At most {@code limit} items, a seeded sample kept in input order. */
    static List<ImageInputs.Item> sample(List<ImageInputs.Item> items, int limit, long seed) {
        if (items.size() <= limit) {
            return items;
        }
        int[] idx = new int[items.size()]; // (N) a seeded permutation
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, limit);
        Arrays.sort(chosen);
        List<ImageInputs.Item> out = new ArrayList<>();
        for (int i : chosen) {
            out.add(items.get(i));
        }
        return out;
    }

    /** Splits the run's outcomes back into the sets (they were embedded in set order) and scores them. */
    private static List<SetResult> score(List<ImageSet> sets, Embedder.Result r, DetectorFile detector) {
        List<Embedder.Embedded> embedded = new ArrayList<>();
        for (Embedder.Outcome o : r.outcomes()) {
            if (o instanceof Embedder.Embedded e) {
                embedded.add(e);
            }
        }
        DetectorFile.Verdict[] verdicts = detector.judge(embedded);
        List<SetResult> out = new ArrayList<>();
        int at = 0;
        int v = 0;
        for (ImageSet s : sets) {
            List<Scored> scored = new ArrayList<>();
            List<FeatureFile.Failure> failed = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) {
                Embedder.Outcome o = r.outcomes().get(at++);
                if (o instanceof Embedder.Embedded e) {
                    scored.add(new Scored(e, verdicts[v++]));
                } else {
                    failed.add(((Embedder.Failed) o).failure());
                }
            }
            out.add(new SetResult(s, scored, failed));
        }
        return out;
    }

    /**
     * The metrics of one generator against the photographs.
     *
     * @param photoPositive photographs are the positive class (else AI-generated images are)
     */
    static Row row(String name, List<Scored> photos, List<Scored> generated, boolean photoPositive) {
        int n = photos.size() + generated.size();
        boolean[] positive = new boolean[n]; // (N)
        boolean[] predicted = new boolean[n]; // (N)
        double[] score = new double[n]; // (N) higher for the positive class
        for (int i = 0; i < n; i++) {
            boolean isPhoto = i < photos.size();
            DetectorFile.Verdict v = (isPhoto ? photos.get(i) : generated.get(i - photos.size())).verdict();
            positive[i] = isPhoto == photoPositive;
            predicted[i] = !v.generated() == photoPositive;
            double photoScore = clamp(v.photoScore());
            score[i] = photoPositive ? photoScore : -photoScore;
        }
        BinaryCounts c = Metrics.counts(positive, predicted);
        return new Row(name, photos.size(), generated.size(), c.accuracy(), Metrics.rocAuc(positive, score),
                Metrics.averagePrecision(positive, score), c.tpr(), c.tnr(), Metrics.rocCurve(positive, score, true),
                Metrics.precisionRecallCurve(positive, score));
    }

    /** The metrics take finite scores; a log-likelihood that underflowed to -infinity ranks last either way. */
    private static double clamp(double v) {
        return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }

    /** The paper's "average" row: each metric's mean over the generators. */
    private static Row mean(List<Row> rows) {
        double[] m = new double[5]; // accuracy, auc, ap, tpr, tnr
        int photos = 0;
        int generated = 0;
        for (Row r : rows) {
            m[0] += r.accuracy() / rows.size();
            m[1] += r.auc() / rows.size();
            m[2] += r.ap() / rows.size();
            m[3] += r.tpr() / rows.size();
            m[4] += r.tnr() / rows.size();
            photos = r.photographs();
            generated += r.generated();
        }
        return new Row("mean", photos, generated, m[0], m[1], m[2], m[3], m[4], null, null);
    }

    // ------------------------------------------------------------------------------------------------------
    // Data-set bias checks

    /** Format and pixel-size differences between the photographs and one generator's images. */
    static List<String> biasWarnings(SetResult photos, SetResult generated, int jpeg) {
        List<String> out = new ArrayList<>();
        List<Embedder.Facts> a = photos.facts();
        List<Embedder.Facts> b = generated.facts();
        if (a.isEmpty() || b.isEmpty()) {
            return out;
        }
        Map<String, Double> fa = shares(a);
        Map<String, Double> fb = shares(b);
        double tv = 0;
        Set<String> formats = new HashSet<>(fa.keySet());
        formats.addAll(fb.keySet());
        for (String f : formats) {
            tv += Math.abs(fa.getOrDefault(f, 0.0) - fb.getOrDefault(f, 0.0)) / 2;
        }
        String g = generated.set().name();
        if (tv >= FORMAT_WARNING) {
            out.add(String.format(Locale.ROOT, "file formats differ: photographs are %s, %s is %s; the detector may be "
                    + "telling the formats apart rather than faces%s", formatMix(fa), g, formatMix(fb),
                    jpeg == 0 ? " (re-run with --jpeg 95 to put every image through the same JPEG encoder)"
                            : " (--jpeg " + jpeg + " re-encoded them all, which hides the format but not earlier compression)"));
        }
        double[] pa = pixels(a);
        double[] pb = pixels(b);
        double ks = kolmogorovSmirnov(pa, pb);
        if (ks >= SIZE_WARNING) {
            out.add(String.format(Locale.ROOT, "image sizes differ: photographs are %s, %s is %s (size distributions "
                    + "differ by %.0f %%); resizing to the model's input leaves different traces",
                    sizeMix(a), g, sizeMix(b), 100 * ks));
        }
        return out;
    }

    /** Identical files (by SHA-256) among the photographs and a generator's images make both labels wrong at once. */
    private static List<String> overlapWarnings(SetResult photos, SetResult generated) {
        Set<String> a = new HashSet<>();
        for (Scored s : photos.scored()) {
            a.add(s.image().sha256());
        }
        int both = 0;
        for (Scored s : generated.scored()) {
            both += a.contains(s.image().sha256()) ? 1 : 0;
        }
        return both == 0 ? List.of() : List.of(both + " file" + (both == 1 ? " is" : "s are") + " both among the "
                + "photographs and among " + generated.set().name() + " (same SHA-256)");
    }

    private static Map<String, Double> shares(List<Embedder.Facts> facts) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Embedder.Facts f : facts) {
            m.merge(f.format(), 1.0 / facts.size(), Double::sum);
        }
        return m;
    }

    /** "JPEG 80 %, PNG 20 %", largest share first. */
    private static String formatMix(Map<String, Double> shares) {
        List<Map.Entry<String, Double>> e = new ArrayList<>(shares.entrySet());
        e.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> x : e) {
            parts.add(String.format(Locale.ROOT, "%s %.0f %%", x.getKey(), 100 * x.getValue()));
        }
        return String.join(", ", parts);
    }

    /** "mostly 1024x1024 (80 %), median 1.05 Mpx". */
    private static String sizeMix(List<Embedder.Facts> facts) {
        Map<String, Integer> counts = new HashMap<>();
        String top = null;
        for (Embedder.Facts f : facts) {
            String k = f.width() + "x" + f.height();
            int c = counts.merge(k, 1, Integer::sum);
            if (top == null || c > counts.get(top) || (c == counts.get(top) && k.compareTo(top) < 0)) {
                top = k;
            }
        }
        double[] px = pixels(facts);
        double median = px.length % 2 == 1 ? px[px.length / 2] : (px[px.length / 2 - 1] + px[px.length / 2]) / 2;
        return String.format(Locale.ROOT, "%s %s (%.0f %%), median %.3g Mpx", counts.get(top) == facts.size() ? "all"
                : "mostly", top, 100.0 * counts.get(top) / facts.size(), median / 1e6);
    }

    /** Pixel counts, sorted. */
    private static double[] pixels(List<Embedder.Facts> facts) {
        double[] out = new double[facts.size()]; // (N)
        for (int i = 0; i < out.length; i++) {
            out[i] = (double) facts.get(i).width() * facts.get(i).height();
        }
        Arrays.sort(out);
        return out;
    }

    /** max_v |F_a(v) - F_b(v)| over the empirical distribution functions of two sorted samples. */
    static double kolmogorovSmirnov(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double v = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= v) {
                i++;
            }
            while (j < b.length && b[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }

    // ------------------------------------------------------------------------------------------------------
    // Output

    private static String settings(Path detectorPath, DetectorFile detector, ImageEncoder encoder,
                                   FeatureOptions options, boolean photoPositive, int limit, long seed) {
        return "detector " + detectorPath + ": " + detector.describe() + "\n"
                + "encoder " + encoder.id().shortHash() + " (" + encoder.id().source() + "), inputs "
                + options.describe() + (limit == Integer.MAX_VALUE ? "" : ", at most " + limit
                + " images per set (seed " + seed + ")") + "\n"
                + (photoPositive ? "positive class: photographs; TPR = photographs kept, TNR = AI-generated images "
                + "caught" : "positive class: AI-generated images; TPR = AI-generated images caught, TNR = "
                + "photographs kept");
    }

    /** The stdout table, in percent as the paper's tables. */
    private static String table(List<Row> rows, Row mean) {
        int w = "generator".length();
        for (Row r : rows) {
            w = Math.max(w, r.generator().length());
        }
        String head = "%-" + w + "s %11s %9s %7s %7s %7s %7s %7s%n";
        String line = "%-" + w + "s %11s %9s %7.2f %7.2f %7.2f %7.2f %7.2f%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, head, "generator", "photographs", "generated", "Acc", "AUC", "AP", "TPR",
                "TNR"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, line, r.generator(), r.photographs(), r.generated(), 100 * r.accuracy(),
                    100 * r.auc(), 100 * r.ap(), 100 * r.tpr(), 100 * r.tnr()));
        }
        sb.append(String.format(Locale.ROOT, line, "mean", "", "", 100 * mean.accuracy(), 100 * mean.auc(),
                100 * mean.ap(), 100 * mean.tpr(), 100 * mean.tnr()));
        return sb.toString();
    }

    static final List<String> METRIC_COLUMNS = List.of("generator", "photographs", "generated", "accuracy", "auc",
            "ap", "tpr", "tnr");

    /** Fractions at full precision (shortest round-trip decimals), the mean row last. */
    private static String metricsCsv(List<Row> rows, Row mean) {
        StringBuilder sb = new StringBuilder(String.join(",", METRIC_COLUMNS)).append('\n');
        List<Row> all = new ArrayList<>(rows);
        all.add(mean);
        for (Row r : all) {
            sb.append(ScanCommand.csvField(r.generator())).append(',').append(r.photographs()).append(',')
                    .append(r.generated()).append(',').append(Json.formatDouble(r.accuracy())).append(',')
                    .append(Json.formatDouble(r.auc())).append(',').append(Json.formatDouble(r.ap())).append(',')
                    .append(Json.formatDouble(r.tpr())).append(',').append(Json.formatDouble(r.tnr())).append('\n');
        }
        return sb.toString();
    }

    static final List<String> SCORE_COLUMNS = List.of("set", "label", "path", "sha256", "decision", "score",
            "photo_score", "p_value", "reason", "error");

    /** One line per image: its set and true label, the verdict, or the reason it was left out. */
    private static String scoresCsv(List<SetResult> results) {
        StringBuilder sb = new StringBuilder(String.join(",", SCORE_COLUMNS)).append('\n');
        for (SetResult s : results) {
            String set = ScanCommand.csvField(s.set().name());
            String label = s.set().photographs() ? "photograph" : "ai-generated";
            for (Scored x : s.scored()) {
                DetectorFile.Verdict v = x.verdict();
                sb.append(set).append(',').append(label).append(',').append(ScanCommand.csvField(x.image().item().name()))
                        .append(',').append(x.image().sha256()).append(',')
                        .append(v.generated() ? "ai-generated" : "photograph").append(',')
                        .append(Json.formatDouble(clamp(v.score()))).append(',')
                        .append(Json.formatDouble(clamp(v.photoScore()))).append(',')
                        .append(v.pValue() == null ? "" : Json.formatDouble(v.pValue())).append(",,\n");
            }
            for (FeatureFile.Failure f : s.failures()) {
                sb.append(set).append(',').append(label).append(',').append(ScanCommand.csvField(f.path())).append(',')
                        .append(f.sha256() == null ? "" : f.sha256()).append(",error,,,,")
                        .append(ScanCommand.csvField(f.reason())).append(',').append(ScanCommand.csvField(f.error()))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String html(String settings, List<Row> rows, Row mean, boolean photoPositive, List<String> warnings,
                               List<SetResult> results, List<FeatureFile.Failure> failures, String rocSvg,
                               String prSvg) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>BLADES evaluation</h1>\n<p class=\"mono\">");
        b.append(Html.escape(settings).replace("\n", "<br/>\n")).append("</p>\n");
        if (!warnings.isEmpty()) {
            b.append("<h2>Warnings</h2>\n");
            for (String w : warnings) {
                b.append("<div class=\"warn\">").append(Html.escape(w)).append("</div>\n");
            }
        }
        b.append("<h2>Detection (%)</h2>\n<table>\n<tr><th class=\"l\">generator</th><th>photographs</th>"
                + "<th>generated</th><th>Acc</th><th>AUC</th><th>AP</th><th>TPR</th><th>TNR</th></tr>\n");
        for (Row r : rows) {
            htmlRow(b, r, "");
        }
        htmlRow(b, mean, " class=\"mean\"");
        b.append("</table>\n<p>Acc: accuracy at the detector's own decision. AUC, AP: ranking by score with ")
                .append(photoPositive ? "photographs" : "AI-generated images").append(" as the positive class. ")
                .append(photoPositive ? "TPR: photographs kept as photographs; TNR: AI-generated images caught."
                        : "TPR: AI-generated images caught; TNR: photographs kept as photographs.")
                .append(" The mean is over generators.</p>\n");
        b.append("<h2>Curves</h2>\n<div class=\"charts\">\n").append(rocSvg).append(prSvg).append("</div>\n");
        b.append("<h2>Image sets</h2>\n<table>\n<tr><th class=\"l\">set</th><th class=\"l\">source</th>"
                + "<th>images</th><th>scored</th><th>failed</th><th class=\"l\">formats</th><th class=\"l\">sizes</th></tr>\n");
        for (SetResult s : results) {
            List<Embedder.Facts> facts = s.facts();
            b.append("<tr><td class=\"l\">").append(Html.escape(s.set().name())).append("</td><td class=\"l mono\">")
                    .append(Html.escape(s.set().source())).append("</td><td>").append(s.set().items().size())
                    .append("</td><td>").append(s.scored().size()).append("</td><td>").append(s.failures().size())
                    .append("</td><td class=\"l\">").append(facts.isEmpty() ? "-" : Html.escape(formatMix(shares(facts))))
                    .append("</td><td class=\"l\">").append(facts.isEmpty() ? "-" : Html.escape(sizeMix(facts)))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (!failures.isEmpty()) {
            b.append("<h2>Images left out (").append(failures.size()).append(")</h2>\n<ul>\n");
            for (int i = 0; i < Math.min(200, failures.size()); i++) {
                b.append("<li class=\"mono\">").append(Html.escape(failures.get(i).error())).append("</li>\n");
            }
            if (failures.size() > 200) {
                b.append("<li>... and ").append(failures.size() - 200).append(" more (see scores.csv)</li>\n");
            }
            b.append("</ul>\n");
        }
        return Html.page("BLADES evaluation", b.toString());
    }

    private static void htmlRow(StringBuilder b, Row r, String attrs) {
        b.append("<tr").append(attrs).append("><td class=\"l\">").append(Html.escape(r.generator())).append("</td><td>")
                .append(r.roc() == null ? "" : Integer.toString(r.photographs())).append("</td><td>")
                .append(r.roc() == null ? "" : Integer.toString(r.generated())).append("</td>");
        for (double v : new double[] {r.accuracy(), r.auc(), r.ap(), r.tpr(), r.tnr()}) {
            b.append(String.format(Locale.ROOT, "<td>%.2f</td>", 100 * v));
        }
        b.append("</tr>\n");
    }
}
