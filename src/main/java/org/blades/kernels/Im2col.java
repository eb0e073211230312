package org.blades.kernels;

import java.util.Arrays;

// C = channels, H/W = image height/width, KH/KW = kernel height/width, OH/OW = output height/width.
// Column matrix: row r = (c*KH + kh)*KW + kw, column p = oh*OW + ow, value x[c, oh*SH - PH + kh, ow*SW - PW + kw]
// (0 where that falls in the padding).

/**
 * Unfolds one image into the column matrix of a convolution ({@link #im2col}) and folds a column matrix back,
 * adding overlapping windows ({@link #col2im}, the adjoint). With the column matrix a convolution is one GEMM:
 * {@code y(O, OH*OW) = w(O, C*KH*KW) @ cols(C*KH*KW, OH*OW)}.
 *
 * <p>Each (row, oh) segment of OW outputs reads one input row at stride SW; the range of ow that lands inside
 * the image is computed once per kw, so the inner loop has no bounds checks and becomes an arraycopy when
 * SW == 1. {@link Im2colScalar} is the per-element twin these are tested against.
 */
public final class Im2col {
    private Im2col() {
    }

    private static void checkLd(String op, ConvGeometry g, int ldCols) {
        if (ldCols < g.colCols()) {
            throw new IllegalArgumentException(op + ": row stride " + ldCols + " < OH*OW = " + g.colCols() + " for "
                    + g);
        }
    }

    /** First ow whose input column ow*SW - PW + kw is >= 0. */
    private static int owStart(ConvGeometry g, int kw) {
        int need = g.padW() - kw; // ow*SW >= PW - kw
        return need <= 0 ? 0 : Math.min((need + g.strideW() - 1) / g.strideW(), g.outW());
    }

    /** One past the last ow whose input column ow*SW - PW + kw is <= W - 1 (never below owStart). */
    private static int owEnd(ConvGeometry g, int kw, int start) {
        int room = g.width() - 1 + g.padW() - kw; // ow*SW <= W - 1 + PW - kw
        int end = room < 0 ? 0 : Math.min(room / g.strideW() + 1, g.outW());
        return Math.max(end, start);
    }

