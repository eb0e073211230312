package org.blades.gradcheck;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.blades.tensor.DType;
import org.blades.tensor.Elementwise;
import org.blades.tensor.Tensor;

/**
 * Gradient-check cases for every op of the tensor core: elementwise (with broadcasting), reductions, matmul,
 * views, and a few composites. Inputs are small, seeded float64 tensors, named after their role.
 *
 * <p>Legend: B = batch, M/K/N = matmul rows / inner / columns, other shapes are arbitrary odd sizes.
 *
 * <p>The activation primitives of {@link Elementwise.Unary} (relu, sigmoid, tanh, erf, gelu, quick_gelu) are
 * checked through {@code Activation} in {@link LayerCases}.
 *
 * <p>Central differences need the function to be smooth within eps of every input, so the inputs avoid
 * kinks: abs stays away from 0, clamp from its bounds, maximum/minimum from ties, max from tied
 * maxima; log, sqrt, fractional pow and pow's exponent gradient get positive inputs.
 */
public final class CoreCases {
    private CoreCases() {
    }

    /** Distance from any kink; far larger than the default eps (1e-6) and any sensible user eps. */
    private static final double MARGIN = 0.05;

    public static List<OpCase> cases() {
        List<OpCase> c = new ArrayList<>();
        elementwise(c);
        unary(c);
        reductions(c);
        matmul(c);
        views(c);
        composites(c);
        return List.copyOf(c);
    }

    // ----------------------------------------------------------------------------------------------
    // Elementwise binary ops

    private static void elementwise(List<OpCase> c) {
        add(c, "add (3, 4) + (3, 4)", () -> List.of(randn("a", 1, 3, 4), randn("b", 2, 3, 4)),
                in -> in.get(0).add(in.get(1)));
        add(c, "add broadcast (2, 3, 4) + (4)", () -> List.of(randn("a", 3, 2, 3, 4), randn("b", 4, 4)),
                in -> in.get(0).add(in.get(1)));
        add(c, "add broadcast (3, 1) + (1, 4)", () -> List.of(randn("a", 5, 3, 1), randn("b", 6, 1, 4)),
                in -> in.get(0).add(in.get(1)));
        add(c, "add scalar tensor (3, 4) + ()", () -> List.of(randn("a", 7, 3, 4), randn("s", 8)),
                in -> in.get(0).add(in.get(1)));
        add(c, "add constant x + 2.5", () -> List.of(randn("x", 9, 3, 4)), in -> in.get(0).add(2.5));
        add(c, "add with constant operand", () -> List.of(randn("a", 10, 3, 4), constant(randn("b", 11, 4))),
                in -> in.get(0).add(in.get(1)));

        add(c, "sub (3, 4) - (3, 4)", () -> List.of(randn("a", 12, 3, 4), randn("b", 13, 3, 4)),
                in -> in.get(0).sub(in.get(1)));
        add(c, "sub broadcast (3, 1) - (1, 4)", () -> List.of(randn("a", 14, 3, 1), randn("b", 15, 1, 4)),
                in -> in.get(0).sub(in.get(1)));
        add(c, "sub broadcast lower rank first (4) - (2, 3, 4)",
                () -> List.of(randn("a", 16, 4), randn("b", 17, 2, 3, 4)), in -> in.get(0).sub(in.get(1)));

        add(c, "mul (3, 4) * (3, 4)", () -> List.of(randn("a", 18, 3, 4), randn("b", 19, 3, 4)),
                in -> in.get(0).mul(in.get(1)));
        add(c, "mul broadcast (2, 3, 4) * (3, 1)", () -> List.of(randn("a", 20, 2, 3, 4), randn("b", 21, 3, 1)),
                in -> in.get(0).mul(in.get(1)));
        add(c, "mul constant x * -1.5", () -> List.of(randn("x", 22, 3, 4)), in -> in.get(0).mul(-1.5));
        add(c, "mul shared input x * x + x", () -> List.of(randn("x", 23, 3, 4)),
                in -> in.get(0).mul(in.get(0)).add(in.get(0)));

        add(c, "div (3, 4) / (3, 4)", () -> List.of(randn("a", 24, 3, 4), awayFromZero("b", 25, 0.5, 3, 4)),
                in -> in.get(0).div(in.get(1)));
        add(c, "div broadcast (2, 3, 4) / (4)",
                () -> List.of(randn("a", 26, 2, 3, 4), awayFromZero("b", 27, 0.5, 4)),
                in -> in.get(0).div(in.get(1)));
        add(c, "div broadcast (3, 1) / (2, 3, 4)",
                () -> List.of(randn("a", 28, 3, 1), awayFromZero("b", 29, 0.5, 2, 3, 4)),
                in -> in.get(0).div(in.get(1)));
        add(c, "div constant x / 3", () -> List.of(randn("x", 30, 3, 4)), in -> in.get(0).div(3.0));

        add(c, "pow tensor (3, 4) ^ (4)",
                () -> List.of(uniform("base", 31, 0.5, 2.0, 3, 4), uniform("exponent", 32, -1.5, 2.5, 4)),
                in -> in.get(0).pow(in.get(1)));
        add(c, "pow tensor (3, 4) ^ scalar tensor ()",
                () -> List.of(uniform("base", 33, 0.5, 2.0, 3, 4), uniform("exponent", 34, 1.0, 2.0)),
                in -> in.get(0).pow(in.get(1)));
        add(c, "pow tensor negative base, integer exponent constant",
                () -> List.of(randn("base", 35, 3, 4), constant(Tensor.full(DType.F64, 3.0, 4).named("exponent"))),
                in -> in.get(0).pow(in.get(1)));

        add(c, "maximum (3, 4), (3, 4)", () -> separated("a", new int[] {3, 4}, "b", new int[] {3, 4}, 36),
                in -> in.get(0).maximum(in.get(1)));
        add(c, "maximum broadcast (2, 3, 4), (3, 1)",
                () -> separated("a", new int[] {2, 3, 4}, "b", new int[] {3, 1}, 37),
                in -> in.get(0).maximum(in.get(1)));
        add(c, "minimum (3, 4), (3, 4)", () -> separated("a", new int[] {3, 4}, "b", new int[] {3, 4}, 38),
                in -> in.get(0).minimum(in.get(1)));
        add(c, "minimum broadcast (3, 4), (4)", () -> separated("a", new int[] {3, 4}, "b", new int[] {4}, 39),
                in -> in.get(0).minimum(in.get(1)));
    }

