package org.blades.nn.optim;

import org.blades.tensor.Tensor;

/**
 * One parameter's {@link Adam} / {@link AdamW} state, as torch's {@code optimizer.state_dict()} holds it: the steps
 * it has taken and its two moments, for checkpoints.
 *
 * @param step     steps taken by this parameter (its bias-correction count)
 * @param expAvg   first moment m, the parameter's shape; null before the first step
 * @param expAvgSq second moment v, likewise
 */
public record AdamState(long step, Tensor expAvg, Tensor expAvgSq) {
    public AdamState {
        if (step < 0 || (expAvg == null) != (expAvgSq == null) || (step > 0) != (expAvg != null)) {
            throw new IllegalArgumentException("Adam state: step " + step + " needs both moments exactly when it is "
                    + "> 0, got " + (expAvg == null ? "no" : "a") + " first and " + (expAvgSq == null ? "no" : "a")
                    + " second moment");
        }
    }
}
