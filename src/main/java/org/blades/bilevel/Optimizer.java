package org.blades.bilevel;

/** One update of the tensors an optimiser owns from their accumulated gradients (Adam on λ, AdamW on θ). */
public interface Optimizer {

    /** Applies one update with the given learning rate (the schedule lives with the caller). */
    void step(double learningRate);
}
