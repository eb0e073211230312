package org.blades.kernels;

// N = batch, C = input channels, H/W = input height/width, O = output channels, KH/KW = kernel height/width,
// OH/OW = output height/width.

/**
 * The direct seven-loop 2-D convolution (groups 1, dilation 1), forward and backward: the oracle the im2col +
 * GEMM path of {@code org.blades.tensor.Conv} is tested against. Float64 only and summed in float64, so a
 * float32 result can be compared with it after widening the inputs.
 *
 * <p>{@code y[n, o, oh, ow] = b[o] + sum_{c, kh, kw} w[o, c, kh, kw] * x[n, c, oh*SH - PH + kh, ow*SW - PW + kw]}
 * with x = 0 in the padding.
 */
public final class ConvScalar {
    private ConvScalar() {
    }

    /**
     * @param x    (N, C, H, W)
     * @param w    (O, C, KH, KW)
     * @param bias (O), or null for no bias
     * @param y    (N, O, OH, OW), overwritten
     */
    public static void forward(double[] x, double[] w, double[] bias, double[] y, int N, int O, ConvGeometry g) {
        int C = g.channels(), H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int OH = g.outH(), OW = g.outW();
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < O; o++) {
                for (int oh = 0; oh < OH; oh++) {
                    for (int ow = 0; ow < OW; ow++) {
                        double acc = bias == null ? 0.0 : bias[o];
                        for (int c = 0; c < C; c++) {
                            for (int kh = 0; kh < KH; kh++) {
                                for (int kw = 0; kw < KW; kw++) {
                                    int ih = oh * g.strideH() - g.padH() + kh;
                                    int iw = ow * g.strideW() - g.padW() + kw;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                                        acc += w[((o * C + c) * KH + kh) * KW + kw] * x[((n * C + c) * H + ih) * W + iw];
                                    }
                                }
                            }
                        }
                        y[((n * O + o) * OH + oh) * OW + ow] = acc;
                    }
                }
            }
        }
    }

    /**
     * Accumulates the gradients of {@code loss = sum(y * dy)}.
     *
     * @param x  (N, C, H, W)
     * @param w  (O, C, KH, KW)
     * @param dy (N, O, OH, OW)
     * @param dx (N, C, H, W) accumulated into, or null when not wanted
     * @param dw (O, C, KH, KW) accumulated into, or null when not wanted
     * @param db (O) accumulated into, or null when not wanted
     */
    public static void backward(double[] x, double[] w, double[] dy, double[] dx, double[] dw, double[] db,
                                int N, int O, ConvGeometry g) {
        int C = g.channels(), H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int OH = g.outH(), OW = g.outW();
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < O; o++) {
                for (int oh = 0; oh < OH; oh++) {
                    for (int ow = 0; ow < OW; ow++) {
                        double d = dy[((n * O + o) * OH + oh) * OW + ow];
                        // forward: y = b + sum w * x  =>  db += dy
                        if (db != null) {
                            db[o] += d;
                        }
                        for (int c = 0; c < C; c++) {
                            for (int kh = 0; kh < KH; kh++) {
                                for (int kw = 0; kw < KW; kw++) {
                                    int ih = oh * g.strideH() - g.padH() + kh;
                                    int iw = ow * g.strideW() - g.padW() + kw;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                                        continue;
                                    }
                                    int wi = ((o * C + c) * KH + kh) * KW + kw;
                                    int xi = ((n * C + c) * H + ih) * W + iw;
                                    // forward: y += w * x  =>  dw += dy * x,  dx += dy * w
                                    if (dw != null) {
                                        dw[wi] += d * x[xi];
                                    }
                                    if (dx != null) {
                                        dx[xi] += d * w[wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
