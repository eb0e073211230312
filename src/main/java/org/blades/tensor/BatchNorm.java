package org.blades.tensor;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.blades.kernels.BatchNormKernels;
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
 * <p>ResNet's block ends are primitives of their own, each with one backward rule pinned to the composed chain:
 * {@link #forwardRelu} (batch norm, an optional residual, ReLU) and {@link #forwardAddRelu} (two batch norms
 * summed, ReLU). They keep only their inputs and output for the backward pass.
 *
 * <p>Statistics are sums in float64. Per-element arithmetic is in the dtype: float64, or for float32 a
 * float32 fma on the input centred exactly (see the per-channel loops), so the loops vectorise; the result
 * differs from a float64 evaluation rounded once by about an ulp. Channels are processed in parallel; each is
 * computed by one thread in a fixed order, so results do not depend on the thread count.
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
        String op = "batch_norm" + suffix(mode);
        return normalize(op, mode, false, new Branch(op, x, p, mode), null, null);
    }

    /**
     * {@code relu(batch_norm(x) + residual)}, or {@code relu(batch_norm(x))} when residual is null: ResNet's
     * "batch norm, (add the shortcut,) ReLU" as one primitive. It saves only x and its own output (the ReLU mask
     * is {@code y > 0}); the composed chain also keeps the batch-norm output and the sum, one activation-sized
     * tensor each. Same values as the chain: the batch-norm output is rounded to the dtype before the residual
     * is added, as there. Its one derivative rule is pinned to the composed chain's by BatchNormTest.
     *
     * @param x        (N, C, ...) with at least 2 dimensions
     * @param residual same shape and dtype as x, or null
     * @return y, same shape and dtype as x
     */
    public static Tensor forwardRelu(Tensor x, Params p, Mode mode, Tensor residual) {
        String op = (residual != null ? "batch_norm_add_relu" : "batch_norm_relu") + suffix(mode);
        Branch.check(op, x, p, mode);
        if (residual != null && (!Arrays.equals(residual.shapeRef(), x.shapeRef())
                || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": residual " + residual.describe() + " must have the shape and "
                    + "dtype of the input " + x.describe());
        }
        return normalize(op, mode, true, new Branch(op, x, p, mode), residual, null);
    }

    /**
     * {@code relu(batch_norm(x, p) + batch_norm(shortcut, q))}: a ResNet block with a projection shortcut ends
     * with two batch norms whose sum goes through a ReLU. As one primitive the shortcut's normalised tensor
     * never exists: it saves x, shortcut and its output, where {@link #forwardRelu} with the shortcut's batch
     * norm as a separate op would keep that tensor too (the tape holds every input). Same values as the chain
     * {@code relu(forward(x, p) + forward(shortcut, q))}, pinned with its gradients by BatchNormTest.
     *
     * @param x        (N, C, ...) with at least 2 dimensions
     * @param shortcut same shape and dtype as x
     * @return y, same shape and dtype as x
     */
    public static Tensor forwardAddRelu(Tensor x, Params p, Tensor shortcut, Params q, Mode mode) {
        String op = "batch_norm_add_batch_norm_relu" + suffix(mode);
        // both checked before either updates its running statistics
        Branch.check(op, x, p, mode);
        Branch.check(op, shortcut, q, mode);
        if (!Arrays.equals(shortcut.shapeRef(), x.shapeRef())) {
            throw new IllegalArgumentException(op + ": shortcut " + shortcut.describe() + " must have the shape of the"
                    + " input " + x.describe());
        }
        return normalize(op, mode, true, new Branch(op, x, p, mode), null, new Branch(op, shortcut, q, mode));
    }

    private static String suffix(Mode mode) {
        return mode == Mode.TRAIN ? "_train" : "_eval";
    }

    /**
     * y = [relu](bn_main(x) + residual + bn_side(shortcut)), residual and side optional (not both), with one
     * backward rule: dz = dy * [y > 0] when relu (else dy) goes to the residual and through both batch norms.
     */
    private static Tensor normalize(String op, Mode mode, boolean relu, Branch main, Tensor residual, Branch side) {
        Tensor x = main.x;
        int[] shape = x.shapeRef(); // (N, C, S)
        int C = main.C;
        Tensor rd = residual == null ? null : residual.detach().contiguous(); // (N, C, S) or null
        Tensor out = Tensor.empty(x.dtype(), shape); // (N, C, S)
        forEachChannel(x.numel(), C, c -> {
            if (side != null) {
                side.affine(c, null, out, false); // y = bn_side(shortcut), then added below in place
                main.affine(c, out, out, relu);
            } else {
                main.affine(c, rd, out, relu);
            }
        });
        Tensor[] inputs = side == null
                ? new Tensor[] {x, main.p.weight(), main.p.bias(), residual}
                : new Tensor[] {x, main.p.weight(), main.p.bias(), side.x, side.p.weight(), side.p.bias()};
        return Autograd.record(op, out, inputs, gout -> {
            Tensor gy = gout.contiguous(); // (N, C, S)
            Tensor mask = relu ? out : null; // (N, C, S): y > 0 where the gradient passes
            Tensor dr = residual != null && residual.requiresGrad()
                    ? Autograd.gradientBuffer(x.dtype(), shape, false) : null; // (N, C, S), every element written
            Tensor dx = main.gradientBuffer(); // (N, C, S) or null
            Tensor ds = side == null ? null : side.gradientBuffer(); // (N, C, S) or null
            forEachChannel(x.numel(), C, c -> {
                // forward: y = relu(z), z = bn_main(x) + r + bn_side(s)  =>  dz = dy * [y > 0] (dy without the
                // relu); dr += dz; dz flows through each batch norm
                main.backward(c, gy, mask, mode, dx, dr);
                if (side != null) {
                    side.backward(c, gy, mask, mode, ds, null);
                }
            });
            if (dr != null) {
                Autograd.accumulateOwned(residual, dr);
            }
            main.accumulate(dx);
            if (side != null) {
                side.accumulate(ds);
            }
        });
    }

    /**
     * One normalised input of a batch-norm primitive: its dense values, its parameters, the statistics it is
     * normalised with (TRAIN: the batch's, with the running statistics updated on construction; EVAL: the
     * running ones) and, after a backward pass, the parameter gradients.
     */
    private static final class Branch {
        final Tensor x;
        final Tensor xd; // (N, C, S)
        final Params p;
        final int N;
        final int C;
        final int S;
        final int M;
        final boolean f32;
        final double[] gamma; // (C)
        final double[] beta; // (C)
        final double[] centre; // (C) the statistic x is centred with
        final double[] invStd; // (C) 1 / sqrt(var + eps)
        final double[] dGamma; // (C)
        final double[] dBeta; // (C)

        Branch(String op, Tensor x, Params p, Mode mode) {
            check(op, x, p, mode);
            int[] shape = x.shapeRef(); // (N, C, ...)
            this.x = x;
            this.p = p;
            this.N = shape[0];
            this.C = shape[1];
            this.S = x.numel() / Math.max(N * C, 1);
            this.M = N * S;
            this.f32 = x.dtype() == DType.F32;
            this.xd = x.detach().contiguous();
            this.gamma = p.weight().toDoubleArray();
            this.beta = p.bias().toDoubleArray();
            this.centre = new double[C];
            this.invStd = new double[C];
            this.dGamma = new double[C];
            this.dBeta = new double[C];
            if (mode == Mode.TRAIN) {
                double[] var = new double[C]; // (C) biased batch variance
                forEachChannel(x.numel(), C, c -> {
                    if (f32) {
                        statisticsF32(xd.rawF(), c, N, C, S, centre, var);
                    } else {
                        statisticsF64(xd.rawD(), c, N, C, S, centre, var);
                    }
                });
                updateRunningStats(p, centre, var, M);
                for (int c = 0; c < C; c++) {
                    invStd[c] = 1.0 / Math.sqrt(var[c] + p.eps());
                }
            } else {
                double[] rMean = p.runningMean().toDoubleArray(); // (C)
                double[] rVar = p.runningVar().toDoubleArray(); // (C)
                for (int c = 0; c < C; c++) {
                    centre[c] = rMean[c];
                    invStd[c] = 1.0 / Math.sqrt(rVar[c] + p.eps());
                }
            }
        }

        /** The argument checks, on their own so that a primitive can check all inputs before any update. */
        static void check(String op, Tensor x, Params p, Mode mode) {
            if (x == null || p == null || mode == null) {
                throw new IllegalArgumentException(op + ": input, parameters and mode must not be null");
            }
            if (x.dim() < 2) {
                throw new IllegalArgumentException(op + ": input must have at least 2 dimensions (N, C, ...), got "
                        + x.describe());
            }
            if (x.size(1) != p.channels() || x.dtype() != p.weight().dtype()) {
                throw new IllegalArgumentException(op + ": input " + x.describe() + " does not match parameters "
                        + p.weight().describe() + " (channels on axis 1, same dtype)");
            }
            if (mode == Mode.TRAIN && x.numel() / Math.max(x.size(1), 1) < 2) {
                throw new IllegalArgumentException(op + ": training needs more than 1 value per channel, got input "
                        + x.describe());
            }
        }

        /** Channel c of y = [relu]((x - mean) * invStd * gamma + beta + r); r may be y itself. */
        void affine(int c, Tensor r, Tensor y, boolean relu) {
            if (f32) {
                affineF32(xd.rawF(), r == null ? null : r.rawF(), y.rawF(), relu, c, N, C, S, centre[c],
                        (float) (invStd[c] * gamma[c]), (float) beta[c]);
            } else {
                affineF64(xd.rawD(), r == null ? null : r.rawD(), y.rawD(), relu, c, N, C, S, centre[c],
                        invStd[c] * gamma[c], beta[c]);
            }
        }

        /** A tensor for x's gradient (every element is written), or null when x needs none. */
        Tensor gradientBuffer() {
            return x.requiresGrad() ? Autograd.gradientBuffer(x.dtype(), x.shapeRef(), false) : null;
        }

        /**
         * Channel c of the backward pass: dgamma, dbeta, and dx (and dr = dz) when not null.
         *
         * @param gy   (N, C, S) dy
         * @param mask (N, C, S) the forward output when a relu followed (dz = dy where it is > 0), else null
         */
        void backward(int c, Tensor gy, Tensor mask, Mode mode, Tensor dx, Tensor dr) {
            double[] sums = f32 // {sum dz, sum dz * (x - mean)}
                    ? gradientSumsF32(gy.rawF(), mask == null ? null : mask.rawF(), xd.rawF(), c, N, C, S, centre[c])
                    : gradientSumsF64(gy.rawD(), mask == null ? null : mask.rawD(), xd.rawD(), c, N, C, S, centre[c]);
            double sumDz = sums[0];
            double sumDzXhat = sums[1] * invStd[c];
            // forward: z = xhat * gamma + beta  =>  dgamma += sum dz * xhat,  dbeta += sum dz
            dGamma[c] = sumDzXhat;
            dBeta[c] = sumDz;
            double k = gamma[c] * invStd[c];
            // EVAL: forward: z = (x - r_mean) * invStd * gamma + beta, statistics constant  =>  dx = k * dz
            // TRAIN: forward: xhat = (x - mean(x)) / sqrt(var(x) + eps), mean and var over the M values
            //   =>  dx = gamma * invStd * (dz - mean(dz) - xhat * mean(dz * xhat))
            //      = k * dz  -  k * invStd * mean(dz * xhat) * (x - mean)  -  k * mean(dz)
            double b = mode == Mode.EVAL ? 0.0 : -k * invStd[c] * (sumDzXhat / M);
            double d = mode == Mode.EVAL ? 0.0 : -k * (sumDz / M);
            if (dx == null && dr == null) {
                return;
            }
            if (f32) {
                inputGradientF32(gy.rawF(), mask == null ? null : mask.rawF(), xd.rawF(),
                        dx == null ? null : dx.rawF(), dr == null ? null : dr.rawF(), c, N, C, S, centre[c],
                        (float) k, (float) b, (float) d);
            } else {
                inputGradientF64(gy.rawD(), mask == null ? null : mask.rawD(), xd.rawD(),
                        dx == null ? null : dx.rawD(), dr == null ? null : dr.rawD(), c, N, C, S, centre[c], k, b, d);
            }
        }

        /** Hands dx and the parameter gradients of the finished backward pass to the tape. */
        void accumulate(Tensor dx) {
            if (dx != null) {
                Autograd.accumulateOwned(x, dx);
            }
            if (p.weight().requiresGrad()) {
                Autograd.accumulate(p.weight(), Tensor.of(dGamma, C).to(p.weight().dtype()));
            }
            if (p.bias().requiresGrad()) {
                Autograd.accumulate(p.bias(), Tensor.of(dBeta, C).to(p.bias().dtype()));
            }
        }
    }

    /**
     * The evaluation-mode map y = (x - mean) * scale + shift in the float32 form {@link #forward} applies it:
     * {center hi, center lo, scale, shift}, each (C). For {@link Conv}'s fused epilogue, which must compute
     * the same values.
     */
    static float[][] evalAffineF32(Params p) {
        double[][] e = evalAffineF64(p); // {center, scale, shift}
        int C = p.channels();
        float[][] out = new float[4][C]; // 4 x (C)
        for (int c = 0; c < C; c++) {
            out[0][c] = (float) e[0][c];
            out[1][c] = (float) (e[0][c] - out[0][c]);
            out[2][c] = (float) e[1][c];
            out[3][c] = (float) e[2][c];
        }
        return out;
    }

    /** The evaluation-mode map in float64: {center, scale, shift}, each (C). */
    static double[][] evalAffineF64(Params p) {
        double[] gamma = p.weight().toDoubleArray(); // (C)
        double[] rMean = p.runningMean().toDoubleArray(); // (C)
        double[] rVar = p.runningVar().toDoubleArray(); // (C)
        double[] scale = new double[gamma.length]; // (C)
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = 1.0 / Math.sqrt(rVar[c] + p.eps()) * gamma[c];
        }
        return new double[][] {rMean, scale, p.bias().toDoubleArray()};
    }

    // ----------------------------------------------------------------------------------------------
    // Per-channel loops over the N runs of S contiguous values of channel c in a dense (N, C, S) array. The
    // float32 ones run BatchNormKernels on each run: float64 sums of the runs' sums, per-element arithmetic in
    // float32 with fma, on x - mean computed as (x - hi) - lo with mean = hi + lo split into two floats, so
    // centring stays exact to about float64 and precision holds when |mean| >> std.

    /** Mean and biased variance of channel c, two passes (no cancellation from E[x^2] - E[x]^2). */
    private static void statisticsF32(float[] x, int c, int N, int C, int S, double[] mean, double[] var) {
        double sum = 0.0;
        for (int n = 0; n < N; n++) {
            sum += BatchNormKernels.sum(x, (n * C + c) * S, S);
        }
        double m = sum / (N * S);
        float hi = (float) m;
        float lo = (float) (m - hi);
        double sq = 0.0;
        for (int n = 0; n < N; n++) {
            sq += BatchNormKernels.sumSquaredDeviations(x, (n * C + c) * S, S, hi, lo);
        }
        mean[c] = m;
        var[c] = sq / (N * S);
    }

    /** Float64 twin of {@link #statisticsF32}. */
    private static void statisticsF64(double[] x, int c, int N, int C, int S, double[] mean, double[] var) {
        double sum = 0.0;
        for (int n = 0; n < N; n++) {
            for (int i = (n * C + c) * S, end = i + S; i < end; i++) {
                sum += x[i];
            }
        }
        double m = sum / (N * S);
        double sq = 0.0;
        for (int n = 0; n < N; n++) {
            for (int i = (n * C + c) * S, end = i + S; i < end; i++) {
                double d = x[i] - m;
                sq += d * d;
            }
        }
        mean[c] = m;
        var[c] = sq / (N * S);
    }

    /**
     * y = (x - center) * scale + shift over channel c, then + r and relu when asked. The residual is added to
     * the rounded batch-norm value, as the composed chain does.
     *
     * @param x (N, C, S)
     * @param r (N, C, S) or null
     * @param y (N, C, S), written
     */
    private static void affineF32(float[] x, float[] r, float[] y, boolean relu, int c, int N, int C, int S,
                                  double center, float scale, float shift) {
        float hi = (float) center;
        float lo = (float) (center - hi);
        for (int n = 0; n < N; n++) {
            int i = (n * C + c) * S;
            BatchNormKernels.affine(x, i, y, i, r, i, S, hi, lo, scale, shift, relu);
        }
    }

    /** Float64 twin of {@link #affineF32}. */
    private static void affineF64(double[] x, double[] r, double[] y, boolean relu, int c, int N, int C, int S,
                                  double center, double scale, double shift) {
        for (int n = 0; n < N; n++) {
            for (int i = (n * C + c) * S, end = i + S; i < end; i++) {
                double v = (x[i] - center) * scale + shift;
                if (r != null) {
                    v += r[i];
                }
                y[i] = relu && v <= 0.0 ? 0.0 : v;
            }
        }
    }

    /**
     * {sum dz, sum dz * (x - mean)} over channel c, with dz = dy where y > 0 (else 0) when the relu mask y is
     * given, else dz = dy.
     *
     * @param g (N, C, S) dy
     * @param y (N, C, S) the forward output, or null
     * @param x (N, C, S)
     */
    private static double[] gradientSumsF32(float[] g, float[] y, float[] x, int c, int N, int C, int S,
                                            double mean) {
        float hi = (float) mean;
        float lo = (float) (mean - hi);
        double[] sums = new double[2]; // {sum dz, sum dz * (x - mean)}
        for (int n = 0; n < N; n++) {
            BatchNormKernels.gradientSums(g, y, x, (n * C + c) * S, S, hi, lo, sums);
        }
        return sums;
    }

    /** Float64 twin of {@link #gradientSumsF32}. */
    private static double[] gradientSumsF64(double[] g, double[] y, double[] x, int c, int N, int C, int S,
                                            double mean) {
        double sumDz = 0.0;
        double sumDzX = 0.0;
        for (int n = 0; n < N; n++) {
            for (int i = (n * C + c) * S, end = i + S; i < end; i++) {
                double gi = y == null || y[i] > 0.0 ? g[i] : 0.0;
                sumDz += gi;
                sumDzX += gi * (x[i] - mean);
            }
        }
        return new double[] {sumDz, sumDzX};
    }

    /**
     * dx = a * dz + b * (x - center) + d and dr = dz over channel c (dz as in {@link #gradientSumsF32});
     * either output may be null.
     *
     * @param g  (N, C, S) dy
     * @param y  (N, C, S) the forward output (the relu mask), or null
     * @param x  (N, C, S)
     * @param dx (N, C, S) written, or null
     * @param dr (N, C, S) written, or null
     */
    private static void inputGradientF32(float[] g, float[] y, float[] x, float[] dx, float[] dr, int c, int N,
                                         int C, int S, double center, float a, float b, float d) {
        float hi = (float) center;
        float lo = (float) (center - hi);
        for (int n = 0; n < N; n++) {
            BatchNormKernels.inputGradient(g, y, x, dx, dr, (n * C + c) * S, S, hi, lo, a, b, d);
        }
    }

    /** Float64 twin of {@link #inputGradientF32}. */
    private static void inputGradientF64(double[] g, double[] y, double[] x, double[] dx, double[] dr, int c, int N,
                                         int C, int S, double center, double a, double b, double d) {
        for (int n = 0; n < N; n++) {
            for (int i = (n * C + c) * S, end = i + S; i < end; i++) {
                double gi = y == null || y[i] > 0.0 ? g[i] : 0.0;
                if (dx != null) {
                    dx[i] = a * gi + b * (x[i] - center) + d;
                }
                if (dr != null) {
                    dr[i] = gi;
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
    private static void forEachChannel(int numel, int C, IntConsumer body) {
        if (numel < PARALLEL_MIN_ELEMENTS) {
            for (int c = 0; c < C; c++) {
                body.accept(c);
            }
        } else {
            Parallel.parallelFor(C, body);
        }
    }
}