    // ----------------------------------------------------------------------------------------------
    // Unary ops

    private static void unary(List<OpCase> c) {
        add(c, "neg", () -> List.of(randn("x", 40, 3, 4)), in -> in.get(0).neg());
        add(c, "exp", () -> List.of(randn("x", 41, 3, 4)), in -> in.get(0).exp());
        add(c, "log", () -> List.of(uniform("x", 42, 0.3, 3.0, 3, 4)), in -> in.get(0).log());
        add(c, "sqrt", () -> List.of(uniform("x", 43, 0.3, 3.0, 3, 4)), in -> in.get(0).sqrt());
        add(c, "abs away from 0", () -> List.of(awayFromZero("x", 44, MARGIN, 3, 4)), in -> in.get(0).abs());
        add(c, "pow scalar x^3", () -> List.of(randn("x", 45, 3, 4)), in -> in.get(0).pow(3.0));
        add(c, "pow scalar x^2", () -> List.of(randn("x", 46, 3, 4)), in -> in.get(0).pow(2.0));
        add(c, "pow scalar x^0.5", () -> List.of(uniform("x", 47, 0.3, 3.0, 3, 4)), in -> in.get(0).pow(0.5));
        add(c, "pow scalar x^-1.5", () -> List.of(uniform("x", 48, 0.5, 3.0, 3, 4)), in -> in.get(0).pow(-1.5));
        add(c, "clamp [-0.5, 0.7] away from the bounds", () -> List.of(awayFrom("x", 49, -0.5, 0.7, 4, 5)),
                in -> in.get(0).clamp(-0.5, 0.7));
        add(c, "clamp [0.2, inf) away from the bound",
                () -> List.of(awayFrom("x", 50, 0.2, Double.POSITIVE_INFINITY, 4, 5)),
                in -> in.get(0).clamp(0.2, Double.POSITIVE_INFINITY));
        add(c, "unary on a transposed view: exp(x^T)", () -> List.of(randn("x", 57, 3, 4)),
                in -> in.get(0).transpose(0, 1).exp());
    }

    // ----------------------------------------------------------------------------------------------
    // Reductions

