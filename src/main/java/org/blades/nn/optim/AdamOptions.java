package org.blades.nn.optim;

/**
 * Hyper-parameters of {@link Adam} and {@link AdamW}, named as in torch.optim.
 *
 * @param lr          learning rate
 * @param beta1       decay of the first-moment (mean) estimate
 * @param beta2       decay of the second-moment (uncentred variance) estimate
 * @param eps         added to the bias-corrected root second moment, outside the square root (PyTorch's placement)
 * @param weightDecay Adam: L2 penalty added to the gradient; AdamW: decoupled decay {@code p *= 1 - lr wd}
 */
public record AdamOptions(double lr, double beta1, double beta2, double eps, double weightDecay) {

    public AdamOptions {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("Adam: lr must be finite and >= 0, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0) || Double.isInfinite(eps) || !(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("Adam: eps and weightDecay must be finite and >= 0, got eps " + eps
                    + ", weightDecay " + weightDecay);
        }
    }

    /** torch.optim.Adam's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0. */
    public static AdamOptions adamDefaults() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0.0);
    }

    /** torch.optim.AdamW's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2. */
    public static AdamOptions adamWDefaults() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 1e-2);
    }

    public AdamOptions withLr(double value) {
        return new AdamOptions(value, beta1, beta2, eps, weightDecay);
    }

    public AdamOptions withBetas(double b1, double b2) {
        return new AdamOptions(lr, b1, b2, eps, weightDecay);
    }

    public AdamOptions withEps(double value) {
        return new AdamOptions(lr, beta1, beta2, value, weightDecay);
    }

    public AdamOptions withWeightDecay(double value) {
        return new AdamOptions(lr, beta1, beta2, eps, value);
    }
}
