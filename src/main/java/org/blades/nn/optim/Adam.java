package org.blades.nn.optim;

import java.util.List;

import org.blades.tensor.Tensor;

/**
 * torch.optim.Adam: weight decay, if any, is an L2 penalty added to the gradient (so it passes through the
 * moment estimates). See {@link AdamBase} for the update and its PyTorch-exact details.
 */
public final class Adam extends AdamBase {

    public Adam(List<Tensor> params, AdamOptions options) {
        super(params, options, false);
    }
}
