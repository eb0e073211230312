package org.blades.opencl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.blades.kernels.ConvGeometry;

// Legend: n = elements; M, N, K = GEMM dimensions (C (M, N) = op(A) (M, K) op(B) (K, N)); OUTER, N, INNER = a
// dense tensor viewed around one axis of N elements; R = rows, C = channels; B = batch (N in conv/pool/batch-norm
// signatures, where the CPU oracles call it N); H/W, KH/KW, OH/OW = image, kernel and output sizes; K = C*KH*KW
// rows and P = OH*OW columns per image of the column matrix.

/**
 * Typed entry points to the kernels of kernels/*.cl on one {@link OpenClDevice}: one method per operation of the
 * tensor core, each mapping to one or a few kernel launches, operating on {@link DeviceBuffer}s that stay on the
 * device. Semantics follow the CPU code they mirror (org.blades.kernels.GemmScalar, Im2colScalar, ConvScalar and
 * the org.blades.tensor op families); in particular every backward ACCUMULATES into its gradient buffers and
 * forwards overwrite their outputs. Shapes are checked against buffer lengths (IllegalArgumentException naming the
 * op and shapes); an output buffer must not also be an input of the same call.
 *
 * <p>Launch shapes: flat kernels use work-groups of {@link #flatGroup} work-items; reductions use one work-group
 * per output element of a power of two up to {@link #reduceGroup}; the GEMM takes the tiled kernel on GPUs and
 * the packed-panel kernels on CPU devices (see kernels/gemm.cl). Calls are synchronous and serialised per device.
 */
public final class OpenClKernels {

    /** The kernels' own limit on ranks after merging (META_RANK in kernels/elementwise.cl). */
    static final int META_RANK = 8;
    /** sgemm_tiled's tile: GEMM_TSM = GEMM_TSN = 64, computed by (GEMM_RTSN, GEMM_RTSM) = (8, 8) work-items. */
    private static final int GEMM_TILE = 64;
    private static final int[] GEMM_TILED_LOCAL = {8, 8, 1};
    /** sgemm_packed's panels: 8 rows of op(A), 16 columns of op(B). */
    private static final int PACK_ROWS = 8;
    private static final int PACK_COLS = 16;
    private static final int[] PACKED_LOCAL = {4, 4, 1};
    private static final int PACK_LOCAL = 16;

    /** Which GEMM kernels to use; AUTO picks by device type. Tests force each path. */
    enum GemmPath { AUTO, TILED, PACKED }

    private final OpenClDevice device;
    private final AparapiProgram program;
    private final ProgramCache.Entry programEntry;
    private final boolean cpu;
    private final int flatGroup;
    private final int reduceGroup;
    private final int minGroups;
    /** Shape descriptor handed to broadcasting kernels (see kernels/elementwise.cl), refilled by every call. */
    private final int[] meta = new int[1 + 4 * META_RANK];
    /** Scratch buffers by purpose, grown on demand and kept (see releaseScratch). */
    private final Map<String, DeviceBuffer> scratch = new HashMap<>();

    OpenClKernels(OpenClDevice device, ProgramCache cache) {
        this.device = device;
        this.programEntry = cache.get(device, KernelSources.program());
        this.program = programEntry.program();
        this.cpu = device.info().isCpu();
        // CPU drivers run a work-group as loops over its work-items, vectorised 16 wide (AVX-512), and pay for each
        // barrier; GPUs want several warps per group.
        this.flatGroup = Math.min(cpu ? 64 : 256, device.info().maxWorkGroup());
        this.reduceGroup = Integer.highestOneBit(Math.min(cpu ? 16 : 256, device.info().maxWorkGroup()));
        // enough work-groups to fill the device: a few per compute unit
        this.minGroups = Math.max(1, device.info().computeUnits()) * (cpu ? 8 : 4);
    }

    public OpenClDevice device() {
        return device;
    }

    /** The cache key of this device's program, its build time in this process, and whether it was built before. */
    public String programReport() {
        return String.format(java.util.Locale.ROOT, "program %s..., built in %.0f ms%s", programEntry.key()
                .substring(0, 12), programEntry.buildMillis(), programEntry.builtBefore()
                ? " (built before on this machine: the driver's cache)" : " (first build on this machine)");
    }

    /**
     * Starts summing the device's own kernel execution times (OpenCL event profiling), from zero; false stops.
     * Wall time per call also holds the binding's per-launch work and, on discrete GPUs, the transfers (see
     * {@link DeviceBuffer}); the difference is what a device-resident binding would save.
     */
    public synchronized void profileKernels(boolean on) {
        program.profile(on);
    }

    /** Nanoseconds of kernel execution since {@link #profileKernels} switched profiling on. */
    public synchronized long kernelNanos() {
        return program.kernelNanos();
    }

