// Elementwise, broadcasting and strided-copy kernels.
// n = elements written. All but binary_backward_reduce are flat: 1-D launches of n work-items rounded up to the
// work-group size, whose work-items past n return at once (they have no barrier). binary_backward_reduce runs one
// work-group per output element and folds in local memory (see its header).
//
// Shapes of broadcasting and strided kernels arrive in an int array `meta` (the host packs it; at most
// META_RANK dimensions after merging, row-major):
//   meta[0]                          rank R
//   meta[1 .. 1+R)                   shape of the iteration space (the output)
//   meta[1+R .. 1+2R)                element strides of the first operand (0 along broadcast dimensions)
//   meta[1+2R .. 1+3R)               element strides of the second operand
//   meta[1+3R .. 1+4R)               (binary_backward_* only) shape of the gradient's target, 1 where the target
//                                    is broadcast along that dimension

#define META_RANK 8

// Unary op codes: must match org.blades.opencl.UnaryOp.Kind (p0, p1 are the op's constants).
#define U_NEG 0
#define U_EXP 1
#define U_LOG 2
#define U_SQRT 3
#define U_ABS 4
#define U_RELU 5
#define U_SIGMOID 6
#define U_TANH 7
#define U_ERF 8
#define U_GELU_TANH 9
#define U_QUICK_GELU 10
#define U_POW 11
#define U_CLAMP 12
#define U_AFFINE 13

// Binary op codes: must match org.blades.opencl.BinaryOp.
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_GT 7
#define B_EQ 8

#define SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_C 0.044715f
#define QUICK_GELU_K 1.702f

// Written as 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) below, so neither side overflows to inf / inf.
float sigmoidf(float x) {
    if (x >= 0.0f) {
        return 1.0f / (1.0f + exp(-x));
    }
    const float e = exp(x);
    return e / (1.0f + e);
}

// GELU's gate 0.5 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), computed as the equal sigmoid(2u): a float
// tanh need not reach exactly -1, which left -9e-6 for GELU(-300) instead of 0.
float gelu_s(float x) {
    return sigmoidf(2.0f * SQRT_2_OVER_PI * (x + GELU_C * x * x * x));
}

float unary_f(int op, float x, float p0, float p1) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return exp(x);
        case U_LOG: return log(x);
        case U_SQRT: return sqrt(x);
        case U_ABS: return fabs(x);
        case U_RELU: return !(x <= 0.0f) ? x : 0.0f; // NaN passes through, as in torch
        case U_SIGMOID: return sigmoidf(x);
        case U_TANH: return tanh(x);
        case U_ERF: return erf(x);
        case U_GELU_TANH: return x * gelu_s(x);
        case U_QUICK_GELU: return x * sigmoidf(QUICK_GELU_K * x);
        case U_POW: return pow(x, p0);
        case U_CLAMP: return x < p0 ? p0 : (x > p1 ? p1 : x);
        case U_AFFINE: return p0 * x + p1;
        default: return NAN;
    }
}

// dy/dx at input x with output y (the rules of org.blades.tensor.Elementwise.Unary).
float unary_df(int op, float x, float y, float p0, float p1) {
    switch (op) {
        case U_NEG: return -1.0f;
        case U_EXP: return y;
        case U_LOG: return 1.0f / x;
        case U_SQRT: return 0.5f / y;
        case U_ABS: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); // torch: 0 at 0
        case U_RELU: return x > 0.0f ? 1.0f : 0.0f;
        case U_SIGMOID: return y * (1.0f - y);
        case U_TANH: return 1.0f - y * y;
        case U_ERF: return 1.1283791670955126f * exp(-x * x); // 2 / sqrt(pi)
        case U_GELU_TANH: {
            // with s = 0.5 (1 + t) = sigmoid(2u): ds/dx = 0.5 (1 - t^2) u' = 2 s (1 - s) u', and 1 - s taken as
            // sigmoid(-2u) because 1 - s in float loses the digits that x * u' (up to 20 at x = 4) magnifies
            const float u2 = 2.0f * SQRT_2_OVER_PI * (x + GELU_C * x * x * x);
            const float s = sigmoidf(u2);
            return s + 2.0f * x * s * sigmoidf(-u2) * SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_C * x * x);
        }
        case U_QUICK_GELU: {
            const float s = sigmoidf(QUICK_GELU_K * x);
            return s + QUICK_GELU_K * x * s * (1.0f - s);
        }
        case U_POW: return p0 * pow(x, p0 - 1.0f);
        case U_CLAMP: return x >= p0 && x <= p1 ? 1.0f : 0.0f; // torch: the gradient passes at the bounds
        case U_AFFINE: return p0;
        default: return NAN;
    }
}

