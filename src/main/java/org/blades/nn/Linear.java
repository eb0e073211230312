package org.blades.nn;

import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

/**
 * y = x W^T + b, PyTorch's layout: weight (OUT, IN), bias (OUT). Parameters start at zero; a model fills them
 * with an initialisation scheme or loads them from a state dict.
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Tensor weight; // (OUT, IN)
    private final Tensor bias; // (OUT) or null

    public Linear(DType dtype, int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Tensor.zeros(dtype, out, in));
        this.bias = withBias ? param("bias", Tensor.zeros(dtype, out)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** x (..., IN) → (..., OUT); leading dimensions are flattened so one GEMM does the work. */
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != in) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input " + java.util.Arrays.toString(shape)
                    + " does not end in " + in);
        }
        Tensor y = x.reshape(-1, in).matmul(weight.transpose(0, 1)); // (R, OUT)
        if (bias != null) {
            y = y.add(bias);
        }
        shape[shape.length - 1] = out;
        return y.reshape(shape);
    }
}
