package org.blades.tensor;

// Dimensions: N = length of the softmax axis; OUTER = product of the dimensions before it, INNER = product of
// the dimensions after it (INNER = 1 for the last axis). A dense tensor viewed as (OUTER, N, INNER) holds one
// softmax row per (outer, inner) pair, its elements INNER apart.

/**
 * Activation functions. The pointwise ones are the {@link Elementwise.Unary} primitives (one derivative rule
 * each) or compositions of them; softmax and log-softmax are fused primitives with their own derivative rules,
 * pinned in float64 to the composition {@code exp(x - logsumexp(x))} by the tests.
 *
 * <p>A fully masked row (every element -inf, as a causal or padding mask can produce) is treated as a row whose
 * every element is masked: softmax gives 0 everywhere (not a distribution, but no NaN), log-softmax gives -inf
 * everywhere, and the derivative rules are evaluated with probability 0: softmax passes no gradient back,
 * log-softmax passes dy through unchanged. PyTorch 1.13 gives NaN there; newer attention kernels (SDPA's
 * safe softmax) give the same zeros as here. Other rows are unaffected either way.
 */
public final class Activation {
    private Activation() {
    }

    private static final double INV_SQRT_2 = 0.7071067811865476; // 1/sqrt(2)

    public static Tensor relu(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.RELU, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.SIGMOID, x);
    }

    public static Tensor tanh(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.TANH, x);
    }

    public static Tensor erf(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.ERF, x);
    }

    /** GELU in its tanh approximation (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static Tensor gelu(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.GELU_TANH, x);
    }

    /** CLIP's QuickGELU: x * sigmoid(1.702 x). */
    public static Tensor quickGelu(Tensor x) {
        return Elementwise.unary(Elementwise.Unary.QUICK_GELU, x);
    }

    /** The standard normal CDF 0.5 (1 + erf(x / sqrt(2))), composed from primitives (no own derivative rule). */
    public static Tensor normalCdf(Tensor x) {
        return erf(x.mul(INV_SQRT_2)).add(1.0).mul(0.5);
    }

    // ----------------------------------------------------------------------------------------------
    // Softmax family: fused primitives

    private enum Kind {
        SOFTMAX("softmax"),
        LOG_SOFTMAX("log_softmax");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * exp(x - max) / sum(exp(x - max)) along {@code axis} (negative counts from the end). A row that is -inf
     * throughout gives zeros and passes no gradient (see the class comment).
     */
    public static Tensor softmax(Tensor x, int axis) {
        return softmaxFamily(Kind.SOFTMAX, x, axis);
    }

    /**
     * (x - max) - log(sum(exp(x - max))) along {@code axis} (negative counts from the end). A row that is -inf
     * throughout gives -inf and passes dy through unchanged (see the class comment).
     */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return softmaxFamily(Kind.LOG_SOFTMAX, x, axis);
    }

    private static Tensor softmaxFamily(Kind kind, Tensor x, int axis) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException(kind.label + ": needs at least one dimension, got " + x.describe());
        }
        if (axis < -x.dim() || axis >= x.dim()) {
            throw new IllegalArgumentException(kind.label + ": axis " + axis + " is out of range for input "
                    + x.describe());
        }
        int a = axis < 0 ? axis + x.dim() : axis;
        int[] shape = x.shapeRef(); // (rank)
        int n = shape[a];
        int inner = 1;
        for (int i = a + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int outer = n == 0 || inner == 0 ? 0 : x.numel() / (n * inner);
        Tensor in = x.contiguous().detach(); // (OUTER, N, INNER)
        Tensor out = Tensor.empty(x.dtype(), shape); // (OUTER, N, INNER)
        if (x.dtype() == DType.F32 && inner == 1) {
            forwardLastAxisF32(kind, in.rawF(), out.rawF(), outer, n);
        } else {
            forwardStrided(kind, in, out, outer, n, inner);
        }
        final int rows = outer;
        final int stride = inner;
        return Autograd.record(kind.label, out, new Tensor[] {x}, g -> {
            Tensor dx = Tensor.empty(x.dtype(), shape); // (OUTER, N, INNER)
            if (x.dtype() == DType.F32 && stride == 1) {
                backwardLastAxisF32(kind, g.f32(), out.rawF(), dx.rawF(), rows, n);
            } else {
                backwardStrided(kind, g, out, dx, rows, n, stride);
            }
            Autograd.accumulate(x, dx);
        });
    }

    /** The float32 last-axis fast path: rows are contiguous; sums and exponentials in double. */
    private static void forwardLastAxisF32(Kind kind, float[] x /* (OUTER, N) */, float[] y /* (OUTER, N) */,
            int rows, int n) {
        double[] e = new double[n]; // (N) exp(x - max) of the current row
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                m = Math.max(m, x[base + k]);
            }
            if (m == Double.NEGATIVE_INFINITY) {
                float masked = kind == Kind.SOFTMAX ? 0f : Float.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    y[base + k] = masked;
                }
                continue;
            }
            double s = 0.0;
            for (int k = 0; k < n; k++) {
                e[k] = Math.exp(x[base + k] - m);
                s += e[k];
            }
            if (kind == Kind.SOFTMAX) {
                double inv = 1.0 / s;
                for (int k = 0; k < n; k++) {
                    y[base + k] = (float) (e[k] * inv);
                }
            } else {
                // (x - m) - log(s), not x - (m + log(s)): with |m| huge, m + log(s) would round back to m.
                double logS = Math.log(s);
                for (int k = 0; k < n; k++) {
                    y[base + k] = (float) ((x[base + k] - m) - logS);
                }
            }
        }
    }

    /** Any axis, any dtype: each row is gathered into a double buffer. The oracle of the float32 fast path. */
    private static void forwardStrided(Kind kind, Tensor in, Tensor out, int outer, int n, int inner) {
        double[] row = new double[n]; // (N)
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    row[k] = in.at(base + k * inner);
                    m = Math.max(m, row[k]);
                }
                if (m == Double.NEGATIVE_INFINITY) {
                    double masked = kind == Kind.SOFTMAX ? 0.0 : Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < n; k++) {
                        out.put(base + k * inner, masked);
                    }
                    continue;
                }
                double s = 0.0;
                for (int k = 0; k < n; k++) {
                    s += Math.exp(row[k] - m);
                }
                if (kind == Kind.SOFTMAX) {
                    double inv = 1.0 / s;
                    for (int k = 0; k < n; k++) {
                        out.put(base + k * inner, Math.exp(row[k] - m) * inv);
                    }
                } else {
                    double logS = Math.log(s);
                    for (int k = 0; k < n; k++) {
                        out.put(base + k * inner, (row[k] - m) - logS);
                    }
                }
            }
        }
    }

    private static void backwardLastAxisF32(Kind kind, float[] g /* (OUTER, N) */, float[] y /* (OUTER, N) */,
            float[] dx /* (OUTER, N) */, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            if (kind == Kind.SOFTMAX) {
                // forward: y = softmax(x)  =>  dx += y * (dy - sum(dy * y))
                double dot = 0.0;
                for (int k = 0; k < n; k++) {
                    dot += (double) g[base + k] * y[base + k];
                }
                for (int k = 0; k < n; k++) {
                    dx[base + k] = (float) (y[base + k] * (g[base + k] - dot));
                }
            } else {
                // forward: y = x - logsumexp(x)  =>  dx += dy - exp(y) * sum(dy)
                double sum = 0.0;
                for (int k = 0; k < n; k++) {
                    sum += g[base + k];
                }
                for (int k = 0; k < n; k++) {
                    dx[base + k] = (float) (g[base + k] - Math.exp(y[base + k]) * sum);
                }
            }
        }
    }

    private static void backwardStrided(Kind kind, Tensor g, Tensor y, Tensor dx, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double acc = 0.0;
                if (kind == Kind.SOFTMAX) {
                    // forward: y = softmax(x)  =>  dx += y * (dy - sum(dy * y))
                    for (int k = 0; k < n; k++) {
                        acc += g.at(base + k * inner) * y.at(base + k * inner);
                    }
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        dx.put(p, y.at(p) * (g.at(p) - acc));
                    }
                } else {
                    // forward: y = x - logsumexp(x)  =>  dx += dy - exp(y) * sum(dy)
                    for (int k = 0; k < n; k++) {
                        acc += g.at(base + k * inner);
                    }
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        dx.put(p, g.at(p) - Math.exp(y.at(p)) * acc);
                    }
                }
            }
        }
    }
}
