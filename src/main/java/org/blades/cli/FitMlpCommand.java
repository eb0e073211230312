package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.blades.detect.GaussianMixture;
import org.blades.detect.PerceptronOptions;
import org.blades.detect.PerceptronTrainer;
import org.blades.embed.EncoderId;
import org.blades.embed.FeatureFile;

/**
 * {@code blades fit-mlp --real PHOTOS --fake GENERATED --out MLP}: the binary detector (the paper's Sec. 3.3 and
 * 4.1) trained by {@link PerceptronTrainer} on photographs' and AI-generated images' features.
 */
public final class FitMlpCommand {
    private FitMlpCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades fit-mlp --real PHOTOS.safetensors --fake GENERATED.safetensors --out MLP [options]",
            "",
            "Trains the binary detector, L2-normalise -> Linear(D, 1536) -> ReLU -> Linear(1536, 2), on features",
            "(blades embed) of photographs (class 0) and AI-generated images (class 1): Adam, lr 3e-4, batches of",
            "64, cross-entropy, early stopping on a held-out share of each class, everything seeded. With",
            "--detector, the photographs least likely under its GMM are relabelled AI-generated (the paper's",
            "pseudo-outliers). MLP records the encoder of the features, so scan and evaluate refuse another.",
            "",
            "  --real FILE             photographs' features (required, repeatable)",
            "  --fake FILE             AI-generated images' features (required, repeatable)",
            "  --out FILE              the detector to write (atomically)",
            "  --detector DET          a one-class detector (blades fit-gmm) of the same encoder for pseudo-outliers",
            "  --pseudo-outliers F     share of photographs relabelled, in [0, 1) (default 0.05 with --detector, else 0)",
            "  --hidden H              hidden units (default 1536)",
            "  --lr X                  Adam learning rate (default 3e-4)",
            "  --batch N               minibatch size (default 64)",
            "  --epochs N              at most N epochs (default 100)",
            "  --patience N            stop after N epochs without a lower validation loss (default 5)",
            "  --validation F          share of each class held out, in (0, 1) (default 0.1)",
            "  --seed N                seeds initialisation, split and shuffling (default 2024)",
            "  --help                  this text",
            "",
            "Exit code: 0 detector written, 1 training failed, 2 bad usage.");

    private static final Set<String> VALUED = Set.of("--real", "--fake", "--out", "--detector", "--pseudo-outliers",
            "--hidden", "--lr", "--batch", "--epochs", "--patience", "--validation", "--seed");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("fit-mlp", USAGE, args, VALUED, Set.of(), out, err, cl -> fit(cl, out, err));
    }

    private static int fit(CommandLine cl, PrintStream out, PrintStream err) throws IOException {
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0)
                    + "' (features go with --real and --fake)");
        }
        Path outFile = CommandLine.path(cl.require("--out", "MLP"), "--out");
        PerceptronOptions d = PerceptronOptions.defaults();
        String detectorName = cl.get("--detector");
        double pseudo = cl.number("--pseudo-outliers", detectorName == null ? 0 : d.pseudoOutlierFraction(), 0, 1, true);
        if (pseudo > 0 && detectorName == null) {
            throw new UsageException("--pseudo-outliers needs --detector DET, whose GMM picks them");
        }
        PerceptronOptions options = new PerceptronOptions(cl.integer("--hidden", d.hidden(), 1, 1 << 20),
                cl.number("--lr", d.learningRate(), Double.MIN_VALUE, 10, false), cl.integer("--batch", d.batchSize(), 1, 1 << 20),
                cl.integer("--epochs", d.maxEpochs(), 1, 1_000_000), cl.integer("--patience", d.patience(), 1, 1_000_000),
                cl.number("--validation", d.validationFraction(), Double.MIN_VALUE, 1, true), pseudo,
                cl.longValue("--seed", d.seed()));
        FeatureFile real = Commands.readFeatures(cl.all("--real"), "--real", null);
        FeatureFile fake = Commands.readFeatures(cl.all("--fake"), "--fake", real);
        GaussianMixture density = null;
        if (detectorName != null) {
            Path detPath = CommandLine.existingFile(detectorName, "--detector");
            if (!(DetectorFile.load(detPath) instanceof DetectorFile.OneClass oc)) {
                throw new UsageException("--detector " + detectorName + " is not a one-class detector (blades fit-gmm)");
            }
            EncoderId fitted = oc.encoder();
            if (fitted != null && !fitted.sha256().equals(real.encoder().sha256())) {
                throw new UsageException("--detector " + detectorName + " was fitted on encoder " + fitted.shortHash()
                        + ", the features are of encoder " + real.encoder().shortHash());
            }
            density = oc.detector().gmm();
        }
        err.printf(Locale.ROOT, "fit-mlp: %d photographs, %d AI-generated images, D = %d%n", real.rows().size(),
                fake.rows().size(), real.dimensions());
        PerceptronTrainer.Result r = PerceptronTrainer.train(real.features(), fake.features(), density, options);
        PerceptronTrainer.EpochStats best = r.history().get(r.bestEpoch() - 1);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("photographs", (long) real.rows().size());
        training.put("generated", (long) fake.rows().size());
        training.put("pseudo_outliers", (long) r.pseudoOutliers());
        training.put("epochs", (long) r.history().size());
        training.put("best_epoch", (long) r.bestEpoch());
        training.put("validation_loss", best.validationLoss());
        training.put("validation_accuracy", best.validationAccuracy());
        training.put("seed", options.seed());
        String sha = DetectorFile.saveBinary(r.model(), DetectorFile.encoderRecord(real.encoder(), real.options()),
                training, outFile);
        out.printf(Locale.ROOT, "trained %d -> %d -> 2 on %d photographs (%d relabelled as pseudo-outliers) and %d "
                        + "AI-generated images: %d epochs, best %d with validation loss %.4g, accuracy %.2f %%%n",
                real.dimensions(), options.hidden(), real.rows().size(), r.pseudoOutliers(), fake.rows().size(),
                r.history().size(), r.bestEpoch(), best.validationLoss(), 100 * best.validationAccuracy());
        out.println("encoder " + real.encoder().shortHash() + " (" + real.encoder().source() + ")");
        out.println("wrote " + outFile + " (sha256 " + sha + ")");
        return 0;
    }
}
