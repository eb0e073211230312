package org.blades.tensor;

// H/W = input height/width, KH/KW = window height/width, OH/OW = output height/width.

/**
 * Window, stride and padding of a 2-D pooling, per axis (height, width). Output sizes use floor division
 * (PyTorch's ceil_mode=False): {@code OH = (H + 2*padH - kernelH) / strideH + 1}.
 *
 * @param kernelH window rows, >= 1
 * @param kernelW window columns, >= 1
 * @param strideH >= 1
 * @param strideW >= 1
 * @param padH    rows added above and below, 0 <= padH <= kernelH / 2 (PyTorch's limit)
 * @param padW    columns added left and right, 0 <= padW <= kernelW / 2
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    public Pool2dOptions {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0
                || padH > kernelH / 2 || padW > kernelW / 2) {
            throw new IllegalArgumentException("pool2d: kernel (" + kernelH + ", " + kernelW + ") and stride ("
                    + strideH + ", " + strideW + ") must be >= 1, padding (" + padH + ", " + padW
                    + ") between 0 and half the kernel");
        }
    }

    /** A square window with the same stride and padding on both axes, e.g. {@code of(3, 2, 1)}. */
    public static Pool2dOptions of(int kernel, int stride, int padding) {
        return new Pool2dOptions(kernel, kernel, stride, stride, padding, padding);
    }
}