    private static void reductions(List<OpCase> c) {
        add(c, "sum axis 1 of (3, 4, 5)", () -> List.of(randn("x", 60, 3, 4, 5)), in -> in.get(0).sum(false, 1));
        add(c, "sum axes (0, 2) keepDims of (3, 4, 5)", () -> List.of(randn("x", 61, 3, 4, 5)),
                in -> in.get(0).sum(true, 0, 2));
        add(c, "sum axis -1 of (3, 4, 5)", () -> List.of(randn("x", 62, 3, 4, 5)), in -> in.get(0).sum(false, -1));
        add(c, "sum all of (3, 4, 5)", () -> List.of(randn("x", 63, 3, 4, 5)), in -> in.get(0).sum());
        add(c, "sum axis 0 of a permuted view", () -> List.of(randn("x", 64, 3, 4, 5)),
                in -> in.get(0).permute(2, 0, 1).sum(false, 0));

        add(c, "mean axis 0 of (3, 4, 5)", () -> List.of(randn("x", 65, 3, 4, 5)), in -> in.get(0).mean(false, 0));
        add(c, "mean axes (1, 2) keepDims of (3, 4, 5)", () -> List.of(randn("x", 66, 3, 4, 5)),
                in -> in.get(0).mean(true, 1, 2));
        add(c, "mean all of (3, 4, 5)", () -> List.of(randn("x", 67, 3, 4, 5)), in -> in.get(0).mean());

        add(c, "max axis 1 of (3, 4, 5), no ties", () -> List.of(distinct("x", 68, 3, 4, 5)),
                in -> in.get(0).max(false, 1));
        add(c, "max axes (0, 2) keepDims of (3, 4, 5), no ties", () -> List.of(distinct("x", 69, 3, 4, 5)),
                in -> in.get(0).max(true, 0, 2));
        add(c, "max all of (3, 4, 5), no ties", () -> List.of(distinct("x", 70, 3, 4, 5)),
                in -> in.get(0).max(false));

        add(c, "logsumexp axis -1 of (3, 4, 5)", () -> List.of(randn("x", 71, 3, 4, 5)),
                in -> in.get(0).logsumexp(false, -1));
        add(c, "logsumexp axes (0, 1) keepDims of (3, 4, 5)", () -> List.of(randn("x", 72, 3, 4, 5)),
                in -> in.get(0).logsumexp(true, 0, 1));
        add(c, "logsumexp all of (3, 4, 5)", () -> List.of(randn("x", 73, 3, 4, 5)),
                in -> in.get(0).logsumexp(false));
        add(c, "logsumexp of large values (shifted by the max)",
                () -> List.of(scaled(randn("x", 74, 3, 6), 30.0)), in -> in.get(0).logsumexp(false, 1));

        add(c, "sum of an expanded view (3, 1) -> (3, 4)", () -> List.of(randn("x", 76, 3, 1)),
                in -> in.get(0).expand(3, 4).sum(false, 0));
        add(c, "max over a size-1 axis of (3, 1, 4)", () -> List.of(randn("x", 77, 3, 1, 4)),
                in -> in.get(0).max(false, 1));
        add(c, "sumTo (2, 3, 4) -> (3, 1)", () -> List.of(randn("x", 75, 2, 3, 4)),
                in -> in.get(0).sumTo(new int[] {3, 1}));
    }

    // ----------------------------------------------------------------------------------------------
    // Matrix products

