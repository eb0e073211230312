package org.blades.tensor;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.blades.kernels.ArrayKernels;
import org.blades.kernels.BatchNormKernels;
import org.blades.kernels.ConvGeometry;
import org.blades.kernels.Gemm;
import org.blades.kernels.Im2col;
import org.blades.kernels.PackedMatrix;
import org.blades.kernels.Parallel;
import org.blades.kernels.Winograd;

// N = batch, C = input channels, H/W = input height/width, O = output channels, KH/KW = kernel height/width,
// OH/OW = output height/width, K = C*KH*KW (the GEMM's summed dimension), P = OH*OW (output pixels per image),
// G = images per GEMM (a group), GP = G*P (the group's pixels side by side).

/**
 * 2-D convolution (NCHW, weight (O, C, KH, KW), groups 1, dilation 1) as im2col + GEMM:
 * {@code y_n(O, P) = w(O, K) @ cols_n(K, P) + b}. {@link org.blades.kernels.ConvScalar} is the seven-loop
 * oracle this is tested against.
 *
 * <p>GEMM shapes. Images with many output pixels (P > {@link #GROUP_COLUMNS} / 2) get one GEMM each; a 1x1,
 * stride-1, unpadded convolution then reads the image itself as its column matrix (no copy). Images with few
 * pixels (ResNet's last two stages: P = 196 and 49) are grouped, G at a time, into one GEMM over GP columns:
 * {@code y_group(O, GP) = w @ [cols_n ... cols_n+G-1]}, so the GEMM is wide enough to run at speed; the
 * gather and scatter copies this costs are small next to the weights at those layers. Whenever a call runs
 * several GEMMs, w (forward) or w^T (input gradient) is packed once for all of them
 * ({@link org.blades.kernels.PackedMatrix}) instead of once per GEMM. The backward pass uses the same groups: {@code dw += dy_group(O,
 * GP) @ cols_group^T} and {@code dcols_group = w^T @ dy_group}, then col2im per image. Column matrices are
 * recomputed in the backward pass, never kept on the tape: the tape holds only the input and the weight.
 *
 * <p>Winograd. Float32 3x3 convolutions with stride 1 and padding 1 (ResNet's bottleneck middles) run the forward
 * pass and the input gradient as Winograd F(2x2, 3x3) ({@link org.blades.kernels.Winograd}: 16 GEMMs summing C
 * instead of 9C products) when a GEMM gets enough tiles to pay for the per-call weight transform
 * ({@link #useWinograd}); the input gradient is the same convolution of dy with the kernel transposed and turned
 * by 180 degrees. Their weight gradient runs as the adjoint of the Winograd forward pass (16 GEMMs
 * {@code dU_e += dM_e @ V_e^T}, then {@code dw += G^T dU G}) when there are enough input channels to pay for the
 * transforms ({@link #useWinogradWeightGradient}), else im2col + GEMM. Float64 (the gradient checks) never uses
 * Winograd.
 *
 * <p>Threads: an ungrouped forward pass or input gradient runs one task per image (its im2col, GEMM and
 * epilogue, the GEMM on the task's thread); a single image, a group GEMM and every weight-gradient GEMM spread
 * over the pool inside the GEMM, with the copies around them split by channel ranges. Every output element is
 * computed by one thread in an order fixed by the shapes alone (G depends on N, K, O and P, never on the thread
 * count), so results are bit-identical for any thread count.
 *
 * <p>Scratch: column matrices, group buffers, the packed weights and a transposed weight gradient live in
 * per-thread arrays grown on demand and reused across calls (at most {@link #SCRATCH_FLOATS} floats per
 * buffer for grouped layers, one image's column matrix otherwise): ResNet-50 allocates them once instead of
 * once per layer and image.
 */
public final class Conv {
    private Conv() {
    }

    /** What the fused inference convolution applies to each output after the batch norm (and residual). */
    public enum Epilogue {
        NONE,
        RELU
    }

    /** Target GP of a grouped GEMM; images with P > GROUP_COLUMNS / 2 are not grouped. */
    static final int GROUP_COLUMNS = 1024;
    /** Largest group buffer, floats (16 MiB): bounds G for layers with many channels. */
    private static final int SCRATCH_FLOATS = 1 << 22;
    /** Elements a parallel copy or epilogue task should have at least; waking a worker costs a few microseconds. */
    private static final int TASK_ELEMENTS = 1 << 15;

