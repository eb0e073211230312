package org.blades.models.vision;

import java.util.ArrayList;
import java.util.List;
import org.blades.nn.BatchNorm2d;
import org.blades.nn.Conv2d;
import org.blades.nn.ConvBatchNorm;
import org.blades.nn.Linear;
import org.blades.nn.Module;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Pool;
import org.blades.tensor.Shape;
import org.blades.tensor.Tensor;

// N = batch, H/W = input height/width, w = config width (64 for ResNet-50), D = config outDim (768),
// F = pooled feature dimension = 32w (2048); spatial sizes below round up (H/2 means ceil(H/2)).

/**
 * The BLADES image encoder: torchvision's ResNet with Bottleneck blocks (v1.5: the stride sits on the 3x3
 * convolution; batch norm eps 1e-5, momentum 0.1), global average pooling, and fc = Linear(F, D) in place of the
 * ImageNet classifier. Parameter and buffer names and their order are torchvision's state_dict's ("conv1.weight",
 * "layer1.0.downsample.1.running_var", "fc.bias", ...), so a torchvision checkpoint saved as safetensors loads
 * with {@link org.blades.nn.StateDict#load} without renaming.
 *
 * <p>Parameters start at zero (conv, fc) and at 1/0 (batch norm), not at PyTorch's random initialisation: fill
 * them with {@link org.blades.nn.PortableInit} or load them (an ImageNet checkpoint, whose fc has 1000 outputs,
 * with {@code LoadOptions.STRICT.skipping("fc.")}). In evaluation mode under {@link
 * org.blades.tensor.Autograd#noGrad()} every conv + batch norm (+ ReLU) runs fused, see {@link ConvBatchNorm}.
 */
public final class ResNet extends Module {
    private final ResNetConfig config;
    private final DType dtype;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final List<Stage> stages;
    private final Linear fc;

    public ResNet(DType dtype, ResNetConfig config) {
        this.config = config;
        this.dtype = dtype;
        int w = config.width();
        conv1 = child("conv1", new Conv2d(dtype, 3, w, 7, Conv2dOptions.of(2, 3), false));
        bn1 = child("bn1", new BatchNorm2d(dtype, w));
        Stage[] s = new Stage[4];
        int channels = w;
        for (int i = 0; i < 4; i++) {
            // Stage 1 keeps the resolution (the max pool already halved it); stages 2-4 halve it in their first block.
            s[i] = child("layer" + (i + 1), new Stage(dtype, channels, config.planes(i), config.blocks().get(i),
                    i == 0 ? 1 : 2));
            channels = config.planes(i) * ResNetConfig.EXPANSION;
        }
        stages = List.of(s);
        fc = child("fc", new Linear(dtype, config.featureDim(), config.outDim(), true));
    }

    public ResNetConfig config() {
        return config;
    }

    /** x (N, 3, H, W) → (N, D). */
    public Tensor forward(Tensor x) {
        if (x == null || x.dim() != 4 || x.size(1) != 3 || x.dtype() != dtype) {
            throw new IllegalArgumentException("ResNet: input must be " + dtype + " (N, 3, H, W), got "
                    + (x == null ? "null" : x.dtype() + Shape.format(x.shape())));
        }
        Tensor h = ConvBatchNorm.forward(conv1, bn1, x, Conv.Epilogue.RELU); // (N, w, H/2, W/2)
        h = Pool.maxPool2d(h, 3, 2, 1); // (N, w, H/4, W/4)
        for (Stage stage : stages) {
            h = stage.forward(h); // layer1 (N, 4w, H/4, W/4) ... layer4 (N, 32w, H/32, W/32)
        }
        Tensor pooled = Pool.globalAvgPool(h); // (N, F)
        return fc.forward(pooled); // (N, D)
    }

    DType dtype() {
        return dtype;
    }

    /** The stem's convolution with its batch norm, prepared for {@link ResNetInference}. */
    Conv.Prepared prepareStem() {
        return ResNetInference.prepare(conv1, bn1);
    }

    /** Every bottleneck of layer1..layer4 in order, prepared for {@link ResNetInference}. */
    List<ResNetInference.Block> prepareBlocks() {
        List<ResNetInference.Block> out = new ArrayList<>();
        for (Stage stage : stages) {
            for (Bottleneck block : stage.blocks) {
                out.add(block.prepare());
            }
        }
        return out;
    }

    Linear fc() {
        return fc;
    }

    /** One of layer1..layer4: torchvision's {@code nn.Sequential} of Bottlenecks, children "0", "1", ... */
    static final class Stage extends Module {
        private final List<Bottleneck> blocks;

        Stage(DType dtype, int inChannels, int planes, int count, int stride) {
            Bottleneck[] b = new Bottleneck[count];
            b[0] = child("0", new Bottleneck(dtype, inChannels, planes, stride));
            for (int i = 1; i < count; i++) {
                b[i] = child(Integer.toString(i), new Bottleneck(dtype, planes * ResNetConfig.EXPANSION, planes, 1));
            }
            blocks = List.of(b);
        }

        /** x (N, C, H, W) → (N, 4P, H/s, W/s), s = the first block's stride. */
        Tensor forward(Tensor x) {
            Tensor h = x;
            for (Bottleneck block : blocks) {
                h = block.forward(h);
            }
            return h;
        }
    }
}
