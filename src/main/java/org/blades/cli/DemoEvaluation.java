package org.blades.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blades.data.DecodeOptions;
import org.blades.data.ImageBytes;
import org.blades.data.ImageDecoder;
import org.blades.data.ImageFileException;
import org.blades.data.Preprocess;
import org.blades.data.RgbImage;
import org.blades.data.manip.CanonicalLandmarks;
import org.blades.data.manip.FaceManipulator;
import org.blades.data.manip.FaceRegions;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.ManipulationOptions;
import org.blades.data.manip.ManipulationParams;
import org.blades.data.manip.ManipulationSampler;
import org.blades.detect.Decision;
import org.blades.detect.OneClassDetector;
import org.blades.embed.ImageEncoder;
import org.blades.eval.BinaryCounts;
import org.blades.eval.Metrics;
import org.blades.eval.RocCurve;
import org.blades.tensor.Tensor;

// N = held-out photographs, M = manipulations (5), V = versions per photograph (1 + M), S = input side in pixels,
// D = feature dimensions

/**
 * The demo's surrogate evaluation: held-out photographs against manipulated versions of themselves, the
 * self-supervised task of pretraining turned into a detection test. Each held-out photograph is decoded and resized
 * to the encoder's input (the whole image: the bundled photographs carry no face boxes) and then manipulated in each
 * of the five ways of {@link ManipulationOptions#defaults()} on the canonical (FFHQ-template) regions, exactly as
 * {@link org.blades.data.loader.FaceDataset} manipulates training samples without landmarks. Photograph i's random
 * parameters (eye side, blend strength, warp grid) are {@link ManipulationSampler#sample} of index i under the demo's
 * seed, shared by its five versions, which differ only in the manipulation.
 *
 * <p>Scoring follows {@code blades evaluate}: photographs are the positive class, ranked by the detector's
 * log-likelihood; Acc is measured at the detector's own threshold. Each manipulation is compared with all held-out
 * photographs, and the mean is over manipulations, as the paper's tables average over generators.
 */
final class DemoEvaluation {
    private DemoEvaluation() {
    }

    /** The five manipulations, in the options' order. */
    static final List<Manipulation> KINDS = ManipulationOptions.defaults().manipulations();

    /**
     * The model inputs of every held-out photograph and its manipulations.
     *
     * @param names  (N) file names
     * @param pixels (N, V) images in [0, 1]: the photograph, then one per {@link #KINDS}; kept for the report's
     *               examples
     * @param inputs (N * V, 3, S, S) CLIP-normalised, photograph-major
     */
    record Inputs(List<String> names, List<List<RgbImage>> pixels, Tensor inputs) {
        int photographs() {
            return names.size();
        }
    }

