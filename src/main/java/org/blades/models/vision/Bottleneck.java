package org.blades.models.vision;

import org.blades.nn.BatchNorm2d;
import org.blades.nn.Conv2d;
import org.blades.nn.ConvBatchNorm;
import org.blades.nn.Module;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// N = batch, C = input channels, P = planes (inner width), H/W = input height/width, s = stride,
// OH/OW = output height/width = ceil(H/s), ceil(W/s)

/**
 * torchvision's Bottleneck (ResNet v1.5): 1x1 conv to P channels, 3x3 conv carrying the stride, 1x1 conv to 4P
 * channels, each followed by batch norm; a projection shortcut ({@code downsample}: 1x1 conv with the stride, then
 * batch norm) when the stride or the channel count changes. Member names and their order are torchvision's:
 * conv1, bn1, conv2, bn2, conv3, bn3, downsample.0, downsample.1.
 */
public final class Bottleneck extends Module {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Downsample downsample; // null when the shortcut is the identity

    public Bottleneck(DType dtype, int inChannels, int planes, int stride) {
        int outChannels = planes * ResNetConfig.EXPANSION;
        conv1 = child("conv1", new Conv2d(dtype, inChannels, planes, 1, Conv2dOptions.DEFAULT, false));
        bn1 = child("bn1", new BatchNorm2d(dtype, planes));
        conv2 = child("conv2", new Conv2d(dtype, planes, planes, 3, Conv2dOptions.of(stride, 1), false));
        bn2 = child("bn2", new BatchNorm2d(dtype, planes));
        conv3 = child("conv3", new Conv2d(dtype, planes, outChannels, 1, Conv2dOptions.DEFAULT, false));
        bn3 = child("bn3", new BatchNorm2d(dtype, outChannels));
        downsample = stride != 1 || inChannels != outChannels
                ? child("downsample", new Downsample(dtype, inChannels, outChannels, stride))
                : null;
    }

    /** x (N, C, H, W) → relu(bn3(conv3(...)) + shortcut(x)), (N, 4P, OH, OW). */
    public Tensor forward(Tensor x) {
        Tensor out = ConvBatchNorm.forward(conv1, bn1, x, Conv.Epilogue.RELU); // (N, P, H, W)
        out = ConvBatchNorm.forward(conv2, bn2, out, Conv.Epilogue.RELU); // (N, P, OH, OW)
        // The shortcut's add and the final ReLU run inside conv3's batch norm (one primitive, see ConvBatchNorm);
        // a projection shortcut's batch norm too, so its normalised tensor is never stored.
        if (downsample == null) {
            return ConvBatchNorm.forward(conv3, bn3, out, Conv.Epilogue.RELU, x); // (N, 4P, OH, OW)
        }
        return ConvBatchNorm.forwardWithProjection(conv3, bn3, out, downsample.conv, downsample.bn, x);
    }

    /** The block's convolutions with their batch norms, prepared for {@link ResNetInference}. */
    ResNetInference.Block prepare() {
        return new ResNetInference.Block(ResNetInference.prepare(conv1, bn1), ResNetInference.prepare(conv2, bn2),
                ResNetInference.prepare(conv3, bn3),
                downsample == null ? null : ResNetInference.prepare(downsample.conv, downsample.bn));
    }

    /**
     * torchvision's {@code nn.Sequential(conv1x1(C, 4P, stride), BatchNorm2d(4P))}: children "0" and "1"; the
     * block runs the two itself (see {@link ConvBatchNorm#forwardWithProjection}).
     */
    static final class Downsample extends Module {
        private final Conv2d conv;
        private final BatchNorm2d bn;

        Downsample(DType dtype, int inChannels, int outChannels, int stride) {
            conv = child("0", new Conv2d(dtype, inChannels, outChannels, 1, Conv2dOptions.of(stride, 0), false));
            bn = child("1", new BatchNorm2d(dtype, outChannels));
        }
    }
}
