package org.blades.tensor;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise primitives: broadcasting binary ops and unary functions, each with one derivative rule.
 * Values are computed in float64 and rounded once to the output dtype.
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** Binary primitives; the derivative rules are in {@link #binary}. */
    public enum Binary {
        ADD("add") {
            double apply(double a, double b) {
                return a + b;
            }
        },
        SUB("sub") {
            double apply(double a, double b) {
                return a - b;
            }
        },
        MUL("mul") {
            double apply(double a, double b) {
                return a * b;
            }
        },
        DIV("div") {
            double apply(double a, double b) {
                return a / b;
            }
        },
        POW("pow") {
            double apply(double a, double b) {
                return Math.pow(a, b);
            }
        },
        MAXIMUM("maximum") {
            double apply(double a, double b) {
                return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            }
        },
        MINIMUM("minimum") {
            double apply(double a, double b) {
                return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            }
        },
        GT("gt") {
            double apply(double a, double b) {
                return a > b ? 1.0 : 0.0;
            }
        },
        EQ("eq") {
            double apply(double a, double b) {
                return a == b ? 1.0 : 0.0;
            }
        };

        final String label;

        Binary(String label) {
            this.label = label;
        }

        abstract double apply(double a, double b);
    }

    /** Computes op(a, b) with broadcasting into a new dense tensor; no tape. */
    static Tensor compute(Binary op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op.label + ": dtypes differ: " + a.describe() + " and " + b.describe());
        }
        int[] shape = Shape.broadcast(op.label, a.shapeRef(), b.shapeRef());
        Tensor out = Tensor.empty(a.dtype(), shape);
        if (a.dtype() == DType.F32 && a.isDense() && (b.isDense() || b.numel() == 1)
                && Arrays.equals(shape, a.shapeRef()) && denseF32(op, a, b, out)) {
            return out;
        }
        int[] sa = Shape.broadcastStrides(a.shapeRef(), a.stridesRef(), shape);
        int[] sb = Shape.broadcastStrides(b.shapeRef(), b.stridesRef(), shape);
        StridedLoop.forEach3(shape, sa, a.offset(), sb, b.offset(),
                (o, pa, pb) -> out.put(o, op.apply(a.at(pa), b.at(pb))));
        return out;
    }

    /** Tight loops for the float32 cases that dominate training (residual adds, bias adds, scaling). */
    private static boolean denseF32(Binary op, Tensor a, Tensor b, Tensor out) {
        float[] x = a.rawF();
        float[] y = out.rawF();
        int n = x.length;
        if (b.numel() == 1) {
            float c = (float) b.at(b.offset());
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) {
                        y[i] = x[i] + c;
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) {
                        y[i] = x[i] * c;
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
        if (!Arrays.equals(a.shapeRef(), b.shapeRef())) {
            return isTrailing(b.shapeRef(), a.shapeRef()) && b.isDense() && rowsF32(op, x, b.rawF(), y);
        }
        float[] z = b.rawF();
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    y[i] = x[i] + z[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < n; i++) {
                    y[i] = x[i] - z[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    y[i] = x[i] * z[i];
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code inner} (leading 1s aside) equals the trailing dimensions of {@code outer}. */
    private static boolean isTrailing(int[] inner, int[] outer) {
        int lead = 0;
        while (lead < inner.length && inner[lead] == 1) {
            lead++;
        }
        int n = inner.length - lead;
        if (n == 0 || n > outer.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (inner[lead + i] != outer[outer.length - n + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * y = x op z with z repeating along x's leading dimensions (a bias added to every row): x and y (R, K) flat,
     * z (K). The same float32 operation per element as the same-shape loop.
     */
    private static boolean rowsF32(Binary op, float[] x, float[] z, float[] y) {
        int k = z.length;
        if (op != Binary.ADD && op != Binary.SUB && op != Binary.MUL) {
            return false;
        }
        for (int base = 0; base < x.length; base += k) {
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < k; j++) {
                        y[base + j] = x[base + j] + z[j];
                    }
                }
                case SUB -> {
                    for (int j = 0; j < k; j++) {
                        y[base + j] = x[base + j] - z[j];
                    }
                }
                default -> {
                    for (int j = 0; j < k; j++) {
                        y[base + j] = x[base + j] * z[j];
                    }
                }
            }
        }
        return true;
    }

    /** A comparison (0/1 result); comparisons have no gradient. */
    static Tensor compare(Binary op, Tensor a, Tensor b) {
        return compute(op, a, b);
    }

    static Tensor binary(Binary op, Tensor a, Tensor b) {
        Tensor out = compute(op, a, b);
        int[] sa = a.shapeRef();
        int[] sb = b.shapeRef();
        return Autograd.record(op.label, out, new Tensor[] {a, b}, g -> {
            switch (op) {
                case ADD -> {
                    // forward: y = a + b  =>  da += dy, db += dy
                    Autograd.accumulate(a, g.sumTo(sa));
                    Autograd.accumulate(b, g.sumTo(sb));
                }
                case SUB -> {
                    // forward: y = a - b  =>  da += dy, db -= dy
                    Autograd.accumulate(a, g.sumTo(sa));
                    if (b.requiresGrad()) {
                        Autograd.accumulate(b, g.neg().sumTo(sb));
                    }
                }
                case MUL -> {
                    // forward: y = a * b  =>  da += dy * b, db += dy * a
                    if (a.requiresGrad()) {
                        Autograd.accumulate(a, g.mul(b).sumTo(sa));
                    }
                    if (b.requiresGrad()) {
                        Autograd.accumulate(b, g.mul(a).sumTo(sb));
                    }
                }
                case DIV -> {
                    // forward: y = a / b  =>  da += dy / b, db += -dy * y / b
                    if (a.requiresGrad()) {
                        Autograd.accumulate(a, g.div(b).sumTo(sa));
                    }
                    if (b.requiresGrad()) {
                        Autograd.accumulate(b, g.mul(out).div(b).neg().sumTo(sb));
                    }
                }
                case POW -> {
                    // forward: y = a^b  =>  da += dy * b * a^(b-1), db += dy * y * ln(a) (0 where a == 0, b >= 0)
                    if (a.requiresGrad()) {
                        Autograd.accumulate(a, g.mul(b).mul(a.pow(b.sub(1.0))).sumTo(sa));
                    }
                    if (b.requiresGrad()) {
                        int[] shape = out.shapeRef();
                        Tensor lnA = Tensor.empty(a.dtype(), shape);
                        int[] stA = Shape.broadcastStrides(sa, a.stridesRef(), shape);
                        int[] stB = Shape.broadcastStrides(sb, b.stridesRef(), shape);
                        StridedLoop.forEach3(shape, stA, a.offset(), stB, b.offset(), (o, pa, pb) -> {
                            double base = a.at(pa);
                            lnA.put(o, base == 0.0 && b.at(pb) >= 0 ? 0.0 : Math.log(base));
                        });
                        Autograd.accumulate(b, g.mul(out).mul(lnA).sumTo(sb));
                    }
                }
                case MAXIMUM, MINIMUM -> {
                    // forward: y = max(a, b)  =>  da += dy where a wins, half of dy where a == b (torch's rule)
                    Tensor aWins = op == Binary.MAXIMUM ? a.gt(b) : b.gt(a);
                    Tensor share = aWins.add(a.eq(b).mul(0.5));
                    if (a.requiresGrad()) {
                        Autograd.accumulate(a, g.mul(share).sumTo(sa));
                    }
                    if (b.requiresGrad()) {
                        Autograd.accumulate(b, g.mul(share.neg().add(1.0)).sumTo(sb));
                    }
                }
                default -> throw new IllegalStateException(op.label + " has no derivative");
            }
        });
    }

    // ----------------------------------------------------------------------------------------------
    // Unary primitives

    /** The local derivative dy/dx of a unary function, given the input x and the output y. */
    @FunctionalInterface
    public interface Derivative {
        double at(double x, double y);
    }

    /** A unary primitive: its function and its one derivative rule. */
    public record Unary(String label, DoubleUnaryOperator f, Derivative df) {

        public static final Unary NEG = new Unary("neg", x -> -x, (x, y) -> -1.0);
        public static final Unary EXP = new Unary("exp", Math::exp, (x, y) -> y);
        public static final Unary LOG = new Unary("log", Math::log, (x, y) -> 1.0 / x);
        public static final Unary SQRT = new Unary("sqrt", Math::sqrt, (x, y) -> 0.5 / y);
        /** torch's rule: the derivative of |x| at 0 is 0. */
        public static final Unary ABS = new Unary("abs", Math::abs, (x, y) -> Math.signum(x));
        /** torch's rules: NaN passes through, the derivative at 0 is 0. */
        public static final Unary RELU = new Unary("relu", x -> !(x <= 0) ? x : 0.0, (x, y) -> x > 0 ? 1.0 : 0.0);
        public static final Unary SIGMOID = new Unary("sigmoid", SpecialFunctions::sigmoid, (x, y) -> y * (1.0 - y));
        public static final Unary TANH = new Unary("tanh", Math::tanh, (x, y) -> 1.0 - y * y);
        public static final Unary ERF = new Unary("erf", SpecialFunctions::erf,
                (x, y) -> 1.1283791670955126 * Math.exp(-x * x));
        /** GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
        public static final Unary GELU_TANH = new Unary("gelu_tanh", Unary::geluTanh, Unary::geluTanhDerivative);
        /** QuickGELU, CLIP's activation: x * sigmoid(1.702 x). */
        public static final Unary QUICK_GELU = new Unary("quick_gelu",
                x -> x * SpecialFunctions.sigmoid(1.702 * x),
                (x, y) -> {
                    double s = SpecialFunctions.sigmoid(1.702 * x);
                    return s + 1.702 * x * s * (1.0 - s);
                });

        private static final double SQRT_2_OVER_PI = 0.7978845608028654;

        private static double geluTanh(double x) {
            double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
            return 0.5 * x * (1.0 + Math.tanh(u));
        }

        private static double geluTanhDerivative(double x, double y) {
            double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
            double t = Math.tanh(u);
            return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x);
        }

        /** x^p for a constant exponent. */
        public static Unary pow(double p) {
            return new Unary("pow(" + p + ")", x -> Math.pow(x, p), (x, y) -> p * Math.pow(x, p - 1.0));
        }

        /** Clamp to [min, max]; the gradient passes where min <= x <= max (torch's rule). */
        public static Unary clamp(double min, double max) {
            if (min > max) {
                throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
            }
            return new Unary("clamp", x -> x < min ? min : (x > max ? max : x),
                    (x, y) -> x >= min && x <= max ? 1.0 : 0.0);
        }
    }

    public static Tensor unary(Unary op, Tensor x) {
        Tensor in = x.contiguous().detach();
        Tensor out = Tensor.empty(x.dtype(), x.shapeRef());
        int n = out.numel();
        if (x.dtype() == DType.F32) {
            float[] xs = in.rawF(); // (n)
            float[] ys = out.rawF(); // (n)
            if (op == Unary.RELU) {
                for (int i = 0; i < n; i++) {
                    ys[i] = !(xs[i] <= 0) ? xs[i] : 0f; // NaN passes through, as in torch
                }
            } else {
                for (int i = 0; i < n; i++) {
                    ys[i] = (float) op.f.applyAsDouble(xs[i]);
                }
            }
        } else {
            double[] xs = in.rawD(); // (n)
            double[] ys = out.rawD(); // (n)
            for (int i = 0; i < n; i++) {
                ys[i] = op.f.applyAsDouble(xs[i]);
            }
        }
        return Autograd.record(op.label, out, new Tensor[] {x}, g -> {
            // forward: y = f(x)  =>  dx += dy * f'(x)
            Tensor dx = Autograd.gradientBuffer(x.dtype(), x.shapeRef(), false); // every element written
            if (x.dtype() == DType.F32) {
                float[] gs = g.rawF(); // (n)
                float[] xs = in.rawF(); // (n)
                float[] ys = out.rawF(); // (n)
                float[] ds = dx.rawF(); // (n)
                if (op == Unary.RELU) {
                    for (int i = 0; i < n; i++) {
                        ds[i] = xs[i] > 0f ? gs[i] : 0f; // dy * 1 or dy * 0, as RELU.df
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        ds[i] = (float) (gs[i] * op.df.at(xs[i], ys[i]));
                    }
                }
            } else {
                double[] gs = g.rawD(); // (n)
                double[] xs = in.rawD(); // (n)
                double[] ys = out.rawD(); // (n)
                double[] ds = dx.rawD(); // (n)
                for (int i = 0; i < n; i++) {
                    ds[i] = gs[i] * op.df.at(xs[i], ys[i]);
                }
            }
            Autograd.accumulateOwned(x, dx);
        });
    }
}