    /** Decodes, resizes and manipulates; a file that cannot be decoded is an error (the bundled ones all decode). */
    static Inputs prepare(List<Path> files, int side, long seed) throws ImageFileException {
        ManipulationOptions options = ManipulationOptions.defaults();
        FaceManipulator manipulator = new FaceManipulator(options);
        FaceRegions regions = FaceRegions.from(CanonicalLandmarks.ffhq(side), side, side, options.regions());
        ManipulationSampler sampler = new ManipulationSampler(seed, options);
        int versions = 1 + KINDS.size();
        int per = 3 * side * side;
        float[] all = new float[files.size() * versions * per]; // (N * V, 3, S, S)
        List<String> names = new ArrayList<>();
        List<List<RgbImage>> pixels = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            RgbImage photo = ImageDecoder.decodeResized(ImageBytes.read(file), side, side, DecodeOptions.DEFAULT);
            ManipulationParams drawn = sampler.sample(i);
            List<RgbImage> row = new ArrayList<>();
            row.add(photo);
            for (Manipulation kind : KINDS) {
                ManipulationParams p = new ManipulationParams(i, kind, drawn.eye(), drawn.blendStrength(), drawn.warp());
                row.add(manipulator.apply(photo, regions, p).image());
            }
            for (int v = 0; v < versions; v++) {
                System.arraycopy(Preprocess.normalize(row.get(v)).f32(), 0, all, (i * versions + v) * per, per);
            }
            names.add(file.getFileName().toString());
            pixels.add(List.copyOf(row));
        }
        return new Inputs(List.copyOf(names), List.copyOf(pixels), Tensor.of(all, files.size() * versions, 3, side,
                side));
    }

    /** Features (N * V, D) of all inputs, in batches of {@code batch}. */
    static Tensor embed(ImageEncoder encoder, Inputs in, int batch) {
        Tensor x = in.inputs();
        int n = x.size(0);
        int d = encoder.dimensions();
        float[] out = new float[n * d]; // (N * V, D)
        for (int start = 0; start < n; start += batch) {
            int end = Math.min(n, start + batch);
            float[] f = encoder.embed(x.slice(0, start, end).contiguous()).f32(); // (B, D)
            System.arraycopy(f, 0, out, start * d, f.length);
        }
        return Tensor.of(out, n, d);
    }

    /**
     * One manipulation's numbers against the held-out photographs (or the mean's), fractions in [0, 1].
     *
     * @param roc null for the mean
     */
    record Row(String name, int photographs, int manipulated, double accuracy, double auc, double ap, double tpr,
               double tnr, RocCurve roc) {
    }

    /**
     * The detector's decisions on every input.
     *
     * @param decisions (N * V) photograph-major, as {@link Inputs#inputs()}
     */
    record Scored(Inputs inputs, Decision[] decisions) {
        Decision at(int photograph, int version) {
            return decisions[photograph * (1 + KINDS.size()) + version];
        }
    }

    static Scored score(OneClassDetector detector, Inputs in, Tensor features) {
        return new Scored(in, detector.decide(features));
    }

    /** A row per manipulation, then the mean over manipulations. */
    static List<Row> rows(Scored s) {
        int n = s.inputs().photographs();
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < KINDS.size(); k++) {
            boolean[] positive = new boolean[2 * n]; // (2N) photographs first
            boolean[] predicted = new boolean[2 * n]; // (2N) kept as a photograph
            double[] score = new double[2 * n]; // (2N) log-likelihood, higher for photographs
            for (int i = 0; i < n; i++) {
                Decision photo = s.at(i, 0);
                Decision fake = s.at(i, 1 + k);
                positive[i] = true;
                predicted[i] = !photo.generated();
                score[i] = finite(photo.score());
                predicted[n + i] = !fake.generated();
                score[n + i] = finite(fake.score());
            }
            BinaryCounts c = Metrics.counts(positive, predicted);
            rows.add(new Row(label(KINDS.get(k)), n, n, c.accuracy(), Metrics.rocAuc(positive, score),
                    Metrics.averagePrecision(positive, score), c.tpr(), c.tnr(), Metrics.rocCurve(positive, score, true)));
        }
        double[] m = new double[5]; // accuracy, auc, ap, tpr, tnr
        for (Row r : rows) {
            m[0] += r.accuracy() / rows.size();
            m[1] += r.auc() / rows.size();
            m[2] += r.ap() / rows.size();
            m[3] += r.tpr() / rows.size();
            m[4] += r.tnr() / rows.size();
        }
        rows.add(new Row("mean", n, n * KINDS.size(), m[0], m[1], m[2], m[3], m[4], null));
        return rows;
    }

    /** "eye flip (horizontal)" and so on: the paper's Fig. 2 names. */
    static String label(Manipulation kind) {
        return switch (kind) {
            case NONE -> "photograph";
            case EYE_HFLIP -> "eye flip (horizontal)";
            case MOUTH_HFLIP -> "mouth flip (horizontal)";
            case MOUTH_VFLIP -> "mouth flip (vertical)";
            case NOSE_FLIP -> "nose flip";
            case GLOBAL_WARP -> "global warp";
        };
    }

    /** The metrics take finite scores; a log-likelihood that underflowed to -infinity ranks last either way. */
    private static double finite(double v) {
        return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }
}