    private static void matmul(List<OpCase> c) {
        add(c, "matmul (3, 4) @ (4, 5)", () -> List.of(randn("a", 80, 3, 4), randn("b", 81, 4, 5)),
                in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul batched (2, 3, 4) @ (2, 4, 5)",
                () -> List.of(randn("a", 82, 2, 3, 4), randn("b", 83, 2, 4, 5)), in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul broadcast batch (2, 1, 3, 4) @ (3, 4, 5)",
                () -> List.of(randn("a", 84, 2, 1, 3, 4), randn("b", 85, 3, 4, 5)),
                in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul batched @ 2-D (2, 3, 4) @ (4, 5)",
                () -> List.of(randn("a", 86, 2, 3, 4), randn("b", 87, 4, 5)), in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul 2-D @ batched (3, 4) @ (2, 4, 5)",
                () -> List.of(randn("a", 88, 3, 4), randn("b", 89, 2, 4, 5)), in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul transposed lhs (4, 3)^T @ (4, 5)",
                () -> List.of(randn("a", 90, 4, 3), randn("b", 91, 4, 5)),
                in -> in.get(0).transpose(0, 1).matmul(in.get(1)));
        add(c, "matmul transposed rhs (3, 4) @ (5, 4)^T",
                () -> List.of(randn("a", 92, 3, 4), randn("b", 93, 5, 4)),
                in -> in.get(0).matmul(in.get(1).transpose(0, 1)));
        add(c, "matmul batched both transposed (2, 4, 3)^T @ (2, 5, 4)^T",
                () -> List.of(randn("a", 94, 2, 4, 3), randn("b", 95, 2, 5, 4)),
                in -> in.get(0).transpose(-1, -2).matmul(in.get(1).transpose(-1, -2)));
        add(c, "matmul matrix-vector (3, 4) @ (4, 1)", () -> List.of(randn("a", 96, 3, 4), randn("b", 97, 4, 1)),
                in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul row-vector (1, 4) @ (4, 5)", () -> List.of(randn("a", 98, 1, 4), randn("b", 99, 4, 5)),
                in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul outer product (3, 1) @ (1, 5)", () -> List.of(randn("a", 100, 3, 1), randn("b", 101, 1, 5)),
                in -> in.get(0).matmul(in.get(1)));
        add(c, "matmul permuted batch (3, 2, 4).permute(1, 0, 2) @ (2, 4, 5)",
                () -> List.of(randn("a", 102, 3, 2, 4), randn("b", 103, 2, 4, 5)),
                in -> in.get(0).permute(1, 0, 2).matmul(in.get(1)));
        add(c, "matmul column slice (3, 6)[:, 1:5] @ (4, 5)",
                () -> List.of(randn("a", 104, 3, 6), randn("b", 105, 4, 5)),
                in -> in.get(0).slice(1, 1, 5).matmul(in.get(1)));
        add(c, "matmul expanded rhs (4, 5) expanded to (2, 4, 5)",
                () -> List.of(randn("a", 106, 2, 3, 4), randn("b", 107, 4, 5)),
                in -> in.get(0).matmul(in.get(1).expand(2, 4, 5)));
        add(c, "matmul transposed then sliced lhs (6, 3)^T[:, 1:5] @ (4, 5)",
                () -> List.of(randn("a", 109, 6, 3), randn("b", 150, 4, 5)),
                in -> in.get(0).transpose(0, 1).slice(1, 1, 5).matmul(in.get(1)));
        add(c, "matmul row of a transposed matrix (4, 5)^T[2:3] @ (4, 3)",
                () -> List.of(randn("a", 151, 4, 5), randn("b", 152, 4, 3)),
                in -> in.get(0).transpose(0, 1).slice(0, 2, 3).matmul(in.get(1)));
        add(c, "matmul column slice rhs (3, 4) @ (4, 5)[:, 2:3]",
                () -> List.of(randn("a", 153, 3, 4), randn("b", 154, 4, 5)),
                in -> in.get(0).matmul(in.get(1).slice(1, 2, 3)));
        add(c, "matmul broadcast row lhs (1, 4) expanded to (3, 4) @ (4, 5)",
                () -> List.of(randn("a", 155, 1, 4), randn("b", 156, 4, 5)),
                in -> in.get(0).expand(3, 4).matmul(in.get(1)));
        add(c, "matmul shared input x @ x^T", () -> List.of(randn("x", 108, 3, 4)),
                in -> in.get(0).matmul(in.get(0).transpose(0, 1)));
    }

    // ----------------------------------------------------------------------------------------------
    // Views

