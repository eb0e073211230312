package org.blades.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.blades.nn.optim.Adam;
import org.blades.nn.optim.AdamOptions;
import org.blades.nn.optim.Optimizer;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

// N = samples, D = feature dimensions, B = batch, P = photographs, G = AI-generated images

/**
 * Trains the binary detector ({@link PerceptronClassifier}) as the paper's Sec. 4.1 describes: Adam
 * (learning rate 3e-4, PyTorch's other defaults), minibatches of 64, mean cross-entropy, with low-likelihood
 * photographs as pseudo-outliers "to augment AI-generated faces" [11], and early stopping on a held-out split.
 *
 * <p>Pseudo-outliers: the photographs whose log-likelihood under the one-class GMM is among the lowest
 * {@code pseudoOutlierFraction} are RELABELLED as AI-generated (class 1), not duplicated: one image cannot be
 * a positive and a negative example at once. The paper does not say which; the released code has no MLP
 * training.
 *
 * <p>Procedure: stratified split (each class keeps {@code validationFraction} of its samples, at least one,
 * for validation); parameters from {@link PerceptronClassifier#initialise}; per epoch a seeded shuffle of
 * the training samples, one Adam step per batch (the last batch may be smaller), then the validation loss;
 * stop after {@code patience} epochs without a lower validation loss and restore the best epoch's
 * parameters. Everything is seeded by {@code options.seed()}: reruns are bit-identical.
 */
public final class PerceptronTrainer {

    /**
     * One epoch's numbers.
     *
     * @param trainLoss          mean cross-entropy over the epoch's training samples (as the steps saw them)
     * @param validationLoss     mean cross-entropy over the validation split after the epoch
     * @param validationAccuracy accuracy at P(AI-generated) >= 0.5 over the validation split
     */
    public record EpochStats(int epoch, double trainLoss, double validationLoss, double validationAccuracy) {
    }

    /**
     * @param model          the classifier with the best epoch's parameters
     * @param history        every epoch run
     * @param bestEpoch      the epoch whose parameters were kept (1-based)
     * @param pseudoOutliers photographs relabelled as AI-generated
     */
    public record Result(PerceptronClassifier model, List<EpochStats> history, int bestEpoch, int pseudoOutliers,
                         int trainSamples, int validationSamples) {
    }

    private static final int EVAL_BATCH = 1024;

    private PerceptronTrainer() {}

    /**
     * Trains a detector on photographs (class 0) and AI-generated images (class 1).
     *
     * @param photos    (P, D) features of photographs
     * @param generated (G, D) features of AI-generated images
     * @param density   the one-class GMM of photographs, used to pick pseudo-outliers; may be null when
     *                  pseudoOutlierFraction is 0
     */
    public static Result train(Tensor photos, Tensor generated, GaussianMixture density, PerceptronOptions options) {
        Samples p = Samples.of(photos, "PerceptronTrainer photos");
        Samples g = Samples.of(generated, "PerceptronTrainer generated");
        if (p.d() != g.d()) {
            throw new IllegalArgumentException("PerceptronTrainer: photos have D = " + p.d() + " but generated images D = "
                    + g.d());
        }
        int d = p.d();
        int n = p.n() + g.n();
        int[] labels = new int[n]; // (N)
        Arrays.fill(labels, p.n(), n, PerceptronClassifier.GENERATED);
        int pseudo = markPseudoOutliers(photos, p.n(), density, options.pseudoOutlierFraction(), labels);
        float[] x = new float[n * d]; // (N, D): photographs, then generated images
        for (int i = 0; i < p.n() * d; i++) {
            x[i] = (float) p.x()[i];
        }
        for (int i = 0; i < g.n() * d; i++) {
            x[p.n() * d + i] = (float) g.x()[i];
        }

        SplittableRandom rnd = new SplittableRandom(options.seed());
        int[][] split = stratifiedSplit(labels, options.validationFraction(), rnd);
        int[] train = split[0];
        int[] val = split[1];

        PerceptronClassifier model = new PerceptronClassifier(DType.F32, d, options.hidden()).initialise(options.seed());
        Optimizer adam = new Adam(model.parameters(), AdamOptions.adamDefaults().withLr(options.learningRate()));
        ParameterVector params = model.parameterVector();
        Tensor best = params.snapshot();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        List<EpochStats> history = new ArrayList<>();
        for (int epoch = 1; epoch <= options.maxEpochs(); epoch++) {
            shuffle(train, rnd);
            double lossSum = 0;
            for (int b0 = 0; b0 < train.length; b0 += options.batchSize()) {
                int[] batch = Arrays.copyOfRange(train, b0, Math.min(train.length, b0 + options.batchSize()));
                lossSum += step(model, adam, rows(x, d, batch), labelsOf(labels, batch)) * batch.length;
            }
            double[] v = evaluate(model, x, d, val, labels);
            history.add(new EpochStats(epoch, lossSum / train.length, v[0], v[1]));
            if (v[0] < bestLoss) {
                bestLoss = v[0];
                bestEpoch = epoch;
                best = params.snapshot();
            } else if (epoch - bestEpoch >= options.patience()) {
                break;
            }
        }
        params.restore(best);
        return new Result(model, List.copyOf(history), bestEpoch, pseudo, train.length, val.length);
    }

