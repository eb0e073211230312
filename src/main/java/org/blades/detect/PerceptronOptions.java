package org.blades.detect;

/**
 * Training settings of the binary detector ({@link PerceptronTrainer}).
 *
 * @param hidden                H, hidden units (the paper: 1536)
 * @param learningRate          Adam's learning rate (the paper: 3e-4)
 * @param batchSize             minibatch size (the paper: 64); the last, smaller batch of an epoch is used too
 * @param maxEpochs             upper bound on epochs
 * @param patience              early stopping: stop after this many epochs without a lower validation loss, and
 *                              keep the parameters of the best epoch
 * @param validationFraction    share of each class held out for early stopping, in (0, 1)
 * @param pseudoOutlierFraction share of the photographs, those with the lowest likelihood under the GMM, relabelled as
 *                              AI-generated (the paper's pseudo-outliers, after [11]); 0 disables
 * @param seed                  seeds the initial parameters, the split and the per-epoch shuffling
 */
public record PerceptronOptions(int hidden, double learningRate, int batchSize, int maxEpochs, int patience,
                                double validationFraction, double pseudoOutlierFraction, long seed) {

    public PerceptronOptions {
        if (hidden < 1 || batchSize < 1 || maxEpochs < 1 || patience < 1) {
            throw new IllegalArgumentException("PerceptronOptions: hidden, batchSize, maxEpochs and patience must be >= 1,"
                    + " got " + hidden + ", " + batchSize + ", " + maxEpochs + ", " + patience);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("PerceptronOptions: learningRate must be positive, got " + learningRate);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("PerceptronOptions: validationFraction must be in (0, 1), got "
                    + validationFraction);
        }
        if (!(pseudoOutlierFraction >= 0 && pseudoOutlierFraction < 1)) {
            throw new IllegalArgumentException("PerceptronOptions: pseudoOutlierFraction must be in [0, 1), got "
                    + pseudoOutlierFraction);
        }
    }

    /**
     * The paper's settings (H 1536, Adam lr 3e-4, batch 64) and ours where the paper and the released code are
     * silent: at most 100 epochs, patience 5, 10 % held out, 5 % pseudo-outliers (the photographs that the
     * one-class detector's 5 % false-alarm threshold would flag), seed 2024.
     */
    public static PerceptronOptions defaults() {
        return new PerceptronOptions(1536, 3e-4, 64, 100, 5, 0.1, 0.05, 2024);
    }

    public PerceptronOptions withHidden(int h) {
        return new PerceptronOptions(h, learningRate, batchSize, maxEpochs, patience, validationFraction,
                pseudoOutlierFraction, seed);
    }

    public PerceptronOptions withMaxEpochs(int epochs) {
        return new PerceptronOptions(hidden, learningRate, batchSize, epochs, patience, validationFraction,
                pseudoOutlierFraction, seed);
    }

    public PerceptronOptions withPatience(int p) {
        return new PerceptronOptions(hidden, learningRate, batchSize, maxEpochs, p, validationFraction,
                pseudoOutlierFraction, seed);
    }

    public PerceptronOptions withLearningRate(double lr) {
        return new PerceptronOptions(hidden, lr, batchSize, maxEpochs, patience, validationFraction,
                pseudoOutlierFraction, seed);
    }

    public PerceptronOptions withBatchSize(int b) {
        return new PerceptronOptions(hidden, learningRate, b, maxEpochs, patience, validationFraction,
                pseudoOutlierFraction, seed);
    }

    public PerceptronOptions withValidationFraction(double f) {
        return new PerceptronOptions(hidden, learningRate, batchSize, maxEpochs, patience, f, pseudoOutlierFraction,
                seed);
    }

    public PerceptronOptions withPseudoOutlierFraction(double f) {
        return new PerceptronOptions(hidden, learningRate, batchSize, maxEpochs, patience, validationFraction, f, seed);
    }

    public PerceptronOptions withSeed(long s) {
        return new PerceptronOptions(hidden, learningRate, batchSize, maxEpochs, patience, validationFraction,
                pseudoOutlierFraction, s);
    }
}
