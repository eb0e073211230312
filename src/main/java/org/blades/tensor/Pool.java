package org.blades.tensor;

import org.blades.kernels.Parallel;
import org.blades.kernels.PoolKernels;

// N = batch, C = channels, H/W = input height/width, KH/KW = window height/width, SH/SW = strides,
// PH/PW = padding, OH/OW = output height/width; a plane is one (n, c) image of H*W values.

/**
 * 2-D pooling over NCHW input with PyTorch's semantics (ceil_mode=False): max pooling treats the padding as
 * -inf and sends the gradient to the first maximum of each window; average pooling counts the padding as
 * zeros and always divides by KH*KW (count_include_pad=True, PyTorch's default); global average pooling is
 * the mean over H and W.
 *
 * <p>Planes are processed in parallel; each plane is written by one thread in a fixed order, so results do
 * not depend on the thread count.
 */
public final class Pool {
    private Pool() {
    }

    /** Output elements per parallel chunk below which waking workers costs more than it saves. */
    private static final int CHUNK_ELEMENTS = 1 << 14;

    /** Max pooling with a square window; {@code maxPool2d(x, 3, 2, 1)} is the ResNet stem pool. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, options("max_pool2d", kernel, stride, padding));
    }

    /**
     * @param x (N, C, H, W)
     * @return (N, C, OH, OW): the maximum of each window (NaN if the window holds one)
     */
    public static Tensor maxPool2d(Tensor x, Pool2dOptions o) {
        String op = "max_pool2d";
        int[] os = outputShape(op, x, o); // (N, C, OH, OW)
        int H = x.size(2), W = x.size(3), OH = os[2], OW = os[3];
        int planes = os[0] * os[1];
        Tensor xd = x.detach().contiguous(); // (N, C, H, W), walked as N*C planes
        Tensor out = Tensor.empty(x.dtype(), os); // (N, C, OH, OW), walked as N*C planes
        if (x.dtype() == DType.F32) {
            // Values only; the backward pass finds each window's maximum again from x and y (x is kept by
            // the op that produced it anyway), so inference does no argmax work and training keeps no indices.
            float[] xf = xd.rawF(); // (N, C, H, W)
            float[] yf = out.rawF(); // (N, C, OH, OW)
            forEachPlane(planes, OH * OW, pl -> maxValuesF32(xf, yf, pl, H, W, OH, OW, o));
            return Autograd.record(op, out, new Tensor[] {x}, gout -> {
                float[] g = gout.contiguous().rawF(); // (N, C, OH, OW)
                Tensor dx = Autograd.gradientBuffer(x.dtype(), x.shapeRef(), true); // (N, C, H, W)
                float[] d = dx.rawF(); // (N, C, H, W)
                // forward: y[pl, oh, ow] = x[pl, argmax]  =>  dx[pl, argmax] += dy[pl, oh, ow]
                forEachPlane(planes, OH * OW, pl -> maxGradientF32(xf, yf, g, d, pl, H, W, OH, OW, o));
                Autograd.accumulateOwned(x, dx);
            });
        }
        int[] argmax = new int[out.numel()]; // (N, C, OH, OW) index h*W + w of each window's maximum in its plane
        forEachPlane(planes, OH * OW, pl -> maxPlane(xd, out, argmax, pl, H, W, OH, OW, o));
        return Autograd.record(op, out, new Tensor[] {x}, gout -> {
            Tensor gy = gout.contiguous(); // (N, C, OH, OW), walked as N*C planes
            Tensor dx = Tensor.zeros(x.dtype(), x.shapeRef()); // (N, C, H, W), walked as N*C planes
            forEachPlane(planes, OH * OW, pl -> {
                // forward: y[pl, oh, ow] = x[pl, argmax]  =>  dx[pl, argmax] += dy[pl, oh, ow]
                for (int k = pl * OH * OW, end = k + OH * OW; k < end; k++) {
                    int i = pl * H * W + argmax[k];
                    dx.put(i, dx.at(i) + gy.at(k));
                }
            });
            Autograd.accumulateOwned(x, dx);
        });
    }

