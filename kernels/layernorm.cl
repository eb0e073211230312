// Layer normalisation over the last dimension, llm.c style (the twin of org.blades.tensor.Norm.layerNorm):
//   y = (x - mean) * rstd * w + b,   rstd = 1 / sqrt(var + eps), var biased; mean and rstd are saved for backward.
// R = rows (every dimension but the last), C = channels (the last dimension). x, y, dy, dx are (R, C).

// Folds v over the work-group as a sum; every work-item gets the result (local memory reused afterwards).
float ln_group_sum(__local float* scratch, float v) {
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// layernorm_forward: one work-group of L work-items (a power of two <= 256) per row; two passes over the row
// (sum((x - mean)^2) does not cancel as E[x^2] - mean^2 would).
//   global (R * L), local (L)
//   w, b (C); mean, rstd (R) written
__kernel void layernorm_forward(int rows, int c, float eps, __global const float* x, __global const float* w,
                                __global const float* b, __global float* y, __global float* mean,
                                __global float* rstd) {
    __local float scratch[256];
    const int r = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    __global const float* xr = x + r * c;
    float s = 0.0f;
    for (int k = lid; k < c; k += L) {
        s += xr[k];
    }
    const float m = ln_group_sum(scratch, s) / c;
    float v = 0.0f;
    for (int k = lid; k < c; k += L) {
        const float d = xr[k] - m;
        v += d * d;
    }
    const float rs = 1.0f / sqrt(ln_group_sum(scratch, v) / c + eps);
    for (int k = lid; k < c; k += L) {
        y[r * c + k] = (xr[k] - m) * rs * w[k] + b[k];
    }
    if (lid == 0) {
        mean[r] = m;
        rstd[r] = rs;
    }
}

// layernorm_backward_dx: one work-group per row, accumulating into dx:
//   forward: norm = (x - mean) * rstd; y = norm * w + b
//     =>  dnorm = dy * w;  dx += (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd
// (the mean terms are the paths through mean and rstd, which depend on the whole row)
//   global (R * L), local (L)
__kernel void layernorm_backward_dx(int rows, int c, __global const float* x, __global const float* w,
                                    __global const float* mean, __global const float* rstd,
                                    __global const float* dy, __global float* dx) {
    __local float scratch[256];
    const int r = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const float m = mean[r];
    const float rs = rstd[r];
    float sumD = 0.0f, sumDN = 0.0f;
    for (int k = lid; k < c; k += L) {
        const float norm = (x[r * c + k] - m) * rs;
        const float dnorm = dy[r * c + k] * w[k];
        sumD += dnorm;
        sumDN += dnorm * norm;
    }
    const float dnormMean = ln_group_sum(scratch, sumD) / c;
    const float dnormNormMean = ln_group_sum(scratch, sumDN) / c;
    for (int k = lid; k < c; k += L) {
        const float norm = (x[r * c + k] - m) * rs;
        const float dnorm = dy[r * c + k] * w[k];
        dx[r * c + k] += (dnorm - dnormMean - norm * dnormNormMean) * rs;
    }
}

// layernorm_backward_params: one work-item per channel k walks down the rows (neighbouring work-items read
// neighbouring addresses of each row), accumulating:
//   forward: y = norm * w + b  =>  dw[k] += sum_r dy[r, k] * norm[r, k],  db[k] += sum_r dy[r, k]
//   global (C rounded up to the work-group size), any local size
__kernel void layernorm_backward_params(int rows, int c, __global const float* x, __global const float* mean,
                                        __global const float* rstd, __global const float* dy, __global float* dw,
                                        __global float* db) {
    const int k = get_global_id(0);
    if (k >= c) {
        return;
    }
    float sw = 0.0f, sb = 0.0f;
    for (int r = 0; r < rows; r++) {
        const float g = dy[r * c + k];
        sw += g * (x[r * c + k] - mean[r]) * rstd[r];
        sb += g;
    }
    dw[k] += sw;
    db[k] += sb;
}