    /**
     * One optimisation step: zero the gradients, mean cross-entropy of the batch, backward, update.
     *
     * @param x      (B, D)
     * @param labels (B)
     * @return the batch loss before the update
     */
    public static double step(PerceptronClassifier model, Optimizer optimizer, Tensor x, int[] labels) {
        optimizer.zeroGrad();
        Tensor loss = PerceptronClassifier.crossEntropy(model.logits(x), labels);
        loss.backward();
        optimizer.step();
        return loss.item();
    }

    /** Relabels the lowest-likelihood photographs (ties: lower index first) as generated; returns how many. */
    private static int markPseudoOutliers(Tensor photos, int count, GaussianMixture density, double fraction,
                                          int[] labels) {
        int k = (int) Math.floor(fraction * count);
        if (k == 0) {
            return 0;
        }
        if (density == null) {
            throw new IllegalArgumentException("PerceptronTrainer: pseudoOutlierFraction " + fraction
                    + " needs the photographs' GMM (density is null)");
        }
        double[] ll = density.scoreSamples(photos); // (P)
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(ll[a], ll[b]));
        for (int i = 0; i < k; i++) {
            labels[order[i]] = PerceptronClassifier.GENERATED;
        }
        return k;
    }

    /** {train indices, validation indices}, each class split separately so both classes are validated. */
    private static int[][] stratifiedSplit(int[] labels, double fraction, SplittableRandom rnd) {
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int c : new int[] {PerceptronClassifier.PHOTOGRAPH, PerceptronClassifier.GENERATED}) {
            int[] idx = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray();
            if (idx.length < 2) {
                throw new IllegalArgumentException("PerceptronTrainer: class " + c + " ("
                        + (c == 0 ? "photographs" : "AI-generated incl. pseudo-outliers") + ") has " + idx.length
                        + " samples; need at least 2 to train and validate");
            }
            shuffle(idx, rnd);
            int nVal = Math.min(idx.length - 1, Math.max(1, (int) Math.round(fraction * idx.length)));
            for (int i = 0; i < idx.length; i++) {
                (i < nVal ? val : train).add(idx[i]);
            }
        }
        return new int[][] {train.stream().mapToInt(Integer::intValue).toArray(),
            val.stream().mapToInt(Integer::intValue).toArray()};
    }

    /** {mean cross-entropy, accuracy at 0.5} over the given samples, without gradients. */
    private static double[] evaluate(PerceptronClassifier model, float[] x, int d, int[] idx, int[] labels) {
        double loss = 0;
        long correct = 0;
        try (var s = Autograd.noGrad()) {
            for (int b0 = 0; b0 < idx.length; b0 += EVAL_BATCH) {
                int[] batch = Arrays.copyOfRange(idx, b0, Math.min(idx.length, b0 + EVAL_BATCH));
                int[] y = labelsOf(labels, batch);
                Tensor logits = model.logits(rows(x, d, batch)); // (B, C)
                loss += PerceptronClassifier.crossEntropy(logits, y).item() * batch.length;
                float[] l = logits.contiguous().f32();
                for (int i = 0; i < batch.length; i++) {
                    // P(generated) >= 0.5 <=> logit_1 >= logit_0
                    int predicted = l[2 * i + 1] >= l[2 * i] ? PerceptronClassifier.GENERATED : PerceptronClassifier.PHOTOGRAPH;
                    if (predicted == y[i]) {
                        correct++;
                    }
                }
            }
        }
        return new double[] {loss / idx.length, correct / (double) idx.length};
    }

    /** (B, D) float32 tensor of the listed rows. */
    private static Tensor rows(float[] x, int d, int[] idx) {
        float[] out = new float[idx.length * d];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(x, idx[i] * d, out, i * d, d);
        }
        return Tensor.of(out, idx.length, d);
    }

    private static int[] labelsOf(int[] labels, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = labels[idx[i]];
        }
        return out;
    }

    /** Fisher-Yates. */
    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
