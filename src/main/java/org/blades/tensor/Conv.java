package org.blades.tensor;

import org.blades.kernels.ConvGeometry;
import org.blades.kernels.Gemm;
import org.blades.kernels.Im2col;
import org.blades.kernels.Parallel;

// N = batch, C = input channels, H/W = input height/width, O = output channels, KH/KW = kernel height/width,
// OH/OW = output height/width, K = C*KH*KW (the GEMM's summed dimension), P = OH*OW (output pixels per image).

/**
 * 2-D convolution (NCHW, weight (O, C, KH, KW), groups 1, dilation 1) as im2col + GEMM, per image:
 * {@code y_n(O, P) = w(O, K) @ cols_n(K, P) + b}. A 1x1, stride-1, unpadded convolution uses the image itself
 * as its column matrix. {@link org.blades.kernels.ConvScalar} is the seven-loop oracle this is tested against.
 *
 * <p>Threads: the forward pass and the input gradient run one task per image (its im2col, GEMM and epilogue),
 * so the per-image GEMMs run on their task's thread; with a single image the loop is inline and the GEMM
 * spreads over the pool instead. The weight gradient sums over images in ascending order, one GEMM per image,
 * each parallel inside. Every output element is computed by one thread in a fixed order, so results are
 * bit-identical for any thread count.
 */
public final class Conv {
    private Conv() {
    }

    /** What the fused inference convolution applies to each output after the bias. */
    public enum Epilogue {
        NONE,
        RELU
    }

    /**
     * y = conv2d(x, w) + bias, as torch.nn.functional.conv2d.
     *
     * @param x    (N, C, H, W); any layout (strided views are copied once)
     * @param w    (O, C, KH, KW)
     * @param bias (O), or null for none
     * @return (N, O, OH, OW) with OH = (H + 2*padH - KH) / strideH + 1, OW likewise
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions opts) {
        ConvGeometry g = geometry("conv2d", x, w, bias, opts);
        int N = x.size(0);
        int O = w.size(0);
        Tensor xd = x.detach().contiguous(); // (N, C, H, W)
        Tensor wd = w.detach().contiguous(); // (O, C, KH, KW)
        Tensor out = Tensor.empty(x.dtype(), N, O, g.outH(), g.outW()); // (N, O, OH, OW)
        if (x.dtype() == DType.F32) {
            forwardF32(xd.f32(), wd.f32(), bias == null ? null : bias.toFloatArray(), out.f32(), N, O, g,
                    Epilogue.NONE);
        } else {
            forwardF64(xd.f64(), wd.f64(), bias == null ? null : bias.toDoubleArray(), out.f64(), N, O, g,
                    Epilogue.NONE);
        }
        return Autograd.record("conv2d", out, new Tensor[] {x, w, bias}, gout -> {
            Tensor gy = gout.contiguous(); // (N, O, OH, OW)
            Tensor dx = x.requiresGrad() ? Tensor.zeros(x.dtype(), x.shapeRef()) : null; // (N, C, H, W)
            Tensor dw = w.requiresGrad() ? Tensor.zeros(w.dtype(), w.shapeRef()) : null; // (O, C, KH, KW)
            Tensor db = bias != null && bias.requiresGrad() ? Tensor.zeros(bias.dtype(), O) : null; // (O)
            if (x.dtype() == DType.F32) {
                backwardF32(xd.f32(), wd.f32(), gy.f32(), dx == null ? null : dx.f32(),
                        dw == null ? null : dw.f32(), db == null ? null : db.f32(), N, O, g);
            } else {
                backwardF64(xd.f64(), wd.f64(), gy.f64(), dx == null ? null : dx.f64(),
                        dw == null ? null : dw.f64(), db == null ? null : db.f64(), N, O, g);
            }
            if (dx != null) {
                Autograd.accumulate(x, dx);
            }
            if (dw != null) {
                Autograd.accumulate(w, dw);
            }
            if (db != null) {
                Autograd.accumulate(bias, db);
            }
        });
    }

    /** Inference-only {@code relu(batch_norm_eval(conv2d(x, w)))}; see {@link #conv2dBatchNorm}. */
    public static Tensor conv2dBatchNormRelu(Tensor x, Tensor w, BatchNorm.Params bn, Conv2dOptions opts) {
        return conv2dBatchNorm(x, w, bn, opts, Epilogue.RELU);
    }