    /** One plane of {@link #maxPool2d}, any dtype. */
    private static void maxPlane(Tensor xd, Tensor out, int[] argmax, int pl, int H, int W, int OH, int OW,
                                 Pool2dOptions o) {
        int in = pl * H * W;
        for (int oh = 0; oh < OH; oh++) {
            int h0 = Math.max(oh * o.strideH() - o.padH(), 0);
            int h1 = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), H);
            for (int ow = 0; ow < OW; ow++) {
                int w0 = Math.max(ow * o.strideW() - o.padW(), 0);
                int w1 = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), W);
                // PyTorch's scan: strictly greater wins (first max on ties), NaN always wins; an all -inf
                // window reports its first element.
                double best = Double.NEGATIVE_INFINITY;
                int arg = h0 * W + w0;
                for (int h = h0; h < h1; h++) {
                    for (int w = w0; w < w1; w++) {
                        double v = xd.at(in + h * W + w);
                        if (v > best || Double.isNaN(v)) {
                            best = v;
                            arg = h * W + w;
                        }
                    }
                }
                int k = (pl * OH + oh) * OW + ow;
                out.put(k, best);
                argmax[k] = arg;
            }
        }
    }

    /**
     * The values of {@link #maxPlane} for a float32 plane, separably: the maximum down each window's rows for
     * every column ({@link PoolKernels#columnMax}, vectorised), then across each window's columns. Math.max is
     * branch-free where the scan's compare mispredicts on about every other element of random data, and NaN
     * wins in both. The one value the two can disagree on is a maximum of 0 (Math.max prefers +0, the scan keeps
     * the first of -0 and +0), so those windows are scanned.
     *
     * @param x (N, C, H, W)
     * @param y (N, C, OH, OW)
     */
    private static void maxValuesF32(float[] x, float[] y, int pl, int H, int W, int OH, int OW, Pool2dOptions o) {
        int in = pl * H * W;
        float[] rows = new float[W]; // (W) the column maxima of one output row's window rows
        for (int oh = 0; oh < OH; oh++) {
            int h0 = Math.max(oh * o.strideH() - o.padH(), 0);
            int h1 = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), H);
            PoolKernels.columnMax(x, in + h0 * W, h1 - h0, W, rows);
            for (int ow = 0; ow < OW; ow++) {
                int w0 = Math.max(ow * o.strideW() - o.padW(), 0);
                int w1 = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), W);
                float m = rows[w0];
                for (int w = w0 + 1; w < w1; w++) {
                    m = Math.max(m, rows[w]);
                }
                if (m == 0f) {
                    m = x[in + firstMax(x, in, W, h0, h1, w0, w1, m)];
                }
                y[(pl * OH + oh) * OW + ow] = m;
            }
        }
    }

    /**
     * The backward pass of {@link #maxValuesF32}: each window's maximum found again as the scan of
     * {@link #maxPlane} finds it (the first element equal to the output, or the last NaN), then dx there += dy.
     *
     * @param x  (N, C, H, W)
     * @param y  (N, C, OH, OW) the forward output
     * @param g  (N, C, OH, OW) dy
     * @param dx (N, C, H, W), accumulated into
     */
    private static void maxGradientF32(float[] x, float[] y, float[] g, float[] dx, int pl, int H, int W, int OH,
                                       int OW, Pool2dOptions o) {
        int in = pl * H * W;
        for (int oh = 0; oh < OH; oh++) {
            int h0 = Math.max(oh * o.strideH() - o.padH(), 0);
            int h1 = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), H);
            for (int ow = 0; ow < OW; ow++) {
                int w0 = Math.max(ow * o.strideW() - o.padW(), 0);
                int w1 = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), W);
                int k = (pl * OH + oh) * OW + ow;
                dx[in + firstMax(x, in, W, h0, h1, w0, w1, y[k])] += g[k];
            }
        }
    }

    /**
     * Where the scan of {@link #maxPlane} puts a window's maximum m, as an index into the plane: the last NaN
     * when m is NaN (NaN always wins), else the first element equal to m (strictly greater wins); the window's
     * first element when none matches (an all -inf window).
     */
    private static int firstMax(float[] x, int in, int W, int h0, int h1, int w0, int w1, float m) {
        if (m != m) {
            int last = h0 * W + w0;
            for (int h = h0; h < h1; h++) {
                for (int w = w0; w < w1; w++) {
                    float v = x[in + h * W + w];
                    if (v != v) {
                        last = h * W + w;
                    }
                }
            }
            return last;
        }
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                if (x[in + h * W + w] == m) {
                    return h * W + w;
                }
            }
        }
        return h0 * W + w0;
    }

    /** Average pooling with a square window, padding counted as zeros. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, options("avg_pool2d", kernel, stride, padding));
    }

    /**
     * @param x (N, C, H, W)
     * @return (N, C, OH, OW): the sum of each window's in-image values divided by KH*KW
     */
    public static Tensor avgPool2d(Tensor x, Pool2dOptions o) {
        String op = "avg_pool2d";
        int[] os = outputShape(op, x, o); // (N, C, OH, OW)
        int H = x.size(2), W = x.size(3), OH = os[2], OW = os[3];
        int planes = os[0] * os[1];
        double area = (double) o.kernelH() * o.kernelW();
        Tensor xd = x.detach().contiguous(); // (N, C, H, W), walked as N*C planes
        Tensor out = Tensor.empty(x.dtype(), os); // (N, C, OH, OW), walked as N*C planes
        forEachPlane(planes, OH * OW, pl -> {
            int in = pl * H * W;
            for (int oh = 0; oh < OH; oh++) {
                int h0 = Math.max(oh * o.strideH() - o.padH(), 0);
                int h1 = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), H);
                for (int ow = 0; ow < OW; ow++) {
                    int w0 = Math.max(ow * o.strideW() - o.padW(), 0);
                    int w1 = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), W);
                    double sum = 0.0;
                    for (int h = h0; h < h1; h++) {
                        for (int w = w0; w < w1; w++) {
                            sum += xd.at(in + h * W + w);
                        }
                    }
                    out.put((pl * OH + oh) * OW + ow, sum / area);
                }
            }
        });
        return Autograd.record(op, out, new Tensor[] {x}, gout -> {
            Tensor gy = gout.contiguous(); // (N, C, OH, OW), walked as N*C planes
            Tensor dx = Tensor.zeros(x.dtype(), x.shapeRef()); // (N, C, H, W), walked as N*C planes
            forEachPlane(planes, OH * OW, pl -> {
                int in = pl * H * W;
                for (int oh = 0; oh < OH; oh++) {
                    int h0 = Math.max(oh * o.strideH() - o.padH(), 0);
                    int h1 = Math.min(oh * o.strideH() - o.padH() + o.kernelH(), H);
                    for (int ow = 0; ow < OW; ow++) {
                        int w0 = Math.max(ow * o.strideW() - o.padW(), 0);
                        int w1 = Math.min(ow * o.strideW() - o.padW() + o.kernelW(), W);
                        // forward: y = sum(window) / (KH*KW)  =>  dx[window] += dy / (KH*KW)
                        double d = gy.at((pl * OH + oh) * OW + ow) / area;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                int i = in + h * W + w;
                                dx.put(i, dx.at(i) + d);
                            }
                        }
                    }
                }
            });
            Autograd.accumulate(x, dx);
        });
    }

    /**
     * The mean over H and W (adaptive_avg_pool2d(x, 1) flattened), composed from {@link Tensor#mean}.
     *
     * @param x (N, C, H, W)
     * @return (N, C)
     */
    public static Tensor globalAvgPool(Tensor x) {
        if (x == null || x.dim() != 4) {
            throw new IllegalArgumentException("global_avg_pool2d: input must be 4-D (N, C, H, W), got "
                    + (x == null ? "null" : x.describe()));
        }
        return x.mean(false, 2, 3);
    }

    private static Pool2dOptions options(String op, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException(op + ": kernel " + kernel + " and stride " + stride
                    + " must be >= 1 and padding " + padding + " between 0 and kernel / 2");
        }
        return Pool2dOptions.of(kernel, stride, padding);
    }

    /** Validates input and options; returns (N, C, OH, OW). */
    private static int[] outputShape(String op, Tensor x, Pool2dOptions o) {
        if (x == null || o == null) {
            throw new IllegalArgumentException(op + ": input and options must not be null");
        }
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D (N, C, H, W), got " + x.describe());
        }
        int[] s = x.shapeRef(); // (N, C, H, W)
        int ph = s[2] + 2 * o.padH();
        int pw = s[3] + 2 * o.padW();
        if (o.kernelH() > ph || o.kernelW() > pw) {
            throw new IllegalArgumentException(op + ": window (" + o.kernelH() + ", " + o.kernelW()
                    + ") does not fit the padded input (" + ph + ", " + pw + "): input " + x.describe()
                    + ", padding (" + o.padH() + ", " + o.padW() + "); the output would be empty");
        }
        return new int[] {s[0], s[1], (ph - o.kernelH()) / o.strideH() + 1, (pw - o.kernelW()) / o.strideW() + 1};
    }

    /** Runs body(plane) for every plane, in chunks of whole planes sized so each chunk is worth a thread. */
    private static void forEachPlane(int planes, int outPerPlane, java.util.function.IntConsumer body) {
        int grain = Math.max(1, CHUNK_ELEMENTS / Math.max(outPerPlane, 1));
        Parallel.parallelForRange(planes, grain, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                body.accept(pl);
            }
        });
    }
}
