package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.blades.embed.Embedder;
import org.blades.embed.FeatureFile;
import org.blades.embed.FeatureOptions;
import org.blades.embed.ImageEncoder;
import org.blades.embed.ImageInputs;
import org.blades.io.Json;

/**
 * {@code blades scan PATH... --detector DET}: one verdict per image (path, SHA-256, decision, score, p-value) or the
 * reason it could not be scored, as CSV or JSON Lines. A bad file is a row, never the end of the scan.
 */
public final class ScanCommand {
    private ScanCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades scan PATH... --detector DET (--encoder PATH | --preset NAME) [--out RESULTS] [options]",
            "",
            "Decides for every image whether it is AI-generated. PATH is an image, a folder (searched for jpg, jpeg,",
            "jpe, png, bmp, gif), an image index (blades index) or a list file (one path per line, relative to the",
            "list's folder; # comments). Each image gets one row: path, sha256, decision (ai-generated, photograph",
            "or error), score, p_value, reason and error. Score: the one-class detector's log-likelihood under the",
            "photographs' GMM (below its threshold: AI-generated), with p_value the share of calibration photographs",
            "scoring as low or lower (small: unlike photographs); or the perceptron's P(AI-generated) (0.5 or more:",
            "AI-generated), without a p-value. An image that cannot be read gets an error row; the scan goes on.",
            "The encoder must be the one the detector was fitted with (checked by its weights hash), and the images",
            "are preprocessed as the detector's features were.",
            "",
            "  --detector FILE         a detector from blades fit-gmm (one-class) or blades fit-mlp (binary)",
            Commands.ENCODER_HELP,
            "  --out FILE              results as CSV (.csv) or JSON Lines (.jsonl, .json), written atomically;",
            "                          without --out: CSV on stdout, and the summary goes to stderr",
            "  --format csv|jsonl      the output format whatever the file name",
            "  --cache FILE            a features file to reuse rows from and to add this scan's rows to",
            "  --input-size N          only for a detector that records no preprocessing (default 224)",
            "  --max-pixels N          refuse images above N pixels (default 100000000)",
            "  --batch N               images per encoder call (default 32)",
            "  --threads N             files decoded in parallel (default: cores, at most 4)",
            "  --help                  this text",
            "",
            "Exit code: 0 the scan completed and scored at least one image (unreadable images are error rows, not",
            "failures), 1 no image could be scored (the error rows are still written) or the scan failed, 2 bad",
            "usage (also: an encoder other than the detector's).");

    private static final Set<String> VALUED = Set.of("--detector", "--encoder", "--preset", "--init-seed", "--out",
            "--format", "--cache", "--input-size", "--max-pixels", "--batch", "--threads");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("scan", USAGE, args, VALUED, Set.of(), out, err, cl -> scan(cl, out, err));
    }

    /** One result row; score and pValue are null for an error row, reason and error null otherwise. */
    record Result(String path, String sha256, String decision, Double score, Double pValue, String reason,
                  String error) {
    }

    private static int scan(CommandLine cl, PrintStream out, PrintStream err) throws IOException {
        if (cl.positional().isEmpty()) {
            throw new UsageException("which images? (blades scan PATH... --detector DET --encoder ENC)");
        }
        Path detectorPath = CommandLine.existingFile(cl.require("--detector", "DET"), "--detector");
        String outName = cl.get("--out");
        boolean jsonl = format(cl.get("--format"), outName);
        for (String p : cl.positional()) {
            CommandLine.existing(p, "input");
        }
        int batch = cl.integer("--batch", 32, 1, 4096);
        int threads = Commands.threads(cl);
        DetectorFile detector = DetectorFile.load(detectorPath);
        ImageEncoder encoder = Commands.encoder(cl, err);
        Commands.checkEncoder(detector, detectorPath, encoder, err);
        FeatureOptions options = Commands.featureOptions(cl, encoder, detector.preprocess());
        err.println("detector: " + detector.describe());

        List<ImageInputs.Item> items = ImageInputs.expand(cl.positional());
        if (items.isEmpty()) {
            err.println("scan: no images found in " + String.join(", ", cl.positional()));
            return 1;
        }
        Path cachePath = cl.get("--cache") == null ? null : CommandLine.path(cl.get("--cache"), "--cache");
        FeatureFile cache = cachePath == null ? null : Commands.reusable(cachePath, options.cacheKey(encoder.id()), err);
        Embedder.Result r = Embedder.run(encoder, items, new Embedder.Options(options, batch, threads),
                Commands.rowsOf(cache), new ProgressBar(err, "scan", "images", "failed"));
        List<Result> results = results(r, detector);
        if (cachePath != null) {
            Commands.updateCache(cachePath, cache, r.toFile(encoder.id(), options));
        }

        String text = jsonl ? jsonLines(results) : csv(results);
        PrintStream summary = out;
        if (outName == null) {
            out.print(text);
            out.flush();
            summary = err;
        } else {
            AtomicFiles.write(CommandLine.path(outName, "--out"), text);
        }
        int generated = 0;
        int photos = 0;
        List<FeatureFile.Failure> failures = r.failures();
        for (Result x : results) {
            if (x.decision().equals("ai-generated")) {
                generated++;
            } else if (x.decision().equals("photograph")) {
                photos++;
            }
        }
        summary.printf(Locale.ROOT, "scanned %d images: %d AI-generated, %d photographs, %d errors%s%n", items.size(),
                generated, photos, failures.size(), failures.isEmpty() ? "" : " (" + Commands.reasons(failures) + ")");
        summary.println("score: " + detector.scoreMeaning());
        if (outName != null) {
            summary.println("wrote " + outName);
        }
        if (generated + photos == 0) {
            err.println("scan: no image could be scored");
            return 1;
        }
        return 0;
    }

    /** true for JSON Lines: --format wins, else the extension (.jsonl, .json); CSV otherwise. */
    private static boolean format(String format, String outName) {
        if (format != null) {
            return switch (format) {
                case "csv" -> false;
                case "jsonl" -> true;
                default -> throw new UsageException("--format expects csv or jsonl, got '" + format + "'");
            };
        }
        String n = outName == null ? "" : outName.toLowerCase(Locale.ROOT);
        return n.endsWith(".jsonl") || n.endsWith(".json");
    }

    /** The verdicts of the embedded images and the failures, in input order. */
    static List<Result> results(Embedder.Result r, DetectorFile detector) {
        List<Embedder.Embedded> embedded = new ArrayList<>();
        for (Embedder.Outcome o : r.outcomes()) {
            if (o instanceof Embedder.Embedded e) {
                embedded.add(e);
            }
        }
        DetectorFile.Verdict[] verdicts = detector.judge(embedded);
        List<Result> out = new ArrayList<>();
        int next = 0;
        for (Embedder.Outcome o : r.outcomes()) {
            if (o instanceof Embedder.Embedded e) {
                DetectorFile.Verdict v = verdicts[next++];
                out.add(new Result(e.item().name(), e.sha256(), v.generated() ? "ai-generated" : "photograph",
                        finite(v.score()), v.pValue(), null, null));
            } else {
                FeatureFile.Failure f = ((Embedder.Failed) o).failure();
                out.add(new Result(f.path(), f.sha256(), "error", null, null, f.reason(), f.error()));
            }
        }
        return out;
    }

    /**
     * A log-likelihood can underflow to -infinity far from every photograph; CSV and JSON readers take finite
     * numbers, so it is written as -Double.MAX_VALUE (the decision is already made).
     */
    private static double finite(double v) {
        return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }

    static final List<String> COLUMNS = List.of("path", "sha256", "decision", "score", "p_value", "reason", "error");

    /** RFC 4180: a header line, then one line per image; empty fields for values that do not apply. */
    static String csv(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (Result r : results) {
            sb.append(csvField(r.path())).append(',').append(csvField(r.sha256())).append(',')
                    .append(r.decision()).append(',').append(number(r.score())).append(',')
                    .append(number(r.pValue())).append(',').append(csvField(r.reason())).append(',')
                    .append(csvField(r.error())).append('\n');
        }
        return sb.toString();
    }

    /** One JSON object per line with every column (null where it does not apply). */
    static String jsonLines(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        for (Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", r.path());
            m.put("sha256", r.sha256());
            m.put("decision", r.decision());
            m.put("score", r.score());
            m.put("p_value", r.pValue());
            m.put("reason", r.reason());
            m.put("error", r.error());
            sb.append(Json.write(m)).append('\n');
        }
        return sb.toString();
    }

    private static String number(Double v) {
        return v == null ? "" : Json.formatDouble(v);
    }

    /** Quoted when it holds a comma, a quote or a line break; quotes doubled. */
    static String csvField(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Splits one CSV line written by {@link #csv} (no embedded line breaks) into fields; for tests and readers. */
    static List<String> parseCsvLine(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
