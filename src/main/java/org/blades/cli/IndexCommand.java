package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.blades.data.DecodeOptions;
import org.blades.data.ExifTag;
import org.blades.data.FaceAnnotation;
import org.blades.data.ImageIndex;
import org.blades.data.IndexBuilder;
import org.blades.data.LabelOptions;
import org.blades.data.OrdinalCuts;

/**
 * {@code blades index DIR --out index.jsonl}: indexes the images of a folder (see {@link ImageIndex} for the file
 * format), with a progress bar on stderr and a summary on stdout. Exit code 0 when the index was written (unreadable
 * images are listed in it, not fatal), 1 when it could not be, 2 on bad usage.
 */
public final class IndexCommand {
    private IndexCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades index DIR --out FILE [options]",
            "",
            "Walks DIR for images (jpg, jpeg, jpe, png, bmp, gif), decodes each one fully and writes one JSON line per",
            "file to FILE: size, modification time, SHA-256, dimensions, the nine raw EXIF values and their labels, or",
            "the reason the file is unusable. The first line holds the ordinal tertile cut points and a summary.",
            "Re-running over the same folder reuses the entries of files whose size and modification time are",
            "unchanged (or whose SHA-256 is, when only the time changed). FILE is replaced atomically.",
            "",
            "  --out FILE              the index to write (required)",
            "  --landmarks FILE        FDF-style JSON {image id: {\"bounding_box\", \"landmark\", ...}}; an image matches",
            "                          by relative path or file name, with or without extension",
            "  --cuts INDEX            use the cut points and label options of another index (e.g. the training set's)",
            "                          instead of fitting tertiles on DIR",
            "  --exposure-time S       seconds (default) or reciprocal (the predecessor code's 1/200 s -> 200)",
            "  --metering-pattern M    multi-segment (default) or canon-evaluative",
            "  --max-pixels N          refuse images above N pixels (default " + DecodeOptions.DEFAULT_MAX_PIXELS + ")",
            "  --threads N             files processed in parallel (default: cores, at most 4)",
            "  --no-reuse              ignore an existing FILE and read everything again",
            "  --help                  this text");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation inv;
        try {
            inv = Invocation.parse(args);
        } catch (UsageException e) {
            err.println("index: " + e.getMessage() + " (see blades index --help)");
            return 2;
        }
        if (inv.help()) {
            out.println(USAGE);
            return 0;
        }
        try {
            return index(inv, out, err);
        } catch (UsageException e) {
            err.println("index: " + e.getMessage() + " (see blades index --help)");
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("index: " + e.getMessage());
            return 1;
        }
    }

    private static int index(Invocation inv, PrintStream out, PrintStream err) throws IOException {
        Path dir = Path.of(inv.dir());
        if (!Files.isDirectory(dir)) {
            throw new UsageException(inv.dir() + " is not a directory");
        }
        LabelOptions labels = inv.labels();
        OrdinalCuts cuts = null;
        String cutsSource = null;
        if (inv.cutsFrom() != null) {
            ImageIndex training = ImageIndex.read(Path.of(inv.cutsFrom()));
            if (inv.labelsGiven() && !training.header().labelOptions().equals(labels)) {
                throw new UsageException("--exposure-time/--metering-pattern disagree with the label options of "
                        + inv.cutsFrom() + " (" + training.header().labelOptions().toJson() + "), whose cuts are used");
            }
            labels = training.header().labelOptions();
            cuts = training.header().cuts();
            cutsSource = "taken from " + inv.cutsFrom() + " (" + training.header().cutsSource() + ")";
        }
        Map<String, FaceAnnotation> faces = inv.landmarks() == null ? Map.of()
                : FaceAnnotation.readSideFile(Path.of(inv.landmarks()));

        Path outFile = Path.of(inv.out());
        ImageIndex previous = null;
        if (!inv.noReuse() && Files.isRegularFile(outFile)) {
            try {
                previous = ImageIndex.read(outFile);
            } catch (IOException e) {
                err.println("index: not reusing " + outFile + ": " + e.getMessage());
            }
        }
        IndexBuilder.Options options = new IndexBuilder.Options(labels,
                DecodeOptions.DEFAULT.withMaxPixels(inv.maxPixels()), inv.threads(), cuts, cutsSource, faces);
        ProgressBar bar = new ProgressBar(err);
        IndexBuilder.Result r = IndexBuilder.build(dir, inv.dir(), options, previous, bar);
        r.index().write(outFile);
        report(r, outFile, out);
        return 0;
    }

    private static void report(IndexBuilder.Result r, Path outFile, PrintStream out) {
        ImageIndex.Summary s = r.index().summary();
        int files = s.images() + s.unreadable();
        out.printf(Locale.ROOT, "indexed %d files: %d images, %d unreadable%s%n", files, s.images(), s.unreadable(),
                s.reasons().isEmpty() ? "" : " " + s.reasons());
        out.printf(Locale.ROOT, "reused %d unchanged entries, %d after a SHA-256 check, read %d files%n", r.reused(),
                r.verified(), r.read());
        if (r.facesUnused() > 0) {
            out.printf(Locale.ROOT, "landmarks: %d entries of the side file match no image%n", r.facesUnused());
        }
        out.printf(Locale.ROOT, "%-17s %8s %8s %8s %7s  %s%n", "tag", "present", "missing", "unmapped", "masked",
                "values");
        for (ExifTag t : ExifTag.values()) {
            ImageIndex.TagSummary ts = s.tags().get(t);
            List<String> values = new ArrayList<>();
            ts.values().forEach((k, v) -> {
                if (v > 0) {
                    values.add(k + " " + v);
                }
            });
            out.printf(Locale.ROOT, "%-17s %8d %8d %8d %7s  %s%n", t.key(), ts.present(), ts.missing(), ts.unmapped(),
                    percent(ts.missing() + ts.unmapped(), s.images()), String.join(", ", values));
        }
        OrdinalCuts cuts = r.index().header().cuts();
        List<String> cutText = new ArrayList<>();
        for (ExifTag t : ExifTag.ORDINAL) {
            OrdinalCuts.Cut c = cuts.cut(t);
            cutText.add(t.key() + (c == null ? " none" : String.format(Locale.ROOT, " low <= %s < medium <= %s < high",
                    trim(c.low()), trim(c.high()))));
        }
        out.println("cuts (" + r.index().header().cutsSource() + "): " + String.join("; ", cutText));
        out.println("wrote " + outFile);
    }

    /** The masked share (missing + unmapped) as "12%". */
    private static String percent(int masked, int images) {
        return images == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * masked / images);
    }

    private static String trim(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }

    /** A one-line progress bar on stderr, redrawn at most five times a second and once at the end. */
    private static final class ProgressBar implements IndexBuilder.Progress {
        private static final int WIDTH = 30;
        private final PrintStream err;
        private final long start = System.nanoTime();
        private long lastDraw;

        ProgressBar(PrintStream err) {
            this.err = err;
        }

        @Override
        public void update(int done, int total, int unreadable) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
            err.printf(Locale.ROOT, "\rindex [%s%s] %d/%d files, %d unreadable, %.1f s", "#".repeat(filled),
                    ".".repeat(WIDTH - filled), done, total, unreadable, (now - start) / 1e9);
            if (done == total) {
                err.println();
            }
            err.flush();
        }
    }

    /** Parsed command line. */
    private record Invocation(String dir, String out, String landmarks, String cutsFrom, LabelOptions labels,
            boolean labelsGiven, long maxPixels, int threads, boolean noReuse, boolean help) {

        static Invocation parse(String[] args) {
            String dir = null;
            String out = null;
            String landmarks = null;
            String cuts = null;
            LabelOptions.ExposureTimeScale scale = LabelOptions.PAPER.exposureTimeScale();
            LabelOptions.MeteringPattern pattern = LabelOptions.PAPER.meteringPattern();
            boolean labelsGiven = false;
            long maxPixels = DecodeOptions.DEFAULT_MAX_PIXELS;
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            boolean noReuse = false;
            List<String> valued = List.of("--out", "--landmarks", "--cuts", "--exposure-time", "--metering-pattern",
                    "--max-pixels", "--threads");
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                if (arg.equals("--help") || arg.equals("-h")) {
                    return new Invocation(null, null, null, null, null, false, 0, 1, false, true);
                }
                if (arg.equals("--no-reuse")) {
                    noReuse = true;
                    continue;
                }
                if (!arg.startsWith("-")) {
                    if (dir != null) {
                        throw new UsageException("one folder only, got '" + dir + "' and '" + arg + "'");
                    }
                    dir = arg;
                    continue;
                }
                if (!valued.contains(arg)) {
                    throw new UsageException("unknown argument '" + args[i] + "'");
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(arg + " needs a value");
                    }
                    value = args[++i];
                }
                switch (arg) {
                    case "--out" -> out = value;
                    case "--landmarks" -> landmarks = value;
                    case "--cuts" -> cuts = value;
                    case "--exposure-time" -> {
                        labelsGiven = true;
                        scale = switch (value) {
                            case "seconds" -> LabelOptions.ExposureTimeScale.SECONDS;
                            case "reciprocal" -> LabelOptions.ExposureTimeScale.RECIPROCAL;
                            default -> throw new UsageException("--exposure-time expects seconds or reciprocal, got '"
                                    + value + "'");
                        };
                    }
                    case "--metering-pattern" -> {
                        labelsGiven = true;
                        pattern = switch (value) {
                            case "multi-segment" -> LabelOptions.MeteringPattern.MULTI_SEGMENT;
                            case "canon-evaluative" -> LabelOptions.MeteringPattern.CANON_EVALUATIVE;
                            default -> throw new UsageException("--metering-pattern expects multi-segment or "
                                    + "canon-evaluative, got '" + value + "'");
                        };
                    }
                    case "--max-pixels" -> maxPixels = positive(arg, value);
                    case "--threads" -> threads = (int) Math.min(positive(arg, value), 256);
                    default -> throw new IllegalStateException(arg);
                }
            }
            if (dir == null) {
                throw new UsageException("which folder? (blades index DIR --out FILE)");
            }
            if (out == null) {
                throw new UsageException("--out FILE is required");
            }
            return new Invocation(dir, out, landmarks, cuts, new LabelOptions(scale, pattern), labelsGiven, maxPixels,
                    threads, noReuse, false);
        }

        private static long positive(String option, String value) {
            try {
                long v = Long.parseLong(value);
                if (v <= 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new UsageException(option + " expects a positive integer, got '" + value + "'");
            }
        }
    }
}
