package org.blades.gradcheck;

import java.util.List;
import java.util.SplittableRandom;
import org.blades.tensor.BatchNorm;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Pool;
import org.blades.tensor.Pool2dOptions;
import org.blades.tensor.Tensor;

// N = batch, C = input channels, H/W = height/width, O = output channels, KH/KW = kernel height/width.

/**
 * Gradient-check cases for convolution, pooling and batch norm, on small seeded float64 inputs (each case a
 * few hundred elements). Max-pool inputs are a shuffled ladder of distinct values, so no window has a tie
 * within eps; batch-norm running statistics are constants built inside the closures.
 */
public final class ConvPoolCases {
    private ConvPoolCases() {
    }

    public static List<OpCase> cases() {
        return List.of(
                new OpCase("conv2d 1x1", () -> List.of(
                        randn("x", 201, 1.0, 2, 3, 4, 5), // (N, C, H, W)
                        randn("weight", 202, 0.5, 4, 3, 1, 1)), // (O, C, KH, KW)
                        in -> Conv.conv2d(in.get(0), in.get(1), null, Conv2dOptions.DEFAULT)),
                new OpCase("conv2d 1x1 stride 2 (downsample)", () -> List.of(
                        randn("x", 203, 1.0, 2, 3, 5, 5),
                        randn("weight", 204, 0.5, 2, 3, 1, 1)),
                        in -> Conv.conv2d(in.get(0), in.get(1), null, Conv2dOptions.of(2, 0))),
                new OpCase("conv2d 3x3 pad 1 with bias", () -> List.of(
                        randn("x", 205, 1.0, 2, 2, 5, 4),
                        randn("weight", 206, 0.3, 3, 2, 3, 3),
                        randn("bias", 207, 0.1, 3)), // (O)
                        in -> Conv.conv2d(in.get(0), in.get(1), in.get(2), Conv2dOptions.of(1, 1))),
                new OpCase("conv2d 3x3 stride 2 pad 1", () -> List.of(
                        randn("x", 208, 1.0, 1, 2, 7, 6),
                        randn("weight", 209, 0.3, 3, 2, 3, 3)),
                        in -> Conv.conv2d(in.get(0), in.get(1), null, Conv2dOptions.of(2, 1))),
                new OpCase("conv2d 7x7 stride 2 pad 3 with bias", () -> List.of(
                        randn("x", 210, 1.0, 1, 2, 9, 8),
                        randn("weight", 211, 0.1, 2, 2, 7, 7),
                        randn("bias", 212, 0.1, 2)),
                        in -> Conv.conv2d(in.get(0), in.get(1), in.get(2), Conv2dOptions.of(2, 3))),
                new OpCase("conv2d rectangular 2x3 stride (2, 1) pad (1, 0) with bias", () -> List.of(
                        randn("x", 213, 1.0, 2, 2, 5, 6),
                        randn("weight", 214, 0.4, 3, 2, 2, 3),
                        randn("bias", 215, 0.1, 3)),
                        in -> Conv.conv2d(in.get(0), in.get(1), in.get(2), new Conv2dOptions(2, 1, 1, 0))),
                new OpCase("conv2d 3x3 of a permuted (N, H, W, C) view", () -> List.of(
                        randn("x_nhwc", 216, 1.0, 2, 4, 5, 3), // (N, H, W, C)
                        randn("weight", 217, 0.3, 2, 3, 3, 3)),
                        in -> Conv.conv2d(in.get(0).permute(0, 3, 1, 2), in.get(1), null, Conv2dOptions.of(1, 1))),
                new OpCase("max_pool2d 3x3 stride 2 pad 1", () -> List.of(distinct("x", 218, 2, 2, 7, 6)),
                        in -> Pool.maxPool2d(in.get(0), Pool2dOptions.of(3, 2, 1))),
                new OpCase("max_pool2d 2x2 stride 2 odd size", () -> List.of(distinct("x", 219, 1, 3, 5, 5)),
                        in -> Pool.maxPool2d(in.get(0), 2, 2, 0)),
                new OpCase("max_pool2d rectangular 3x2 stride (1, 2) pad (1, 0)",
                        () -> List.of(distinct("x", 220, 1, 2, 5, 6)),
                        in -> Pool.maxPool2d(in.get(0), new Pool2dOptions(3, 2, 1, 2, 1, 0))),
                new OpCase("avg_pool2d 3x3 stride 2 pad 1", () -> List.of(randn("x", 221, 1.0, 2, 2, 7, 6)),
                        in -> Pool.avgPool2d(in.get(0), Pool2dOptions.of(3, 2, 1))),
                new OpCase("avg_pool2d 2x2 stride 2 odd size", () -> List.of(randn("x", 222, 1.0, 1, 2, 5, 7)),
                        in -> Pool.avgPool2d(in.get(0), 2, 2, 0)),
                new OpCase("global_avg_pool", () -> List.of(randn("x", 223, 1.0, 2, 3, 4, 5)),
                        in -> Pool.globalAvgPool(in.get(0))),
                new OpCase("batch_norm train (N, C, H, W)", () -> List.of(
                        randn("x", 224, 2.0, 3, 4, 3, 2), // (N, C, H, W)
                        uniform("weight", 225, 0.5, 1.5, 4), // (C)
                        randn("bias", 226, 0.1, 4)), // (C)
                        in -> BatchNorm.forward(in.get(0), freshStats(in.get(1), in.get(2)), BatchNorm.Mode.TRAIN)),
                new OpCase("batch_norm train (N, C)", () -> List.of(
                        randn("x", 227, 2.0, 6, 5), // (N, C)
                        uniform("weight", 228, 0.5, 1.5, 5),
                        randn("bias", 229, 0.1, 5)),
                        in -> BatchNorm.forward(in.get(0), freshStats(in.get(1), in.get(2)), BatchNorm.Mode.TRAIN)),
                new OpCase("batch_norm eval", () -> List.of(
                        randn("x", 230, 2.0, 2, 3, 3, 4),
                        uniform("weight", 231, 0.5, 1.5, 3),
                        randn("bias", 232, 0.1, 3)),
                        in -> BatchNorm.forward(in.get(0), evalStats(in.get(1), in.get(2)), BatchNorm.Mode.EVAL)),
                new OpCase("batch_norm + residual + relu train (fused)", () -> List.of(
                        randn("x", 239, 2.0, 3, 4, 3, 2), // (N, C, H, W)
                        uniform("weight", 240, 0.5, 1.5, 4), // (C)
                        randn("bias", 241, 0.1, 4), // (C)
                        randn("residual", 242, 1.0, 3, 4, 3, 2)), // (N, C, H, W)
                        in -> BatchNorm.forwardRelu(in.get(0), freshStats(in.get(1), in.get(2)), BatchNorm.Mode.TRAIN,
                                in.get(3))),
                new OpCase("batch_norm + batch_norm(shortcut) + relu train (fused)", () -> List.of(
                        randn("x", 246, 2.0, 2, 3, 3, 2), // (N, C, H, W)
                        uniform("weight", 247, 0.5, 1.5, 3), // (C)
                        randn("bias", 248, 0.1, 3), // (C)
                        randn("shortcut", 249, 1.0, 2, 3, 3, 2), // (N, C, H, W)
                        uniform("shortcut_weight", 250, 0.5, 1.5, 3), // (C)
                        randn("shortcut_bias", 251, 0.1, 3)), // (C)
                        in -> BatchNorm.forwardAddRelu(in.get(0), freshStats(in.get(1), in.get(2)), in.get(3),
                                freshStats(in.get(4), in.get(5)), BatchNorm.Mode.TRAIN)),
                new OpCase("batch_norm + relu eval (fused)", () -> List.of(
                        randn("x", 243, 2.0, 2, 3, 3, 4),
                        uniform("weight", 244, 0.5, 1.5, 3),
                        randn("bias", 245, 0.1, 3)),
                        in -> BatchNorm.forwardRelu(in.get(0), evalStats(in.get(1), in.get(2)), BatchNorm.Mode.EVAL,
                                null)),
                new OpCase("conv2d 3x3 then batch_norm train", () -> List.of(
                        randn("x", 233, 1.0, 2, 2, 5, 4),
                        randn("weight", 234, 0.3, 3, 2, 3, 3),
                        uniform("bn_weight", 235, 0.5, 1.5, 3),
                        randn("bn_bias", 236, 0.1, 3)),
                        in -> BatchNorm.forward(Conv.conv2d(in.get(0), in.get(1), null, Conv2dOptions.of(1, 1)),
                                freshStats(in.get(2), in.get(3)), BatchNorm.Mode.TRAIN)));
    }

