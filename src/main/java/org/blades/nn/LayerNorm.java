package org.blades.nn;

import org.blades.tensor.DType;
import org.blades.tensor.Norm;
import org.blades.tensor.Tensor;

/** Layer normalisation over the last dimension C with affine weight (C) and bias (C), PyTorch's defaults. */
public final class LayerNorm extends Module {
    private final Tensor weight; // (C)
    private final Tensor bias; // (C)
    private final double eps;

    public LayerNorm(DType dtype, int channels, double eps) {
        this.weight = param("weight", Tensor.ones(dtype, channels));
        this.bias = param("bias", Tensor.zeros(dtype, channels));
        this.eps = eps;
    }

    public LayerNorm(DType dtype, int channels) {
        this(dtype, channels, 1e-5);
    }

    public Tensor forward(Tensor x) {
        return Norm.layerNorm(x, weight, bias, eps);
    }
}
