// Embedding lookup (token and position tables). T = looked-up rows (tokens), V = table rows (vocabulary),
// C = row width. ids (T) are table row indices, checked against V by the host.

// embedding_forward: out[t, k] = table[ids[t], k]. One work-item per output element.
//   global (T * C rounded up), any local size; table (V, C), out (T, C) overwritten
__kernel void embedding_forward(int t, int c, __global const int* ids, __global const float* table,
                                __global float* out) {
    const int i = get_global_id(0);
    if (i < t * c) {
        out[i] = table[ids[i / c] * c + i % c];
    }
}

// embedding_backward, accumulating into dtable:
//   forward: out[t, k] = table[ids[t], k]  =>  dtable[ids[t], k] += dout[t, k]
// One work-item per column k walks every token in order, so repeated ids never race (no float atomics in
// OpenCL 1.2) and the sum order is fixed.
//   global (C rounded up), any local size; dout (T, C), dtable (V, C) accumulated
__kernel void embedding_backward(int t, int c, __global const int* ids, __global const float* dout,
                                 __global float* dtable) {
    const int k = get_global_id(0);
    if (k >= c) {
        return;
    }
    for (int r = 0; r < t; r++) {
        dtable[ids[r] * c + k] += dout[r * c + k];
    }
}
