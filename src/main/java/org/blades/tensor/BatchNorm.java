package org.blades.tensor;

import org.blades.kernels.Parallel;

// N = batch, C = channels, S = positions per channel and sample (H*W for (N, C, H, W) input, 1 for (N, C)),
// M = N*S values per channel.

/**
 * Batch normalisation over axis 1 (torch.nn.functional.batch_norm with affine weight and bias):
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, per channel.
 *
 * <p>{@link Mode#TRAIN}: mean and the biased variance of the batch (over N and every axis after C), and the
 * running statistics updated in place: {@code r_mean = (1 - momentum) * r_mean + momentum * mean},
 * {@code r_var = (1 - momentum) * r_var + momentum * var * M / (M - 1)} (the unbiased variance, as PyTorch).
 * The backward is the closed form of the composed normalisation (pinned to it by a test).
 * {@link Mode#EVAL}: the running statistics are constants, so y is an affine map of x per channel.
 *
 * <p>Statistics and per-element arithmetic are in float64, rounded once to the dtype. Channels are processed
 * in parallel; each is computed by one thread in a fixed order, so results do not depend on the thread count.
 */
public final class BatchNorm {
    private BatchNorm() {
    }

    /** Batch statistics and running-stat update (TRAIN) or the running statistics (EVAL). */
    public enum Mode {
        TRAIN,
        EVAL
    }

    /** Elements below which the channel loop stays on the calling thread: waking workers costs more. */
    private static final int PARALLEL_MIN_ELEMENTS = 1 << 15;

    /**
     * The affine parameters and the running statistics of one batch-norm layer. The record is immutable; the
     * running-statistic tensors are buffers updated in place by {@link #forward} in {@link Mode#TRAIN}.
     *
     * @param weight      (C) gamma, usually a trainable leaf
     * @param bias        (C) beta, usually a trainable leaf
     * @param runningMean (C) never differentiated
     * @param runningVar  (C) never differentiated
     * @param momentum    weight of the batch statistic in the running-stat update, in [0, 1]
     * @param eps         added to the variance, > 0
     */
    public record Params(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum,
                         double eps) {

        public static final double DEFAULT_MOMENTUM = 0.1;
        public static final double DEFAULT_EPS = 1e-5;

        public Params {
            if (weight == null || bias == null || runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batch_norm: weight, bias, running mean and running variance "
                        + "must not be null");
            }
            Tensor[] all = {weight, bias, runningMean, runningVar};
            for (Tensor t : all) {
                if (t.dim() != 1 || t.size(0) != weight.numel() || t.dtype() != weight.dtype()) {
                    throw new IllegalArgumentException("batch_norm: parameters must be 1-D of one size and dtype: "
                            + "weight " + weight.describe() + ", bias " + bias.describe() + ", running mean "
                            + runningMean.describe() + ", running var " + runningVar.describe());
                }
            }
            if (!(momentum >= 0.0 && momentum <= 1.0) || !(eps > 0.0)) {
                throw new IllegalArgumentException("batch_norm: momentum " + momentum + " must be in [0, 1] and eps "
                        + eps + " > 0");
            }
        }

        /** With PyTorch's defaults momentum 0.1 and eps 1e-5. */
        public static Params of(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar) {
            return new Params(weight, bias, runningMean, runningVar, DEFAULT_MOMENTUM, DEFAULT_EPS);
        }

        /**
         * A fresh layer as torch.nn.BatchNorm2d initialises it: weight 1 and bias 0 (both requiring gradients),
         * running mean 0, running variance 1.
         */
        public static Params init(DType dtype, int channels) {
            return of(Tensor.ones(dtype, channels).requiresGrad(true).named("bn.weight"),
                    Tensor.zeros(dtype, channels).requiresGrad(true).named("bn.bias"),
                    Tensor.zeros(dtype, channels).named("bn.running_mean"),
                    Tensor.ones(dtype, channels).named("bn.running_var"));
        }

