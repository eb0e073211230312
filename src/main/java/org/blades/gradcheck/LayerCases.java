package org.blades.gradcheck;

import java.util.List;
import java.util.SplittableRandom;
import org.blades.tensor.Activation;
import org.blades.tensor.DType;
import org.blades.tensor.Indexing;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Norm;
import org.blades.tensor.Tensor;

// Dimensions: B = batch, T = time (sequence positions), C = channels, V = vocabulary size, D = head size.

/**
 * Gradient-check cases for the activation, normalisation and indexing ops, on small seeded float64 inputs.
 * Constants (ids, masks, positions) live in the closures, so only the named inputs are perturbed.
 */
public final class LayerCases {
    private LayerCases() {
    }

    private static final IntTensor REPEATED_IDS = IntTensor.of(new int[] {1, 3, 1, 0, 5, 3, 3, 2, 1, 4}, 2, 5); // (2, 5)

    public static List<OpCase> cases() {
        return List.of(
                new OpCase("relu (5, 7) away from 0", () -> List.of(awayFromZero(1, 0.1, 5, 7).named("x")),
                        in -> Activation.relu(in.get(0))),
                new OpCase("sigmoid (5, 7)", () -> List.of(randn(2, 2.0, 5, 7).named("x")),
                        in -> Activation.sigmoid(in.get(0))),
                new OpCase("tanh (5, 7)", () -> List.of(randn(3, 1.5, 5, 7).named("x")),
                        in -> Activation.tanh(in.get(0))),
                new OpCase("erf (5, 7)", () -> List.of(randn(4, 1.5, 5, 7).named("x")),
                        in -> Activation.erf(in.get(0))),
                new OpCase("gelu tanh form (5, 7)", () -> List.of(randn(5, 2.0, 5, 7).named("x")),
                        in -> Activation.gelu(in.get(0))),
                new OpCase("quickGelu (5, 7)", () -> List.of(randn(6, 2.0, 5, 7).named("x")),
                        in -> Activation.quickGelu(in.get(0))),
                new OpCase("normalCdf (5, 7)", () -> List.of(randn(7, 1.5, 5, 7).named("x")),
                        in -> Activation.normalCdf(in.get(0))),
                new OpCase("softmax last axis of (3, 4, 5)", () -> List.of(randn(8, 2.0, 3, 4, 5).named("x")),
                        in -> Activation.softmax(in.get(0), -1)),
                new OpCase("softmax middle axis of (3, 4, 5)", () -> List.of(randn(9, 2.0, 3, 4, 5).named("x")),
                        in -> Activation.softmax(in.get(0), 1)),
                new OpCase("logSoftmax last axis of (3, 4, 5)", () -> List.of(randn(10, 2.0, 3, 4, 5).named("x")),
                        in -> Activation.logSoftmax(in.get(0), -1)),
                new OpCase("logSoftmax middle axis of (3, 4, 5)", () -> List.of(randn(11, 2.0, 3, 4, 5).named("x")),
                        in -> Activation.logSoftmax(in.get(0), 1)),
                new OpCase("layerNorm affine (3, 4, 8)", () -> List.of(
                        randn(12, 1.0, 3, 4, 8).named("x"), // (B, T, C)
                        uniform(13, 0.5, 1.5, 8).named("weight"), // (C)
                        randn(14, 0.1, 8).named("bias")), // (C)
                        in -> Norm.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5)),
                new OpCase("layerNorm without affine (3, 4, 8)", () -> List.of(randn(15, 1.0, 3, 4, 8).named("x")),
                        in -> Norm.layerNorm(in.get(0), null, null, 1e-5)),
                new OpCase("l2Normalize axis 1 of (4, 6)", () -> List.of(randn(16, 1.0, 4, 6).named("x")),
                        in -> Norm.l2Normalize(in.get(0), 1, 1e-12)),
                new OpCase("embedding (6, 4) with repeated ids (2, 5)", () -> List.of(randn(17, 1.0, 6, 4).named("weight")),
                        in -> Indexing.embedding(in.get(0), REPEATED_IDS)),
                new OpCase("concat axis 1 of (2, 3, 4), (2, 1, 4), (2, 2, 4)", () -> List.of(
                        randn(18, 1.0, 2, 3, 4).named("a"),
                        randn(19, 1.0, 2, 1, 4).named("b"),
                        randn(20, 1.0, 2, 2, 4).named("c")),
                        in -> Indexing.concat(in, 1)),
                new OpCase("stack axis 1 of three (3, 4)", () -> List.of(
                        randn(21, 1.0, 3, 4).named("a"),
                        randn(22, 1.0, 3, 4).named("b"),
                        randn(23, 1.0, 3, 4).named("c")),
                        in -> Indexing.stack(in, 1)),
                // A moderate fill value: a huge one (-1e9) would put a constant of that size into the loss and
                // drown the central difference in rounding error.
                new OpCase("maskedFill causal (2, 5, 5)", () -> List.of(randn(24, 1.0, 2, 5, 5).named("x")),
                        in -> Indexing.maskedFill(in.get(0), Indexing.causalMask(DType.F64, 5), -2.5)),
                new OpCase("selectRows of (3, 5, 4) at [4, 0, 2]", () -> List.of(randn(25, 1.0, 3, 5, 4).named("x")),
                        in -> Indexing.selectRows(in.get(0), new int[] {4, 0, 2})),
                new OpCase("causal attention q, k, v (2, 5, 4)", () -> List.of(
                        randn(26, 1.0, 2, 5, 4).named("q"), // (B, T, D)
                        randn(27, 1.0, 2, 5, 4).named("k"), // (B, T, D)
                        randn(28, 1.0, 2, 5, 4).named("v")), // (B, T, D)
                        in -> causalAttention(in.get(0), in.get(1), in.get(2))));
    }

    /** softmax(maskedFill(q @ k^T / sqrt(D), causal, -inf)) @ v, as in a decoder's self-attention. */
    static Tensor causalAttention(Tensor q /* (B, T, D) */, Tensor k /* (B, T, D) */, Tensor v /* (B, T, D) */) {
        int t = q.size(1);
        Tensor scores = q.matmul(k.transpose(-1, -2)).mul(1.0 / Math.sqrt(q.size(2))); // (B, T, T)
        Tensor masked = Indexing.maskedFill(scores, Indexing.causalMask(q.dtype(), t), Double.NEGATIVE_INFINITY);
        return Activation.softmax(masked, -1).matmul(v); // (B, T, D)
    }

    private static Tensor randn(long seed, double scale, int... shape) {
        return Tensor.randn(DType.F64, seed, shape).mul(scale).detach().requiresGrad(true);
    }

    private static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return Tensor.rand(DType.F64, seed, shape).mul(hi - lo).add(lo).detach().requiresGrad(true);
    }

    /** Standard normal draws pushed out of (-gap, gap), so no central difference straddles a kink at 0. */
    private static Tensor awayFromZero(long seed, double gap, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.randn(DType.F64, seed, shape);
        double[] v = x.f64(); // (numel)
        for (int i = 0; i < v.length; i++) {
            if (Math.abs(v[i]) < gap) {
                v[i] = rng.nextBoolean() ? gap + Math.abs(v[i]) : -gap - Math.abs(v[i]);
            }
        }
        return x.requiresGrad(true);
    }
}
