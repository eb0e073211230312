package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.blades.data.DecodeOptions;
import org.blades.embed.EncoderId;
import org.blades.embed.FeatureFile;
import org.blades.embed.FeatureOptions;
import org.blades.embed.ImageEncoder;

/**
 * What the detection commands share: the run wrapper (help, one-line errors, exit codes), the encoder options and
 * the check that a detector and an encoder belong together.
 */
final class Commands {
    private Commands() {
    }

    /** A command's work once its options are parsed; returns the exit code. */
    @FunctionalInterface
    interface Body {
        int run(CommandLine cl) throws IOException;
    }

    /**
     * Parses {@code args}, prints {@code usage} for --help, runs {@code body}. Bad usage prints
     * "NAME: problem (see blades NAME --help)" and returns 2; any other failure prints "NAME: problem" and returns 1;
     * never a stack trace.
     */
    static int execute(String name, String usage, String[] args, Set<String> valued, Set<String> flags, PrintStream out,
                       PrintStream err, Body body) {
        try {
            CommandLine cl = CommandLine.parse(args, valued, flags);
            if (cl.help()) {
                out.println(usage);
                return 0;
            }
            return body.run(cl);
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage() + " (see blades " + name + " --help)");
            return 2;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        } catch (RuntimeException e) {
            // Not a user's mistake: the class name tells a developer where to look.
            err.println(name + ": internal error: " + e);
            return 1;
        }
    }

    /** The options {@link #encoder} reads. */
    static final List<String> ENCODER_OPTIONS = List.of("--encoder", "--preset", "--init-seed");

    static final String ENCODER_HELP = String.join("\n",
            "  --encoder PATH          the image encoder: a pretraining run directory (its visual.safetensors, else",
            "                          its checkpoint.safetensors), a checkpoint (verified against its .sha256) or a",
            "                          safetensors state dict of the ResNet (torchvision names, at the top level or",
            "                          under visual.)",
            "  --preset tiny|resnet50  instead of --encoder: an untrained encoder with portable-init weights (for",
            "                          tests and demos; 768-d features)",
            "  --init-seed N           the portable-init seed of --preset (default 0)");

    /** Loads the encoder named by --encoder or --preset (exactly one), reporting it on stderr. */
    static ImageEncoder encoder(CommandLine cl, PrintStream err) throws IOException {
        String file = cl.get("--encoder");
        String preset = cl.get("--preset");
        if ((file == null) == (preset == null)) {
            throw new UsageException(file == null ? "which encoder? give --encoder PATH or --preset tiny|resnet50"
                    : "give --encoder or --preset, not both");
        }
        if (file != null && cl.get("--init-seed") != null) {
            throw new UsageException("--init-seed goes with --preset, not with --encoder");
        }
        ImageEncoder enc;
        if (file != null) {
            enc = ImageEncoder.load(CommandLine.existing(file, "--encoder"));
        } else {
            if (!preset.equals("tiny") && !preset.equals("resnet50")) {
                throw new UsageException("--preset expects tiny or resnet50, got '" + preset + "'");
            }
            enc = ImageEncoder.preset(preset, cl.longValue("--init-seed", 0));
        }
        err.println("encoder " + enc.id().shortHash() + ": " + enc.id().source() + ", " + describe(enc.id()));
        return enc;
    }

    /** "ResNet width 8, blocks [1, 1, 1, 1], D = 768". */
    static String describe(EncoderId id) {
        return "ResNet width " + id.config().width() + ", blocks " + id.config().blocks() + ", D = "
                + id.config().outDim();
    }

    /** The options {@link #featureOptions} reads. */
    static final List<String> PREPROCESS_OPTIONS = List.of("--input-size", "--max-pixels");

    /**
     * Preprocessing: --input-size (else the recorded size, else the encoder's file hint, else 224) and --max-pixels.
     *
     * @param recorded the preprocessing a detector was fitted with, or null; its geometry then wins, and an
     *                 --input-size that disagrees is an error
     */
    static FeatureOptions featureOptions(CommandLine cl, ImageEncoder encoder, FeatureOptions recorded) {
        int given = cl.integer("--input-size", 0, 1, 4096);
        long maxPixels = cl.longValue("--max-pixels", DecodeOptions.DEFAULT_MAX_PIXELS);
        if (maxPixels <= 0) {
            throw new UsageException("--max-pixels expects a positive integer, got " + maxPixels);
        }
        FeatureOptions options;
        if (recorded != null) {
            if (given != 0 && (given != recorded.preprocess().height() || given != recorded.preprocess().width())) {
                throw new UsageException("--input-size " + given + " differs from the " + recorded.preprocess().height()
                        + "x" + recorded.preprocess().width() + " inputs the detector was fitted on");
            }
            options = recorded.withJpegQuality(0);
        } else {
            int size = given != 0 ? given : encoder.inputSizeHint() != null ? encoder.inputSizeHint() : 224;
            options = FeatureOptions.square(size);
        }
        return options.withMaxPixels(maxPixels);
    }

    /**
     * Refuses an encoder other than the one the detector was fitted with: its scores would be meaningless. A detector
     * without an encoder record is used with a warning.
     */
    static void checkEncoder(DetectorFile detector, Path detectorPath, ImageEncoder encoder, PrintStream err) {
        EncoderId fitted = detector.encoder();
        if (fitted == null) {
            err.println("warning: " + detectorPath + " records no encoder, so nothing checks that encoder "
                    + encoder.id().shortHash() + " is the one it was fitted with");
            return;
        }
        if (!fitted.sha256().equals(encoder.id().sha256())) {
            throw new UsageException("the detector " + detectorPath + " was fitted on features of encoder "
                    + fitted.shortHash() + " (" + fitted.source() + "), not of encoder " + encoder.id().shortHash()
                    + " (" + encoder.id().source() + "); give the encoder it was fitted with");
        }
        if (encoder.dimensions() != detector.dimensions()) {
            throw new UsageException("the detector expects D = " + detector.dimensions() + " features, the encoder "
                    + "makes D = " + encoder.dimensions());
        }
    }

    /**
     * The features file {@code file} if a run with cache key {@code key} may reuse its rows; null when the file is
     * missing, unreadable or was made under another key (another encoder or preprocessing), which is said on stderr.
     */
    static FeatureFile reusable(Path file, String key, PrintStream err) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        FeatureFile old;
        try {
            old = FeatureFile.read(file);
        } catch (IOException e) {
            err.println("not reusing " + file + ": " + e.getMessage());
            return null;
        }
        if (!old.key().equals(key)) {
            err.println("not reusing " + file + ": its features were made by encoder " + old.encoder().shortHash()
                    + " with " + old.options().describe() + " (cache key " + old.key().substring(0, 12)
                    + "), this run's cache key is " + key.substring(0, 12));
            return null;
        }
        return old;
    }

    /** Rows by file SHA-256 of a {@link #reusable} file, none for null. */
    static Map<String, float[]> rowsOf(FeatureFile cache) {
        return cache == null ? Map.of() : cache.bySha256();
    }

    /**
     * Writes the cache file of scan and evaluate: the rows it already held under the same key and this run's rows,
     * one per file SHA-256 (the cache is keyed by content; a path is only the last one seen).
     */
    static void updateCache(Path file, FeatureFile previous, FeatureFile run) throws IOException {
        Map<String, FeatureFile.Row> rows = new LinkedHashMap<>();
        if (previous != null) {
            for (FeatureFile.Row r : previous.rows()) {
                rows.put(r.sha256(), r);
            }
        }
        for (FeatureFile.Row r : run.rows()) {
            rows.put(r.sha256(), r);
        }
        if (!rows.isEmpty()) {
            new FeatureFile(run.key(), run.encoder(), run.options(), List.copyOf(rows.values()), List.of()).write(file);
        }
    }

    /**
     * Reads the features files given to {@code option} and joins their rows in order. All must come from one encoder
     * with one input geometry, else the rows would live in different feature spaces; {@code expected} (may be null)
     * is a features file the rows must also agree with.
     */
    static FeatureFile readFeatures(List<String> files, String option, FeatureFile expected) throws IOException {
        if (files.isEmpty()) {
            throw new UsageException(option + " FEATURES is required");
        }
        List<FeatureFile> read = new java.util.ArrayList<>();
        for (String f : files) {
            read.add(FeatureFile.read(CommandLine.existingFile(f, option)));
        }
        FeatureFile first = expected != null ? expected : read.get(0);
        List<FeatureFile.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < read.size(); i++) {
            FeatureFile f = read.get(i);
            if (!f.encoder().sha256().equals(first.encoder().sha256()) || !f.options().sameGeometry(first.options())) {
                throw new UsageException(option + " " + files.get(i) + " holds features of encoder "
                        + f.encoder().shortHash() + " at " + f.options().describe() + ", but the others are of "
                        + first.encoder().shortHash() + " at " + first.options().describe());
            }
            rows.addAll(f.rows());
        }
        FeatureFile base = read.get(0);
        return new FeatureFile(base.key(), base.encoder(), base.options(), rows, List.of());
    }

    /** "3 truncated, 1 corrupt" from failures, or "" when there are none. */
    static String reasons(List<FeatureFile.Failure> failures) {
        Map<String, Integer> byReason = new TreeMap<>();
        for (FeatureFile.Failure f : failures) {
            byReason.merge(f.reason(), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        byReason.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
        return sb.toString();
    }

    /** Lists up to {@code max} failures on {@code err}, one line each, and how many more there are. */
    static void listFailures(List<FeatureFile.Failure> failures, int max, PrintStream err) {
        for (int i = 0; i < Math.min(max, failures.size()); i++) {
            err.println("  " + failures.get(i).error());
        }
        if (failures.size() > max) {
            err.printf(Locale.ROOT, "  ... and %d more%n", failures.size() - max);
        }
    }

    /** Threads for decoding: --threads, else the cores, at most 4 (decoding beyond that starves the encoder). */
    static int threads(CommandLine cl) {
        return cl.integer("--threads", Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 1, 256);
    }
}
