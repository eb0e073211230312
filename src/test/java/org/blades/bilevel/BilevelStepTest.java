package org.blades.bilevel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.blades.gradcheck.HypergradientCheck;
import org.blades.nn.optim.Adam;
import org.blades.nn.optim.AdamOptions;
import org.blades.nn.optim.Optimizer;
import org.blades.tensor.DType;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The bi-level iteration on a small shared-trunk regression model in float64 (legend: N samples, D inputs,
 * H hidden units, K tasks): pred = tanh(X A) C, ℓᵢ = mean_n (pred[n, i] − Y[n, i])².
 */
class BilevelStepTest {
    private static final int N = 12;
    private static final int D = 5;
    private static final int H = 7;
    private static final int K = 4;

    record Batch(Tensor x, Tensor y) { // (N, D), (N, K)
        static Batch seeded(long seed) {
            return new Batch(Tensor.randn(DType.F64, seed, N, D), Tensor.randn(DType.F64, seed + 1, N, K));
        }
    }

    static final class TinyModel implements TaskObjective<Batch> {
        final Tensor a = Tensor.randn(DType.F64, 11, D, H).mul(0.5).detach().copy().requiresGrad(true); // (D, H)
        final Tensor c = Tensor.randn(DType.F64, 12, H, K).mul(0.5).detach().copy().requiresGrad(true); // (H, K)
        final ParameterVector theta = new ParameterVector(List.of(a, c));

        @Override
        public Tensor taskLosses(Batch b) {
            Tensor pred = org.blades.tensor.Activation.tanh(b.x().matmul(a)).matmul(c); // (N, K)
            Tensor err = pred.sub(b.y());
            return err.mul(err).mean(false, 0); // (K)
        }

        @Override
        public ParameterVector parameters() {
            return theta;
        }
    }

    /** Plain SGD on a set of leaves, for tests of the loop itself. */
    static final class Sgd implements Optimizer {
        private final List<Tensor> params;
        private double lr;

        Sgd(List<Tensor> params, double lr) {
            this.params = List.copyOf(params);
            this.lr = lr;
        }