    /** Frees the scratch buffers (GEMM panels, column matrices); they are reallocated when next needed. */
    public synchronized void releaseScratch() {
        scratch.values().forEach(DeviceBuffer::close);
        scratch.clear();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Elementwise

    /** y[offset .. offset + n) = value. */
    public synchronized void fill(DeviceBuffer y, int offset, int n, float value) {
        checkRange("fill", y, offset, n);
        if (n > 0) {
            program.launch("fill", flat(n), local1(), n, value, y.array(), offset);
        }
    }

    /** dst[dstOff .. dstOff + n) = src[srcOff .. srcOff + n). */
    public void copy(DeviceBuffer src, int srcOff, DeviceBuffer dst, int dstOff, int n) {
        copyStrided(new View(src, srcOff, new int[] {n}, new int[] {1}), dst, dstOff);
    }

    /** dst[dstOff ..] = the elements of src in row-major order (makes any view dense: permutes, slices). */
    public synchronized void copyStrided(View src, DeviceBuffer dst, int dstOff) {
        int n = src.numel();
        checkRange("copy", dst, dstOff, n);
        requireDevice("copy", src.buffer(), dst);
        requireDistinct("copy", dst, src.buffer());
        if (n == 0) {
            return;
        }
        packMeta("copy", src.shape(), null, src.strides(), new int[src.rank()]);
        program.launch("copy_strided", flat(n), local1(), n, meta, src.buffer().array(), src.offset(), dst.array(),
                dstOff);
    }

    /** y[0 .. n) += alpha * x[0 .. n). */
    public synchronized void axpy(float alpha, DeviceBuffer x, DeviceBuffer y, int n) {
        checkRange("axpy", x, 0, n);
        checkRange("axpy", y, 0, n);
        requireDevice("axpy", x, y);
        requireDistinct("axpy", y, x);
        if (n > 0) {
            program.launch("axpy", flat(n), local1(), n, alpha, x.array(), y.array());
        }
    }

    /** y[i] = op(x[i]) for i < n. */
    public synchronized void unary(UnaryOp op, DeviceBuffer x, DeviceBuffer y, int n) {
        String name = "unary " + op.kind();
        checkRange(name, x, 0, n);
        checkRange(name, y, 0, n);
        requireDevice(name, x, y);
        requireDistinct(name, y, x);
        if (n > 0) {
            program.launch("unary_forward", flat(n), local1(), op.code(), op.p0(), op.p1(), n, x.array(), y.array());
        }
    }

    /** forward y = op(x)  =>  dx[i] += dy[i] * op'(x[i]) for i < n (y: the forward's output). */
    public synchronized void unaryBackward(UnaryOp op, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
                                           DeviceBuffer dx, int n) {
        String name = "unary " + op.kind() + " backward";
        for (DeviceBuffer b : new DeviceBuffer[] {x, y, dy, dx}) {
            checkRange(name, b, 0, n);
        }
        requireDevice(name, x, y, dy, dx);
        requireDistinct(name, dx, x, y, dy);
        if (n > 0) {
            program.launch("unary_backward", flat(n), local1(), op.code(), op.p0(), op.p1(), n, x.array(), y.array(),
                    dy.array(), dx.array());
        }
    }

    /**
     * y = op(a, b) with NumPy broadcasting; y is dense with the broadcast shape, which is returned.
     */
    public synchronized int[] binary(BinaryOp op, View a, View b, DeviceBuffer y) {
        String name = "binary " + op.label();
        int[] shape = broadcastShape(name, a.shape(), b.shape()); // (rank) output shape
        int n = numel(shape);
        checkRange(name, y, 0, n);
        requireDevice(name, a.buffer(), b.buffer(), y);
        requireDistinct(name, y, a.buffer(), b.buffer());
        if (n > 0) {
            packMeta(name, shape, null, expandStrides(a, shape), expandStrides(b, shape));
            program.launch("binary_forward", flat(n), local1(), op.code(), n, meta, a.buffer().array(), a.offset(),
                    b.buffer().array(), b.offset(), y.array());
        }
        return shape;
    }

    /**
     * The gradient of one operand of {@link #binary}: forward y = op(a, b)  =>  dt += sumTo(dy * d op / d t),
     * t = a or b, summed over the dimensions t was broadcast along. dy is dense with the broadcast shape; dt is
     * dense with t's shape.
     */
    public synchronized void binaryBackward(BinaryOp op, BinaryOp.Operand which, View a, View b, DeviceBuffer dy,
                                            DeviceBuffer dt) {
        String name = "binary " + op.label() + " backward (d" + which.name().toLowerCase(java.util.Locale.ROOT) + ")";
        if (!op.differentiable()) {
            throw new IllegalArgumentException(name + ": " + op.label() + " has no derivative");
        }
        int[] shape = broadcastShape(name, a.shape(), b.shape()); // (rank) output shape
        View t = which == BinaryOp.Operand.A ? a : b;
        checkRange(name, dy, 0, numel(shape));
        checkRange(name, dt, 0, t.numel());
        requireDevice(name, a.buffer(), b.buffer(), dy, dt);
        requireDistinct(name, dt, a.buffer(), b.buffer(), dy);
        reduceTo(name, op.code(), which == BinaryOp.Operand.A ? 0 : 1, shape, a.buffer(), a.offset(),
                expandStrides(a, shape), b.buffer(), b.offset(), expandStrides(b, shape), dy, t.shape(), dt);
    }

    /** dx += dy summed over the dimensions along which toShape was broadcast to fromShape (dy and dx dense). */
    public synchronized void sumTo(DeviceBuffer dy, int[] fromShape, DeviceBuffer dx, int[] toShape) {
        String name = "sumTo " + Arrays.toString(fromShape) + " -> " + Arrays.toString(toShape);
        int[] full = broadcastShape(name, fromShape, toShape);
        if (!Arrays.equals(full, fromShape)) {
            throw new IllegalArgumentException(name + ": " + Arrays.toString(toShape) + " does not broadcast to "
                    + Arrays.toString(fromShape));
        }
        checkRange(name, dy, 0, numel(fromShape));
        checkRange(name, dx, 0, numel(toShape));
        requireDevice(name, dy, dx);
        requireDistinct(name, dx, dy);
        int[] none = new int[fromShape.length];
        reduceTo(name, 0, 2, fromShape, dy, 0, none, dy, 0, none, dy, toShape, dx);
    }

    /** Launches binary_backward_elementwise or binary_backward_reduce (which: 0 = d/da, 1 = d/db, 2 = plain dy). */
    private void reduceTo(String name, int op, int which, int[] shape, DeviceBuffer a, int offA, int[] stridesA,
                          DeviceBuffer b, int offB, int[] stridesB, DeviceBuffer dy, int[] targetShape,
                          DeviceBuffer dt) {
        int n = numel(shape);
        if (n == 0) {
            return;
        }
        int[] aligned = new int[shape.length]; // (rank) target shape right-aligned, 1 where it is broadcast
        int lead = shape.length - targetShape.length;
        for (int d = 0; d < shape.length; d++) {
            aligned[d] = d < lead ? 1 : targetShape[d - lead];
        }
        int[] targetStrides = new int[shape.length]; // (rank) dense strides of the target, 0 where broadcast
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            targetStrides[d] = aligned[d] == 1 && shape[d] != 1 ? 0 : acc;
            acc *= aligned[d];
        }
        int rank = packMeta(name, shape, targetStrides, stridesA, stridesB);
        int targets = 1;
        int count = 1;
        for (int d = 0; d < rank; d++) {
            targets *= meta[1 + 3 * rank + d];
            count *= meta[1 + 3 * rank + d] == 1 ? meta[1 + d] : 1;
        }
        if (count == 1) {
            program.launch("binary_backward_elementwise", flat(n), local1(), op, which, n, meta, a.array(), offA,
                    b.array(), offB, dy.array(), dt.array());
        } else {
            int group = groupFor(count);
            program.launch("binary_backward_reduce", new int[] {checkedGlobal(name, targets, group)},
                    new int[] {group}, op, which, meta, a.array(), offA, b.array(), offB, dy.array(), dt.array());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reductions, softmax, normalisation

    /** y (OUTER, INNER) = scale * sum over the middle axis of x (OUTER, N, INNER). */
    public synchronized void reduceSum(DeviceBuffer x, int outer, int n, int inner, float scale, DeviceBuffer y) {
        reduce("reduceSum", 0, x, outer, n, inner, scale, y);
    }

    /** y (OUTER, INNER) = max over the middle axis of x (OUTER, N, INNER); NaN wins; N must be >= 1. */
    public synchronized void reduceMax(DeviceBuffer x, int outer, int n, int inner, DeviceBuffer y) {
        if (n < 1) {
            throw new IllegalArgumentException("reduceMax: the reduced axis is empty (OUTER " + outer + ", N 0, INNER "
                    + inner + ")");
        }
        reduce("reduceMax", 1, x, outer, n, inner, 1f, y);
    }

    private void reduce(String name, int op, DeviceBuffer x, int outer, int n, int inner, float scale,
                        DeviceBuffer y) {
        checkAxisView(name, outer, n, inner);
        checkRange(name, x, 0, (long) outer * n * inner);
        checkRange(name, y, 0, (long) outer * inner);
        requireDevice(name, x, y);
        requireDistinct(name, y, x);
        int rows = outer * inner;
        if (rows == 0) {
            return;
        }
        int group = groupFor(n);
        // few long rows (a whole-tensor sum): cut each into pieces so that every compute unit gets work-groups,
        // then fold the pieces' partial results in a second launch
        int chunks = rows < minGroups && n >= 16 * group ? Math.min(ceilDiv(minGroups, rows), ceilDiv(n, 16 * group))
                : 1;
        if (chunks == 1) {
            program.launch("reduce_axis", new int[] {checkedGlobal(name, rows, group)}, new int[] {group}, op, outer,
                    n, inner, 1, scale, x.array(), y.array());
            return;
        }
        DeviceBuffer partial = scratch("reduce.partial", rows * chunks); // (OUTER * INNER, chunks)
        program.launch("reduce_axis", new int[] {checkedGlobal(name, rows * chunks, group)}, new int[] {group}, op,
                outer, n, inner, chunks, 1f, x.array(), partial.array());
        int group2 = groupFor(chunks);
        program.launch("reduce_axis", new int[] {checkedGlobal(name, rows, group2)}, new int[] {group2}, op, rows,
                chunks, 1, 1, scale, partial.array(), y.array());
    }

    /** y = softmax of x (OUTER, N, INNER) along the middle axis (a row of -inf gives zeros). */
    public synchronized void softmax(DeviceBuffer x, DeviceBuffer y, int outer, int n, int inner) {
        softmaxForward("softmax", 0, x, y, outer, n, inner, 1f, 0);
    }

    /** y = log-softmax of x (OUTER, N, INNER) along the middle axis (a row of -inf gives -inf). */
    public synchronized void logSoftmax(DeviceBuffer x, DeviceBuffer y, int outer, int n, int inner) {
        softmaxForward("logSoftmax", 1, x, y, outer, n, inner, 1f, 0);
    }

    /** forward y = softmax(x)  =>  dx += y * (dy - sum(dy * y)) along the middle axis. */
    public synchronized void softmaxBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int outer, int n,
                                             int inner) {
        softmaxBackward("softmax backward", 0, y, dy, dx, outer, n, inner, 1f);
    }

    /** forward y = x - logsumexp(x)  =>  dx += dy - exp(y) * sum(dy) along the middle axis. */
    public synchronized void logSoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int outer, int n,
                                                int inner) {
        softmaxBackward("logSoftmax backward", 1, y, dy, dx, outer, n, inner, 1f);
    }