float binary_f(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return pow(a, b);
        case B_MAXIMUM: return isnan(a) || isnan(b) ? NAN : fmax(a, b);
        case B_MINIMUM: return isnan(a) || isnan(b) ? NAN : fmin(a, b);
        case B_GT: return a > b ? 1.0f : 0.0f;
        case B_EQ: return a == b ? 1.0f : 0.0f;
        default: return NAN;
    }
}

// d op(a, b) / d a (which == 0) or d / d b (which == 1); the rules of org.blades.tensor.Elementwise.binary.
float binary_df(int op, int which, float a, float b) {
    switch (op) {
        case B_ADD: return 1.0f;
        case B_SUB: return which == 0 ? 1.0f : -1.0f;
        case B_MUL: return which == 0 ? b : a;
        case B_DIV: return which == 0 ? 1.0f / b : -a / (b * b);
        case B_POW:
            if (which == 0) {
                return b * pow(a, b - 1.0f);
            }
            return a == 0.0f && b >= 0.0f ? 0.0f : pow(a, b) * log(a);
        case B_MAXIMUM:
        case B_MINIMUM: {
            // torch's rule: the winner takes dy, a tie splits it in halves
            const int aWins = op == B_MAXIMUM ? a > b : a < b;
            const float share = aWins ? 1.0f : (a == b ? 0.5f : 0.0f);
            return which == 0 ? share : 1.0f - share;
        }
        default: return 0.0f; // comparisons have no gradient
    }
}

// ---------------------------------------------------------------------------------------------------------------
// fill: y[offY + i] = value for i < n.
__kernel void fill(int n, float value, __global float* y, int offY) {
    const int i = get_global_id(0);
    if (i < n) {
        y[offY + i] = value;
    }
}

// axpy: y[i] += alpha * x[i] for i < n (gradient accumulation, scaled copies).
__kernel void axpy(int n, float alpha, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) {
        y[i] += alpha * x[i];
    }
}

// unary_forward: y[i] = f(x[i]) for i < n.
__kernel void unary_forward(int op, float p0, float p1, int n, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) {
        y[i] = unary_f(op, x[i], p0, p1);
    }
}

// unary_backward: forward y = f(x)  =>  dx[i] += dy[i] * f'(x[i]) (y is the saved forward output).
__kernel void unary_backward(int op, float p0, float p1, int n, __global const float* x, __global const float* y,
                             __global const float* dy, __global float* dx) {
    const int i = get_global_id(0);
    if (i < n) {
        dx[i] += dy[i] * unary_df(op, x[i], y[i], p0, p1);
    }
}

// Element offsets of flat output index i in two operands: meta's shape and the stride blocks at strideBase0 and
// strideBase1. Decodes the coordinates once for both; a merged rank of 1 (same shapes, a scalar operand) needs no
// division at all, which on CPUs is most of an elementwise kernel's cost.
void strided_offsets(__global const int* meta, int strideBase0, int strideBase1, int i, int* o0, int* o1) {
    const int R = meta[0];
    if (R == 1) {
        *o0 = i * meta[strideBase0];
        *o1 = i * meta[strideBase1];
        return;
    }
    int a = 0, b = 0;
    for (int d = R - 1; d >= 0; d--) {
        const int size = meta[1 + d];
        const int c = i % size;
        i /= size;
        a += c * meta[strideBase0 + d];
        b += c * meta[strideBase1 + d];
    }
    *o0 = a;
    *o1 = b;
}

