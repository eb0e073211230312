// im2col / col2im for 2-D convolution as GEMM (the twins of org.blades.kernels.Im2colScalar, batched).
// N = batch, C = input channels, H/W = input height/width, KH/KW = kernel height/width, SH/SW = strides,
// PH/PW = zero padding, OH/OW = output height/width, K = C * KH * KW, P = OH * OW.
// The column matrix of the whole batch is (K, N * P): row r = (c, kh, kw), column n * P + (oh * OW + ow), so one
// GEMM W (O, K) @ cols (K, N * P) convolves every image at once, and the backward GEMMs
// dW += dY' (O, N * P) @ cols^T and dcols = W^T @ dY' each sum over the whole batch.

// im2col: cols[r, n * P + p] = x[offX + n, c, oh * SH - PH + kh, ow * SW - PW + kw], 0 in the padding.
// One work-item per column-matrix element, laid out so that only dimension 1 needs a division: dimension 0 runs
// along an output row (ow), dimension 1 over (image, oh), dimension 2 over the rows r = (c, kh, kw).
//   global (OW rounded up to the local size, N * OH, K), local (L, 1, 1); x (N, C, H, W) at offX, cols (K, N * P)
__kernel void im2col(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow,
                     __global const float* x, int offX, __global float* cols) {
    const int ox = get_global_id(0);
    if (ox >= ow) {
        return;
    }
    const int t = get_global_id(1);
    const int r = get_global_id(2);
    const int img = t / oh;
    const int oy = t % oh;
    const int kx = r % kw;
    const int ky = (r / kw) % kh;
    const int ch = r / (kw * kh);
    const int iy = oy * sh - ph + ky;
    const int ix = ox * sw - pw + kx;
    const int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
    cols[r * (n * oh * ow) + (img * oh + oy) * ow + ox] = inside ? x[offX + ((img * c + ch) * h + iy) * w + ix] : 0.0f;
}

// col2im, accumulating into dx: every input pixel gathers the column-matrix entries that im2col copied it to,
// so no two work-items write the same element (no atomics, and a fixed summation order):
//   forward: cols[r, n * P + p] = x[n, c, iy, ix]  =>  dx[n, c, iy, ix] += sum of those cols entries
// For a pixel (iy, ix) and kernel offset ky, the output row is oy = (iy + PH - ky) / SH when that divides
// exactly and 0 <= oy < OH; likewise for columns. Dimension 0 runs along an image row, so it needs no division.
//   global (W rounded up to the local size, H, N * C), local (L, 1, 1); cols (K, N * P), dx (N, C, H, W) at offX
//   accumulated
__kernel void col2im(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow,
                     __global const float* cols, __global float* dx, int offX) {
    const int ix = get_global_id(0);
    if (ix >= w) {
        return;
    }
    const int iy = get_global_id(1);
    const int ch = get_global_id(2) % c;
    const int img = get_global_id(2) / c;
    const int i = ((img * c + ch) * h + iy) * w + ix;
    const int P = oh * ow;
    float sum = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        const int ty = iy + ph - ky;
        if (ty < 0 || ty % sh != 0 || ty / sh >= oh) {
            continue;
        }
        for (int kx = 0; kx < kw; kx++) {
            const int tx = ix + pw - kx;
            if (tx < 0 || tx % sw != 0 || tx / sw >= ow) {
                continue;
            }
            const int r = (ch * kh + ky) * kw + kx;
            sum += cols[r * (n * P) + img * P + (ty / sh) * ow + tx / sw];
        }
    }
    dx[offX + i] += sum;
}
