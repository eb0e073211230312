package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
        return Commands.execute("index", USAGE, args, Invocation.VALUED, Set.of("--no-reuse"), out, err,
                cl -> index(Invocation.of(cl), out, err));
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
        ProgressBar bar = new ProgressBar(err, "index", "files", "unreadable");
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

    /** Parsed command line. */
    private record Invocation(String dir, String out, String landmarks, String cutsFrom, LabelOptions labels,
            boolean labelsGiven, long maxPixels, int threads, boolean noReuse) {

        static final Set<String> VALUED = Set.of("--out", "--landmarks", "--cuts", "--exposure-time",
                "--metering-pattern", "--max-pixels", "--threads");

        static Invocation of(CommandLine cl) {
            if (cl.positional().size() > 1) {
                throw new UsageException("one folder only, got '" + cl.positional().get(0) + "' and '"
                        + cl.positional().get(1) + "'");
            }
            if (cl.positional().isEmpty()) {
                throw new UsageException("which folder? (blades index DIR --out FILE)");
            }
            String out = cl.require("--out", "FILE");
            String time = cl.get("--exposure-time");
            LabelOptions.ExposureTimeScale scale = time == null ? LabelOptions.PAPER.exposureTimeScale()
                    : switch (time) {
                        case "seconds" -> LabelOptions.ExposureTimeScale.SECONDS;
                        case "reciprocal" -> LabelOptions.ExposureTimeScale.RECIPROCAL;
                        default -> throw new UsageException("--exposure-time expects seconds or reciprocal, got '"
                                + time + "'");
                    };
            String metering = cl.get("--metering-pattern");
            LabelOptions.MeteringPattern pattern = metering == null ? LabelOptions.PAPER.meteringPattern()
                    : switch (metering) {
                        case "multi-segment" -> LabelOptions.MeteringPattern.MULTI_SEGMENT;
                        case "canon-evaluative" -> LabelOptions.MeteringPattern.CANON_EVALUATIVE;
                        default -> throw new UsageException("--metering-pattern expects multi-segment or "
                                + "canon-evaluative, got '" + metering + "'");
                    };
            long maxPixels = positive(cl, "--max-pixels", DecodeOptions.DEFAULT_MAX_PIXELS);
            int threads = (int) Math.min(positive(cl, "--threads",
                    Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))), 256);
            return new Invocation(cl.positional().get(0), out, cl.get("--landmarks"), cl.get("--cuts"),
                    new LabelOptions(scale, pattern), time != null || metering != null, maxPixels, threads,
                    cl.flag("--no-reuse"));
        }

        private static long positive(CommandLine cl, String option, long fallback) {
            String value = cl.get(option);
            if (value == null) {
                return fallback;
            }
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