    private static void views(List<OpCase> c) {
        add(c, "reshape (3, 4) -> (2, 6)", () -> List.of(randn("x", 110, 3, 4)), in -> in.get(0).reshape(2, 6));
        add(c, "reshape with -1 (2, 3, 4) -> (-1, 4)", () -> List.of(randn("x", 111, 2, 3, 4)),
                in -> in.get(0).reshape(-1, 4));
        add(c, "reshape of a transposed view (copies)", () -> List.of(randn("x", 112, 3, 4)),
                in -> in.get(0).transpose(0, 1).reshape(12));
        add(c, "permute (2, 3, 4) -> (4, 2, 3)", () -> List.of(randn("x", 113, 2, 3, 4)),
                in -> in.get(0).permute(2, 0, 1));
        add(c, "transpose (2, 3, 4) axes 0 and 2", () -> List.of(randn("x", 114, 2, 3, 4)),
                in -> in.get(0).transpose(0, 2));
        add(c, "slice axis 1 [1, 3) of (3, 4, 5)", () -> List.of(randn("x", 115, 3, 4, 5)),
                in -> in.get(0).slice(1, 1, 3));
        add(c, "slice negative bounds [-4, -1) of axis -1", () -> List.of(randn("x", 116, 3, 6)),
                in -> in.get(0).slice(-1, -4, -1));
        add(c, "slice of a slice", () -> List.of(randn("x", 117, 5, 6)),
                in -> in.get(0).slice(0, 1, 5).slice(1, 2, 6).slice(0, 1, 3));
        add(c, "expand (3, 1) -> (2, 3, 4)", () -> List.of(randn("x", 118, 3, 1)), in -> in.get(0).expand(2, 3, 4));
        add(c, "expand (4) -> (3, 4) then mul", () -> List.of(randn("x", 119, 4), randn("y", 120, 3, 4)),
                in -> in.get(0).expand(3, 4).mul(in.get(1)));
        add(c, "unsqueeze(1) then broadcast", () -> List.of(randn("x", 121, 3, 4), randn("y", 122, 3, 5, 4)),
                in -> in.get(0).unsqueeze(1).mul(in.get(1)));
        add(c, "squeeze axis 1 of (3, 1, 4)", () -> List.of(randn("x", 123, 3, 1, 4)), in -> in.get(0).squeeze(1));
        add(c, "contiguous of a permuted view", () -> List.of(randn("x", 124, 2, 3, 4)),
                in -> in.get(0).permute(1, 2, 0).contiguous());
        add(c, "flatten of a transposed view", () -> List.of(randn("x", 125, 3, 4)),
                in -> in.get(0).transpose(0, 1).flatten());
        add(c, "copy", () -> List.of(randn("x", 126, 3, 4)), in -> in.get(0).copy());
        add(c, "elementwise on two strided views", () -> List.of(randn("x", 127, 4, 3), randn("y", 128, 3, 6)),
                in -> in.get(0).transpose(0, 1).mul(in.get(1).slice(1, 1, 5)));
    }

    // ----------------------------------------------------------------------------------------------
    // Composites: several ops and shared inputs, as in a real loss

    private static void composites(List<OpCase> c) {
        add(c, "softmax via logsumexp (4, 6)", () -> List.of(randn("x", 130, 4, 6)),
                in -> in.get(0).sub(in.get(0).logsumexp(true, -1)).exp());
        add(c, "layer norm composed (4, 6)",
                () -> List.of(randn("x", 131, 4, 6), randn("gamma", 132, 6), randn("beta", 133, 6)),
                in -> {
                    Tensor x = in.get(0);
                    Tensor centred = x.sub(x.mean(true, -1));
                    Tensor rstd = centred.pow(2.0).mean(true, -1).add(1e-5).pow(-0.5);
                    return centred.mul(rstd).mul(in.get(1)).add(in.get(2));
                });
        add(c, "MLP tanh + cross-entropy via logsumexp", CoreCases::mlpInputs, CoreCases::mlpLoss);
        add(c, "task-weighted loss sum(softmax(lambda) * losses)",
                () -> List.of(randn("lambda", 134, 3), randn("theta", 135, 3, 4), constant(randn("target", 136, 3, 4))),
                in -> {
                    Tensor lambda = in.get(0);
                    Tensor weights = lambda.sub(lambda.logsumexp(true, 0)).exp();
                    Tensor losses = in.get(1).sub(in.get(2)).pow(2.0).mean(false, 1); // (3)
                    return weights.mul(losses).sum();
                });
    }

    /** x (B=4, 5) inputs, W1 (5, 6), b1 (6), W2 (6, 3) logits, b2 (3); labels one-hot (4, 3), constant. */
    private static List<Tensor> mlpInputs() {
        double[] onehot = new double[4 * 3]; // (B, 3)
        int[] labels = {2, 0, 1, 2};
        for (int i = 0; i < labels.length; i++) {
            onehot[i * 3 + labels[i]] = 1.0;
        }
        return List.of(randn("x", 140, 4, 5), scaled(randn("W1", 141, 5, 6), 0.5), randn("b1", 142, 6),
                scaled(randn("W2", 143, 6, 3), 0.5), randn("b2", 144, 3), Tensor.of(onehot, 4, 3).named("labels"));
    }

