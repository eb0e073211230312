package org.blades.opencl;

/**
 * A pointwise function for {@link OpenClKernels#unary} and its derivative rule for
 * {@link OpenClKernels#unaryBackward}: the device twins of org.blades.tensor.Elementwise.Unary (same definitions,
 * same rules at kinks: relu' = 0 at 0, |x|' = 0 at 0, clamp passes the gradient at its bounds, NaN passes relu).
 *
 * @param kind the function
 * @param p0   its first constant: the exponent of POW, the lower bound of CLAMP, the slope of AFFINE
 * @param p1   its second constant: the upper bound of CLAMP, the offset of AFFINE
 */
public record UnaryOp(Kind kind, float p0, float p1) {

    /** The functions; the ordinal is the op code of kernels/elementwise.cl (U_NEG ... U_AFFINE). */
    public enum Kind {
        NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, ERF,
        /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's GELU. */
        GELU_TANH,
        /** x * sigmoid(1.702 x), CLIP's QuickGELU. */
        QUICK_GELU,
        /** x^p0. */
        POW,
        /** min(max(x, p0), p1). */
        CLAMP,
        /** p0 * x + p1 (scaling, shifting, subtracting from a constant). */
        AFFINE
    }

    public static final UnaryOp NEG = of(Kind.NEG);
    public static final UnaryOp EXP = of(Kind.EXP);
    public static final UnaryOp LOG = of(Kind.LOG);
    public static final UnaryOp SQRT = of(Kind.SQRT);
    public static final UnaryOp ABS = of(Kind.ABS);
    public static final UnaryOp RELU = of(Kind.RELU);
    public static final UnaryOp SIGMOID = of(Kind.SIGMOID);
    public static final UnaryOp TANH = of(Kind.TANH);
    public static final UnaryOp ERF = of(Kind.ERF);
    public static final UnaryOp GELU_TANH = of(Kind.GELU_TANH);
    public static final UnaryOp QUICK_GELU = of(Kind.QUICK_GELU);

    public UnaryOp {
        if (kind == null) {
            throw new IllegalArgumentException("UnaryOp: kind must not be null");
        }
        if (kind == Kind.CLAMP && !(p0 <= p1)) {
            throw new IllegalArgumentException("UnaryOp clamp: min " + p0 + " > max " + p1);
        }
    }

    private static UnaryOp of(Kind kind) {
        return new UnaryOp(kind, 0f, 0f);
    }

    public static UnaryOp pow(float exponent) {
        return new UnaryOp(Kind.POW, exponent, 0f);
    }

    public static UnaryOp clamp(float min, float max) {
        return new UnaryOp(Kind.CLAMP, min, max);
    }

    /** y = scale * x + shift. */
    public static UnaryOp affine(float scale, float shift) {
        return new UnaryOp(Kind.AFFINE, scale, shift);
    }

    int code() {
        return kind.ordinal();
    }
}
