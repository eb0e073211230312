// Softmax family along one axis of a dense x viewed as (OUTER, N, INNER): each of the OUTER * INNER rows has N
// elements, INNER apart (INNER = 1 for the last axis). The twin of org.blades.tensor.Activation.softmax /
// logSoftmax, including its rule for a row that is -inf throughout (every element masked): softmax gives 0
// everywhere and passes no gradient, log-softmax gives -inf and passes dy through.
// One work-group of L work-items (a power of two <= 256) per row; maxima and sums fold in local memory. Every
// work-item runs every barrier: no kernel here returns early or folds inside a branch.
//   global (OUTER * INNER * L), local (L)

// Folds v (one value per work-item) over the group: max (op 1) or sum (op 0); every work-item gets the result.
float group_fold(__local float* scratch, float v, int op) {
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = op == 1 ? fmax(scratch[lid], scratch[lid + s]) : scratch[lid] + scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE); // scratch is reused by the next fold
    return r;
}

// softmax_forward on x' = scale * x (scale 1 for a plain softmax; 1 / sqrt(D) for attention scores):
//   logMode 0: y = exp(x' - max) / sum(exp(x' - max));   logMode 1: y = (x' - max) - log(sum(exp(x' - max))).
// causal = Tq > 0 masks like causal attention: rows are the (..., Tq) query positions of a (..., Tq, N) score
// matrix (INNER must be 1) whose last Tq keys are the queries' own positions, and element k of row r is -inf when
// k > r % Tq + (N - Tq). causal = 0 masks nothing.
__kernel void softmax_forward(int logMode, int outer, int n, int inner, float scale, int causal,
                              __global const float* x, __global float* y) {
    __local float scratch[256];
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int o = row / inner;
    const int i = row % inner;
    const int base = o * n * inner + i;
    const int lastKey = causal != 0 ? o % causal + (n - causal) : n - 1; // keys past it are masked
    // (scale * x is exact for scale 1)

    float m = -INFINITY;
    for (int k = lid; k < n; k += L) {
        const float v = k <= lastKey ? scale * x[base + k * inner] : -INFINITY;
        m = fmax(m, v);
    }
    m = group_fold(scratch, m, 1);
    // No early return for a fully masked row: every work-item must reach the next fold's barriers, and PoCL
    // miscompiles a return ahead of them even when the whole group takes it. exp(-inf - 0) = 0 makes s = 0 there.
    const int masked = m == -INFINITY;
    const float shift = masked ? 0.0f : m;
    float s = 0.0f;
    for (int k = lid; k < n; k += L) {
        const float v = k <= lastKey ? scale * x[base + k * inner] : -INFINITY;
        s += exp(v - shift);
    }
    s = group_fold(scratch, s, 0);
    const float logS = log(s);
    const float inv = 1.0f / s;
    for (int k = lid; k < n; k += L) {
        const float v = k <= lastKey ? scale * x[base + k * inner] : -INFINITY;
        // (v - m) - log(s), not v - (m + log(s)): with |m| huge, m + log(s) would round back to m
        const float out = logMode ? (v - m) - logS : exp(v - m) * inv;
        y[base + k * inner] = masked ? (logMode ? -INFINITY : 0.0f) : out;
    }
}

// softmax_backward, accumulating into dx (scale: the forward's input scale, 1 when there was none):
//   softmax:      forward y = softmax(scale * x)                =>  dx += scale * y * (dy - sum(dy * y))
//   log-softmax:  forward y = scale * x - logsumexp(scale * x)  =>  dx += scale * (dy - exp(y) * sum(dy))
// Masked elements have y = 0 (softmax) or exp(y) = 0 (log-softmax), so the same lines give them the rule above.
__kernel void softmax_backward(int logMode, int outer, int n, int inner, float scale, __global const float* y,
                               __global const float* dy, __global float* dx) {
    __local float scratch[256];
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int o = row / inner;
    const int i = row % inner;
    const int base = o * n * inner + i;
    float acc = 0.0f;
    for (int k = lid; k < n; k += L) {
        const int p = base + k * inner;
        acc += logMode ? dy[p] : dy[p] * y[p];
    }
    acc = group_fold(scratch, acc, 0);
    for (int k = lid; k < n; k += L) {
        const int p = base + k * inner;
        dx[p] += logMode ? scale * (dy[p] - exp(y[p]) * acc) : scale * y[p] * (dy[p] - acc);
    }
}
