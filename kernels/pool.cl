// 2-D pooling over (N, C, H, W) with PyTorch's semantics (ceil_mode False; the twin of org.blades.tensor.Pool).
// PL = N * C planes of H * W values; KH/KW = window, SH/SW = strides, PH/PW = padding, OH/OW = output size.
// Max pooling treats the padding as -inf and sends the gradient to the first maximum of each window (NaN always
// wins); average pooling counts the padding as zeros and divides by KH * KW (count_include_pad).

// The flat (h * W + w) index of the maximum of window (oy, ox) of one plane, by PyTorch's scan (and
// org.blades.tensor.Pool's): strictly greater wins, so the first maximum on ties; a NaN always wins, so the last
// NaN; an all -inf window reports its first element.
int maxpool_argmax(__global const float* plane, int h, int w, int kh, int kw, int sh, int sw, int ph,
                          int pw, int oy, int ox) {
    const int y0 = max(oy * sh - ph, 0);
    const int y1 = min(oy * sh - ph + kh, h);
    const int x0 = max(ox * sw - pw, 0);
    const int x1 = min(ox * sw - pw + kw, w);
    float best = -INFINITY;
    int arg = y0 * w + x0;
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
            const float v = plane[y * w + x];
            if (v > best || isnan(v)) {
                best = v;
                arg = y * w + x;
            }
        }
    }
    return arg;
}

// maxpool_forward: y[pl, oy, ox] = the window's maximum. One work-item per output element.
//   global (PL * OH * OW rounded up), any local size
__kernel void maxpool_forward(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh,
                              int ow, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i >= planes * oh * ow) {
        return;
    }
    const int pl = i / (oh * ow);
    __global const float* plane = x + pl * h * w;
    y[i] = plane[maxpool_argmax(plane, h, w, kh, kw, sh, sw, ph, pw, (i / ow) % oh, i % ow)];
}

// maxpool_backward, accumulating into dx: every input pixel re-finds the argmax of each window that contains it
// and gathers dy from the windows it won (no index buffer, no atomics):
//   forward: y[pl, oy, ox] = x[pl, argmax]  =>  dx[pl, argmax] += dy[pl, oy, ox]
//   global (PL * H * W rounded up), any local size
__kernel void maxpool_backward(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh,
                               int ow, __global const float* x, __global const float* dy, __global float* dx) {
    const int i = get_global_id(0);
    if (i >= planes * h * w) {
        return;
    }
    const int pl = i / (h * w);
    const int me = i % (h * w);
    const int iy = me / w;
    const int ix = me % w;
    __global const float* plane = x + pl * h * w;
    // windows containing row iy: oy * SH - PH <= iy < oy * SH - PH + KH
    const int oy0 = max(0, (iy + ph - kh + sh) / sh);
    const int oy1 = min(oh - 1, (iy + ph) / sh);
    const int ox0 = max(0, (ix + pw - kw + sw) / sw);
    const int ox1 = min(ow - 1, (ix + pw) / sw);
    float sum = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
        for (int ox = ox0; ox <= ox1; ox++) {
            if (maxpool_argmax(plane, h, w, kh, kw, sh, sw, ph, pw, oy, ox) == me) {
                sum += dy[(pl * oh + oy) * ow + ox];
            }
        }
    }
    dx[i] += sum;
}

// avgpool_forward: y[pl, oy, ox] = sum of the window's in-image values / (KH * KW).
//   global (PL * OH * OW rounded up), any local size
__kernel void avgpool_forward(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh,
                              int ow, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i >= planes * oh * ow) {
        return;
    }
    const int pl = i / (oh * ow);
    const int oy = (i / ow) % oh;
    const int ox = i % ow;
    __global const float* plane = x + pl * h * w;
    float sum = 0.0f;
    for (int y = max(oy * sh - ph, 0); y < min(oy * sh - ph + kh, h); y++) {
        for (int x = max(ox * sw - pw, 0); x < min(ox * sw - pw + kw, w); x++) {
            sum += plane[y * w + x];
        }
    }
    y[i] = sum / (kh * kw);
}

// avgpool_backward, accumulating into dx:
//   forward: y = sum(window) / (KH * KW)  =>  dx[pixel] += sum over windows containing it of dy / (KH * KW)
//   global (PL * H * W rounded up), any local size
__kernel void avgpool_backward(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh,
                               int ow, __global const float* dy, __global float* dx) {
    const int i = get_global_id(0);
    if (i >= planes * h * w) {
        return;
    }
    const int pl = i / (h * w);
    const int iy = (i % (h * w)) / w;
    const int ix = i % w;
    const int oy0 = max(0, (iy + ph - kh + sh) / sh);
    const int oy1 = min(oh - 1, (iy + ph) / sh);
    const int ox0 = max(0, (ix + pw - kw + sw) / sw);
    const int ox1 = min(ow - 1, (ix + pw) / sw);
    float sum = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
        for (int ox = ox0; ox <= ox1; ox++) {
            sum += dy[(pl * oh + oy) * ow + ox];
        }
    }
    dx[i] += sum / (kh * kw);
}