        @Override
        public void step() {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    p.addInPlace(p.grad().mul(-lr));
                }
            }
        }

        @Override
        public void zeroGrad() {
            params.forEach(Tensor::zeroGrad);
        }

        @Override
        public double learningRate() {
            return lr;
        }

        @Override
        public void setLearningRate(double value) {
            lr = value;
        }

        @Override
        public List<Tensor> parameters() {
            return params;
        }
    }

    private static Tensor lambda(double... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    private static Tensor primary(int task) {
        Tensor w = Tensor.zeros(DType.F64, K);
        w.setDouble(1.0, task);
        return w;
    }

    @Test
    void finiteDifferenceHypergradientAgreesWithDirectDifferentiation() {
        TinyModel model = new TinyModel();
        HypergradientCheck.Report report = HypergradientCheck.check(model, lambda(1.0, 0.7, 1.3, 0.9), primary(0),
                Batch.seeded(100), Batch.seeded(200), HypergradientCheck.Options.defaults(0.05));
        System.out.print(report.format());
        report.assertPassed();
        assertThat(report.rows()).allSatisfy(r -> assertThat(Math.abs(r.direct())).isGreaterThan(1e-6));
    }

    @Test
    void thetaIsRestoredBitForBitAndGradientsAreLeftZero() {
        TinyModel model = new TinyModel();
        double[] before = model.theta.snapshot().toDoubleArray();
        Hypergradient.finiteDifference(model, lambda(1, 1, 1, 1), primary(0), Batch.seeded(1), Batch.seeded(2), 0.1,
                1e-3, 0.01);
        assertThat(model.theta.snapshot().toDoubleArray()).containsExactly(before);
        assertThat(ParameterVector.norm(model.theta.gradient())).isZero();
    }

    @Test
    void aFlatUpperLevelGivesAZeroHypergradientInsteadOfDividingByZero() {
        TinyModel model = new TinyModel();
        Hypergradient.Result r = Hypergradient.finiteDifference(model, lambda(1, 1, 1, 1), Tensor.zeros(DType.F64, K),
                Batch.seeded(1), Batch.seeded(2), 0.1, 1e-3, 0.01);
        assertThat(r.vNorm()).isZero();
        assertThat(r.epsilon()).isZero();
        assertThat(r.hypergradient().toDoubleArray()).containsOnly(0.0);
    }

    @Test
    void oneIterationMovesLambdaAgainstTheHypergradientAndThetaAlongTheWeightedLoss() {
        TinyModel model = new TinyModel();
        Tensor lambda = lambda(1, 1, 1, 1);
        BilevelStep<Batch> step = new BilevelStep<>(model, lambda, primary(0), new Sgd(List.of(lambda), 3e-4),
                new Sgd(List.of(model.a, model.c), 0), BilevelOptions.paper());
        double[] theta0 = model.theta.snapshot().toDoubleArray();
        StepTrace t = step.step(Batch.seeded(1), Batch.seeded(2), 0.05);
        for (int i = 0; i < K; i++) {
            assertThat(t.lambdaAfter()[i]).isCloseTo(1.0 - 3e-4 * t.hypergradient()[i],
                    org.assertj.core.data.Offset.offset(1e-15));
        }
        assertThat(t.epsilon()).isCloseTo(0.01 / t.vNorm(), org.assertj.core.data.Offset.offset(1e-18));
        assertThat(model.theta.snapshot().toDoubleArray()).isNotEqualTo(theta0);
        double weighted = 0;
        for (int i = 0; i < K; i++) {
            weighted += t.lambdaAfter()[i] * t.taskLosses()[i];
        }
        assertThat(t.weightedLoss()).isCloseTo(weighted, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void withBilevelOffLambdaStaysFixed() {
        TinyModel model = new TinyModel();
        Tensor lambda = lambda(1, 1, 1, 1);
        BilevelStep<Batch> step = new BilevelStep<>(model, lambda, primary(0), new Sgd(List.of(lambda), 3e-4),
                new Sgd(List.of(model.a, model.c), 0), BilevelOptions.paper().withBilevel(false));
        StepTrace t = step.step(Batch.seeded(1), Batch.seeded(2), 0.05);
        assertThat(t.lambdaAfter()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void lambdaEntriesThatMayNotMoveStayExactlyWhereTheyAreUnderAdam() {
        TinyModel model = new TinyModel();
        Tensor lambda = lambda(1, 0, 1, 0);
        BilevelStep<Batch> step = new BilevelStep<>(model, lambda, primary(0), new boolean[] {true, false, true, false},
                new Adam(List.of(lambda), AdamOptions.adamDefaults().withLr(1e-2)), new Sgd(List.of(model.a, model.c), 0),
                BilevelOptions.paper());
        for (int i = 0; i < 3; i++) {
            StepTrace t = step.step(Batch.seeded(1 + i), Batch.seeded(20 + i), 0.05);
            assertThat(t.hypergradient()[1]).isZero();
            assertThat(t.hypergradient()[3]).isZero();
        }
        assertThat(lambda.getDouble(1)).isZero();
        assertThat(lambda.getDouble(3)).isZero();
        assertThat(lambda.getDouble(0)).isNotEqualTo(1.0);
        assertThat(lambda.getDouble(2)).isNotEqualTo(1.0);
    }

    @Test
    void sameInputsGiveTheSameNumbers() {
        double[][] runs = new double[2][];
        for (int r = 0; r < 2; r++) {
            TinyModel model = new TinyModel();
            Tensor lambda = lambda(1, 1, 1, 1);
            BilevelStep<Batch> step = new BilevelStep<>(model, lambda, primary(0), new Sgd(List.of(lambda), 3e-4),
                    new Sgd(List.of(model.a, model.c), 0), BilevelOptions.paper());
            for (int i = 0; i < 3; i++) {
                step.step(Batch.seeded(10 + i), Batch.seeded(20 + i), 0.05);
            }
            runs[r] = model.theta.snapshot().toDoubleArray();
        }
        assertThat(runs[0]).containsExactly(runs[1]);
    }
}