    /**
     * Attention probabilities: probs = softmax(scale * scores) over the last axis of scores (BH, TQ, TK), causal
     * when asked (query q sees keys up to q + TK - TQ, i.e. the last TQ keys are the queries' positions).
     */
    public synchronized void attentionSoftmax(DeviceBuffer scores, DeviceBuffer probs, int batchHeads, int tq,
                                              int tk, float scale, boolean causal) {
        if (causal && tk < tq) {
            throw new IllegalArgumentException("attentionSoftmax: causal needs TK >= TQ, got TQ " + tq + ", TK " + tk);
        }
        softmaxForward("attentionSoftmax", 0, scores, probs, Math.multiplyExact(batchHeads, tq), tk, 1, scale,
                causal ? tq : 0);
    }

    /** forward probs = softmax(scale * scores)  =>  dscores += scale * probs * (dprobs - sum(dprobs * probs)). */
    public synchronized void attentionSoftmaxBackward(DeviceBuffer probs, DeviceBuffer dprobs, DeviceBuffer dscores,
                                                      int batchHeads, int tq, int tk, float scale) {
        softmaxBackward("attentionSoftmax backward", 0, probs, dprobs, dscores, Math.multiplyExact(batchHeads, tq),
                tk, 1, scale);
    }

    private void softmaxForward(String name, int logMode, DeviceBuffer x, DeviceBuffer y, int outer, int n,
                                int inner, float scale, int causal) {
        checkAxisView(name, outer, n, inner);
        long numel = (long) outer * n * inner;
        checkRange(name, x, 0, numel);
        checkRange(name, y, 0, numel);
        requireDevice(name, x, y);
        requireDistinct(name, y, x);
        if (numel == 0) {
            return;
        }
        int group = groupFor(n);
        program.launch("softmax_forward", new int[] {checkedGlobal(name, outer * inner, group)}, new int[] {group},
                logMode, outer, n, inner, scale, causal, x.array(), y.array());
    }

    private void softmaxBackward(String name, int logMode, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
                                 int outer, int n, int inner, float scale) {
        checkAxisView(name, outer, n, inner);
        long numel = (long) outer * n * inner;
        for (DeviceBuffer b : new DeviceBuffer[] {y, dy, dx}) {
            checkRange(name, b, 0, numel);
        }
        requireDevice(name, y, dy, dx);
        requireDistinct(name, dx, y, dy);
        if (numel == 0) {
            return;
        }
        int group = groupFor(n);
        program.launch("softmax_backward", new int[] {checkedGlobal(name, outer * inner, group)}, new int[] {group},
                logMode, outer, n, inner, scale, y.array(), dy.array(), dx.array());
    }

