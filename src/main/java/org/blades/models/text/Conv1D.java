package org.blades.models.text;

import java.util.Arrays;
import org.blades.nn.Module;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// R = rows (every leading dimension flattened), IN/OUT = input/output features.

/**
 * Hugging Face GPT-2's "Conv1D", which despite its name is an affine map {@code y = x W + b} with weight
 * (IN, OUT): the transpose of nn.Linear's (OUT, IN). Keeping HF's layout means a GPT-2 checkpoint loads by
 * copying each tensor as stored, and the GEMM reads W untransposed at no cost.
 */
public final class Conv1D extends Module {
    private final int in;
    private final int out;
    private final Tensor weight; // (IN, OUT)
    private final Tensor bias; // (OUT)

    public Conv1D(DType dtype, int in, int out) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Tensor.zeros(dtype, in, out));
        this.bias = param("bias", Tensor.zeros(dtype, out));
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** x (..., IN) → (..., OUT). */
    public Tensor forward(Tensor x) {
        int[] shape = x.shape(); // (rank of x)
        if (shape.length == 0 || shape[shape.length - 1] != in) {
            throw new IllegalArgumentException("Conv1D(" + in + " -> " + out + "): input " + Arrays.toString(shape)
                    + " does not end in " + in);
        }
        Tensor y = x.reshape(-1, in).matmul(weight).add(bias); // (R, OUT)
        shape[shape.length - 1] = out;
        return y.reshape(shape);
    }
}
