package org.blades.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.blades.detect.CovarianceType;
import org.blades.detect.ExpectationMaximization;
import org.blades.detect.GmmFit;
import org.blades.detect.GmmInit;
import org.blades.detect.GmmOptions;
import org.blades.detect.OneClassDetector;
import org.blades.detect.OneClassOptions;
import org.blades.embed.FeatureFile;

/**
 * {@code blades fit-gmm --features PHOTOS --out DET}: the one-class detector (the paper's Sec. 3.3) from
 * photographs' features: EM fit of the Gaussian mixture, then the false-alarm threshold; the detector records the
 * encoder the features came from.
 */
public final class FitGmmCommand {
    private FitGmmCommand() {
    }

    static final String USAGE = String.join("\n",
            "usage: blades fit-gmm --features PHOTOS.safetensors [--features ...] --out DET [options]",
            "",
            "Fits the one-class detector on photographs' features (blades embed): a Gaussian mixture by EM, as",
            "scikit-learn's GaussianMixture(n_components=10, covariance_type='full', init_params='k-means++',",
            "random_state=2024), then a log-likelihood threshold that flags the given share of calibration",
            "photographs (sorted(ll)[int(rate * N)], 5 % as in the paper). DET records the encoder and the",
            "preprocessing of the features, so scan and evaluate refuse another encoder. Several --features files",
            "are joined; they must come from one encoder.",
            "",
            "  --features FILE         photographs' features (required, repeatable)",
            "  --out FILE              the detector to write (atomically)",
            "  --components K          mixture components (default 10)",
            "  --covariance TYPE       full (default), diag or spherical",
            "  --init k-means++|kmeans initialisation (default k-means++)",
            "  --false-alarm-rate R    share of calibration photographs flagged, in [0, 1) (default 0.05)",
            "  --calibration FILE      calibrate on these photographs' features instead of the training ones",
            "                          (repeatable; same encoder)",
            "  --reg-covar X           added to the covariance diagonals (default 1e-6)",
            "  --tol X                 EM stops when the mean log-likelihood gains less (default 1e-3)",
            "  --max-iter N            EM iterations at most (default 100)",
            "  --n-init N              initialisations, the best kept (default 1)",
            "  --seed N                seed of the initialisation (default 2024)",
            "  --help                  this text",
            "",
            "Exit code: 0 detector written, 1 the fit failed, 2 bad usage.");

    private static final Set<String> VALUED = Set.of("--features", "--out", "--components", "--covariance", "--init",
            "--false-alarm-rate", "--calibration", "--reg-covar", "--tol", "--max-iter", "--n-init", "--seed");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute("fit-gmm", USAGE, args, VALUED, Set.of(), out, err, cl -> fit(cl, out, err));
    }

    private static int fit(CommandLine cl, PrintStream out, PrintStream err) throws IOException {
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "' (features go with --features)");
        }
        Path outFile = CommandLine.path(cl.require("--out", "DET"), "--out");
        GmmOptions options = options(cl);
        OneClassOptions oneClass = new OneClassOptions(cl.number("--false-alarm-rate", 0.05, 0, 1, true));
        FeatureFile photos = Commands.readFeatures(cl.all("--features"), "--features", null);
        FeatureFile calibration = cl.all("--calibration").isEmpty() ? photos
                : Commands.readFeatures(cl.all("--calibration"), "--calibration", photos);
        int n = photos.rows().size();
        if (n < Math.max(2, options.components())) {
            throw new UsageException(n + " photographs cannot fit " + options.components() + " components (need at "
                    + "least max(2, K)); embed more photographs or lower --components");
        }
        err.printf(Locale.ROOT, "fit-gmm: EM on %d x %d features, %d %s components%n", n, photos.dimensions(),
                options.components(), options.covarianceType().sklearnName());
        long start = System.nanoTime();
        GmmFit fit = ExpectationMaximization.fit(photos.features(), options);
        OneClassDetector detector = OneClassDetector.calibrate(fit.model(), calibration.features(), oneClass)
                .withEncoder(DetectorFile.encoderRecord(photos.encoder(), photos.options()));
        String sha = detector.save(outFile);
        out.printf(Locale.ROOT, "fitted %d %s components on %d photographs (D = %d) in %d EM iterations (%s), mean "
                        + "log-likelihood %.6g, %.1f s%n", options.components(), options.covarianceType().sklearnName(),
                n, photos.dimensions(), fit.iterations(), fit.converged() ? "converged" : "not converged: raise "
                        + "--max-iter", fit.lowerBound(), (System.nanoTime() - start) / 1e9);
        out.printf(Locale.ROOT, "threshold %.6g: flags %.2f %% of the %d calibration photographs (target %.2f %%)%n",
                detector.threshold(), 100 * detector.calibrationFalseAlarms(), detector.calibrationSize(),
                100 * oneClass.falseAlarmRate());
        out.println("encoder " + photos.encoder().shortHash() + " (" + photos.encoder().source() + "), inputs "
                + photos.options().withJpegQuality(0).describe());
        out.println("wrote " + outFile + " (sha256 " + sha + ")");
        return 0;
    }

    private static GmmOptions options(CommandLine cl) {
        String cov = cl.get("--covariance");
        CovarianceType type;
        try {
            type = cov == null ? CovarianceType.FULL : CovarianceType.fromSklearnName(cov);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--covariance expects full, diag or spherical, got '" + cov + "'");
        }
        String init = cl.get("--init");
        GmmInit how = init == null || init.equals("k-means++") ? GmmInit.KMEANS_PLUS_PLUS
                : init.equals("kmeans") ? GmmInit.KMEANS : null;
        if (how == null) {
            throw new UsageException("--init expects k-means++ or kmeans, got '" + init + "'");
        }
        GmmOptions d = GmmOptions.defaults();
        return new GmmOptions(cl.integer("--components", d.components(), 1, 100_000), type,
                cl.number("--reg-covar", d.regCovar(), 0, Double.MAX_VALUE, false),
                cl.number("--tol", d.tol(), 0, Double.MAX_VALUE, false),
                cl.integer("--max-iter", d.maxIter(), 0, Integer.MAX_VALUE), cl.integer("--n-init", d.nInit(), 1, 1000),
                how, cl.longValue("--seed", d.seed()));
    }
}