    /**
     * Layer norm over the last dimension: y = (x - mean) * rstd * w + b per row of x (R, C); mean and rstd (R)
     * are written for the backward.
     */
    public synchronized void layerNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y,
                                       DeviceBuffer mean, DeviceBuffer rstd, int rows, int c, float eps) {
        String name = "layerNorm (R " + rows + ", C " + c + ")";
        checkLayerNorm(name, rows, c, x, w, y, mean, rstd);
        checkRange(name, b, 0, c);
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(name + ": eps must be finite and >= 0, got " + eps);
        }
        requireDistinct(name, y, x, w, b);
        requireDistinct(name, mean, x, w, b, y);
        requireDistinct(name, rstd, x, w, b, y, mean);
        if (rows == 0 || c == 0) {
            return;
        }
        int group = groupFor(c);
        program.launch("layernorm_forward", new int[] {checkedGlobal(name, rows, group)}, new int[] {group}, rows, c,
                eps, x.array(), w.array(), b.array(), y.array(), mean.array(), rstd.array());
    }

    /** The layer-norm backward: dx += ..., dw += sum dy * norm, db += sum dy (see kernels/layernorm.cl). */
    public synchronized void layerNormBackward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer mean, DeviceBuffer rstd,
                                               DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db,
                                               int rows, int c) {
        String name = "layerNorm backward (R " + rows + ", C " + c + ")";
        checkLayerNorm(name, rows, c, x, w, dy, mean, rstd);
        checkRange(name, dx, 0, (long) rows * c);
        checkRange(name, dw, 0, c);
        checkRange(name, db, 0, c);
        requireDistinct(name, dx, x, w, mean, rstd, dy, dw, db);
        requireDistinct(name, dw, x, w, mean, rstd, dy, db);
        requireDistinct(name, db, x, w, mean, rstd, dy);
        if (rows == 0 || c == 0) {
            return;
        }
        int group = groupFor(c);
        program.launch("layernorm_backward_dx", new int[] {checkedGlobal(name, rows, group)}, new int[] {group}, rows,
                c, x.array(), w.array(), mean.array(), rstd.array(), dy.array(), dx.array());
        program.launch("layernorm_backward_params", flat(c), local1(), rows, c, x.array(), mean.array(),
                rstd.array(), dy.array(), dw.array(), db.array());
    }

    private void checkLayerNorm(String name, int rows, int c, DeviceBuffer x, DeviceBuffer w, DeviceBuffer rowData,
                                DeviceBuffer mean, DeviceBuffer rstd) {
        if (rows < 0 || c < 0) {
            throw new IllegalArgumentException(name + ": sizes must be >= 0");
        }
        checkRange(name, x, 0, (long) rows * c);
        checkRange(name, rowData, 0, (long) rows * c);
        checkRange(name, w, 0, c);
        checkRange(name, mean, 0, rows);
        checkRange(name, rstd, 0, rows);
        requireDevice(name, x, w, rowData, mean, rstd);
    }

    /**
     * Batch norm of x (B, C, S) over B and S per channel. TRAIN: batch statistics, running statistics updated in
     * place; EVAL: the running statistics. saveMean and saveInvStd (C) receive the statistics used, for backward.
     */
    public synchronized void batchNorm(BatchNormParams.Mode mode, DeviceBuffer x, int batch, int c, int s,
                                       BatchNormParams p, DeviceBuffer y, DeviceBuffer saveMean,
                                       DeviceBuffer saveInvStd) {
        String name = "batchNorm " + mode + " (B " + batch + ", C " + c + ", S " + s + ")";
        long numel = checkBatchNorm(name, batch, c, s);
        checkRange(name, x, 0, numel);
        checkRange(name, y, 0, numel);
        for (DeviceBuffer b : new DeviceBuffer[] {p.gamma(), p.beta(), p.runningMean(), p.runningVar(), saveMean,
            saveInvStd}) {
            checkRange(name, b, 0, c);
        }
        requireDevice(name, x, y, p.gamma(), p.beta(), p.runningMean(), p.runningVar(), saveMean, saveInvStd);
        requireDistinct(name, y, x, p.gamma(), p.beta(), p.runningMean(), p.runningVar(), saveMean, saveInvStd);
        requireDistinct(name, saveMean, x, p.gamma(), p.beta(), p.runningMean(), p.runningVar(), saveInvStd);
        requireDistinct(name, saveInvStd, x, p.gamma(), p.beta(), p.runningMean(), p.runningVar());
        requireDistinct(name, p.runningMean(), x, p.runningVar());
        if (mode == BatchNormParams.Mode.TRAIN && (long) batch * s < 2) {
            throw new IllegalArgumentException(name + ": training needs more than 1 value per channel");
        }
        if (c == 0) {
            return;
        }
        if (mode == BatchNormParams.Mode.TRAIN) {
            int group = groupFor(batch * s);
            program.launch("batchnorm_train_stats", new int[] {checkedGlobal(name, c, group)}, new int[] {group}, batch,
                    c, s, p.momentum(), p.eps(), x.array(), saveMean.array(), saveInvStd.array(),
                    p.runningMean().array(), p.runningVar().array());
        } else {
            program.launch("batchnorm_eval_stats", flat(c), local1(), c, p.eps(), p.runningMean().array(),
                    p.runningVar().array(), saveMean.array(), saveInvStd.array());
        }
        if (numel > 0) {
            program.launch("batchnorm_apply", flat((int) numel), local1(), batch, c, s, x.array(), saveMean.array(),
                    saveInvStd.array(), p.gamma().array(), p.beta().array(), y.array());
        }
    }

    /**
     * The batch-norm backward, accumulating dx (may be null when not wanted), dgamma and dbeta (C); saveMean and
     * saveInvStd are the forward's. TRAIN differentiates through the batch statistics, EVAL treats them as constants.
     */
    public synchronized void batchNormBackward(BatchNormParams.Mode mode, DeviceBuffer x, int batch, int c, int s,
                                               DeviceBuffer gamma, DeviceBuffer saveMean, DeviceBuffer saveInvStd,
                                               DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dgamma,
                                               DeviceBuffer dbeta) {
        String name = "batchNorm " + mode + " backward (B " + batch + ", C " + c + ", S " + s + ")";
        long numel = checkBatchNorm(name, batch, c, s);
        checkRange(name, x, 0, numel);
        checkRange(name, dy, 0, numel);
        for (DeviceBuffer b : new DeviceBuffer[] {gamma, saveMean, saveInvStd, dgamma, dbeta}) {
            checkRange(name, b, 0, c);
        }
        requireDevice(name, x, gamma, saveMean, saveInvStd, dy, dgamma, dbeta);
        requireDistinct(name, dgamma, x, gamma, saveMean, saveInvStd, dy, dbeta);
        requireDistinct(name, dbeta, x, gamma, saveMean, saveInvStd, dy);
        if (dx != null) {
            checkRange(name, dx, 0, numel);
            requireDevice(name, dx);
            requireDistinct(name, dx, x, gamma, saveMean, saveInvStd, dy, dgamma, dbeta);
        }
        if (c == 0) {
            return;
        }
        DeviceBuffer sums = scratch("batchNorm.sums", 2 * c); // (2, C) sum dy, sum dy * (x - mean)
        int group = groupFor(batch * s);
        program.launch("batchnorm_backward_reduce", new int[] {checkedGlobal(name, c, group)}, new int[] {group}, batch,
                c, s, x.array(), saveMean.array(), saveInvStd.array(), dy.array(), sums.array(), dgamma.array(),
                dbeta.array());
        if (dx != null && numel > 0) {
            program.launch("batchnorm_backward_dx", flat((int) numel), local1(),
                    mode == BatchNormParams.Mode.TRAIN ? 1 : 0, batch, c, s, x.array(), saveMean.array(),
                    saveInvStd.array(), gamma.array(), sums.array(), dy.array(), dx.array());
        }
    }

    private static long checkBatchNorm(String name, int batch, int c, int s) {
        if (batch < 0 || c < 0 || s < 0) {
            throw new IllegalArgumentException(name + ": sizes must be >= 0");
        }
        long numel = (long) batch * c * s;
        if (numel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": " + numel + " elements exceed 2^31 - 1");
        }
        return numel;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Convolution and pooling

    /**
     * cols (K, B * P) = the column matrix of the batch x (B, C, H, W) at offX: column b * P + p holds image b's
     * window p (see kernels/conv.cl). With B = 1 it is exactly Im2colScalar.im2col's (K, P) matrix.
     */
    public synchronized void im2col(DeviceBuffer x, int offX, int batch, ConvGeometry g, DeviceBuffer cols) {
        String name = "im2col " + g;
        long cells = checkConv(name, batch, g);
        checkRange(name, x, offX, (long) batch * g.imageSize());
        checkRange(name, cols, 0, cells);
        requireDevice(name, x, cols);
        requireDistinct(name, cols, x);
        if (cells == 0) {
            return;
        }
        int rowGroup = rowGroup(g.outW());
        program.launch("im2col", new int[] {roundUp(g.outW(), rowGroup), batch * g.outH(), g.colRows()},
                new int[] {rowGroup, 1, 1}, batch, g.channels(), g.height(), g.width(), g.kernelH(), g.kernelW(),
                g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), x.array(), offX, cols.array());
    }

    /** forward cols = im2col(x)  =>  dx (B, C, H, W) at offX += the column-matrix entries copied from each pixel. */
    public synchronized void col2im(DeviceBuffer cols, int batch, ConvGeometry g, DeviceBuffer dx, int offX) {
        String name = "col2im " + g;
        long cells = checkConv(name, batch, g);
        checkRange(name, cols, 0, cells);
        checkRange(name, dx, offX, (long) batch * g.imageSize());
        requireDevice(name, cols, dx);
        requireDistinct(name, dx, cols);
        int pixels = batch * g.imageSize();
        if (pixels > 0) {
            int rowGroup = rowGroup(g.width());
            program.launch("col2im", new int[] {roundUp(g.width(), rowGroup), g.height(), batch * g.channels()},
                    new int[] {rowGroup, 1, 1}, batch, g.channels(), g.height(), g.width(), g.kernelH(),
                    g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), cols.array(),
                    dx.array(), offX);
        }
    }

    private static long checkConv(String name, int batch, ConvGeometry g) {
        if (batch < 0) {
            throw new IllegalArgumentException(name + ": batch " + batch + " < 0");
        }
        long cells = (long) g.colRows() * batch * g.colCols();
        if (cells > Integer.MAX_VALUE || (long) batch * g.imageSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": batch " + batch + " needs " + cells + " column-matrix "
                    + "elements, more than 2^31 - 1; convolve in smaller batches");
        }
        return cells;
    }

    /**
     * y (B, O, OH, OW) = conv2d(x (B, C, H, W), w (O, C, KH, KW)) + bias (O) (bias may be null): one im2col of the
     * batch, one GEMM W (O, K) @ cols (K, B * P), then one pass that reorders (O, B, P) to (B, O, P) and adds bias.
     */
    public synchronized void conv2d(DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer w, int outChannels,
                                    DeviceBuffer bias, DeviceBuffer y) {
        String name = "conv2d " + g + " -> " + outChannels + " channels";
        int k = g.colRows();
        int p = g.colCols();
        long cells = checkConv(name, batch, g);
        checkRange(name, w, 0, (long) outChannels * k);
        checkRange(name, y, 0, (long) batch * outChannels * p);
        requireDevice(name, x, w, y);
        requireDistinct(name, y, x, w);
        if (bias != null) {
            checkRange(name, bias, 0, outChannels);
            requireDevice(name, bias);
            requireDistinct(name, y, bias);
        }
        long out = (long) outChannels * batch * p;
        if (out == 0) {
            return;
        }
        DeviceBuffer cols = scratch("conv.cols", (int) cells); // (K, B * P)
        DeviceBuffer ob = scratch("conv.out", (int) out); // (O, B, P)
        im2col(x, 0, batch, g, cols);
        sgemm(false, false, outChannels, batch * p, k, 1f, w, 0, k, cols, 0, batch * p, 0f, ob, 0, batch * p);
        View reordered = new View(ob, 0, new int[] {batch, outChannels, p}, new int[] {p, batch * p, 1});
        if (bias == null) {
            copyStrided(reordered, y, 0);
        } else {
            binary(BinaryOp.ADD, reordered, new View(bias, 0, new int[] {outChannels, 1}, new int[] {1, 0}), y);
        }
    }

    /**
     * The conv2d backward, accumulating: dw (O, C, KH, KW) += dY' @ cols^T, db (O) += dy summed over batch and
     * positions (db may be null), dx (B, C, H, W) += col2im(W^T @ dY') (dx may be null); dY' is dy (B, O, OH, OW)
     * reordered to (O, B * P).
     */
    public synchronized void conv2dBackward(DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer w,
                                            int outChannels, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw,
                                            DeviceBuffer db) {
        String name = "conv2d backward " + g + " -> " + outChannels + " channels";
        int k = g.colRows();
        int p = g.colCols();
        long cells = checkConv(name, batch, g);
        checkRange(name, w, 0, (long) outChannels * k);
        checkRange(name, dy, 0, (long) batch * outChannels * p);
        checkRange(name, dw, 0, (long) outChannels * k);
        requireDevice(name, x, w, dy, dw);
        requireDistinct(name, dw, x, w, dy);
        if (db != null) {
            checkRange(name, db, 0, outChannels);
            requireDevice(name, db);
            requireDistinct(name, db, x, w, dy, dw);
        }
        if (dx != null) {
            checkRange(name, dx, 0, (long) batch * g.imageSize());
            requireDevice(name, dx);
            requireDistinct(name, dx, x, w, dy, dw);
        }
        long out = (long) outChannels * batch * p;
        if (out == 0) {
            return;
        }
        int np = batch * p;
        DeviceBuffer dyT = scratch("conv.out", (int) out); // (O, B * P)
        copyStrided(new View(dy, 0, new int[] {outChannels, batch, p}, new int[] {p, outChannels * p, 1}), dyT, 0);
        DeviceBuffer cols = scratch("conv.cols", (int) cells); // (K, B * P)
        im2col(x, 0, batch, g, cols);
        // forward: y' = W @ cols  =>  dW += dy' @ cols^T
        sgemm(false, true, outChannels, k, np, 1f, dyT, 0, np, cols, 0, np, 1f, dw, 0, k);
        if (db != null) {
            // forward: y = conv + b  =>  db += sum over batch and positions of dy
            sumTo(dy, new int[] {batch, outChannels, p}, db, new int[] {outChannels, 1});
        }
        if (dx != null) {
            // forward: y' = W @ cols  =>  dcols = W^T @ dy',  dx += col2im(dcols)
            DeviceBuffer dcols = scratch("conv.dcols", (int) cells); // (K, B * P)
            sgemm(true, false, k, np, outChannels, 1f, w, 0, k, dyT, 0, np, 0f, dcols, 0, np);
            col2im(dcols, batch, g, dx, 0);
        }
    }

    /** y (B, C, OH, OW) = max over each window of x (B, C, H, W); g gives C, H, W, window, stride and padding. */
    public synchronized void maxPool2d(DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer y) {
        pool("maxpool_forward", "maxPool2d", x, batch, g, y);
    }

    /** forward y = x[argmax of the window]  =>  dx[argmax] += dy (first maximum on ties, as torch). */
    public synchronized void maxPool2dBackward(DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer dy,
                                               DeviceBuffer dx) {
        String name = "maxPool2d backward " + g;
        int planes = checkPool(name, batch, g);
        checkRange(name, x, 0, (long) planes * g.height() * g.width());
        checkRange(name, dy, 0, (long) planes * g.outH() * g.outW());
        checkRange(name, dx, 0, (long) planes * g.height() * g.width());
        requireDevice(name, x, dy, dx);
        requireDistinct(name, dx, x, dy);
        int pixels = planes * g.height() * g.width();
        if (pixels > 0) {
            program.launch("maxpool_backward", flat(pixels), local1(), planes, g.height(), g.width(), g.kernelH(),
                    g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), x.array(),
                    dy.array(), dx.array());
        }
    }

    /** y = the mean of each window, padding counted as zeros (count_include_pad). */
    public synchronized void avgPool2d(DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer y) {
        pool("avgpool_forward", "avgPool2d", x, batch, g, y);
    }

    /** forward y = sum(window) / (KH * KW)  =>  dx += dy / (KH * KW) for every window containing the pixel. */
    public synchronized void avgPool2dBackward(DeviceBuffer dy, int batch, ConvGeometry g, DeviceBuffer dx) {
        String name = "avgPool2d backward " + g;
        int planes = checkPool(name, batch, g);
        checkRange(name, dy, 0, (long) planes * g.outH() * g.outW());
        checkRange(name, dx, 0, (long) planes * g.height() * g.width());
        requireDevice(name, dy, dx);
        requireDistinct(name, dx, dy);
        int pixels = planes * g.height() * g.width();
        if (pixels > 0) {
            program.launch("avgpool_backward", flat(pixels), local1(), planes, g.height(), g.width(), g.kernelH(),
                    g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), dy.array(),
                    dx.array());
        }
    }

    private void pool(String kernel, String op, DeviceBuffer x, int batch, ConvGeometry g, DeviceBuffer y) {
        String name = op + " " + g;
        int planes = checkPool(name, batch, g);
        checkRange(name, x, 0, (long) planes * g.height() * g.width());
        checkRange(name, y, 0, (long) planes * g.outH() * g.outW());
        requireDevice(name, x, y);
        requireDistinct(name, y, x);
        int outputs = planes * g.outH() * g.outW();
        if (outputs > 0) {
            program.launch(kernel, flat(outputs), local1(), planes, g.height(), g.width(), g.kernelH(), g.kernelW(),
                    g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), x.array(), y.array());
        }
    }

    private static int checkPool(String name, int batch, ConvGeometry g) {
        if (batch < 0) {
            throw new IllegalArgumentException(name + ": batch " + batch + " < 0");
        }
        if (g.padH() > g.kernelH() / 2 || g.padW() > g.kernelW() / 2) {
            // PyTorch's limit (and Pool2dOptions'): it keeps every window partly inside the image
            throw new IllegalArgumentException(name + ": padding must be at most half the window");
        }
        long planes = (long) batch * g.channels();
        if (planes * g.height() * g.width() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 - 1 elements");
        }
        return (int) planes;
    }

    // ---------------------------------------------------------------------------------------------------------
    // GEMM

    /**
     * C = alpha * op(A) * op(B) + beta * C with the arguments of org.blades.kernels.Gemm.sgemm (row-major, lda/ldb/
     * ldc the stored row strides; beta 0 overwrites C without reading it).
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int offA,
                      int lda, DeviceBuffer b, int offB, int ldb, float beta, DeviceBuffer c, int offC, int ldc) {
        sgemmBatched(transA, transB, m, n, k, 1, alpha, new MatrixArg(a, offA, lda, 0), new MatrixArg(b, offB, ldb, 0),
                beta, new MatrixArg(c, offC, ldc, 0));
    }

    /**
     * One stored matrix per batch entry: entry i starts at {@code offset + i * batchStride} with row stride ld
     * (batchStride 0 shares one matrix across the batch, e.g. a weight).
     */
    public record MatrixArg(DeviceBuffer buffer, int offset, int ld, int batchStride) {
    }

    /** For every i < batch: C[i] = alpha * op(A[i]) * op(B[i]) + beta * C[i] (attention's Q K^T, P V, ...). */
    public void sgemmBatched(boolean transA, boolean transB, int m, int n, int k, int batch, float alpha, MatrixArg a,
                             MatrixArg b, float beta, MatrixArg c) {
        sgemmBatched(GemmPath.AUTO, transA, transB, m, n, k, batch, alpha, a, b, beta, c);
    }

    synchronized void sgemmBatched(GemmPath path, boolean transA, boolean transB, int m, int n, int k, int batch,
                                   float alpha, MatrixArg a, MatrixArg b, float beta, MatrixArg c) {
        String name = "sgemm: op(A) " + m + "x" + k + (transA ? " (A stored transposed)" : "") + ", op(B) " + k + "x"
                + n + (transB ? " (B stored transposed)" : "") + ", C " + m + "x" + n + ", batch " + batch;
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException(name + ": dimensions must be >= 0");
        }
        checkMatrix(name, "A", a, transA ? k : m, transA ? m : k, batch);
        checkMatrix(name, "B", b, transB ? n : k, transB ? k : n, batch);
        checkMatrix(name, "C", c, m, n, batch);
        if (c.batchStride() == 0 && batch > 1) {
            throw new IllegalArgumentException(name + ": C's batch stride is 0, so every product would overwrite it");
        }
        requireDevice(name, a.buffer(), b.buffer(), c.buffer());
        requireDistinct(name, c.buffer(), a.buffer(), b.buffer());
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        boolean packed = path == GemmPath.PACKED || (path == GemmPath.AUTO && cpu);
        if (packed && k > 0) {
            sgemmPacked(name, transA, transB, m, n, k, batch, alpha, a, b, beta, c);
            return;
        }
        // K = 0 lands here too: the tiled kernel then writes beta * C (or 0).
        program.launch("sgemm_tiled",
                new int[] {checkedGlobal(name, ceilDiv(n, GEMM_TILE), GEMM_TILED_LOCAL[0]),
                    checkedGlobal(name, ceilDiv(m, GEMM_TILE), GEMM_TILED_LOCAL[1]), batch},
                GEMM_TILED_LOCAL, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a.buffer().array(), a.offset(),
                a.ld(), a.batchStride(), b.buffer().array(), b.offset(), b.ld(), b.batchStride(), beta,
                c.buffer().array(), c.offset(), c.ld(), c.batchStride());
    }

    private void sgemmPacked(String name, boolean transA, boolean transB, int m, int n, int k, int batch,
                             float alpha, MatrixArg a, MatrixArg b, float beta, MatrixArg c) {
        int mb = ceilDiv(m, PACK_ROWS);
        int nb = ceilDiv(n, PACK_COLS);
        int batchA = a.batchStride() == 0 ? 1 : batch;
        int batchB = b.batchStride() == 0 ? 1 : batch;
        long panelA = (long) mb * k * PACK_ROWS; // elements of one packed op(A)
        long panelB = (long) nb * k * PACK_COLS;
        if (panelA * batchA > Integer.MAX_VALUE || panelB * batchB > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": the packed panels exceed 2^31 - 1 elements");
        }
        DeviceBuffer ap = scratch("gemm.a", (int) (panelA * batchA)); // (batchA, MB, K, 8)
        DeviceBuffer bp = scratch("gemm.b", (int) (panelB * batchB)); // (batchB, NB, K, 16)
        int kGlobal = roundUp(k, PACK_LOCAL);
        program.launch("gemm_pack_a", new int[] {kGlobal, mb, batchA}, new int[] {PACK_LOCAL, 1, 1},
                transA ? 1 : 0, m, k, a.buffer().array(), a.offset(), a.ld(), a.batchStride(), ap.array());
        program.launch("gemm_pack_b", new int[] {kGlobal, nb, batchB}, new int[] {PACK_LOCAL, 1, 1},
                transB ? 1 : 0, n, k, b.buffer().array(), b.offset(), b.ld(), b.batchStride(), bp.array());
        program.launch("sgemm_packed",
                new int[] {roundUp(nb, PACKED_LOCAL[0]), roundUp(mb, PACKED_LOCAL[1]), batch}, PACKED_LOCAL,
                m, n, k, alpha, ap.array(), batchA == 1 ? 0 : (int) panelA, bp.array(), batchB == 1 ? 0 : (int) panelB,
                beta, c.buffer().array(), c.offset(), c.ld(), c.batchStride());
    }

    private static void checkMatrix(String name, String which, MatrixArg x, int rows, int cols, int batch) {
        if (x == null || x.buffer() == null) {
            throw new IllegalArgumentException(name + ": " + which + " must not be null");
        }
        if (x.ld() < Math.max(1, cols) || x.offset() < 0 || x.batchStride() < 0) {
            throw new IllegalArgumentException(name + ": stored " + which + " " + rows + "x" + cols + " needs ld >= "
                    + Math.max(1, cols) + " and offset, batch stride >= 0; got ld " + x.ld() + ", offset "
                    + x.offset() + ", batch stride " + x.batchStride());
        }
        if (rows > 0 && cols > 0 && batch > 0) {
            long last = x.offset() + (long) (batch - 1) * x.batchStride() + (long) (rows - 1) * x.ld() + cols - 1;
            if (last >= x.buffer().length()) {
                throw new IllegalArgumentException(name + ": stored " + which + " " + rows + "x" + cols + " needs "
                        + "element " + last + " but the buffer has " + x.buffer().length());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Optimiser and embeddings

    /** One Adam/AdamW step (step = 1 for the first) on n parameters; p, m, v updated in place, grad read. */
    public synchronized void adamStep(AdamOptions o, int step, DeviceBuffer p, DeviceBuffer grad, DeviceBuffer m,
                                      DeviceBuffer v, int n) {
        String name = (o.decoupled() ? "AdamW" : "Adam") + " step " + step;
        if (step < 1) {
            throw new IllegalArgumentException(name + ": steps count from 1");
        }
        for (DeviceBuffer b : new DeviceBuffer[] {p, grad, m, v}) {
            checkRange(name, b, 0, n);
        }
        requireDevice(name, p, grad, m, v);
        requireDistinct(name, p, grad, m, v);
        requireDistinct(name, m, grad, v);
        requireDistinct(name, v, grad);
        if (n == 0) {
            return;
        }
        float bias1 = (float) (1.0 - Math.pow(o.beta1(), step));
        float bias2Sqrt = (float) Math.sqrt(1.0 - Math.pow(o.beta2(), step));
        program.launch("adam_step", flat(n), local1(), n, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(),
                o.decoupled() ? 1 : 0, bias1, bias2Sqrt, p.array(), grad.array(), m.array(), v.array());
    }

    /** out (T, C) = rows ids (T) of table (V, C). */
    public synchronized void embedding(int[] ids, DeviceBuffer table, int vocab, int c, DeviceBuffer out) {
        String name = "embedding (T " + ids.length + ", V " + vocab + ", C " + c + ")";
        checkIds(name, ids, vocab);
        checkRange(name, table, 0, (long) vocab * c);
        checkRange(name, out, 0, (long) ids.length * c);
        requireDevice(name, table, out);
        requireDistinct(name, out, table);
        if (ids.length > 0 && c > 0) {
            program.launch("embedding_forward", flat(ids.length * c), local1(), ids.length, c, ids, table.array(),
                    out.array());
        }
    }

    /** forward out[t] = table[ids[t]]  =>  dtable[ids[t]] += dout[t] (repeated ids add up). */
    public synchronized void embeddingBackward(int[] ids, DeviceBuffer dout, DeviceBuffer dtable, int vocab, int c) {
        String name = "embedding backward (T " + ids.length + ", V " + vocab + ", C " + c + ")";
        checkIds(name, ids, vocab);
        checkRange(name, dout, 0, (long) ids.length * c);
        checkRange(name, dtable, 0, (long) vocab * c);
        requireDevice(name, dout, dtable);
        requireDistinct(name, dtable, dout);
        if (ids.length > 0 && c > 0) {
            program.launch("embedding_backward", flat(c), local1(), ids.length, c, ids, dout.array(), dtable.array());
        }
    }

    private static void checkIds(String name, int[] ids, int vocab) {
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException(name + ": id " + ids[t] + " at position " + t + " is outside [0, "
                        + vocab + ")");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Launch shapes, metadata and checks

    private int[] flat(int n) {
        return new int[] {roundUp(n, flatGroup)};
    }

    private int[] local1() {
        return new int[] {flatGroup};
    }

    /** Work-group width for kernels that run along image rows of the given length: a power of two. */
    private int rowGroup(int rowLength) {
        int g = 1;
        while (g < rowLength && g < flatGroup) {
            g <<= 1;
        }
        return g;
    }

    /** Work-group size for folding count values: a power of two, at most reduceGroup. */
    private int groupFor(int count) {
        int g = 1;
        while (g < count && g < reduceGroup) {
            g <<= 1;
        }
        return g;
    }

    private static int checkedGlobal(String name, int groups, int group) {
        long global = (long) groups * group;
        if (global > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": " + groups + " work-groups of " + group
                    + " exceed 2^31 - 1 work-items");
        }
        return (int) global;
    }

    private static int roundUp(int n, int multiple) {
        return Math.toIntExact(((long) n + multiple - 1) / multiple * multiple);
    }

    private static int ceilDiv(int n, int d) {
        return (n + d - 1) / d;
    }

    private static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31 - 1 elements");
        }
        return (int) n;
    }

    /** NumPy broadcasting of two shapes (right-aligned; sizes equal or one of them 1). */
    static int[] broadcastShape(String name, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank]; // (rank)
        for (int d = 0; d < rank; d++) {
            int da = d - (rank - a.length) >= 0 ? a[d - (rank - a.length)] : 1;
            int db = d - (rank - b.length) >= 0 ? b[d - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(name + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " are not broadcastable (dimension " + (d - rank) + ": " + da + " vs "
                        + db + ")");
            }
            out[d] = da == 1 ? db : da;
        }
        return out;
    }

    /** v's strides right-aligned to shape, 0 along dimensions v is broadcast over. */
    private static int[] expandStrides(View v, int[] shape) {
        int[] vs = v.shape();
        int[] st = v.strides();
        int[] out = new int[shape.length]; // (rank)
        int lead = shape.length - vs.length;
        for (int d = lead; d < shape.length; d++) {
            out[d] = vs[d - lead] == 1 && shape[d] != 1 ? 0 : st[d - lead];
        }
        return out;
    }

    /**
     * Fills {@link #meta}: drops size-1 dimensions and merges neighbours that are contiguous for every operand, so
     * typical broadcasts ((B, C, H, W) + (1, C, 1, 1) becomes (B, C, H*W)) stay within META_RANK. The operand
     * strides go to blocks 2 and 3; targetStrides (nullable) is turned into the target's shape (1 where its
     * stride is 0) in block 4.
     *
     * @return the merged rank
     */
    private int packMeta(String name, int[] shape, int[] targetStrides, int[] stridesA, int[] stridesB) {
        int[][] ops = {stridesA, stridesB, targetStrides == null ? new int[shape.length] : targetStrides};
        int[] sh = new int[shape.length]; // (rank) merged sizes, innermost first
        int[][] st = new int[3][shape.length]; // (3, rank) merged strides, innermost first
        int r = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = r > 0;
            for (int q = 0; q < 3 && merge; q++) {
                merge = (long) ops[q][d] == (long) st[q][r - 1] * sh[r - 1];
            }
            if (merge) {
                sh[r - 1] *= shape[d];
            } else {
                sh[r] = shape[d];
                for (int q = 0; q < 3; q++) {
                    st[q][r] = ops[q][d];
                }
                r++;
            }
        }
        if (r > META_RANK) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " still has rank " + r
                    + " after merging contiguous dimensions; the kernels take at most " + META_RANK);
        }
        Arrays.fill(meta, 0);
        meta[0] = r;
        for (int i = 0; i < r; i++) {
            int d = r - 1 - i;
            meta[1 + i] = sh[d];
            meta[1 + r + i] = st[0][d];
            meta[1 + 2 * r + i] = st[1][d];
            meta[1 + 3 * r + i] = st[2][d] == 0 ? 1 : sh[d];
        }
        return r;
    }

    private static void checkAxisView(String name, int outer, int n, int inner) {
        if (outer < 0 || n < 0 || inner < 0) {
            throw new IllegalArgumentException(name + ": OUTER " + outer + ", N " + n + ", INNER " + inner
                    + " must be >= 0");
        }
        if ((long) outer * n * inner > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 - 1 elements");
        }
    }

    private static void checkRange(String name, DeviceBuffer b, int offset, long n) {
        if (b == null) {
            throw new IllegalArgumentException(name + ": buffer must not be null");
        }
        if (offset < 0 || n < 0 || offset + n > b.length()) {
            throw new IllegalArgumentException(name + ": needs " + n + " elements at offset " + offset + " but the "
                    + "buffer has " + b.length());
        }
        if (b.isClosed()) {
            throw new IllegalArgumentException(name + ": buffer " + b + " is closed");
        }
    }

    private void requireDevice(String name, DeviceBuffer... buffers) {
        for (DeviceBuffer b : buffers) {
            if (b.device() != device) {
                throw new IllegalArgumentException(name + ": " + b + " belongs to another device than "
                        + device.info().describe());
            }
        }
    }

    /** Aparapi gives every argument its own cl_mem, so an output that is also an input would see stale data. */
    private static void requireDistinct(String name, DeviceBuffer out, DeviceBuffer... inputs) {
        for (DeviceBuffer in : inputs) {
            if (in == out) {
                throw new IllegalArgumentException(name + ": the output buffer is also an input; use a separate "
                        + "buffer");
            }
        }
    }

    /** The scratch buffer for purpose, with at least n floats (replaced by a larger one when too small). */
    private DeviceBuffer scratch(String purpose, int n) {
        DeviceBuffer b = scratch.get(purpose);
        if (b == null || b.length() < n) {
            if (b != null) {
                b.close();
            }
            b = device.allocate(n);
            scratch.put(purpose, b);
        }
        return b;
    }
}
