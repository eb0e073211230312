// Batch normalisation over axis 1 (the twin of org.blades.tensor.BatchNorm):
//   y = (x - mean) * invStd * gamma + beta,   invStd = 1 / sqrt(var + eps),   per channel.
// N = batch, C = channels, S = positions per channel and sample (H * W, or 1 for (N, C) input), M = N * S
// values per channel. x, y, dy, dx are (N, C, S); every per-channel array is (C).
// TRAIN: mean and biased variance of the batch, and the running statistics updated in place:
//   rMean = (1 - momentum) * rMean + momentum * mean,  rVar = (1 - momentum) * rVar + momentum * var * M / (M - 1)
// EVAL: mean and invStd come from the running statistics (batchnorm_eval_stats), constants for backward.

float bn_group_sum(__local float* scratch, float v) {
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

// batchnorm_train_stats: one work-group of L work-items (a power of two <= 256) per channel; two passes
// (mean, then sum((x - mean)^2)). Writes mean[c], invStd[c] and updates the running statistics.
//   global (C * L), local (L)
__kernel void batchnorm_train_stats(int n, int c, int s, float momentum, float eps, __global const float* x,
                                    __global float* mean, __global float* invStd, __global float* runningMean,
                                    __global float* runningVar) {
    __local float scratch[256];
    const int ch = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int M = n * s;
    float sum = 0.0f;
    for (int q = lid; q < M; q += L) {
        sum += x[((q / s) * c + ch) * s + q % s];
    }
    const float m = bn_group_sum(scratch, sum) / M;
    float sq = 0.0f;
    for (int q = lid; q < M; q += L) {
        const float d = x[((q / s) * c + ch) * s + q % s] - m;
        sq += d * d;
    }
    const float var = bn_group_sum(scratch, sq) / M;
    if (lid == 0) {
        mean[ch] = m;
        invStd[ch] = 1.0f / sqrt(var + eps);
        runningMean[ch] = (1.0f - momentum) * runningMean[ch] + momentum * m;
        runningVar[ch] = (1.0f - momentum) * runningVar[ch] + momentum * var * M / (M - 1);
    }
}

// batchnorm_eval_stats: mean[c] = rMean[c], invStd[c] = 1 / sqrt(rVar[c] + eps).
//   global (C rounded up), any local size
__kernel void batchnorm_eval_stats(int c, float eps, __global const float* runningMean,
                                   __global const float* runningVar, __global float* mean, __global float* invStd) {
    const int ch = get_global_id(0);
    if (ch < c) {
        mean[ch] = runningMean[ch];
        invStd[ch] = 1.0f / sqrt(runningVar[ch] + eps);
    }
}

// batchnorm_apply: y = (x - mean) * (invStd * gamma) + beta; centring first keeps precision when |mean| >> std.
//   global (N * C * S rounded up), any local size
__kernel void batchnorm_apply(int n, int c, int s, __global const float* x, __global const float* mean,
                              __global const float* invStd, __global const float* gamma,
                              __global const float* beta, __global float* y) {
    const int i = get_global_id(0);
    if (i >= n * c * s) {
        return;
    }
    const int ch = (i / s) % c;
    y[i] = (x[i] - mean[ch]) * (invStd[ch] * gamma[ch]) + beta[ch];
}

// batchnorm_backward_reduce: one work-group per channel (as batchnorm_train_stats) sums
//   sums[c] = sum dy,   sums[C + c] = sum dy * (x - mean)
// and accumulates the parameter gradients:
//   forward: y = xhat * gamma + beta  =>  dgamma += sum dy * xhat,  dbeta += sum dy
//   sums (2 * C) scratch written, dgamma, dbeta (C) accumulated
__kernel void batchnorm_backward_reduce(int n, int c, int s, __global const float* x, __global const float* mean,
                                        __global const float* invStd, __global const float* dy,
                                        __global float* sums, __global float* dgamma, __global float* dbeta) {
    __local float scratch[256];
    const int ch = get_group_id(0);
    const int lid = get_local_id(0);
    const int L = get_local_size(0);
    const int M = n * s;
    const float m = mean[ch];
    float sumDy = 0.0f, sumDyX = 0.0f;
    for (int q = lid; q < M; q += L) {
        const int i = ((q / s) * c + ch) * s + q % s;
        sumDy += dy[i];
        sumDyX += dy[i] * (x[i] - m);
    }
    sumDy = bn_group_sum(scratch, sumDy);
    sumDyX = bn_group_sum(scratch, sumDyX);
    if (lid == 0) {
        sums[ch] = sumDy;
        sums[c + ch] = sumDyX;
        dgamma[ch] += sumDyX * invStd[ch];
        dbeta[ch] += sumDy;
    }
}

// batchnorm_backward_dx, accumulating into dx, with k = gamma * invStd:
//   TRAIN (train 1): forward xhat = (x - mean(x)) / sqrt(var(x) + eps), statistics of the batch
//     =>  dx += gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
//            = k * dy - k * invStd^2 * (sum dy * (x - mean) / M) * (x - mean) - k * sum dy / M
//   EVAL (train 0): forward y = (x - rMean) * invStd * gamma + beta, statistics constant  =>  dx += k * dy
//   global (N * C * S rounded up), any local size
__kernel void batchnorm_backward_dx(int train, int n, int c, int s, __global const float* x,
                                    __global const float* mean, __global const float* invStd,
                                    __global const float* gamma, __global const float* sums,
                                    __global const float* dy, __global float* dx) {
    const int i = get_global_id(0);
    if (i >= n * c * s) {
        return;
    }
    const int ch = (i / s) % c;
    const float is = invStd[ch];
    const float k = gamma[ch] * is;
    if (!train) {
        dx[i] += k * dy[i];
        return;
    }
    const int M = n * s;
    const float slope = is * is * (sums[c + ch] / M);
    dx[i] += k * dy[i] - k * slope * (x[i] - mean[ch]) - k * (sums[ch] / M);
}
