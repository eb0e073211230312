package org.blades.nn;

import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// N = batch, C = input channels, O = output channels, K = kernel size (square), H/W = input height/width,
// OH/OW = output height/width

/**
 * torch.nn.Conv2d with a square kernel, groups 1 and dilation 1: parameters {@code weight} (O, C, K, K) and,
 * when asked for, {@code bias} (O). Parameters start at zero; a model fills them (e.g. {@link PortableInit}) or
 * loads them ({@link StateDict}).
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Conv2dOptions options;
    private final Tensor weight; // (O, C, K, K)
    private final Tensor bias; // (O) or null

    public Conv2d(DType dtype, int inChannels, int outChannels, int kernel, Conv2dOptions options, boolean withBias) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || options == null) {
            throw new IllegalArgumentException("Conv2d: channels " + inChannels + " -> " + outChannels + " and kernel "
                    + kernel + " must be >= 1, options non-null (got " + options + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.options = options;
        this.weight = param("weight", Tensor.zeros(dtype, outChannels, inChannels, kernel, kernel));
        this.bias = withBias ? param("bias", Tensor.zeros(dtype, outChannels)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias (O), or null when the layer has none. */
    public Tensor bias() {
        return bias;
    }

    public Conv2dOptions options() {
        return options;
    }

    /** x (N, C, H, W) → (N, O, OH, OW). */
    public Tensor forward(Tensor x) {
        return Conv.conv2d(x, weight, bias, options);
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel " + kernel + ", stride (" + options.strideH()
                + ", " + options.strideW() + "), padding (" + options.padH() + ", " + options.padW() + ")"
                + (bias == null ? ", no bias" : "") + ")";
    }
}
