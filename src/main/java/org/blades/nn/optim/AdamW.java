package org.blades.nn.optim;

import java.util.List;

import org.blades.tensor.Tensor;

/**
 * torch.optim.AdamW (Loshchilov and Hutter 2019): weight decay decoupled from the gradient,
 * {@code p *= 1 - lr wd} before each Adam update, with the current (scheduled) learning rate. See
 * {@link AdamBase} for the update and its PyTorch-exact details.
 */
public final class AdamW extends AdamBase {

    public AdamW(List<Tensor> params, AdamOptions options) {
        super(params, options, true);
    }
}