    /**
     * Inference-only {@code epilogue(batch_norm_eval(conv2d(x, w, no bias), bn))}: the batch norm (running
     * statistics) is folded into the convolution, {@code w'[o] = w[o] * s[o]}, {@code b'[o] = beta[o] - mean[o]
     * * s[o]} with {@code s[o] = gamma[o] / sqrt(var[o] + eps)} (folded in float64, then rounded to the dtype),
     * and the epilogue is applied in the same pass over the output that adds b'. Nothing is recorded on the
     * tape, so calling this while grad mode is on with an input that requires a gradient is an error (a
     * gradient would silently be lost): use it inside {@link Autograd#noGrad()} or on detached tensors.
     *
     * @param x (N, C, H, W)
     * @param w (O, C, KH, KW)
     * @param bn per-channel (O) statistics and affine parameters; bn.momentum is not used
     * @return (N, O, OH, OW)
     */
    public static Tensor conv2dBatchNorm(Tensor x, Tensor w, BatchNorm.Params bn, Conv2dOptions opts,
                                         Epilogue epilogue) {
        String op = "conv2d_batch_norm";
        ConvGeometry g = geometry(op, x, w, null, opts);
        if (bn == null || epilogue == null) {
            throw new IllegalArgumentException(op + ": batch-norm parameters and epilogue must not be null");
        }
        int N = x.size(0);
        int O = w.size(0);
        if (bn.channels() != O || bn.weight().dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": batch norm over " + bn.channels() + " channels of "
                    + bn.weight().dtype() + " does not match weight " + w.describe());
        }
        if (Autograd.isGradEnabled() && (x.requiresGrad() || w.requiresGrad() || bn.weight().requiresGrad()
                || bn.bias().requiresGrad())) {
            throw new IllegalStateException(op + ": inference only (no backward); call it inside Autograd.noGrad()"
                    + " or on detached tensors (input " + x.describe() + ", weight " + w.describe() + ")");
        }
        double[] gamma = bn.weight().toDoubleArray(); // (O)
        double[] beta = bn.bias().toDoubleArray(); // (O)
        double[] mean = bn.runningMean().toDoubleArray(); // (O)
        double[] var = bn.runningVar().toDoubleArray(); // (O)
        double[] wv = w.toDoubleArray(); // (O, K)
        int K = g.colRows();
        double[] folded = new double[O * K]; // (O, K)
        double[] shift = new double[O]; // (O)
        for (int o = 0; o < O; o++) {
            double s = gamma[o] / Math.sqrt(var[o] + bn.eps());
            for (int k = 0; k < K; k++) {
                folded[o * K + k] = wv[o * K + k] * s;
            }
            shift[o] = beta[o] - mean[o] * s;
        }
        Tensor xd = x.detach().contiguous(); // (N, C, H, W)
        Tensor out = Tensor.empty(x.dtype(), N, O, g.outH(), g.outW()); // (N, O, OH, OW)
        if (x.dtype() == DType.F32) {
            forwardF32(xd.f32(), toFloats(folded), toFloats(shift), out.f32(), N, O, g, epilogue);
        } else {
            forwardF64(xd.f64(), folded, shift, out.f64(), N, O, g, epilogue);
        }
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length]; // same shape as v
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Validates shapes, dtypes and options; the errors name the op and every shape involved. */
    private static ConvGeometry geometry(String op, Tensor x, Tensor w, Tensor bias, Conv2dOptions opts) {
        if (x == null || w == null || opts == null) {
            throw new IllegalArgumentException(op + ": input, weight and options must not be null");
        }
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D (N, C, H, W), got " + x.describe());
        }
        if (w.dim() != 4) {
            throw new IllegalArgumentException(op + ": weight must be 4-D (O, C, KH, KW), got " + w.describe()
                    + " (input " + x.describe() + ")");
        }
        if (x.dtype() != w.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ: input " + x.describe() + " and weight "
                    + w.describe());
        }
        int[] xs = x.shapeRef(); // (N, C, H, W)
        int[] ws = w.shapeRef(); // (O, C, KH, KW)
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " has " + xs[1]
                    + " channels but weight " + w.describe() + " expects " + ws[1]);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0] || bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": bias must be " + x.dtype() + "(" + ws[0] + ",) for weight "
                    + w.describe() + ", got " + bias.describe());
        }
        if (xs[1] < 1 || xs[2] < 1 || xs[3] < 1 || ws[0] < 1 || ws[2] < 1 || ws[3] < 1) {
            throw new IllegalArgumentException(op + ": empty channel, spatial or kernel dimension: input "
                    + x.describe() + ", weight " + w.describe());
        }
        int ph = xs[2] + 2 * opts.padH();
        int pw = xs[3] + 2 * opts.padW();
        if (ws[2] > ph || ws[3] > pw) {
            throw new IllegalArgumentException(op + ": kernel (" + ws[2] + ", " + ws[3]
                    + ") does not fit the padded input (" + ph + ", " + pw + "): input " + x.describe() + ", weight "
                    + w.describe() + ", padding (" + opts.padH() + ", " + opts.padW() + ")");
        }
        return new ConvGeometry(xs[1], xs[2], xs[3], ws[2], ws[3], opts.strideH(), opts.strideW(), opts.padH(),
                opts.padW());
    }

    // ----------------------------------------------------------------------------------------------
    // Array-level forward and backward (float32 and float64 twins)

    /**
     * @param x    (N, C, H, W)
     * @param w    (O, K)
     * @param bias (O) or null
     * @param y    (N, O, P), overwritten
     */
    private static void forwardF32(float[] x, float[] w, float[] bias, float[] y, int N, int O, ConvGeometry g,
                                   Epilogue epilogue) {
        int K = g.colRows();
        int P = g.colCols();
        Parallel.parallelFor(N, n -> {
            float[] cols = x; // (K, P) at colsOff
            int colsOff = n * g.imageSize();
            if (!g.isPointwise()) {
                cols = new float[K * P];
                colsOff = 0;
                Im2col.im2col(x, n * g.imageSize(), g, cols, 0);
            }
            // y_n = w @ cols_n
            Gemm.sgemm(false, false, O, P, K, 1f, w, 0, K, cols, colsOff, P, 0f, y, n * O * P, P);
            if (bias == null && epilogue == Epilogue.NONE) {
                return;
            }
            for (int o = 0; o < O; o++) {
                float b = bias == null ? 0f : bias[o];
                int row = (n * O + o) * P;
                if (epilogue == Epilogue.RELU) {
                    for (int p = row; p < row + P; p++) {
                        float v = y[p] + b;
                        y[p] = v > 0f ? v : 0f;
                    }
                } else {
                    for (int p = row; p < row + P; p++) {
                        y[p] += b;
                    }
                }
            }
        });
    }

    /** Float64 twin of {@link #forwardF32}. */
    private static void forwardF64(double[] x, double[] w, double[] bias, double[] y, int N, int O, ConvGeometry g,
                                   Epilogue epilogue) {
        int K = g.colRows();
        int P = g.colCols();
        Parallel.parallelFor(N, n -> {
            double[] cols = x; // (K, P) at colsOff
            int colsOff = n * g.imageSize();
            if (!g.isPointwise()) {
                cols = new double[K * P];
                colsOff = 0;
                Im2col.im2col(x, n * g.imageSize(), g, cols, 0);
            }
            // y_n = w @ cols_n
            Gemm.dgemm(false, false, O, P, K, 1.0, w, 0, K, cols, colsOff, P, 0.0, y, n * O * P, P);
            if (bias == null && epilogue == Epilogue.NONE) {
                return;
            }
            for (int o = 0; o < O; o++) {
                double b = bias == null ? 0.0 : bias[o];
                int row = (n * O + o) * P;
                if (epilogue == Epilogue.RELU) {
                    for (int p = row; p < row + P; p++) {
                        double v = y[p] + b;
                        y[p] = v > 0.0 ? v : 0.0;
                    }
                } else {
                    for (int p = row; p < row + P; p++) {
                        y[p] += b;
                    }
                }
            }
        });
    }

    /**
     * Accumulates the gradients of the forward pass.
     *
     * @param x  (N, C, H, W)
     * @param w  (O, K)
     * @param gy (N, O, P)
     * @param dx (N, C, H, W) or null
     * @param dw (O, K) or null
     * @param db (O) or null
     */
    private static void backwardF32(float[] x, float[] w, float[] gy, float[] dx, float[] dw, float[] db,
                                    int N, int O, ConvGeometry g) {
        int K = g.colRows();
        int P = g.colCols();
        if (db != null) {
            // forward: y_n[o, p] += b[o]  =>  db[o] += sum_{n, p} dy_n[o, p]   (summed in float64)
            for (int o = 0; o < O; o++) {
                double acc = 0.0;
                for (int n = 0; n < N; n++) {
                    for (int p = (n * O + o) * P, end = p + P; p < end; p++) {
                        acc += gy[p];
                    }
                }
                db[o] += (float) acc;
            }
        }
        if (dw != null) {
            float[] cols = g.isPointwise() ? x : new float[K * P]; // (K, P), reused image after image
            for (int n = 0; n < N; n++) {
                int colsOff = n * g.imageSize();
                if (!g.isPointwise()) {
                    colsOff = 0;
                    Im2col.im2col(x, n * g.imageSize(), g, cols, 0);
                }
                // forward: y_n = w @ cols_n  =>  dw += dy_n @ cols_n^T
                Gemm.sgemm(false, true, O, K, P, 1f, gy, n * O * P, P, cols, colsOff, P, 1f, dw, 0, K);
            }
        }
        if (dx != null) {
            Parallel.parallelFor(N, n -> {
                if (g.isPointwise()) {
                    // forward: y_n = w @ x_n  =>  dx_n += w^T @ dy_n
                    Gemm.sgemm(true, false, K, P, O, 1f, w, 0, K, gy, n * O * P, P, 1f, dx, n * g.imageSize(), P);
                    return;
                }
                float[] dcols = new float[K * P]; // (K, P)
                // forward: y_n = w @ cols_n  =>  dcols_n = w^T @ dy_n
                Gemm.sgemm(true, false, K, P, O, 1f, w, 0, K, gy, n * O * P, P, 0f, dcols, 0, P);
                // forward: cols_n = im2col(x_n)  =>  dx_n += col2im(dcols_n)
                Im2col.col2im(dcols, 0, g, dx, n * g.imageSize());
            });
        }
    }

    /** Float64 twin of {@link #backwardF32}. */
    private static void backwardF64(double[] x, double[] w, double[] gy, double[] dx, double[] dw, double[] db,
                                    int N, int O, ConvGeometry g) {
        int K = g.colRows();
        int P = g.colCols();
        if (db != null) {
            // forward: y_n[o, p] += b[o]  =>  db[o] += sum_{n, p} dy_n[o, p]
            for (int o = 0; o < O; o++) {
                double acc = 0.0;
                for (int n = 0; n < N; n++) {
                    for (int p = (n * O + o) * P, end = p + P; p < end; p++) {
                        acc += gy[p];
                    }
                }
                db[o] += acc;
            }
        }
        if (dw != null) {
            double[] cols = g.isPointwise() ? x : new double[K * P]; // (K, P), reused image after image
            for (int n = 0; n < N; n++) {
                int colsOff = n * g.imageSize();
                if (!g.isPointwise()) {
                    colsOff = 0;
                    Im2col.im2col(x, n * g.imageSize(), g, cols, 0);
                }
                // forward: y_n = w @ cols_n  =>  dw += dy_n @ cols_n^T
                Gemm.dgemm(false, true, O, K, P, 1.0, gy, n * O * P, P, cols, colsOff, P, 1.0, dw, 0, K);
            }
        }
        if (dx != null) {
            Parallel.parallelFor(N, n -> {
                if (g.isPointwise()) {
                    // forward: y_n = w @ x_n  =>  dx_n += w^T @ dy_n
                    Gemm.dgemm(true, false, K, P, O, 1.0, w, 0, K, gy, n * O * P, P, 1.0, dx, n * g.imageSize(), P);
                    return;
                }
                double[] dcols = new double[K * P]; // (K, P)
                // forward: y_n = w @ cols_n  =>  dcols_n = w^T @ dy_n
                Gemm.dgemm(true, false, K, P, O, 1.0, w, 0, K, gy, n * O * P, P, 0.0, dcols, 0, P);
                // forward: cols_n = im2col(x_n)  =>  dx_n += col2im(dcols_n)
                Im2col.col2im(dcols, 0, g, dx, n * g.imageSize());
            });
        }
    }
}