        public int channels() {
            return weight.numel();
        }
    }

    /**
     * @param x (N, C, ...) with at least 2 dimensions; statistics per channel over every other axis
     * @return y, same shape and dtype as x
     */
    public static Tensor forward(Tensor x, Params p, Mode mode) {
        if (x == null || p == null || mode == null) {
            throw new IllegalArgumentException("batch_norm: input, parameters and mode must not be null");
        }
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batch_norm: input must have at least 2 dimensions (N, C, ...), got "
                    + x.describe());
        }
        if (x.size(1) != p.channels() || x.dtype() != p.weight().dtype()) {
            throw new IllegalArgumentException("batch_norm: input " + x.describe() + " does not match parameters "
                    + p.weight().describe() + " (channels on axis 1, same dtype)");
        }
        int[] shape = x.shapeRef(); // (N, C, ...)
        int N = shape[0];
        int C = shape[1];
        int S = x.numel() / Math.max(N * C, 1);
        int M = N * S;
        if (mode == Mode.TRAIN && M < 2) {
            throw new IllegalArgumentException("batch_norm: training needs more than 1 value per channel, got input "
                    + x.describe());
        }
        Tensor xd = x.detach().contiguous(); // (N, C, S)
        double[] gamma = p.weight().toDoubleArray(); // (C)
        double[] beta = p.bias().toDoubleArray(); // (C)
        double[] mean = new double[C]; // (C) the statistic x is centred with
        double[] invStd = new double[C]; // (C) 1 / sqrt(var + eps)
        if (mode == Mode.TRAIN) {
            double[] var = new double[C]; // (C) biased batch variance
            forEachChannel(x.numel(), C, c -> batchStatistics(xd, c, N, C, S, mean, var));
            updateRunningStats(p, mean, var, M);
            for (int c = 0; c < C; c++) {
                invStd[c] = 1.0 / Math.sqrt(var[c] + p.eps());
            }
        } else {
            double[] rMean = p.runningMean().toDoubleArray(); // (C)
            double[] rVar = p.runningVar().toDoubleArray(); // (C)
            for (int c = 0; c < C; c++) {
                mean[c] = rMean[c];
                invStd[c] = 1.0 / Math.sqrt(rVar[c] + p.eps());
            }
        }
        Tensor out = Tensor.empty(x.dtype(), shape); // (N, C, S)
        forEachChannel(x.numel(), C, c -> {
            // y = (x - mean) * invStd * gamma + beta
            affine(xd, out, c, N, C, S, mean[c], invStd[c] * gamma[c], beta[c]);
        });
        Tensor weight = p.weight();
        Tensor bias = p.bias();
        return Autograd.record(mode == Mode.TRAIN ? "batch_norm_train" : "batch_norm_eval", out,
                new Tensor[] {x, weight, bias}, gout -> {
                    Tensor gy = gout.contiguous(); // (N, C, S)
                    Tensor dx = x.requiresGrad() ? Tensor.empty(x.dtype(), shape) : null; // (N, C, S)
                    double[] dGamma = new double[C]; // (C)
                    double[] dBeta = new double[C]; // (C)
                    forEachChannel(x.numel(), C, c -> {
                        double[] sums = gradientSums(gy, xd, c, N, C, S, mean[c]); // {sum dy, sum dy * (x - mean)}
                        double sumDy = sums[0];
                        double sumDyXhat = sums[1] * invStd[c];
                        // forward: y = xhat * gamma + beta  =>  dgamma += sum dy * xhat,  dbeta += sum dy
                        dGamma[c] = sumDyXhat;
                        dBeta[c] = sumDy;
                        if (dx == null) {
                            return;
                        }
                        double k = gamma[c] * invStd[c];
                        if (mode == Mode.EVAL) {
                            // forward: y = (x - r_mean) * invStd * gamma + beta, statistics constant
                            //   =>  dx = dy * gamma * invStd
                            linear(gy, null, dx, c, N, C, S, k, 0.0, 0.0, 0.0);
                            return;
                        }
                        // forward: xhat = (x - mean(x)) / sqrt(var(x) + eps), mean and var over the M values
                        //   =>  dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
                        //      = k * dy  -  k * invStd * mean(dy * xhat) * (x - mean)  -  k * mean(dy)
                        double slope = invStd[c] * (sumDyXhat / M);
                        linear(gy, xd, dx, c, N, C, S, k, -k * slope, mean[c], -k * (sumDy / M));
                    });
                    if (dx != null) {
                        Autograd.accumulate(x, dx);
                    }
                    if (weight.requiresGrad()) {
                        Autograd.accumulate(weight, Tensor.of(dGamma, C).to(weight.dtype()));
                    }
                    if (bias.requiresGrad()) {
                        Autograd.accumulate(bias, Tensor.of(dBeta, C).to(bias.dtype()));
                    }
                });
    }

    // ----------------------------------------------------------------------------------------------
    // Per-channel loops over the N runs of S contiguous values of channel c in a dense (N, C, S) tensor, on the
    // raw arrays (one dtype branch per channel, none per element).

    /** Mean and biased variance of channel c, two passes in float64 (no cancellation from E[x^2] - E[x]^2). */
    private static void batchStatistics(Tensor xd, int c, int N, int C, int S, double[] mean, double[] var) {
        float[] xf = xd.rawF(); // (N, C, S) or null
        double[] xv = xd.rawD(); // (N, C, S) or null
        double sum = 0.0;
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            if (xf != null) {
                for (int end = i + S; i < end; i++) {
                    sum += xf[i];
                }
            } else {
                for (int end = i + S; i < end; i++) {
                    sum += xv[i];
                }
            }
        }
        double m = sum / (N * S);
        double sq = 0.0;
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            if (xf != null) {
                for (int end = i + S; i < end; i++) {
                    double d = xf[i] - m;
                    sq += d * d;
                }
            } else {
                for (int end = i + S; i < end; i++) {
                    double d = xv[i] - m;
                    sq += d * d;
                }
            }
        }
        mean[c] = m;
        var[c] = sq / (N * S);
    }

    /** out = (x - center) * scale + shift over channel c; centring first keeps precision when |mean| >> std. */
    private static void affine(Tensor xd, Tensor out, int c, int N, int C, int S, double center, double scale,
                               double shift) {
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            if (xd.dtype() == DType.F32) {
                float[] x = xd.rawF(); // (N, C, S)
                float[] y = out.rawF(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    y[i] = (float) ((x[i] - center) * scale + shift);
                }
            } else {
                double[] x = xd.rawD(); // (N, C, S)
                double[] y = out.rawD(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    y[i] = (x[i] - center) * scale + shift;
                }
            }
        }
    }

    /** {sum dy, sum dy * (x - mean)} over channel c. */
    private static double[] gradientSums(Tensor gy, Tensor xd, int c, int N, int C, int S, double mean) {
        double sumDy = 0.0;
        double sumDyX = 0.0;
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            if (xd.dtype() == DType.F32) {
                float[] g = gy.rawF(); // (N, C, S)
                float[] x = xd.rawF(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    sumDy += g[i];
                    sumDyX += g[i] * (x[i] - mean);
                }
            } else {
                double[] g = gy.rawD(); // (N, C, S)
                double[] x = xd.rawD(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    sumDy += g[i];
                    sumDyX += g[i] * (x[i] - mean);
                }
            }
        }
        return new double[] {sumDy, sumDyX};
    }

    /** dx = a * dy + b * (x - center) + d over channel c (the x term is skipped when xd is null). */
    private static void linear(Tensor gy, Tensor xd, Tensor dx, int c, int N, int C, int S, double a, double b,
                               double center, double d) {
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            if (dx.dtype() == DType.F32) {
                float[] g = gy.rawF(); // (N, C, S)
                float[] x = xd == null ? null : xd.rawF(); // (N, C, S)
                float[] out = dx.rawF(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    out[i] = (float) (a * g[i] + (x == null ? 0.0 : b * (x[i] - center)) + d);
                }
            } else {
                double[] g = gy.rawD(); // (N, C, S)
                double[] x = xd == null ? null : xd.rawD(); // (N, C, S)
                double[] out = dx.rawD(); // (N, C, S)
                for (int end = i + S; i < end; i++) {
                    out[i] = a * g[i] + (x == null ? 0.0 : b * (x[i] - center)) + d;
                }
            }
        }
    }

    /** In place, not on the tape: the running statistics are buffers, not differentiable values. */
    private static void updateRunningStats(Params p, double[] mean, double[] var, int M) {
        double mom = p.momentum();
        for (int c = 0; c < mean.length; c++) {
            double rm = p.runningMean().getDouble(c);
            double rv = p.runningVar().getDouble(c);
            p.runningMean().setDouble((1.0 - mom) * rm + mom * mean[c], c);
            p.runningVar().setDouble((1.0 - mom) * rv + mom * var[c] * M / (M - 1), c);
        }
    }

    /** Runs body(c) for every channel, in parallel when the tensor is big enough to pay for it. */
    private static void forEachChannel(int numel, int C, java.util.function.IntConsumer body) {
        if (numel < PARALLEL_MIN_ELEMENTS) {
            for (int c = 0; c < C; c++) {
                body.accept(c);
            }
        } else {
            Parallel.parallelFor(C, body);
        }
    }
}