    /** Training mode: the running statistics do not affect the output, so each call gets new ones. */
    private static BatchNorm.Params freshStats(Tensor weight, Tensor bias) {
        int c = weight.numel();
        return BatchNorm.Params.of(weight, bias, Tensor.zeros(DType.F64, c), Tensor.ones(DType.F64, c));
    }

    /** Eval mode: fixed, seeded running statistics (variance in [0.5, 1.5]). */
    private static BatchNorm.Params evalStats(Tensor weight, Tensor bias) {
        int c = weight.numel();
        Tensor mean = randn("running_mean", 237, 0.3, c).requiresGrad(false);
        Tensor var = uniform("running_var", 238, 0.5, 1.5, c).requiresGrad(false);
        return BatchNorm.Params.of(weight, bias, mean, var);
    }

    private static Tensor randn(String name, long seed, double scale, int... shape) {
        Tensor t = Tensor.randn(DType.F64, seed, shape);
        double[] v = t.f64(); // shape
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return t.requiresGrad(true).named(name);
    }

    private static Tensor uniform(String name, long seed, double lo, double hi, int... shape) {
        Tensor t = Tensor.rand(DType.F64, seed, shape);
        double[] v = t.f64(); // shape
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * v[i];
        }
        return t.requiresGrad(true).named(name);
    }

    /** A shuffled ladder of values 0.05 apart plus jitter below 0.01: no two within 0.04, so no window ties. */
    private static Tensor distinct(String name, long seed, int... shape) {
        Tensor t = Tensor.zeros(DType.F64, shape);
        double[] v = t.f64(); // shape
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.05 * (i - v.length / 2.0);
        }
        for (int i = v.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] += 0.01 * rng.nextDouble();
        }
        return t.requiresGrad(true).named(name);
    }
}
