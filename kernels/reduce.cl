// Reductions along one axis. x is dense and viewed as (OUTER, N, INNER): the reduced axis has N elements, INNER
// apart; y is (OUTER, INNER). Whole-tensor sums are OUTER = INNER = 1, the last axis is INNER = 1, and global
// average pooling of (B, C, H, W) is OUTER = B * C, N = H * W, INNER = 1 with scale 1 / (H * W).
//
// reduce_axis: y[o, i] = scale * sum_k x[o, k, i]  (op 0)   or   max_k x[o, k, i]  (op 1; NaN wins, as torch).
// Each row (o, i) is cut into `chunks` consecutive pieces of ceil(N / chunks) values; one work-group of L
// work-items (a power of two <= 256) folds one piece: each work-item a strided share, then the group its L
// partials in local memory. chunks = 1 writes the result, y (OUTER, INNER); chunks > 1 writes the pieces'
// partial results to y (OUTER * INNER, chunks), which a second launch with chunks = 1 folds: a long reduction
// over few rows (a whole-tensor sum) then still spreads over many work-groups.
//   global (OUTER * INNER * chunks * L), local (L); scale applies only when chunks = 1

#define REDUCE_SUM 0
#define REDUCE_MAX 1

float reduce_combine(int op, float acc, float v) {
    if (op == REDUCE_SUM) {
        return acc + v;
    }
    return isnan(acc) || isnan(v) ? NAN : fmax(acc, v);
}

__kernel void reduce_axis(int op, int outer, int n, int inner, int chunks, float scale, __global const float* x,
                          __global float* y) {
    __local float partial[256];
    const int g = get_group_id(0); // (o, i, chunk) flattened
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int row = g / chunks;
    const int len = (n + chunks - 1) / chunks;
    const int k0 = (g % chunks) * len;
    const int k1 = min(n, k0 + len);
    const int o = row / inner;
    const int i = row % inner;
    __global const float* base = x + o * n * inner + i;
    float acc = op == REDUCE_SUM ? 0.0f : -INFINITY;
    for (int k = k0 + lid; k < k1; k += L) {
        acc = reduce_combine(op, acc, base[k * inner]);
    }
    partial[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) {
            partial[lid] = reduce_combine(op, partial[lid], partial[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        y[g] = op == REDUCE_SUM && chunks == 1 ? scale * partial[0] : partial[0];
    }
}
