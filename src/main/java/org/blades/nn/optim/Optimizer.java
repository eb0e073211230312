package org.blades.nn.optim;

import java.util.List;

import org.blades.tensor.Tensor;

/**
 * A first-order optimiser over a fixed list of parameter tensors (dense leaves that require a gradient),
 * with PyTorch's contract: {@link #step()} reads each parameter's accumulated {@code grad()} and updates the
 * parameter in place; parameters whose gradient is null are skipped; gradients are neither read after nor
 * cleared by a step ({@link #zeroGrad()} is the caller's separate call, before the next backward).
 */
public interface Optimizer {

    /** One update of every parameter that has a gradient. */
    void step();

    /** Zeroes every parameter's gradient (backward only accumulates). */
    void zeroGrad();

    /** The current learning rate (schedules change it between steps). */
    double learningRate();

    /** Sets the learning rate for the following steps (PyTorch: param_group["lr"] = value). */
    void setLearningRate(double lr);

    /** The optimised parameters, in the order given. */
    List<Tensor> parameters();
}
