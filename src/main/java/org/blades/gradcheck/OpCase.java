package org.blades.gradcheck;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.blades.tensor.Tensor;

/**
 * One named gradient-check case: a differentiable function and a supplier of fresh, seeded float64 inputs
 * (the tensors to differentiate have requiresGrad set and a name). {@code blades gradcheck} and the test
 * suite run every registered case through {@link GradCheck}.
 *
 * @param name   op and variant, e.g. "conv2d 3x3 stride 2 pad 1"
 * @param inputs builds the inputs anew on each call
 * @param fn     the function under test; may return a tensor of any shape
 */
public record OpCase(String name, Supplier<List<Tensor>> inputs, Function<List<Tensor>, Tensor> fn) {
}
