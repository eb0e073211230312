package org.blades.kernels;

// C = channels, H/W = image height/width, KH/KW = kernel height/width, OH/OW = output height/width.

/**
 * The per-element im2col/col2im, written straight from the definition with a bounds check per entry: the
 * oracle {@link Im2col} is tested against. Same signatures and semantics as {@link Im2col}.
 */
public final class Im2colScalar {
    private Im2colScalar() {
    }

    /**
     * @param x    (C, H, W) image at xOff
     * @param cols (C*KH*KW, OH*OW) at colsOff, overwritten
     */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff) {
        im2col(x, xOff, g, cols, colsOff, g.colCols());
    }

    /**
     * @param x      (C, H, W) image at xOff
     * @param cols   (C*KH*KW, ldCols) at colsOff, columns [0, OH*OW) overwritten
     * @param ldCols row stride of cols
     */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff, int ldCols) {
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = (c * g.kernelH() + kh) * g.kernelW() + kw;
                    for (int oh = 0; oh < OH; oh++) {
                        for (int ow = 0; ow < OW; ow++) {
                            int ih = oh * g.strideH() - g.padH() + kh;
                            int iw = ow * g.strideW() - g.padW() + kw;
                            boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
                            cols[colsOff + r * ldCols + oh * OW + ow] =
                                    inside ? x[xOff + (c * g.height() + ih) * g.width() + iw] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * @param x    (C, H, W) image at xOff
     * @param cols (C*KH*KW, OH*OW) at colsOff, overwritten
     */
    public static void im2col(double[] x, int xOff, ConvGeometry g, double[] cols, int colsOff) {
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = (c * g.kernelH() + kh) * g.kernelW() + kw;
                    for (int oh = 0; oh < OH; oh++) {
                        for (int ow = 0; ow < OW; ow++) {
                            int ih = oh * g.strideH() - g.padH() + kh;
                            int iw = ow * g.strideW() - g.padW() + kw;
                            boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
                            cols[colsOff + r * OH * OW + oh * OW + ow] =
                                    inside ? x[xOff + (c * g.height() + ih) * g.width() + iw] : 0.0;
                        }
                    }
                }
            }
        }
    }

    /**
     * @param cols (C*KH*KW, OH*OW) at colsOff
     * @param dx   (C, H, W) image at dxOff, accumulated into (+=)
     */
    public static void col2im(float[] cols, int colsOff, ConvGeometry g, float[] dx, int dxOff) {
        col2im(cols, colsOff, g.colCols(), g, dx, dxOff);
    }

    /**
     * @param cols   (C*KH*KW, ldCols) at colsOff, columns [0, OH*OW) read
     * @param ldCols row stride of cols
     * @param dx     (C, H, W) image at dxOff, accumulated into (+=)
     */
    public static void col2im(float[] cols, int colsOff, int ldCols, ConvGeometry g, float[] dx, int dxOff) {
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = (c * g.kernelH() + kh) * g.kernelW() + kw;
                    for (int oh = 0; oh < OH; oh++) {
                        for (int ow = 0; ow < OW; ow++) {
                            int ih = oh * g.strideH() - g.padH() + kh;
                            int iw = ow * g.strideW() - g.padW() + kw;
                            if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                dx[dxOff + (c * g.height() + ih) * g.width() + iw] +=
                                        cols[colsOff + r * ldCols + oh * OW + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * @param cols (C*KH*KW, OH*OW) at colsOff
     * @param dx   (C, H, W) image at dxOff, accumulated into (+=)
     */
    public static void col2im(double[] cols, int colsOff, ConvGeometry g, double[] dx, int dxOff) {
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int r = (c * g.kernelH() + kh) * g.kernelW() + kw;
                    for (int oh = 0; oh < OH; oh++) {
                        for (int ow = 0; ow < OW; ow++) {
                            int ih = oh * g.strideH() - g.padH() + kh;
                            int iw = ow * g.strideW() - g.padW() + kw;
                            if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                dx[dxOff + (c * g.height() + ih) * g.width() + iw] +=
                                        cols[colsOff + r * OH * OW + oh * OW + ow];
                            }
                        }
                    }
                }
            }
        }
    }
}