    /** Scratch slots, one array each per thread. */
    private static final int COLS = 0;
    private static final int ROWS = 1;
    private static final int PACKED = 2;
    private static final int WEIGHT_GRADIENT = 3;
    private static final int WINOGRAD_U = 4;
    private static final int WINOGRAD_V = 5;
    private static final int WINOGRAD_M = 6;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[7][0]);
    /** Per-thread workspaces of the 16 packed U_e, when a Winograd call runs several GEMM groups. */
    private static final ThreadLocal<float[][]> PACKED_U = ThreadLocal.withInitial(() -> new float[16][0]);

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
            forwardF32(xd.f32(), wd.f32(), null, bias == null ? null : Affine32.bias(bias.toFloatArray()),
                    out.f32(), N, O, g);
        } else {
            forwardF64(xd.f64(), wd.f64(), bias == null ? null : Affine64.bias(bias.toDoubleArray()), out.f64(), N,
                    O, g);
        }
        return Autograd.record("conv2d", out, new Tensor[] {x, w, bias}, gout -> {
            Tensor gy = gout.contiguous(); // (N, O, OH, OW)
            // a float32 pointwise or Winograd input gradient overwrites every element; col2im and float64 add
            // into zeros
            boolean overwrites = x.dtype() == DType.F32 && (g.isPointwise() || useWinograd(g, N, O, g.channels()));
            Tensor dx = x.requiresGrad() ? Autograd.gradientBuffer(x.dtype(), x.shapeRef(), !overwrites) : null; // (N, C, H, W)
            // Float32 weight gradients are added straight into an existing gradient (the GEMMs accumulate):
            // no weight-sized buffer and no extra pass per layer and step. Float64 keeps the separate sum, so a
            // repeated float64 backward adds exactly the same contribution again.
            Tensor dwInto = w.requiresGrad() && x.dtype() == DType.F32 ? Autograd.existingGradient(w) : null;
            Tensor dw = !w.requiresGrad() ? null
                    : dwInto != null ? dwInto : Tensor.zeros(w.dtype(), w.shapeRef()); // (O, C, KH, KW)
            Tensor db = bias != null && bias.requiresGrad() ? Tensor.zeros(bias.dtype(), O) : null; // (O)
            if (x.dtype() == DType.F32) {
                backwardF32(xd.f32(), wd.f32(), gy.f32(), dx == null ? null : dx.f32(),
                        dw == null ? null : dw.f32(), db == null ? null : db.f32(), N, O, g);
            } else {
                backwardF64(xd.f64(), wd.f64(), gy.f64(), dx == null ? null : dx.f64(),
                        dw == null ? null : dw.f64(), db == null ? null : db.f64(), N, O, g);
            }
            if (dx != null) {
                Autograd.accumulateOwned(x, dx);
            }
            if (dw != null && dwInto == null) {
                Autograd.accumulateOwned(w, dw);
            }
            if (db != null) {
                Autograd.accumulateOwned(bias, db);
            }
        });
    }

    /** Inference-only {@code relu(batch_norm_eval(conv2d(x, w)))}; see {@link #conv2dBatchNorm}. */
    public static Tensor conv2dBatchNormRelu(Tensor x, Tensor w, BatchNorm.Params bn, Conv2dOptions opts) {
        return conv2dBatchNorm(x, w, bn, opts, Epilogue.RELU, null);
    }

    /** {@link #conv2dBatchNorm(Tensor, Tensor, BatchNorm.Params, Conv2dOptions, Epilogue, Tensor)} without residual. */
    public static Tensor conv2dBatchNorm(Tensor x, Tensor w, BatchNorm.Params bn, Conv2dOptions opts,
                                         Epilogue epilogue) {
        return conv2dBatchNorm(x, w, bn, opts, epilogue, null);
    }

    /**
     * Inference-only {@code epilogue(batch_norm_eval(conv2d(x, w, no bias), bn) + residual)}: the batch norm
     * (running statistics) is applied per output channel in the same pass over the GEMM output as the residual
     * and the epilogue, with exactly {@link BatchNorm}'s evaluation arithmetic, so the result equals the
     * composed chain {@code conv2d}, {@link BatchNorm#forward} (EVAL) or {@link BatchNorm#forwardRelu} bit for
     * bit, in a single pass over the output and with no intermediate tensors. Nothing is recorded on the tape,
     * so calling this while grad mode is on with an input that requires a gradient is an error (a gradient would
     * silently be lost): use it inside {@link Autograd#noGrad()} or on detached tensors.
     *
     * @param x        (N, C, H, W)
     * @param w        (O, C, KH, KW)
     * @param bn       per-channel (O) statistics and affine parameters; bn.momentum is not used
     * @param residual (N, O, OH, OW) added before the epilogue, or null
     * @return (N, O, OH, OW)
     */
    public static Tensor conv2dBatchNorm(Tensor x, Tensor w, BatchNorm.Params bn, Conv2dOptions opts,
                                         Epilogue epilogue, Tensor residual) {
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
        int[] outShape = {N, O, g.outH(), g.outW()}; // (N, O, OH, OW)
        if (residual != null && (!Arrays.equals(residual.shapeRef(), outShape)
                || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": residual " + residual.describe() + " does not match the output "
                    + x.dtype() + Shape.format(outShape) + " of input " + x.describe() + " and weight "
                    + w.describe());
        }
        if (Autograd.isGradEnabled() && (x.requiresGrad() || w.requiresGrad() || bn.weight().requiresGrad()
                || bn.bias().requiresGrad() || (residual != null && residual.requiresGrad()))) {
            throw new IllegalStateException(op + ": inference only (no backward); call it inside Autograd.noGrad()"
                    + " or on detached tensors (input " + x.describe() + ", weight " + w.describe() + ")");
        }
        boolean relu = epilogue == Epilogue.RELU;
        Tensor xd = x.detach().contiguous(); // (N, C, H, W)
        Tensor wd = w.detach().contiguous(); // (O, C, KH, KW)
        Tensor rd = residual == null ? null : residual.detach().contiguous(); // (N, O, OH, OW)
        Tensor out = Tensor.empty(x.dtype(), outShape); // (N, O, OH, OW)
        if (x.dtype() == DType.F32) {
            float[][] e = BatchNorm.evalAffineF32(bn); // {center hi, center lo, scale, shift}, each (O)
            forwardF32(xd.f32(), wd.f32(), null,
                    new Affine32(e[0], e[1], e[2], e[3], rd == null ? null : rd.f32(), relu), out.f32(), N, O, g);
        } else {
            double[][] e = BatchNorm.evalAffineF64(bn); // {center, scale, shift}, each (O)
            forwardF64(xd.f64(), wd.f64(), new Affine64(e[0], e[1], e[2], rd == null ? null : rd.f64(), relu),
                    out.f64(), N, O, g);
        }
        return out;
    }

    /**
     * A convolution and the evaluation-mode batch norm after it, prepared once for many inference calls of a
     * frozen encoder: the weights packed for the GEMM and, for a float32 3x3 kernel with stride 1 and padding 1,
     * also Winograd-transformed and packed, and the batch norm reduced to its per-channel map. Each call then
     * skips the weight transform and packing that {@link #conv2dBatchNorm(Tensor, Tensor, BatchNorm.Params,
     * Conv2dOptions, Epilogue, Tensor)} repeats every time (at batch 1, ResNet-50's 94 MB of weights), and gives
     * the same bits.
     *
     * <p>A snapshot: later changes to the tensors it was made from are not seen. Immutable, so safe to share
     * between threads. Memory: about 1.06 times the weights (the panel padding), 2.9 times for a Winograd
     * kernel (its 16/9 larger transform as well), and once more the weights for a kernel whose products turn out
     * narrow and deep enough to run transposed ({@link PackedMatrix#forRepeatedUse}: at ResNet-50's batch 1, the
     * 7x7 stage's 3x3 and 2,048-to-512 kernels and the stride-2 kernels into it, 45 MB), made on first use.
     */
    public static final class Prepared {
        private final DType dtype;
        private final int[] weightShape; // (O, C, KH, KW)
        private final String weightDescription;
        private final Conv2dOptions options;
        /** op(w) = w (O, K) packed; float32 only. */
        private final PackedMatrix packed;
        /** The 16 U_e (O, C) packed; float32 3x3 stride 1 padding 1 only, else null. */
        private final PackedMatrix[] winograd;
        /** {center hi, center lo, scale, shift}, each (O); float32 only. */
        private final float[][] affine32;
        /** w (O, K); float64 only. */
        private final double[] weight64;
        /** {center, scale, shift}, each (O); float64 only. */
        private final double[][] affine64;

        private Prepared(Tensor w, BatchNorm.Params bn, Conv2dOptions opts) {
            dtype = w.dtype();
            weightShape = w.shape();
            weightDescription = "prepared " + w.describe();
            options = opts;
            Tensor wd = w.detach().contiguous(); // (O, C, KH, KW)
            int O = weightShape[0];
            int C = weightShape[1];
            int K = C * weightShape[2] * weightShape[3];
            if (dtype == DType.F32) {
                float[] wf = wd.f32(); // (O, K)
                packed = Gemm.packA(false, O, K, 1f, wf, 0, K).forRepeatedUse();
                winograd = winogradWeights(wf, O, C);
                affine32 = BatchNorm.evalAffineF32(bn);
                weight64 = null;
                affine64 = null;
            } else {
                packed = null;
                winograd = null;
                affine32 = null;
                weight64 = wd.f64().clone();
                affine64 = BatchNorm.evalAffineF64(bn);
            }
        }

        /** The 16 U_e packed, when {@link Winograd#applies} to this kernel and options (at any input size). */
        private PackedMatrix[] winogradWeights(float[] w, int O, int C) {
            int kh = weightShape[2];
            int kw = weightShape[3];
            // whether Winograd applies depends on the kernel and the options only: any input it fits will do
            if (!Winograd.applies(new ConvGeometry(C, kh, kw, kh, kw, options.strideH(), options.strideW(),
                    options.padH(), options.padW()))) {
                return null;
            }
            int us = Winograd.blockStride(O * C);
            float[] u = new float[16 * us]; // (16, us): U_e (O, C) at e*us
            Winograd.weights(w, O, C, u, us, 0, O);
            PackedMatrix[] pu = new PackedMatrix[16];
            for (int e = 0; e < 16; e++) {
                pu[e] = Gemm.packA(false, O, C, 1f, u, e * us, C).forRepeatedUse();
            }
            return pu;
        }

        /** Output channels O. */
        public int outChannels() {
            return weightShape[0];
        }

        /**
         * The output shape for input x, which is checked as {@link #conv2dBatchNorm(Tensor, Prepared, Epilogue,
         * Tensor, Tensor)} checks it.
         *
         * @param x (N, C, H, W)
         * @return (N, O, OH, OW)
         */
        public int[] outputShape(Tensor x) {
            if (x == null) {
                throw new IllegalArgumentException("conv2d_batch_norm: input must not be null");
            }
            return outputShape(geometry("conv2d_batch_norm", x, weightShape, dtype, weightDescription, null, options),
                    x.size(0));
        }

        private int[] outputShape(ConvGeometry g, int N) {
            return new int[] {N, outChannels(), g.outH(), g.outW()};
        }

        /** The weight's shape (O, C, KH, KW). */
        public int[] weightShape() {
            return weightShape.clone();
        }

        public Conv2dOptions options() {
            return options;
        }

        public DType dtype() {
            return dtype;
        }
    }

    /**
     * Prepares {@code w} and {@code bn} for {@link #conv2dBatchNorm(Tensor, Prepared, Epilogue, Tensor, Tensor)}.
     *
     * @param w (O, C, KH, KW)
     * @param bn per-channel (O) statistics and affine parameters of the same dtype; bn.momentum is not used
     */
    public static Prepared prepare(Tensor w, BatchNorm.Params bn, Conv2dOptions opts) {
        String op = "conv2d_batch_norm prepare";
        if (w == null || bn == null || opts == null) {
            throw new IllegalArgumentException(op + ": weight, batch-norm parameters and options must not be null");
        }
        if (w.dim() != 4 || w.size(0) < 1 || w.size(1) < 1 || w.size(2) < 1 || w.size(3) < 1) {
            throw new IllegalArgumentException(op + ": weight must be 4-D (O, C, KH, KW) and non-empty, got "
                    + w.describe());
        }
        if (bn.channels() != w.size(0) || bn.weight().dtype() != w.dtype()) {
            throw new IllegalArgumentException(op + ": batch norm over " + bn.channels() + " channels of "
                    + bn.weight().dtype() + " does not match weight " + w.describe());
        }
        return new Prepared(w, bn, opts);
    }

    /**
     * {@link #conv2dBatchNorm(Tensor, Tensor, BatchNorm.Params, Conv2dOptions, Epilogue, Tensor)} with prepared
     * weights, optionally into a given output: the same bits. An inference loop that hands back the same output
     * buffers on every call (see {@code models.vision.ResNetInference}) neither allocates nor zeroes its
     * activations, which at batch 1 cost ResNet-50 about a tenth of its time.
     *
     * @param x        (N, C, H, W)
     * @param residual (N, O, OH, OW) added before the epilogue, or null
     * @param out      (N, O, OH, OW), dense, of x's dtype, sharing no array with x or the residual, overwritten;
     *                 or null for a new tensor
     * @return out, or the new (N, O, OH, OW)
     */
    public static Tensor conv2dBatchNorm(Tensor x, Prepared w, Epilogue epilogue, Tensor residual, Tensor out) {
        String op = "conv2d_batch_norm";
        if (x == null || w == null || epilogue == null) {
            throw new IllegalArgumentException(op + ": input, prepared weights and epilogue must not be null");
        }
        ConvGeometry g = geometry(op, x, w.weightShape, w.dtype, w.weightDescription, null, w.options);
        int N = x.size(0);
        int O = w.outChannels();
        int[] outShape = w.outputShape(g, N); // (N, O, OH, OW)
        if (residual != null && (!Arrays.equals(residual.shapeRef(), outShape)
                || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": residual " + residual.describe() + " does not match the output "
                    + x.dtype() + Shape.format(outShape) + " of input " + x.describe() + " and weight "
                    + w.weightDescription);
        }
        if (Autograd.isGradEnabled() && (x.requiresGrad() || (residual != null && residual.requiresGrad())
                || (out != null && out.requiresGrad()))) {
            throw new IllegalStateException(op + ": inference only (no backward); call it inside Autograd.noGrad()"
                    + " or on detached tensors (input " + x.describe() + ", weight " + w.weightDescription
                    + (out != null ? ", output " + out.describe() : "") + ")");
        }
        Tensor xd = x.detach().contiguous(); // (N, C, H, W)
        Tensor rd = residual == null ? null : residual.detach().contiguous(); // (N, O, OH, OW)
        if (out == null) {
            out = Tensor.empty(x.dtype(), outShape);
        } else if (out.dtype() != x.dtype() || !Arrays.equals(out.shapeRef(), outShape) || !out.isDense()) {
            throw new IllegalArgumentException(op + ": output " + out.describe() + " must be a dense " + x.dtype()
                    + Shape.format(outShape) + " for input " + x.describe() + " and weight " + w.weightDescription);
        } else if (out.sharesStorage(x) || out.sharesStorage(xd) || (residual != null
                && (out.sharesStorage(residual) || out.sharesStorage(rd)))) {
            // the GEMM writes y before the epilogue reads the residual, and im2col reads x throughout; a strided
            // view's dense copy would survive, but the caller's tensor would be overwritten
            boolean input = out.sharesStorage(x) || out.sharesStorage(xd);
            throw new IllegalArgumentException(op + ": output " + out.describe() + " shares its storage with the "
                    + (input ? "input " + x.describe() : "residual " + residual.describe()));
        }
        boolean relu = epilogue == Epilogue.RELU;
        if (x.dtype() == DType.F32) {
            float[][] e = w.affine32; // {center hi, center lo, scale, shift}, each (O)
            forwardF32(xd.f32(), null, w, new Affine32(e[0], e[1], e[2], e[3], rd == null ? null : rd.f32(), relu),
                    out.f32(), N, O, g);
        } else {
            double[][] e = w.affine64; // {center, scale, shift}, each (O)
            forwardF64(xd.f64(), w.weight64, new Affine64(e[0], e[1], e[2], rd == null ? null : rd.f64(), relu),
                    out.f64(), N, O, g);
        }
        return out;
    }

    /** Validates shapes, dtypes and options; the errors name the op and every shape involved. */
    private static ConvGeometry geometry(String op, Tensor x, Tensor w, Tensor bias, Conv2dOptions opts) {
        if (x == null || w == null || opts == null) {
            throw new IllegalArgumentException(op + ": input, weight and options must not be null");
        }
        return geometry(op, x, w.shapeRef(), w.dtype(), w.describe(), bias, opts);
    }

    /**
     * {@link #geometry(String, Tensor, Tensor, Tensor, Conv2dOptions)} for a weight known by its shape, dtype and
     * description (a prepared one).
     *
     * @param ws (O, C, KH, KW) when valid
     */
    private static ConvGeometry geometry(String op, Tensor x, int[] ws, DType wdtype, String wdesc, Tensor bias,
                                         Conv2dOptions opts) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D (N, C, H, W), got " + x.describe());
        }
        if (ws.length != 4) {
            throw new IllegalArgumentException(op + ": weight must be 4-D (O, C, KH, KW), got " + wdesc
                    + " (input " + x.describe() + ")");
        }
        if (x.dtype() != wdtype) {
            throw new IllegalArgumentException(op + ": dtypes differ: input " + x.describe() + " and weight "
                    + wdesc);
        }
        int[] xs = x.shapeRef(); // (N, C, H, W)
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " has " + xs[1]
                    + " channels but weight " + wdesc + " expects " + ws[1]);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0] || bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": bias must be " + x.dtype() + "(" + ws[0] + ",) for weight "
                    + wdesc + ", got " + bias.describe());
        }
        if (xs[1] < 1 || xs[2] < 1 || xs[3] < 1 || ws[0] < 1 || ws[2] < 1 || ws[3] < 1) {
            throw new IllegalArgumentException(op + ": empty channel, spatial or kernel dimension: input "
                    + x.describe() + ", weight " + wdesc);
        }
        int ph = xs[2] + 2 * opts.padH();
        int pw = xs[3] + 2 * opts.padW();
        if (ws[2] > ph || ws[3] > pw) {
            throw new IllegalArgumentException(op + ": kernel (" + ws[2] + ", " + ws[3]
                    + ") does not fit the padded input (" + ph + ", " + pw + "): input " + x.describe() + ", weight "
                    + wdesc + ", padding (" + opts.padH() + ", " + opts.padW() + ")");
        }
        return new ConvGeometry(xs[1], xs[2], xs[3], ws[2], ws[3], opts.strideH(), opts.strideW(), opts.padH(),
                opts.padW());
    }

    // ----------------------------------------------------------------------------------------------
    // The per-output-channel map applied to the GEMM result: y = epilogue((acc - center) * scale + shift + r)

    /**
     * Float32: {@code v = fma((acc - centerHi[o]) - centerLo[o], scale[o], shift[o])}, then {@code + r} and
     * relu as asked: BatchNorm's float32 arithmetic. A bias is center 0, scale 1: {@code acc + b} exactly.
     *
     * @param centerHi (O)
     * @param centerLo (O)
     * @param scale    (O)
     * @param shift    (O)
     * @param residual (N, O, P) or null
     */
    private record Affine32(float[] centerHi, float[] centerLo, float[] scale, float[] shift, float[] residual,
                            boolean relu) {
        static Affine32 bias(float[] b) {
            float[] ones = new float[b.length]; // (O)
            Arrays.fill(ones, 1f);
            return new Affine32(new float[b.length], new float[b.length], ones, b, null, false);
        }
    }

    /** Float64 twin of {@link Affine32}: {@code v = (acc - center[o]) * scale[o] + shift[o]}. */
    private record Affine64(double[] center, double[] scale, double[] shift, double[] residual, boolean relu) {
        static Affine64 bias(double[] b) {
            double[] ones = new double[b.length]; // (O)
            Arrays.fill(ones, 1.0);
            return new Affine64(new double[b.length], ones, b, null, false);
        }
    }

    /**
     * dst[d + i] = map_o(src[s + i]) for i in [0, len); the residual is read at rOff + i.
     *
     * @param src GEMM output row of channel o
     * @param dst output row of channel o (may be src itself, s == d)
     */
    private static void affineRow(float[] src, int s, float[] dst, int d, int len, Affine32 a, int o, int rOff) {
        BatchNormKernels.affine(src, s, dst, d, a.residual, rOff, len, a.centerHi[o], a.centerLo[o], a.scale[o],
                a.shift[o], a.relu);
    }

    // ----------------------------------------------------------------------------------------------
    // Float32: grouping, scratch, parallel copies

    /**
     * Images per GEMM: as many as fit GROUP_COLUMNS pixels (and SCRATCH_FLOATS per group buffer), then evened
     * out over the groups. Depends on the shapes only.
     */
    static int imagesPerGemm(int N, int K, int O, int P) {
        int g = Math.min(N, Math.max(1, GROUP_COLUMNS / P));
        g = Math.min(g, Math.max(1, SCRATCH_FLOATS / (Math.max(K, O) * P)));
        int groups = (N + g - 1) / g;
        return (N + groups - 1) / groups;
    }

    /** This thread's scratch array of the slot, at least {@code size} floats (contents undefined). */
    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) {
            s[slot] = new float[size];
        }
        return s[slot];
    }

    /**
     * op(w) packed in this thread's scratch for {@code uses} GEMMs, or, for a single one, left to that GEMM to
     * pack a task's rows at a time into cache-sized buffers (a whole packed copy would go through memory).
     *
     * @param w (O, K)
     * @return op(w), (rows, depth)
     */
    private static Weights packOnce(boolean transpose, int rows, int depth, float[] w, int uses) {
        PackedMatrix packed = uses < 2 ? null : Gemm.packA(transpose, rows, depth, 1f, w, 0, transpose ? rows : depth,
                scratch(PACKED, Gemm.packedSize(rows, depth)));
        return new Weights(w, transpose, rows, depth, packed);
    }

    /**
     * op(w) as the left operand of a call's GEMMs, packed or as stored.
     *
     * @param w (O, K); op(w) is (rows, depth)
     */
    private record Weights(float[] w, boolean transpose, int rows, int depth, PackedMatrix packed) {
        /** c(rows, n) = op(w) @ b(depth, n) + beta * c. */
        void times(int n, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
            if (packed != null) {
                Gemm.sgemm(packed, false, n, b, offB, ldb, beta, c, offC, ldc);
            } else {
                Gemm.sgemm(transpose, false, rows, n, depth, 1f, w, 0, transpose ? rows : depth, b, offB, ldb, beta,
                        c, offC, ldc);
            }
        }
    }

    /** Channels per copy task so a task moves about TASK_ELEMENTS values; perChannel = values per channel. */
    private static int channelChunk(int perChannel) {
        return Math.max(1, TASK_ELEMENTS / Math.max(perChannel, 1));
    }

    /**
     * The column matrices of images n0 .. n0+gn-1 side by side: cols(K, gn*P), image j in columns [j*P, (j+1)*P).
     * One task per (image, channel range).
     *
     * @param x    (N, C, H, W)
     * @param cols (K, ld), overwritten in columns [0, gn*P)
     */
    private static void im2colGroup(float[] x, int n0, int gn, ConvGeometry g, float[] cols, int ld,
                                    boolean parallel) {
        int C = g.channels();
        int KK = g.kernelH() * g.kernelW();
        int P = g.colCols();
        int HW = g.height() * g.width();
        int chunk = channelChunk(KK * P);
        int chunks = (C + chunk - 1) / chunk;
        IntConsumer task = t -> {
            int j = t / chunks;
            int c0 = (t % chunks) * chunk;
            int cc = Math.min(chunk, C - c0);
            int xOff = (n0 + j) * g.imageSize() + c0 * HW;
            int colsOff = c0 * KK * ld + j * P;
            if (g.isPointwise()) {
                for (int c = 0; c < cc; c++) {
                    System.arraycopy(x, xOff + c * HW, cols, colsOff + c * ld, P);
                }
            } else {
                Im2col.im2col(x, xOff, g.withChannels(cc), cols, colsOff, ld);
            }
        };
        run(gn * chunks, parallel, task);
    }

    /**
     * rows(O, gn*P) = dy of images n0 .. n0+gn-1 side by side (the (N, O, P) layout's rows regrouped).
     *
     * @param gy   (N, O, P)
     * @param rows (O, ld), overwritten in columns [0, gn*P)
     */
    private static void gatherRows(float[] gy, int n0, int gn, int O, int P, float[] rows, int ld) {
        int chunk = channelChunk(gn * P);
        Parallel.parallelFor((O + chunk - 1) / chunk, t -> {
            for (int o = t * chunk, end = Math.min(O, o + chunk); o < end; o++) {
                for (int j = 0; j < gn; j++) {
                    System.arraycopy(gy, ((n0 + j) * O + o) * P, rows, o * ld + j * P, P);
                }
            }
        });
    }

    private static void run(int tasks, boolean parallel, IntConsumer body) {
        if (parallel) {
            Parallel.parallelFor(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Float32 Winograd F(2x2, 3x3)

    /**
     * Target tiles per Winograd GEMM (T); images are grouped up to it. Groups of about one 56x56 image keep V
     * and M (16 * channels * T floats each) near the L2 caches; 2048 was 5 to 10 % slower at batch 8.
     */
    private static final int WINOGRAD_TILES = 1024;
    /**
     * Fewest tiles per GEMM for which Winograd pays. Its fixed cost is the weight transform, 16 values per
     * (o, c) written for every call (a 9-value kernel read from a stride of 9 floats, about 7 ns per kernel on
     * one core, 12 ns for the input gradient's rotated transposed layout), while what it saves per (o, c) grows
     * with T: 40 of the 72 multiply-adds per tile. Measured on ResNet-50's shapes (2 threads, AVX-512): 512
     * channels at 7x7 is slower at T = 16 (batch 1: 2.5 vs 1.6 ms forward), even at 32, and its input gradient
     * still slower at 48; 256 channels at 14x14 (T = 49, batch 1) is faster both ways (1.05 vs 1.4 ms forward,
     * 1.3 vs 1.6 ms input gradient), and 512 at 7x7 from T = 64 (batch 4).
     */
    private static final int WINOGRAD_MIN_TILES = 49;

    /**
     * Whether a float32 3x3, stride-1, padding-1 convolution from cin to cout channels over N images runs as
     * Winograd F(2x2, 3x3): from the shapes alone, so results do not depend on the thread count.
     */
    static boolean useWinograd(ConvGeometry g, int N, int cin, int cout) {
        if (!Winograd.applies(g)) {
            return false;
        }
        int TT = Winograd.tilesPerImage(g);
        int G = winogradImagesPerGemm(N, cin, cout, TT);
        return G * TT >= WINOGRAD_MIN_TILES;
    }

    /**
     * Fewest input channels for which the Winograd weight gradient pays. It trades 9C products per (o, pixel) for
     * 4C plus the two transforms, V of x (16 values per input channel and tile) and dM of dy (16 per output
     * channel and tile), so C must amortise dM's cost. Measured (dw alone, 2 threads, AVX-512, ms im2col ->
     * Winograd): ResNet-50's C = O = 64 at 56x56 batch 8 about 13 -> 10, 1 image 2.7 -> 2.3; 128 at 28x28
     * 2.7 -> 1.75 (batch 1); 256 at 14x14 3.8 -> 2.4 (batch 1); 512 at 7x7 8.4 -> 6.3 (batch 1, 16 tiles), and
     * faster at every tile count tried down to 1 (512 channels at 2x2), so there is no tile threshold; C = 64,
     * O = 8 at 32x32 batch 8 2.1 -> 1.45; but C = 32 and 16 with O = 16 to 64 are even or slower (C = 16,
     * O = 64: 1.65 -> 2.1), and C = 3 or 8 twice as slow.
     */
    private static final int WINOGRAD_WEIGHT_GRADIENT_MIN_CHANNELS = 64;

    /**
     * Whether the weight gradient of a float32 convolution from cin input channels runs as Winograd F(2x2, 3x3)
     * ({@link #weightGradientWinograd}): from the shapes alone, so results do not depend on the thread count.
     */
    static boolean useWinogradWeightGradient(ConvGeometry g, int cin) {
        return Winograd.applies(g) && cin >= WINOGRAD_WEIGHT_GRADIENT_MIN_CHANNELS;
    }

    /**
     * Largest V or M buffer of a Winograd call, floats (8 MiB): half of SCRATCH_FLOATS, because V, M, U and the
     * packed U_e all live at once; with the full size, ResNet-50's training step at batch 48 no longer fit the
     * 5,760 MiB heap it ran in before (3 of 4 runs out of memory). 512 channels at 7x7 still get 256 tiles.
     */
    private static final int WINOGRAD_SCRATCH_FLOATS = SCRATCH_FLOATS / 2;

    /** Largest total of the 16 packed U_e, floats (4 MiB). */
    private static final int WINOGRAD_PACKED_FLOATS = 1 << 20;

    /**
     * Images per Winograd GEMM group: up to WINOGRAD_TILES tiles and WINOGRAD_SCRATCH_FLOATS per V or M, evened
     * out.
     */
    static int winogradImagesPerGemm(int N, int cin, int cout, int TT) {
        int g = Math.min(N, Math.max(1, WINOGRAD_TILES / TT));
        g = Math.min(g, Math.max(1, WINOGRAD_SCRATCH_FLOATS / (16 * Math.max(cin, cout) * TT)));
        int groups = (N + g - 1) / g;
        return (N + groups - 1) / groups;
    }

    /**
     * out = epilogue(conv3x3(in, w)) with stride 1 and padding 1, as Winograd F(2x2, 3x3), G images at a time:
     * {@code V = B^T d B} of every tile (tasks by image and input-channel range), the 16 GEMMs
     * {@code M_e (cout, T) = U_e (cout, cin) @ V_e (cin, T)}, then {@code A^T M A} and the per-channel map
     * (tasks by image and output-channel range: the map runs on each plane right after its transform, while it is
     * in cache).
     *
     * @param in       (N, cin, H, W)
     * @param u        (16, blockStride(cout*cin)): the transformed weights, U_e (cout, cin) at
     *                 e*blockStride(cout*cin); null when prepared
     * @param prepared (16) the U_e packed beforehand ({@link Prepared}), or null
     * @param a        the per-channel map, or null
     * @param out      (N, cout, H, W), overwritten
     */
    private static void winograd(float[] in, int N, int cin, int cout, float[] u, PackedMatrix[] prepared,
                                 Affine32 a, float[] out, ConvGeometry g) {
        int H = g.height();
        int W = g.width();
        int HW = H * W;
        int TT = Winograd.tilesPerImage(g);
        int G = winogradImagesPerGemm(N, cin, cout, TT);
        int groups = (N + G - 1) / G;
        int us = Winograd.blockStride(cout * cin);
        // Packing each U_e once pays when several groups share it; above WINOGRAD_PACKED_FLOATS the copy would add
        // up to 17 MiB (512 x 512 channels) of heap for a packing that costs the GEMMs little next to their work.
        boolean pack = prepared == null && groups > 1 && 16L * Gemm.packedSize(cout, cin) <= WINOGRAD_PACKED_FLOATS;
        PackedMatrix[] pu = prepared != null ? prepared : pack ? packU(u, us, cout, cin) : null; // (16) of U_e (cout, cin)
        float[] v = scratch(WINOGRAD_V, 16 * Winograd.blockStride(cin * G * TT)); // (16, vs): V_e (cin, T) at e*vs
        float[] m = scratch(WINOGRAD_M, 16 * Winograd.blockStride(cout * G * TT)); // (16, ms): M_e (cout, T) at e*ms
        int inChunk = channelChunk(16 * TT);
        int inChunks = (cin + inChunk - 1) / inChunk;
        int outChunk = channelChunk(16 * TT);
        int outChunks = (cout + outChunk - 1) / outChunk;
        for (int n0 = 0; n0 < N; n0 += G) {
            int first = n0;
            int gn = Math.min(G, N - n0);
            int T = gn * TT;
            int vs = Winograd.blockStride(cin * T);
            int ms = Winograd.blockStride(cout * T);
            Parallel.parallelFor(gn * inChunks, t -> {
                int j = t / inChunks;
                int c0 = (t % inChunks) * inChunk;
                inputPlanes(in, first + j, cin, c0, Math.min(cin, c0 + inChunk), g, v, T, j * TT, vs);
            });
            // M_e = U_e @ V_e: the 16 GEMMs side by side, each on one thread (a GEMM inside a busy pool runs on
            // its caller). With C = 64 to 512 and T = 49 to 1024 each is small: spreading every one over the pool
            // instead was 10 to 40 % slower at ResNet-50's shapes, batch 1 and 8.
            Parallel.parallelFor(16, e -> {
                if (pu != null) {
                    Gemm.sgemm(pu[e], false, T, v, e * vs, T, 0f, m, e * ms, T);
                } else {
                    Gemm.sgemm(false, false, cout, T, cin, 1f, u, e * us, cin, v, e * vs, T, 0f, m, e * ms, T);
                }
            });
            Parallel.parallelFor(gn * outChunks, t -> {
                int j = t / outChunks;
                int o0 = (t % outChunks) * outChunk;
                for (int o = o0, end = Math.min(cout, o0 + outChunk); o < end; o++) {
                    int plane = ((first + j) * cout + o) * HW;
                    Winograd.outputPlane(m, o * T + j * TT, ms, H, W, out, plane);
                    if (a != null) {
                        affineRow(out, plane, out, plane, HW, a, o, plane);
                    }
                }
            });
        }
    }

    /**
     * V of channels [c0, c1) of one image: {@code V_e[c, col + t] = (B^T d_t B)[e]} for the image's tiles t.
     *
     * @param x (N, C, H, W)
     * @param v (16, vs): V_e (C, T) at e*vs
     */
    private static void inputPlanes(float[] x, int image, int C, int c0, int c1, ConvGeometry g, float[] v, int T,
                                    int col, int vs) {
        int HW = g.height() * g.width();
        for (int c = c0; c < c1; c++) {
            Winograd.inputPlane(x, (image * C + c) * HW, g.height(), g.width(), v, c * T + col, vs);
        }
    }

    /**
     * The 16 U_e packed once for the call's GEMM groups, in this thread's workspaces.
     *
     * @param u (16, us): U_e (cout, cin) at e*us
     */
    private static PackedMatrix[] packU(float[] u, int us, int cout, int cin) {
        float[][] ws = PACKED_U.get();
        int size = Gemm.packedSize(cout, cin);
        for (int e = 0; e < 16; e++) {
            if (ws[e].length < size) {
                ws[e] = new float[size];
            }
        }
        PackedMatrix[] pu = new PackedMatrix[16];
        Parallel.parallelFor(16, e -> pu[e] = Gemm.packA(false, cout, cin, 1f, u, e * us, cin, ws[e]));
        return pu;
    }

    // ----------------------------------------------------------------------------------------------
    // Float32 forward and backward

    /**
     * @param x        (N, C, H, W)
     * @param w        (O, K), or null when prepared
     * @param prepared the weights packed (and Winograd-transformed) beforehand, or null
     * @param a        the per-channel map, or null for the raw GEMM output
     * @param y        (N, O, P), overwritten
     */
    private static void forwardF32(float[] x, float[] w, Prepared prepared, Affine32 a, float[] y, int N, int O,
                                   ConvGeometry g) {
        if (useWinograd(g, N, g.channels(), O)) {
            int C = g.channels();
            if (prepared != null) {
                winograd(x, N, C, O, null, prepared.winograd, a, y, g);
                return;
            }
            int us = Winograd.blockStride(O * C);
            float[] u = scratch(WINOGRAD_U, 16 * us); // (16, us): U_e (O, C) at e*us
            int chunk = channelChunk(16 * C);
            Parallel.parallelFor((O + chunk - 1) / chunk,
                    t -> Winograd.weights(w, O, C, u, us, t * chunk, Math.min(O, (t + 1) * chunk)));
            winograd(x, N, C, O, u, null, a, y, g);
            return;
        }
        int K = g.colRows();
        int P = g.colCols();
        int G = imagesPerGemm(N, K, O, P);
        // one packed copy of w for all the call's GEMMs (one per image or group) instead of one per GEMM
        Weights pw = prepared != null ? new Weights(null, false, O, K, prepared.packed)
                : packOnce(false, O, K, w, G == 1 ? N : (N + G - 1) / G); // w (O, K)
        if (G == 1) {
            if (N == 1) {
                forwardImage(x, 0, pw, a, y, g, true);
            } else {
                Parallel.parallelFor(N, n -> forwardImage(x, n, pw, a, y, g, false));
            }
            return;
        }
        float[] cols = scratch(COLS, K * G * P); // (K, GP)
        float[] acc = scratch(ROWS, O * G * P); // (O, GP)
        for (int n0 = 0; n0 < N; n0 += G) {
            int gn = Math.min(G, N - n0);
            int ld = gn * P;
            im2colGroup(x, n0, gn, g, cols, ld, true);
            // y_group = w @ cols_group
            pw.times(ld, cols, 0, ld, 0f, acc, 0, ld);
            int first = n0;
            int chunk = channelChunk(ld);
            Parallel.parallelFor((O + chunk - 1) / chunk, t -> {
                for (int o = t * chunk, end = Math.min(O, o + chunk); o < end; o++) {
                    for (int j = 0; j < gn; j++) {
                        int dst = ((first + j) * O + o) * P;
                        if (a == null) {
                            System.arraycopy(acc, o * ld + j * P, y, dst, P);
                        } else {
                            affineRow(acc, o * ld + j * P, y, dst, P, a, o, dst);
                        }
                    }
                }
            });
        }
    }

    /** One image: im2col (unless pointwise), GEMM straight into y_n, the map in place; parallel inside or not. */
    private static void forwardImage(float[] x, int n, Weights w, Affine32 a, float[] y, ConvGeometry g,
                                     boolean parallel) {
        int O = w.rows();
        int K = g.colRows();
        int P = g.colCols();
        float[] cols = x; // (K, P) at colsOff
        int colsOff = n * g.imageSize();
        if (!g.isPointwise()) {
            cols = scratch(COLS, K * P);
            colsOff = 0;
            im2colGroup(x, n, 1, g, cols, P, parallel);
        }
        int yOff = n * O * P;
        // y_n = w @ cols_n
        w.times(P, cols, colsOff, P, 0f, y, yOff, P);
        if (a == null) {
            return;
        }
        int chunk = channelChunk(P);
        run((O + chunk - 1) / chunk, parallel, t -> {
            for (int o = t * chunk, end = Math.min(O, o + chunk); o < end; o++) {
                int row = yOff + o * P;
                affineRow(y, row, y, row, P, a, o, row);
            }
        });
    }

    /**
     * Accumulates the gradients of the forward pass.
     *
     * @param x  (N, C, H, W)
     * @param w  (O, K)
     * @param gy (N, O, P)
     * @param dx (N, C, H, W) zeros (any values when {@link #useWinograd} holds for the input gradient: then
     *           overwritten), or null
     * @param dw (O, K), added into, or null
     * @param db (O) or null
     */
    private static void backwardF32(float[] x, float[] w, float[] gy, float[] dx, float[] dw, float[] db,
                                    int N, int O, ConvGeometry g) {
        boolean winogradDx = dx != null && useWinograd(g, N, O, g.channels());
        boolean winogradDw = dw != null && useWinogradWeightGradient(g, g.channels());
        if (winogradDx || winogradDw) {
            backwardF32(x, w, gy, winogradDx ? null : dx, winogradDw ? null : dw, db, N, O, g);
            if (winogradDw) {
                weightGradientWinograd(x, gy, dw, N, O, g);
            }
            if (winogradDx) {
                inputGradientWinograd(w, gy, dx, N, O, g);
            }
            return;
        }
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
        int G = imagesPerGemm(N, K, O, P);
        WeightGradient wg = dw == null ? null : new WeightGradient(dw, O, K);
        if (G == 1) {
            if (dw != null) {
                for (int n = 0; n < N; n++) {
                    float[] cols = x; // (K, P) at colsOff
                    int colsOff = n * g.imageSize();
                    if (!g.isPointwise()) {
                        cols = scratch(COLS, K * P);
                        colsOff = 0;
                        im2colGroup(x, n, 1, g, cols, P, true);
                    }
                    // forward: y_n = w @ cols_n  =>  dw += dy_n @ cols_n^T
                    wg.add(gy, n * O * P, cols, colsOff, P);
                }
                wg.finish();
            }
            if (dx != null) {
                Weights wt = packOnce(true, K, O, w, N); // w^T (K, O)
                if (N == 1) {
                    inputGradientImage(wt, gy, dx, 0, g, true);
                } else {
                    Parallel.parallelFor(N, n -> inputGradientImage(wt, gy, dx, n, g, false));
                }
            }
            return;
        }
        Weights wt = dx == null ? null : packOnce(true, K, O, w, (N + G - 1) / G); // w^T (K, O)
        float[] rows = scratch(ROWS, O * G * P); // (O, GP)
        float[] cols = scratch(COLS, K * G * P); // (K, GP)
        for (int n0 = 0; n0 < N; n0 += G) {
            int gn = Math.min(G, N - n0);
            int ld = gn * P;
            gatherRows(gy, n0, gn, O, P, rows, ld);
            if (dw != null) {
                im2colGroup(x, n0, gn, g, cols, ld, true);
                // forward: y_group = w @ cols_group  =>  dw += dy_group @ cols_group^T
                wg.add(rows, 0, cols, 0, ld);
            }
            if (dx != null) {
                // forward: y_group = w @ cols_group  =>  dcols_group = w^T @ dy_group
                wt.times(ld, rows, 0, ld, 0f, cols, 0, ld);
                col2imGroup(cols, ld, n0, gn, g, dx);
            }
        }
        if (wg != null) {
            wg.finish();
        }
    }

    /**
     * dw (O, K) += sum over the call's GEMMs of dy_part (O, L) @ cols_part (K, L)^T. The GEMM packs the
     * transposed operand with gathers, the slow part of these GEMMs, so when K > O (every 3x3 convolution, and
     * 1x1 ones that shrink the channels) it computes {@code dw^T (K, O) += cols_part @ dy_part^T} instead, in
     * this thread's scratch, gathering the smaller dy, and adds the transpose into dw at the end. Each element
     * receives the same products in the same order either way, so the two forms agree bit for bit.
     */
    private static final class WeightGradient {
        private final float[] dw; // (O, K)
        private final int O;
        private final int K;
        private final float[] dwt; // (K, O) when transposed, else null

        WeightGradient(float[] dw, int O, int K) {
            this.dw = dw;
            this.O = O;
            this.K = K;
            this.dwt = K > O ? scratch(WEIGHT_GRADIENT, K * O) : null;
            if (dwt != null) {
                ArrayKernels.fill(dwt, 0, K * O, 0f);
            }
        }

        /** @param dy (O, L) at dyOff, row stride L; cols (K, L) at colsOff, row stride L */
        void add(float[] dy, int dyOff, float[] cols, int colsOff, int L) {
            if (dwt == null) {
                Gemm.sgemm(false, true, O, K, L, 1f, dy, dyOff, L, cols, colsOff, L, 1f, dw, 0, K);
            } else {
                Gemm.sgemm(false, true, K, O, L, 1f, cols, colsOff, L, dy, dyOff, L, 1f, dwt, 0, O);
            }
        }

        /** dw += dwt^T, in square blocks so both sides stay in cache; one task per band of b columns of dw. */
        void finish() {
            if (dwt == null) {
                return;
            }
            int b = 64;
            Parallel.parallelFor((K + b - 1) / b, t -> {
                int k0 = t * b;
                for (int o0 = 0; o0 < O; o0 += b) {
                    for (int o = o0, oe = Math.min(O, o0 + b); o < oe; o++) {
                        for (int k = k0, ke = Math.min(K, k0 + b); k < ke; k++) {
                            dw[o * K + k] += dwt[k * O + o];
                        }
                    }
                }
            });
        }
    }

    /**
     * forward: y = conv3x3(x, w), stride 1, padding 1  =>  dx = conv3x3(dy, w') with w'[c, o] = rot180(w[o, c]),
     * the same Winograd convolution with the rotated, transposed kernel (each dx pixel gathers the dy pixels whose
     * windows cover it, with the kernel mirrored).
     *
     * @param w  (O, C, 3, 3)
     * @param gy (N, O, H, W)
     * @param dx (N, C, H, W), overwritten: the only contribution to a freshly requested buffer
     */
    private static void inputGradientWinograd(float[] w, float[] gy, float[] dx, int N, int O, ConvGeometry g) {
        int C = g.channels();
        int us = Winograd.blockStride(O * C);
        float[] u = scratch(WINOGRAD_U, 16 * us); // (16, us): U'_e (C, O) at e*us
        int chunk = channelChunk(16 * O);
        Parallel.parallelFor((C + chunk - 1) / chunk,
                t -> Winograd.weightsRotated(w, O, C, u, us, t * chunk, Math.min(C, (t + 1) * chunk)));
        winograd(gy, N, O, C, u, null, null, dx, g);
    }

    /**
     * The weight gradient of {@link #winograd}'s forward pass, G images at a time: V of x's tiles again (as in the
     * forward) and {@code dM = A dY A^T} of dy's (tasks by image and channel range), the 16 GEMMs
     * {@code dU_e (O, C) += dM_e (O, T) @ V_e (C, T)^T} (each on one thread, accumulating over the groups), then
     * {@code dw += G^T dU G} (tasks by output-channel range). Each dU_e element is one GEMM's, summed over T in the
     * GEMM's fixed order and over the groups in turn, so the result does not depend on the thread count.
     *
     * @param x  (N, C, H, W)
     * @param gy (N, O, H, W)
     * @param dw (O, C, 3, 3), added into
     */
    private static void weightGradientWinograd(float[] x, float[] gy, float[] dw, int N, int O, ConvGeometry g) {
        int C = g.channels();
        int H = g.height();
        int W = g.width();
        int HW = H * W;
        int TT = Winograd.tilesPerImage(g);
        int G = winogradImagesPerGemm(N, C, O, TT);
        int us = Winograd.blockStride(O * C);
        // U's slot: the backward pass finishes dw (weightsAdjoint) before the input gradient transforms w into it
        float[] du = scratch(WINOGRAD_U, 16 * us); // (16, us): dU_e (O, C) at e*us
        float[] v = scratch(WINOGRAD_V, 16 * Winograd.blockStride(C * G * TT)); // (16, vs): V_e (C, T) at e*vs
        float[] m = scratch(WINOGRAD_M, 16 * Winograd.blockStride(O * G * TT)); // (16, ms): dM_e (O, T) at e*ms
        int inChunk = channelChunk(16 * TT);
        int inChunks = (C + inChunk - 1) / inChunk;
        int outChunk = channelChunk(16 * TT);
        int outChunks = (O + outChunk - 1) / outChunk;
        for (int n0 = 0; n0 < N; n0 += G) {
            int first = n0;
            int gn = Math.min(G, N - n0);
            int T = gn * TT;
            int vs = Winograd.blockStride(C * T);
            int ms = Winograd.blockStride(O * T);
            Parallel.parallelFor(gn * (inChunks + outChunks), t -> {
                int j = t / (inChunks + outChunks);
                int r = t % (inChunks + outChunks);
                if (r < inChunks) {
                    inputPlanes(x, first + j, C, r * inChunk, Math.min(C, (r + 1) * inChunk), g, v, T, j * TT, vs);
                } else {
                    int o0 = (r - inChunks) * outChunk;
                    for (int o = o0, end = Math.min(O, o0 + outChunk); o < end; o++) {
                        // forward: Y = A^T M A  =>  dM = A dY A^T
                        Winograd.outputPlaneAdjoint(gy, ((first + j) * O + o) * HW, H, W, m, o * T + j * TT, ms);
                    }
                }
            });
            float beta = n0 == 0 ? 0f : 1f;
            // forward: M_e = U_e @ V_e  =>  dU_e += dM_e @ V_e^T
            Parallel.parallelFor(16, e -> Gemm.sgemm(false, true, O, C, T, 1f, m, e * ms, T, v, e * vs, T, beta, du,
                    e * us, C));
        }
        int chunk = channelChunk(16 * C);
        // forward: U = G g G^T  =>  dw += G^T dU G
        Parallel.parallelFor((O + chunk - 1) / chunk,
                t -> Winograd.weightsAdjoint(du, us, O, C, dw, t * chunk, Math.min(O, (t + 1) * chunk)));
    }

    /** dx_n from dy_n: pointwise as one GEMM into dx_n, else dcols_n = w^T @ dy_n, then col2im. */
    private static void inputGradientImage(Weights wt, float[] gy, float[] dx, int n, ConvGeometry g,
                                           boolean parallel) {
        int O = wt.depth();
        int K = g.colRows();
        int P = g.colCols();
        if (g.isPointwise()) {
            // forward: y_n = w @ x_n  =>  dx_n += w^T @ dy_n   (dx_n is zero, so beta 0)
            wt.times(P, gy, n * O * P, P, 0f, dx, n * g.imageSize(), P);
            return;
        }
        float[] dcols = scratch(COLS, K * P); // (K, P)
        // forward: y_n = w @ cols_n  =>  dcols_n = w^T @ dy_n
        wt.times(P, gy, n * O * P, P, 0f, dcols, 0, P);
        col2imChannels(dcols, 0, P, g, dx, n * g.imageSize(), parallel);
    }

    /**
     * forward: cols_group = im2col(x_n0 .. x_n0+gn-1)  =>  dx_n += col2im(dcols_group[:, image n's columns]),
     * one task per (image, channel range): each writes its own pixels of dx.
     *
     * @param dcols (K, ld)
     * @param dx    (N, C, H, W) zeros in the group's images
     */
    private static void col2imGroup(float[] dcols, int ld, int n0, int gn, ConvGeometry g, float[] dx) {
        int C = g.channels();
        int KK = g.kernelH() * g.kernelW();
        int P = g.colCols();
        int HW = g.height() * g.width();
        int chunk = channelChunk(KK * P);
        int chunks = (C + chunk - 1) / chunk;
        Parallel.parallelFor(gn * chunks, t -> {
            int j = t / chunks;
            int c0 = (t % chunks) * chunk;
            int cc = Math.min(chunk, C - c0);
            int dxOff = (n0 + j) * g.imageSize() + c0 * HW;
            int colsOff = c0 * KK * ld + j * P;
            if (g.isPointwise()) {
                for (int c = 0; c < cc; c++) {
                    System.arraycopy(dcols, colsOff + c * ld, dx, dxOff + c * HW, P);
                }
            } else {
                Im2col.col2im(dcols, colsOff, ld, g.withChannels(cc), dx, dxOff);
            }
        });
    }

    /** col2im of one image split into channel ranges (each writes its own channels of dx). */
    private static void col2imChannels(float[] dcols, int colsOff, int ld, ConvGeometry g, float[] dx, int dxOff,
                                       boolean parallel) {
        int C = g.channels();
        int KK = g.kernelH() * g.kernelW();
        int HW = g.height() * g.width();
        int chunk = channelChunk(KK * g.colCols());
        run((C + chunk - 1) / chunk, parallel, t -> {
            int c0 = t * chunk;
            int cc = Math.min(chunk, C - c0);
            Im2col.col2im(dcols, colsOff + c0 * KK * ld, ld, g.withChannels(cc), dx, dxOff + c0 * HW);
        });
    }

    // ----------------------------------------------------------------------------------------------
    // Float64 (gradient checks and float64 models): one image per GEMM, the plain layout

    /**
     * @param x (N, C, H, W)
     * @param w (O, K)
     * @param a the per-channel map, or null
     * @param y (N, O, P), overwritten
     */
    private static void forwardF64(double[] x, double[] w, Affine64 a, double[] y, int N, int O, ConvGeometry g) {
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
            if (a == null) {
                return;
            }
            for (int o = 0; o < O; o++) {
                for (int p = (n * O + o) * P, end = p + P; p < end; p++) {
                    double v = (y[p] - a.center[o]) * a.scale[o] + a.shift[o];
                    if (a.residual != null) {
                        v += a.residual[p];
                    }
                    y[p] = a.relu && v <= 0.0 ? 0.0 : v;
                }
            }
        });
    }

    /** Float64 twin of {@link #backwardF32}, one image per GEMM. */
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