// binary_forward: y[i] = op(a[offA + ia], b[offB + ib]) over the broadcast output (meta: shape, strides of a,
// strides of b); y is dense.
__kernel void binary_forward(int op, int n, __global const int* meta, __global const float* a, int offA,
                             __global const float* b, int offB, __global float* y) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    const int R = meta[0];
    int ia, ib;
    strided_offsets(meta, 1 + R, 1 + 2 * R, i, &ia, &ib);
    y[i] = binary_f(op, a[offA + ia], b[offB + ib]);
}

// copy_strided: y[offY + i] = x[offX + ix] (meta: shape, strides of x; the second stride block is unused). Makes
// any view dense: permutes, slices, head splits.
__kernel void copy_strided(int n, __global const int* meta, __global const float* x, int offX,
                           __global float* y, int offY) {
    const int i = get_global_id(0);
    if (i < n) {
        int ix, unused;
        strided_offsets(meta, 1 + meta[0], 1 + meta[0], i, &ix, &unused);
        y[offY + i] = x[offX + ix];
    }
}

// binary_backward_elementwise: the gradient target has the full output shape (nothing to reduce):
//   forward: y = op(a, b)  =>  dt[i] += dy[i] * d op / d t   (t = a for which 0, b for which 1; which 2: dt += dy)
__kernel void binary_backward_elementwise(int op, int which, int n, __global const int* meta,
                                          __global const float* a, int offA, __global const float* b, int offB,
                                          __global const float* dy, __global float* dt) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    if (which == 2) {
        dt[i] += dy[i];
        return;
    }
    const int R = meta[0];
    int ia, ib;
    strided_offsets(meta, 1 + R, 1 + 2 * R, i, &ia, &ib);
    dt[i] += dy[i] * binary_df(op, which, a[offA + ia], b[offB + ib]);
}

// binary_backward_reduce: the gradient target t is broadcast along some dimensions, so each of its elements sums
// over the output elements it was broadcast to:
//   forward: y = op(a, b)  =>  dt[j] += sum over i broadcast from j of dy[i] * d op / d t (which 2: of dy[i])
// One work-group (L = get_local_size(0) items, a power of two <= 256) per element j of t: its work-items
// stride over the broadcast sub-box, then sum their partials in local memory.
//   global (T * L), local (L), T = elements of t; meta carries the target shape in its fourth block.
__kernel void binary_backward_reduce(int op, int which, __global const int* meta,
                                     __global const float* a, int offA, __global const float* b, int offB,
                                     __global const float* dy, __global float* dt) {
    __local float partial[256];
    const int j = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int R = meta[0];
    __global const int* shape = meta + 1;
    __global const int* strideA = meta + 1 + R;
    __global const int* strideB = meta + 1 + 2 * R;
    __global const int* target = meta + 1 + 3 * R;

    // coordinates of j in the target, and the size of the sub-box it was broadcast over
    int base[META_RANK];
    int count = 1;
    int rest = j;
    for (int d = R - 1; d >= 0; d--) {
        base[d] = rest % target[d];
        rest /= target[d];
        if (target[d] == 1) {
            count *= shape[d];
        }
    }

    float sum = 0.0f;
    for (int r = lid; r < count; r += L) {
        int q = r;
        int offY = 0, oa = 0, ob = 0, stride = 1;
        for (int d = R - 1; d >= 0; d--) {
            int c = base[d];
            if (target[d] == 1) {
                c = q % shape[d];
                q /= shape[d];
            }
            offY += c * stride;
            stride *= shape[d];
            oa += c * strideA[d];
            ob += c * strideB[d];
        }
        const float g = dy[offY];
        sum += which == 2 ? g : g * binary_df(op, which, a[offA + oa], b[offB + ob]);
    }
    partial[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) {
            partial[lid] += partial[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        dt[j] += partial[0];
    }
}
