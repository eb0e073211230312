package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.blades.embed.Embedder;
import org.blades.embed.FeatureFile;
import org.blades.embed.FeatureOptions;
import org.blades.embed.ImageEncoder;
import org.blades.embed.ImageInputs;

/**
 * {@code blades embed INPUT... --out FEATURES}: the frozen encoder's L2-normalised features of many images, cached as
 * safetensors ({@link FeatureFile}) under a key of the encoder's weights hash and the preprocessing.
 */
public final class EmbedCommand {
    private EmbedCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades embed INPUT... --out FEATURES.safetensors (--encoder PATH | --preset NAME) [options]",
            "",
            "Runs the frozen image encoder over images and writes their L2-normalised features, one row per image",
            "with the file's SHA-256, together with the encoder's weights hash and the preprocessing. INPUT is a",
            "folder (searched for jpg, jpeg, jpe, png, bmp, gif), an image index (blades index), a list file (one",
            "path per line, relative to the list's folder; # comments) or an image.",
            "An existing FEATURES file made by the same encoder with the same preprocessing is a cache: files with",
            "the same SHA-256 reuse their rows. Made by another encoder or preprocessing, it is ignored and",
            "replaced. Images that cannot be used are listed with the reason, in FEATURES and on stderr; they",
            "never stop the run. FEATURES is replaced atomically.",
            "",
            "  --out FILE              the features file to write (required)",
            Commands.ENCODER_HELP,
            "  --input-size N          square model input in pixels (default: the checkpoint's, else 224)",
            "  --jpeg Q                re-encode every image as JPEG quality Q (1-100) first (the paper's Table 5)",
            "  --max-pixels N          refuse images above N pixels (default 100000000)",
            "  --batch N               images per encoder call (default 32)",
            "  --threads N             files decoded in parallel (default: cores, at most 4)",
            "  --no-reuse              ignore an existing FEATURES file and compute every row",
            "  --help                  this text",
            "",
            "Exit code: 0 features written (failed images are listed, not fatal), 1 no image could be embedded or",
            "the run failed, 2 bad usage.");

    private static final Set<String> VALUED = Set.of("--out", "--encoder", "--preset", "--init-seed", "--input-size",
            "--jpeg", "--max-pixels", "--batch", "--threads");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("embed", USAGE, args, VALUED, Set.of("--no-reuse"), out, err,
                cl -> embed(cl, out, err));
    }

    private static int embed(CommandLine cl, PrintStream out, PrintStream err) throws IOException {
        if (cl.positional().isEmpty()) {
            throw new UsageException("which images? (blades embed INPUT... --out FEATURES)");
        }
        Path outFile = CommandLine.path(cl.require("--out", "FEATURES"), "--out");
        for (String p : cl.positional()) {
            CommandLine.existing(p, "input");
        }
        int jpeg = cl.integer("--jpeg", 0, 1, 100);
        int batch = cl.integer("--batch", 32, 1, 4096);
        int threads = Commands.threads(cl);
        ImageEncoder encoder = Commands.encoder(cl, err);
        FeatureOptions options = Commands.featureOptions(cl, encoder, null).withJpegQuality(jpeg);
        List<ImageInputs.Item> items = ImageInputs.expand(cl.positional());
        if (items.isEmpty()) {
            err.println("embed: no images found in " + String.join(", ", cl.positional()));
            return 1;
        }
        FeatureFile cache = cl.flag("--no-reuse") ? null
                : Commands.reusable(outFile, options.cacheKey(encoder.id()), err);
        Embedder.Result r = Embedder.run(encoder, items, new Embedder.Options(options, batch, threads),
                Commands.rowsOf(cache), new ProgressBar(err, "embed", "images", "failed"));
        FeatureFile file = r.toFile(encoder.id(), options);
        List<FeatureFile.Failure> failures = new ArrayList<>(file.failures());
        if (!failures.isEmpty()) {
            err.println("embed: " + failures.size() + " image" + (failures.size() == 1 ? "" : "s")
                    + " could not be used:");
            Commands.listFailures(failures, 20, err);
        }
        if (file.rows().isEmpty()) {
            err.println("embed: no image could be embedded (" + Commands.reasons(failures) + "); " + outFile
                    + " not written");
            return 1;
        }
        file.write(outFile);
        out.printf(Locale.ROOT, "embedded %d of %d images (reused %d, computed %d), %d failed%s%n", file.rows().size(),
                items.size(), r.reused(), r.computed(), r.failed(),
                failures.isEmpty() ? "" : " (" + Commands.reasons(failures) + ")");
        out.printf(Locale.ROOT, "features (%d, %d) by encoder %s (%s), inputs %s%n", file.rows().size(),
                file.dimensions(), encoder.id().shortHash(), encoder.id().source(), options.describe());
        out.println("wrote " + outFile);
        return 0;
    }
}
