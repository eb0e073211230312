// Adam and AdamW parameter updates, one work-item per parameter (torch.optim.Adam / AdamW, amsgrad off):
//   Adam  (decoupled 0): g = grad + weightDecay * p
//   AdamW (decoupled 1): g = grad;  p = p * (1 - lr * weightDecay)
//   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2
//   p = p - (lr / bias1) * m / (sqrt(v) / bias2Sqrt + eps),   bias1 = 1 - beta1^t, bias2Sqrt = sqrt(1 - beta2^t)
// The host computes bias1 and bias2Sqrt for step t (1-based) in double. p, grad, m, v are (n); p, m, v in place.
//   global (n rounded up), any local size
__kernel void adam_step(int n, float lr, float beta1, float beta2, float eps, float weightDecay, int decoupled,
                        float bias1, float bias2Sqrt, __global float* p, __global const float* grad,
                        __global float* m, __global float* v) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float param = p[i];
    float g = grad[i];
    if (decoupled) {
        param *= 1.0f - lr * weightDecay;
    } else {
        g += weightDecay * param;
    }
    const float mi = beta1 * m[i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] = param - (lr / bias1) * mi / (sqrt(vi) / bias2Sqrt + eps);
}