    /** mean over the batch of logsumexp(logits) - logits[label]. */
    private static Tensor mlpLoss(List<Tensor> in) {
        Tensor hidden = Elementwise.unary(Elementwise.Unary.TANH, in.get(0).matmul(in.get(1)).add(in.get(2)));
        Tensor logits = hidden.matmul(in.get(3)).add(in.get(4)); // (B, 3)
        Tensor picked = logits.mul(in.get(5)).sum(false, 1); // (B)
        return logits.logsumexp(false, 1).sub(picked).mean();
    }

    // ----------------------------------------------------------------------------------------------
    // Seeded inputs

    private static void add(List<OpCase> c, String name, Supplier<List<Tensor>> inputs,
            Function<List<Tensor>, Tensor> fn) {
        c.add(new OpCase(name, inputs, fn));
    }

    /** A leaf to differentiate. */
    private static Tensor leaf(double[] values, String name, int... shape) {
        return Tensor.of(values, shape).requiresGrad(true).named(name);
    }

    /** The same values as a constant (no gradient is checked for it). */
    private static Tensor constant(Tensor t) {
        return t.requiresGrad(false);
    }

    private static Tensor scaled(Tensor t, double factor) {
        double[] v = t.f64(); // same shape as t
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return t;
    }

    static Tensor randn(String name, long seed, int... shape) {
        return Tensor.randn(DType.F64, seed, shape).requiresGrad(true).named(name);
    }

    static Tensor uniform(String name, long seed, double lo, double hi, int... shape) {
        Tensor t = Tensor.rand(DType.F64, seed, shape);
        double[] v = t.f64(); // same shape as t
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * v[i];
        }
        return t.requiresGrad(true).named(name);
    }

    /** Standard normal draws pushed at least {@code margin} away from 0, keeping their sign. */
    static Tensor awayFromZero(String name, long seed, double margin, int... shape) {
        double[] v = Tensor.randn(DType.F64, seed, shape).f64(); // same shape as the result
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] < 0 ? v[i] - margin : v[i] + margin;
        }
        return leaf(v, name, shape);
    }

    /** Standard normal draws moved at least MARGIN away from both clamp bounds (some below, inside, above). */
    private static Tensor awayFrom(String name, long seed, double lo, double hi, int... shape) {
        double[] v = Tensor.randn(DType.F64, seed, shape).f64(); // same shape as the result
        for (int i = 0; i < v.length; i++) {
            if (Math.abs(v[i] - lo) < MARGIN) {
                v[i] = lo - 2 * MARGIN;
            } else if (Math.abs(v[i] - hi) < MARGIN) {
                v[i] = hi + 2 * MARGIN;
            }
        }
        return leaf(v, name, shape);
    }

    /** A shuffled ladder of values 0.25 apart plus jitter below 0.1: no two within 0.15, so no ties. */
    static Tensor distinct(String name, long seed, int... shape) {
        Tensor t = Tensor.zeros(DType.F64, shape);
        double[] v = t.f64(); // same shape as t
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.25 * (i - v.length / 2.0);
        }
        for (int i = v.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] += 0.1 * rng.nextDouble();
        }
        return t.requiresGrad(true).named(name);
    }

    /**
     * Two leaves for maximum/minimum: b is standard normal, a is b broadcast to a's shape plus a random-signed
     * gap in [0.2, 0.7), so a and b never tie. a's shape must be the broadcast shape.
     */
    private static List<Tensor> separated(String nameA, int[] shapeA, String nameB, int[] shapeB, long seed) {
        Tensor b = Tensor.randn(DType.F64, seed, shapeB);
        double[] base = b.expand(shapeA).toDoubleArray(); // shapeA
        SplittableRandom rng = new SplittableRandom(seed + 1);
        for (int i = 0; i < base.length; i++) {
            double gap = 0.2 + 0.5 * rng.nextDouble();
            base[i] += rng.nextBoolean() ? gap : -gap;
        }
        return List.of(leaf(base, nameA, shapeA), b.requiresGrad(true).named(nameB));
    }
}
