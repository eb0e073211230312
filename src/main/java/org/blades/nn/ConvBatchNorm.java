package org.blades.nn;

import org.blades.tensor.Activation;
import org.blades.tensor.Autograd;
import org.blades.tensor.Conv;
import org.blades.tensor.Tensor;

// N = batch, C = input channels, O = output channels, H/W = input height/width, OH/OW = output height/width

/**
 * {@code epilogue(bn(conv(x)))} for a bias-free convolution followed by batch norm, the unit ResNet is built of.
 *
 * <p>Two paths with one meaning. Composed (the differentiable one): {@link Conv2d#forward}, then
 * {@link BatchNorm2d#forward} (training or evaluation statistics), then ReLU if asked. Fused (inference): when
 * the batch norm is in evaluation mode and grad mode is off ({@link Autograd#noGrad()}), the running statistics
 * are folded into the convolution ({@link Conv#conv2dBatchNorm}) and the ReLU is applied in the same pass: one
 * pass over the output instead of three, and no intermediate tensors. The two agree to float32 rounding (the
 * folded weights are rounded once); ResNetTest pins that.
 */
public final class ConvBatchNorm {
    private ConvBatchNorm() {
    }

    /**
     * @param x (N, C, H, W)
     * @return (N, O, OH, OW)
     */
    public static Tensor forward(Conv2d conv, BatchNorm2d bn, Tensor x, Conv.Epilogue epilogue) {
        if (conv.bias() != null) {
            throw new IllegalArgumentException("conv + batch norm: the convolution " + conv
                    + " must have no bias (the batch norm's shift replaces it)");
        }
        if (!bn.isTraining() && !Autograd.isGradEnabled()) {
            return Conv.conv2dBatchNorm(x, conv.weight(), bn.params(), conv.options(), epilogue);
        }
        Tensor y = bn.forward(conv.forward(x)); // (N, O, OH, OW)
        return epilogue == Conv.Epilogue.RELU ? Activation.relu(y) : y;
    }
}
