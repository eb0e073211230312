package org.blades.nn;

import org.blades.tensor.Autograd;
import org.blades.tensor.Conv;
import org.blades.tensor.Tensor;

// N = batch, C = input channels, O = output channels, H/W = input height/width, OH/OW = output height/width

/**
 * {@code epilogue(bn(conv(x)) + residual)} for a bias-free convolution followed by batch norm, the unit ResNet is
 * built of (the residual, when given, is the block's shortcut).
 *
 * <p>Two paths with one meaning. Taped (training, or whenever grad mode is on): {@link Conv2d#forward}, then for a
 * ReLU epilogue {@link BatchNorm2d#forwardRelu} (batch norm, residual and ReLU as one primitive that keeps only its
 * input and output for the backward pass), else {@link BatchNorm2d#forward} and the residual added. Fused
 * (inference): when the batch norm is in evaluation mode and grad mode is off ({@link Autograd#noGrad()}), the
 * batch norm, the residual and the ReLU are applied in the pass over the convolution's GEMM output
 * ({@link Conv#conv2dBatchNorm}): one pass over the output instead of four, no intermediate tensors, and the same
 * values as the taped path in evaluation mode.
 */
public final class ConvBatchNorm {
    private ConvBatchNorm() {
    }

    /**
     * @param x (N, C, H, W)
     * @return (N, O, OH, OW)
     */
    public static Tensor forward(Conv2d conv, BatchNorm2d bn, Tensor x, Conv.Epilogue epilogue) {
        return forward(conv, bn, x, epilogue, null);
    }

    /**
     * @param x        (N, C, H, W)
     * @param residual (N, O, OH, OW) added before the epilogue, or null
     * @return (N, O, OH, OW)
     */
    public static Tensor forward(Conv2d conv, BatchNorm2d bn, Tensor x, Conv.Epilogue epilogue, Tensor residual) {
        if (conv.bias() != null) {
            throw new IllegalArgumentException("conv + batch norm: the convolution " + conv
                    + " must have no bias (the batch norm's shift replaces it)");
        }
        if (!bn.isTraining() && !Autograd.isGradEnabled()) {
            return Conv.conv2dBatchNorm(x, conv.weight(), bn.params(), conv.options(), epilogue, residual);
        }
        Tensor y = conv.forward(x); // (N, O, OH, OW)
        if (epilogue == Conv.Epilogue.RELU) {
            return bn.forwardRelu(y, residual);
        }
        y = bn.forward(y);
        return residual == null ? y : y.add(residual);
    }

    /**
     * {@code relu(bn(conv(x)) + shortcutBn(shortcutConv(shortcut)))}: the end of a ResNet block with a projection
     * shortcut. Taped: both convolutions, then {@link BatchNorm2d#forwardAddRelu} (both batch norms, the sum and
     * the ReLU as one primitive). Fused (evaluation mode under no-grad): the shortcut's conv + batch norm, then
     * this conv with batch norm, residual and ReLU in its epilogue.
     *
     * @param x        (N, C, H, W)
     * @param shortcut (N, C', H', W'), the block's input
     * @return (N, O, OH, OW)
     */
    public static Tensor forwardWithProjection(Conv2d conv, BatchNorm2d bn, Tensor x, Conv2d shortcutConv,
                                               BatchNorm2d shortcutBn, Tensor shortcut) {
        if (conv.bias() != null || shortcutConv.bias() != null) {
            throw new IllegalArgumentException("conv + batch norm: the convolutions " + conv + " and " + shortcutConv
                    + " must have no bias (the batch norm's shift replaces it)");
        }
        if (!bn.isTraining() && !shortcutBn.isTraining() && !Autograd.isGradEnabled()) {
            Tensor identity = Conv.conv2dBatchNorm(shortcut, shortcutConv.weight(), shortcutBn.params(),
                    shortcutConv.options(), Conv.Epilogue.NONE); // (N, O, OH, OW)
            return Conv.conv2dBatchNorm(x, conv.weight(), bn.params(), conv.options(), Conv.Epilogue.RELU, identity);
        }
        return bn.forwardAddRelu(conv.forward(x), shortcutBn, shortcutConv.forward(shortcut));
    }
}
