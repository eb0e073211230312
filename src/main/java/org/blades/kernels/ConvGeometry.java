package org.blades.kernels;

// C = input channels, H/W = input height/width, KH/KW = kernel height/width, SH/SW = strides,
// PH/PW = zero padding on each side, OH/OW = output height/width.

/**
 * The geometry of one 2-D convolution (or pooling) window sweep over a single (C, H, W) image, shared by
 * {@link Im2col}, {@link Im2colScalar} and {@link ConvScalar}. Output sizes use floor division, as PyTorch
 * does without ceil_mode: {@code OH = (H + 2*PH - KH) / SH + 1}.
 *
 * @param channels C
 * @param height   H
 * @param width    W
 * @param kernelH  KH
 * @param kernelW  KW
 * @param strideH  SH
 * @param strideW  SW
 * @param padH     PH, zero rows added above and below
 * @param padW     PW, zero columns added left and right
 */
public record ConvGeometry(int channels, int height, int width, int kernelH, int kernelW,
                           int strideH, int strideW, int padH, int padW) {

    public ConvGeometry {
        if (channels < 1 || height < 1 || width < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
                || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("ConvGeometry: invalid " + describe(channels, height, width, kernelH,
                    kernelW, strideH, strideW, padH, padW));
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("ConvGeometry: kernel (" + kernelH + ", " + kernelW
                    + ") is larger than the padded input (" + (height + 2 * padH) + ", " + (width + 2 * padW) + ")");
        }
    }

    private static String describe(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        return "geometry C=" + c + " H=" + h + " W=" + w + " kernel (" + kh + ", " + kw + ") stride (" + sh + ", "
                + sw + ") padding (" + ph + ", " + pw + ")";
    }

    public int outH() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    /** Rows of the column matrix: C*KH*KW, the GEMM's summed dimension. */
    public int colRows() {
        return channels * kernelH * kernelW;
    }

    /** Columns of the column matrix: OH*OW, one per output pixel. */
    public int colCols() {
        return outH() * outW();
    }

    /** Elements of one input image: C*H*W. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The same window sweep over the first {@code c} channels (a channel range of the image, for splitting work). */
    public ConvGeometry withChannels(int c) {
        return new ConvGeometry(c, height, width, kernelH, kernelW, strideH, strideW, padH, padW);
    }

    /** A 1x1, stride-1, unpadded convolution reads the image itself as its column matrix. */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }
}