    /**
     * Writes (overwrites) the column matrix of one image.
     *
     * @param x    (C, H, W) image at xOff
     * @param cols (C*KH*KW, OH*OW) at colsOff
     */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff) {
        im2col(x, xOff, g, cols, colsOff, g.colCols());
    }

    /**
     * Writes (overwrites) the column matrix of one image into OH*OW columns of a wider matrix, e.g. the block
     * of image n in the column matrix of several images side by side ({@code colsOff = n*OH*OW},
     * {@code ldCols = images*OH*OW}); the other columns are not touched.
     *
     * @param x      (C, H, W) image at xOff
     * @param cols   (C*KH*KW, ldCols) at colsOff, of which columns [0, OH*OW) are written
     * @param ldCols row stride of cols, >= OH*OW
     */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff, int ldCols) {
        int H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int SH = g.strideH(), SW = g.strideW(), PH = g.padH(), PW = g.padW();
        int OH = g.outH(), OW = g.outW();
        checkLd("im2col", g, ldCols);
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < KH; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int row = colsOff + ((c * KH + kh) * KW + kw) * ldCols;
                    int lo = owStart(g, kw);
                    int hi = owEnd(g, kw, lo);
                    for (int oh = 0; oh < OH; oh++) {
                        int dst = row + oh * OW;
                        int ih = oh * SH - PH + kh;
                        if (ih < 0 || ih >= H) {
                            Arrays.fill(cols, dst, dst + OW, 0f);
                            continue;
                        }
                        // the padding edges are a column or two: plain loops, no Arrays.fill call per row
                        for (int ow = 0; ow < lo; ow++) {
                            cols[dst + ow] = 0f;
                        }
                        int src = xOff + (c * H + ih) * W + lo * SW - PW + kw;
                        if (SW == 1) {
                            // src is only a valid array position when the range is non-empty
                            if (hi > lo) {
                                System.arraycopy(x, src, cols, dst + lo, hi - lo);
                            }
                        } else {
                            for (int ow = lo; ow < hi; ow++, src += SW) {
                                cols[dst + ow] = x[src];
                            }
                        }
                        for (int ow = hi; ow < OW; ow++) {
                            cols[dst + ow] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** Double precision twin of {@link #im2col(float[], int, ConvGeometry, float[], int)}. */
    public static void im2col(double[] x, int xOff, ConvGeometry g, double[] cols, int colsOff) {
        int H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int SH = g.strideH(), SW = g.strideW(), PH = g.padH(), PW = g.padW();
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < KH; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int row = colsOff + ((c * KH + kh) * KW + kw) * OH * OW;
                    int lo = owStart(g, kw);
                    int hi = owEnd(g, kw, lo);
                    for (int oh = 0; oh < OH; oh++) {
                        int dst = row + oh * OW;
                        int ih = oh * SH - PH + kh;
                        if (ih < 0 || ih >= H) {
                            Arrays.fill(cols, dst, dst + OW, 0.0);
                            continue;
                        }
                        Arrays.fill(cols, dst, dst + lo, 0.0);
                        int src = xOff + (c * H + ih) * W + lo * SW - PW + kw;
                        if (SW == 1) {
                            // src is only a valid array position when the range is non-empty
                            if (hi > lo) {
                                System.arraycopy(x, src, cols, dst + lo, hi - lo);
                            }
                        } else {
                            for (int ow = lo; ow < hi; ow++, src += SW) {
                                cols[dst + ow] = x[src];
                            }
                        }
                        Arrays.fill(cols, dst + hi, dst + OW, 0.0);
                    }
                }
            }
        }
    }

    /**
     * Adds every column-matrix entry back onto the image pixel it was read from; entries that came from the
     * padding are dropped. The adjoint of {@link #im2col}: {@code <im2col(x), cols> == <x, col2im(cols)>}.
     *
     * @param cols (C*KH*KW, OH*OW) at colsOff
     * @param dx   (C, H, W) image at dxOff, accumulated into (+=)
     */
    public static void col2im(float[] cols, int colsOff, ConvGeometry g, float[] dx, int dxOff) {
        col2im(cols, colsOff, g.colCols(), g, dx, dxOff);
    }

    /**
     * {@link #col2im(float[], int, ConvGeometry, float[], int)} reading OH*OW columns of a wider matrix (the
     * adjoint of {@link #im2col(float[], int, ConvGeometry, float[], int, int)}).
     *
     * @param cols   (C*KH*KW, ldCols) at colsOff, of which columns [0, OH*OW) are read
     * @param ldCols row stride of cols, >= OH*OW
     * @param dx     (C, H, W) image at dxOff, accumulated into (+=)
     */
    public static void col2im(float[] cols, int colsOff, int ldCols, ConvGeometry g, float[] dx, int dxOff) {
        int H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int SH = g.strideH(), SW = g.strideW(), PH = g.padH(), PW = g.padW();
        int OH = g.outH(), OW = g.outW();
        checkLd("col2im", g, ldCols);
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < KH; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int row = colsOff + ((c * KH + kh) * KW + kw) * ldCols;
                    int lo = owStart(g, kw);
                    int hi = owEnd(g, kw, lo);
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * SH - PH + kh;
                        if (ih < 0 || ih >= H) {
                            continue;
                        }
                        int src = row + oh * OW;
                        int dst = dxOff + (c * H + ih) * W + lo * SW - PW + kw;
                        if (SW == 1) {
                            // dst is only a valid array position when the range is non-empty
                            if (hi > lo) {
                                ArrayKernels.add(dx, dst, cols, src + lo, hi - lo);
                            }
                            continue;
                        }
                        for (int ow = lo; ow < hi; ow++, dst += SW) {
                            dx[dst] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }

    /** Double precision twin of {@link #col2im(float[], int, ConvGeometry, float[], int)}. */
    public static void col2im(double[] cols, int colsOff, ConvGeometry g, double[] dx, int dxOff) {
        int H = g.height(), W = g.width(), KH = g.kernelH(), KW = g.kernelW();
        int SH = g.strideH(), SW = g.strideW(), PH = g.padH(), PW = g.padW();
        int OH = g.outH(), OW = g.outW();
        for (int c = 0; c < g.channels(); c++) {
            for (int kh = 0; kh < KH; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int row = colsOff + ((c * KH + kh) * KW + kw) * OH * OW;
                    int lo = owStart(g, kw);
                    int hi = owEnd(g, kw, lo);
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * SH - PH + kh;
                        if (ih < 0 || ih >= H) {
                            continue;
                        }
                        int src = row + oh * OW;
                        int dst = dxOff + (c * H + ih) * W + lo * SW - PW + kw;
                        for (int ow = lo; ow < hi; ow++, dst += SW) {
                            dx[dst] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }
}
