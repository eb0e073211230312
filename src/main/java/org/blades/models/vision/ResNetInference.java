package org.blades.models.vision;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.blades.nn.BatchNorm2d;
import org.blades.nn.Conv2d;
import org.blades.tensor.Autograd;
import org.blades.tensor.Conv;
import org.blades.tensor.DType;
import org.blades.tensor.Pool;
import org.blades.tensor.Shape;
import org.blades.tensor.Tensor;

// N = batch, H/W = input height/width, w = config width, P = a block's planes, D = config outDim,
// F = pooled feature dimension = 32w; spatial sizes below round up (H/2 means ceil(H/2)).

/**
 * A frozen {@link ResNet} for inference: the same function as {@code forward} in evaluation mode without a tape
 * (the same bits), made faster in two ways that only a frozen encoder allows.
 * <ul>
 *   <li>Every convolution and its batch norm are prepared once ({@link Conv.Prepared}): the weights packed for
 *       the GEMM, the 3x3 ones also Winograd-transformed. The module path repeats that work on every call.</li>
 *   <li>Activations live in buffers that each call hands back and the next one reuses, block input and output
 *       ping-ponging. The module path allocates a fresh, zeroed array for every layer's output: at batch 1 that
 *       is 45 MB per ResNet-50 image, written once by the allocator before the convolution writes it again,
 *       on the calling thread while the pool's workers wait.</li>
 * </ul>
 * Measured with {@code blades bench resnet50} on this project's 2-core machine, ResNet-50 at batch 1 ran in 50 to
 * 51 ms per image instead of the module's 60 to 65 (README, Performance).
 *
 * <p>A snapshot: weights, batch-norm statistics and fc are copied when it is built, so later changes to the
 * module are not seen (build a new one after training or loading). Memory: about 1.7 times the model's
 * weights (packed copies, plus the Winograd transforms of the 3x3 kernels), at batch 1 another 45 MB for
 * ResNet-50 (transposed copies of the last stage's kernels, made on the first call), and the activation
 * buffers of the last input shape, kept between calls (about 10 MB per image for ResNet-50 at 224 x 224;
 * {@link #releaseBuffers} drops them). One call at a time: {@link #forward} is synchronized.
 */
public final class ResNetInference {
    /** A bottleneck's three convolutions with their batch norms, and its projection shortcut (or null). */
    record Block(Conv.Prepared conv1, Conv.Prepared conv2, Conv.Prepared conv3, Conv.Prepared shortcut) {
    }

    private final DType dtype;
    private final Conv.Prepared stem;
    private final List<Block> blocks;
    private final Tensor fcWeight; // (D, F)
    private final Tensor fcBias; // (D) or null
    /** Free activation buffers by shape, for inputs of {@link #bufferShape}. */
    private final Map<List<Integer>, ArrayDeque<Tensor>> free = new HashMap<>();
    private int[] bufferShape; // (N, 3, H, W) of the buffers in `free`, or null

    /** Snapshots {@code model} (in whichever mode it is: the batch norms always use their running statistics). */
    public ResNetInference(ResNet model) {
        if (model == null) {
            throw new IllegalArgumentException("ResNetInference: model must not be null");
        }
        dtype = model.dtype();
        stem = model.prepareStem();
        blocks = List.copyOf(model.prepareBlocks());
        fcWeight = model.fc().weight().detach().copy();
        fcBias = model.fc().bias() == null ? null : model.fc().bias().detach().copy();
    }

    /** conv (without bias) then bn, prepared; ResNet's convolutions have no bias. */
    static Conv.Prepared prepare(Conv2d conv, BatchNorm2d bn) {
        if (conv.bias() != null) {
            throw new IllegalStateException("ResNetInference: convolution of shape " + Shape.format(conv.weight().shape())
                    + " has a bias; ResNet's convolutions have none");
        }
        return Conv.prepare(conv.weight(), bn.params(), conv.options());
    }

    /** x (N, 3, H, W) → (N, D), a new tensor. */
    public synchronized Tensor forward(Tensor x) {
        if (x == null || x.dim() != 4 || x.size(1) != 3 || x.dtype() != dtype) {
            throw new IllegalArgumentException("ResNetInference: input must be " + dtype + " (N, 3, H, W), got "
                    + (x == null ? "null" : x.dtype() + Shape.format(x.shape())));
        }
        if (!Arrays.equals(x.shape(), bufferShape)) {
            // other layer shapes: the old buffers would only hold memory
            free.clear();
            bufferShape = x.shape();
        }
        try (var scope = Autograd.noGrad()) {
            Tensor stemOut = conv(stem, x, Conv.Epilogue.RELU, null); // (N, w, H/2, W/2)
            Tensor h = Pool.maxPool2d(stemOut, 3, 2, 1); // (N, w, H/4, W/4), a new array: adopted by the pool below
            release(stemOut);
            for (Block b : blocks) {
                Tensor t1 = conv(b.conv1(), h, Conv.Epilogue.RELU, null); // (N, P, H, W)
                Tensor t2 = conv(b.conv2(), t1, Conv.Epilogue.RELU, null); // (N, P, OH, OW)
                release(t1);
                Tensor shortcut = b.shortcut() == null ? h : conv(b.shortcut(), h, Conv.Epilogue.NONE, null); // (N, 4P, OH, OW)
                Tensor y = conv(b.conv3(), t2, Conv.Epilogue.RELU, shortcut); // (N, 4P, OH, OW)
                release(t2);
                if (shortcut != h) {
                    release(shortcut);
                }
                release(h);
                h = y;
            }
            Tensor pooled = Pool.globalAvgPool(h); // (N, F)
            release(h);
            // as Linear.forward computes it, so the bits match the module's
            Tensor out = pooled.matmul(fcWeight.transpose(0, 1)); // (N, D)
            return fcBias == null ? out : out.add(fcBias);
        }
    }

    /** Drops the activation buffers kept between calls. */
    public synchronized void releaseBuffers() {
        free.clear();
        bufferShape = null;
    }

    /** epilogue(bn(conv(x)) + residual) into a free buffer of the output's shape. */
    private Tensor conv(Conv.Prepared w, Tensor x, Conv.Epilogue epilogue, Tensor residual) {
        Tensor out = acquire(w.outputShape(x)); // (N, O, OH, OW)
        return Conv.conv2dBatchNorm(x, w, epilogue, residual, out);
    }

    private Tensor acquire(int... shape) {
        ArrayDeque<Tensor> q = free.get(key(shape));
        Tensor t = q == null ? null : q.poll();
        return t != null ? t : Tensor.empty(dtype, shape);
    }

    /** Hands a dead activation back; the caller must hold no other reference to it. */
    private void release(Tensor t) {
        free.computeIfAbsent(key(t.shape()), k -> new ArrayDeque<>()).push(t);
    }

    private static List<Integer> key(int[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }
}
