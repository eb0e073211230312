package org.blades.opencl;

/**
 * Hyper-parameters of one Adam or AdamW parameter group (torch.optim.Adam / AdamW semantics, amsgrad off).
 *
 * @param lr          learning rate, > 0
 * @param beta1       first-moment decay, in [0, 1)
 * @param beta2       second-moment decay, in [0, 1)
 * @param eps         added to the bias-corrected sqrt(v), > 0
 * @param weightDecay L2 penalty folded into the gradient (Adam) or decoupled shrink p *= 1 - lr * wd (AdamW), >= 0
 * @param decoupled   true for AdamW, false for Adam
 */
public record AdamOptions(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {

    public AdamOptions {
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamOptions: need lr > 0, beta1 and beta2 in [0, 1), eps > 0, "
                    + "weightDecay >= 0; got lr " + lr + ", betas (" + beta1 + ", " + beta2 + "), eps " + eps
                    + ", weight decay " + weightDecay);
        }
    }

    /** torch.optim.Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static AdamOptions adam(float lr) {
        return new AdamOptions(lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    /** torch.optim.AdamW defaults: betas (0.9, 0.999), eps 1e-8, the given decoupled weight decay. */
    public static AdamOptions adamW(float lr, float weightDecay) {
        return new AdamOptions(lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }
}
