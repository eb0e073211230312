package org.blades.pretrain;

import java.util.List;
import org.blades.bilevel.BilevelStep;
import org.blades.bilevel.StepTrace;
import org.blades.bilevel.TaskObjective;
import org.blades.nn.optim.Adam;
import org.blades.nn.optim.AdamState;
import org.blades.nn.optim.AdamW;
import org.blades.tasks.Task;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// K = 11 tasks

/**
 * The optimisation state of bi-level pretraining and its iteration, independent of where batches come from:
 * λ with its Adam (Eq. 12), θ's AdamW (Eq. 13) under the per-epoch cosine schedule, and the {@link BilevelStep}.
 * {@link Pretraining} drives it over the data loader; the PyTorch reference test drives it over stored batches.
 *
 * @param <B> the batch type
 */
public final class BilevelTrainer<B> {
    private final PretrainOptions options;
    private final CosineSchedule schedule;
    private final Tensor lambda; // (K)
    private final Adam lambdaOptimizer;
    private final AdamW thetaOptimizer;
    private final BilevelStep<B> step;

    /** What a checkpoint needs to continue exactly: λ and both optimisers' step counts and moments. */
    public record State(double[] lambda, List<AdamState> lambdaAdam, List<AdamState> thetaAdamW) {
        public State {
            lambda = lambda.clone();
            lambdaAdam = List.copyOf(lambdaAdam);
            thetaAdamW = List.copyOf(thetaAdamW);
        }

        @Override
        public double[] lambda() {
            return lambda.clone();
        }
    }

    public BilevelTrainer(TaskObjective<B> objective, PretrainOptions options) {
        this.options = options;
        this.schedule = new CosineSchedule(options.inner().lr(), options.epochs(), 0.0);
        DType dtype = objective.parameters().dtype();
        double[] init = options.initialLambda(); // (K)
        this.lambda = Tensor.of(init, init.length).to(dtype).detach().copy().requiresGrad(true).named("lambda");
        this.lambdaOptimizer = new Adam(List.of(lambda), options.outer());
        this.thetaOptimizer = new AdamW(objective.parameters().parameters(), options.inner());
        double[] w = options.outerWeights(); // (K)
        Tensor outerWeights = Tensor.of(w, w.length).to(dtype).detach();
        this.step = new BilevelStep<>(objective, lambda, outerWeights, options.movableLambda(), lambdaOptimizer,
                thetaOptimizer, options.bilevelOptions());
    }

    public PretrainOptions options() {
        return options;
    }

    /** α of an epoch: AdamW's learning rate and the virtual step's. */
    public double learningRate(long epoch) {
        return schedule.learningRate(epoch);
    }

    /**
     * One bi-level iteration (Eqs. 11-19).
     *
     * @param epoch the epoch of the inner batch, which sets α by the cosine schedule
     */
    public StepTrace step(B inner, B outer, long epoch) {
        return step.step(inner, outer, learningRate(epoch));
    }

    /** λ: (K), live. */
    public Tensor lambda() {
        return lambda;
    }

    public State state() {
        return new State(lambda.toDoubleArray(), lambdaOptimizer.state(), thetaOptimizer.state());
    }

    /** Restores a {@link #state()}: λ bit for bit (it is stored in λ's dtype), then both optimisers. */
    public void loadState(State s) {
        double[] l = s.lambda(); // (K)
        if (l.length != Task.COUNT) {
            throw new IllegalArgumentException("BilevelTrainer: saved λ has " + l.length + " entries, expected "
                    + Task.COUNT);
        }
        lambdaOptimizer.loadState(s.lambdaAdam());
        thetaOptimizer.loadState(s.thetaAdamW());
        lambda.copyFromInPlace(Tensor.of(l, l.length).to(lambda.dtype()));
    }
}
