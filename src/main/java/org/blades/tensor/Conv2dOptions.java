package org.blades.tensor;

// H/W = input height/width; strides and paddings are given per axis as (height, width).

/**
 * Stride and zero padding of a 2-D convolution (groups 1, dilation 1), per axis (height, width).
 *
 * @param strideH rows between consecutive output rows' windows, >= 1
 * @param strideW columns between consecutive output columns' windows, >= 1
 * @param padH    zero rows added above and below, >= 0
 * @param padW    zero columns added left and right, >= 0
 */
public record Conv2dOptions(int strideH, int strideW, int padH, int padW) {

    /** Stride 1, no padding (PyTorch's defaults). */
    public static final Conv2dOptions DEFAULT = new Conv2dOptions(1, 1, 0, 0);

    public Conv2dOptions {
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: stride (" + strideH + ", " + strideW
                    + ") must be >= 1 and padding (" + padH + ", " + padW + ") >= 0");
        }
    }

    /** The same stride and padding on both axes, e.g. {@code of(2, 3)} for the ResNet stem. */
    public static Conv2dOptions of(int stride, int padding) {
        return new Conv2dOptions(stride, stride, padding, padding);
    }
}
