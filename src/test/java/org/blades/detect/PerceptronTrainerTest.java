package org.blades.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.SplittableRandom;

import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

// P = photographs, G = generated images, D = feature dimensions (16 here)

class PerceptronTrainerTest {

    private static final int D = 16;

    /** (n, D) rows around a direction (features are L2-normalised by the model, so classes differ in direction). */
    private static Tensor cloud(SplittableRandom rnd, int n, int axis, double noise) {
        double[] x = new double[n * D];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                x[i * D + j] = (j == axis ? 3.0 : 0.0) + noise * rnd.nextGaussian();
            }
        }
        return Tensor.of(x, n, D);
    }

    private static PerceptronOptions small() {
        return PerceptronOptions.defaults().withHidden(32).withLearningRate(1e-2).withBatchSize(32).withMaxEpochs(40)
                .withPatience(3).withPseudoOutlierFraction(0);
    }

    @Test
    void learnsSeparableClassesAndKeepsTheBestEpoch() {
        SplittableRandom rnd = new SplittableRandom(1);
        Tensor photos = cloud(rnd, 300, 0, 0.5);
        Tensor generated = cloud(rnd, 200, 1, 0.5);
        PerceptronTrainer.Result r = PerceptronTrainer.train(photos, generated, null, small());
        PerceptronTrainer.EpochStats best = r.history().stream()
                .min(Comparator.comparingDouble(PerceptronTrainer.EpochStats::validationLoss)).orElseThrow();
        assertThat(r.bestEpoch()).isEqualTo(best.epoch());
        assertThat(best.validationAccuracy()).isGreaterThan(0.97);
        assertThat(r.validationSamples()).isEqualTo(30 + 20);
        assertThat(r.trainSamples()).isEqualTo(450);
        double[] pGen = r.model().probabilityGenerated(generated);
        double[] pPhoto = r.model().probabilityGenerated(photos);
        assertThat(java.util.Arrays.stream(pGen).filter(p -> p >= 0.5).count()).isGreaterThan(190);
        assertThat(java.util.Arrays.stream(pPhoto).filter(p -> p < 0.5).count()).isGreaterThan(290);
    }

    @Test
    void stopsEarlyWithoutSignalAndRestoresTheBestParameters() {
        SplittableRandom rnd = new SplittableRandom(2);
        Tensor photos = cloud(rnd, 200, 0, 1.0);
        Tensor generated = cloud(rnd, 200, 0, 1.0); // same distribution: nothing to learn
        PerceptronOptions o = small().withPatience(2).withMaxEpochs(50);
        PerceptronTrainer.Result r = PerceptronTrainer.train(photos, generated, null, o);
        assertThat(r.history().size()).isLessThan(50);
        assertThat(r.history().size() - r.bestEpoch()).isEqualTo(2);
        // seeded: a rerun is bit-identical, history and restored parameters alike
        PerceptronTrainer.Result again = PerceptronTrainer.train(photos, generated, null, o);
        assertThat(again.history()).isEqualTo(r.history());
        assertThat(again.model().parameterVector().snapshot().toDoubleArray())
                .isEqualTo(r.model().parameterVector().snapshot().toDoubleArray());
    }

    @Test
    void lowestLikelihoodPhotographsBecomePseudoOutliers() {
        SplittableRandom rnd = new SplittableRandom(3);
        Tensor photos = cloud(rnd, 300, 0, 0.5);
        Tensor generated = cloud(rnd, 100, 1, 0.5);
        GaussianMixture density = ExpectationMaximization.fit(photos,
                GmmOptions.defaults().withComponents(1).withCovarianceType(CovarianceType.DIAG)).model();
        PerceptronTrainer.Result r = PerceptronTrainer.train(photos, generated, density,
                small().withPseudoOutlierFraction(0.1).withMaxEpochs(3));
        assertThat(r.pseudoOutliers()).isEqualTo(30);
        // 270 photographs and 130 "generated" (100 + 30 pseudo-outliers), 10 % of each held out
        assertThat(r.validationSamples()).isEqualTo(27 + 13);
        assertThatThrownBy(() -> PerceptronTrainer.train(photos, generated, null, small().withPseudoOutlierFraction(0.1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("density is null");
    }

    @Test
    void rejectsUnusableInputs() {
        SplittableRandom rnd = new SplittableRandom(4);
        Tensor photos = cloud(rnd, 10, 0, 0.5);
        assertThatThrownBy(() -> PerceptronTrainer.train(photos, cloud(rnd, 1, 1, 0.5), null, small()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 1 samples");
        assertThatThrownBy(() -> PerceptronTrainer.train(photos, Tensor.of(new double[6], 2, 3), null, small()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("D = 16 but generated images D = 3");
        assertThatThrownBy(() -> PerceptronClassifier.crossEntropy(Tensor.of(new float[4], 2, 2), new int[] {0, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2");
        assertThatThrownBy(() -> small().withValidationFraction(1.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
