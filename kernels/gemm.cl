// Batched SGEMM, row-major BLAS semantics (the twin of org.blades.kernels.GemmScalar.sgemm), in two shapes:
// sgemm_tiled for GPUs (local-memory tiles, register blocks per work-item) and gemm_pack_a / gemm_pack_b /
// sgemm_packed for CPU devices (explicit float16 vectors over contiguous panels; on PoCL the tiled kernel's
// per-work-item register arrays turn into memory arrays and run 30x slower). The host picks by device type.
//
//   C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b]        for every batch b
// M = rows of op(A) and C, N = columns of op(B) and C, K = the summed dimension, BATCH = number of products.
// op(A) is (M, K): A stored (M, K) with row stride lda, or (K, M) when transA. op(B) is (K, N): B stored (K, N)
// with row stride ldb, or (N, K) when transB. Matrix b of X starts at X + offX + b * strideX (strideA = 0
// shares one A across the batch). When beta == 0, C is only written, never read (NaN in C does not propagate).
//
// sgemm_tiled. Tiling (defaults below; the host may #define other values before this file): a work-group computes a
// GEMM_TSM x GEMM_TSN tile of C, stepping through K in slices of GEMM_TSK that are staged in local memory; each
// work-item accumulates a GEMM_WPTM x GEMM_WPTN block in registers, its rows GEMM_RTSM apart and its columns
// GEMM_RTSN apart so neighbouring work-items read neighbouring local-memory words.
//   local size  (GEMM_RTSN, GEMM_RTSM, 1)
//   global size (ceil(N / GEMM_TSN) * GEMM_RTSN, ceil(M / GEMM_TSM) * GEMM_RTSM, BATCH)
// Edges: slices are zero-filled past M, N and K, and stores past M or N are skipped, so any shape works.

#ifndef GEMM_TSM
#define GEMM_TSM 64
#endif
#ifndef GEMM_TSN
#define GEMM_TSN 64
#endif
#ifndef GEMM_TSK
#define GEMM_TSK 16
#endif
#ifndef GEMM_WPTM
#define GEMM_WPTM 8
#endif
#ifndef GEMM_WPTN
#define GEMM_WPTN 8
#endif
#define GEMM_RTSM (GEMM_TSM / GEMM_WPTM)
#define GEMM_RTSN (GEMM_TSN / GEMM_WPTN)

__kernel __attribute__((reqd_work_group_size(GEMM_RTSN, GEMM_RTSM, 1)))
void sgemm_tiled(int transA, int transB, int M, int N, int K, float alpha,
           __global const float* A, int offA, int lda, int strideA,
           __global const float* B, int offB, int ldb, int strideB,
           float beta, __global float* C, int offC, int ldc, int strideC) {
    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int n0 = get_group_id(0) * GEMM_TSN;
    const int m0 = get_group_id(1) * GEMM_TSM;
    const int batch = get_global_id(2);
    const int tid = tm * GEMM_RTSN + tn;
    const int threads = GEMM_RTSM * GEMM_RTSN;
    __global const float* a = A + offA + batch * strideA;
    __global const float* b = B + offB + batch * strideB;
    __global float* c = C + offC + batch * strideC;

    __local float As[GEMM_TSK][GEMM_TSM]; // (TSK, TSM) slice of op(A), transposed so a k-row is contiguous
    __local float Bs[GEMM_TSK][GEMM_TSN]; // (TSK, TSN) slice of op(B)

    float acc[GEMM_WPTM][GEMM_WPTN]; // (WPTM, WPTN) this work-item's block of C
    for (int wm = 0; wm < GEMM_WPTM; wm++) {
        for (int wn = 0; wn < GEMM_WPTN; wn++) {
            acc[wm][wn] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < K; k0 += GEMM_TSK) {
        // Consecutive work-items load consecutive addresses of the stored matrix (coalesced on GPUs), whichever
        // of its two layouts it has.
        for (int l = tid; l < GEMM_TSK * GEMM_TSM; l += threads) {
            int mm, kk;
            if (transA) {
                kk = l / GEMM_TSM;
                mm = l % GEMM_TSM;
            } else {
                mm = l / GEMM_TSK;
                kk = l % GEMM_TSK;
            }
            const int gm = m0 + mm;
            const int gk = k0 + kk;
            float v = 0.0f;
            if (gm < M && gk < K) {
                v = transA ? a[gk * lda + gm] : a[gm * lda + gk];
            }
            As[kk][mm] = v;
        }
        for (int l = tid; l < GEMM_TSK * GEMM_TSN; l += threads) {
            int nn, kk;
            if (transB) {
                nn = l / GEMM_TSK;
                kk = l % GEMM_TSK;
            } else {
                kk = l / GEMM_TSN;
                nn = l % GEMM_TSN;
            }
            const int gn = n0 + nn;
            const int gk = k0 + kk;
            float v = 0.0f;
            if (gn < N && gk < K) {
                v = transB ? b[gn * ldb + gk] : b[gk * ldb + gn];
            }
            Bs[kk][nn] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int k = 0; k < GEMM_TSK; k++) {
            float av[GEMM_WPTM];
            float bv[GEMM_WPTN];
            for (int wm = 0; wm < GEMM_WPTM; wm++) {
                av[wm] = As[k][tm + wm * GEMM_RTSM];
            }
            for (int wn = 0; wn < GEMM_WPTN; wn++) {
                bv[wn] = Bs[k][tn + wn * GEMM_RTSN];
            }
            for (int wm = 0; wm < GEMM_WPTM; wm++) {
                for (int wn = 0; wn < GEMM_WPTN; wn++) {
                    acc[wm][wn] = fma(av[wm], bv[wn], acc[wm][wn]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < GEMM_WPTM; wm++) {
        const int gm = m0 + tm + wm * GEMM_RTSM;
        if (gm >= M) {
            continue;
        }
        for (int wn = 0; wn < GEMM_WPTN; wn++) {
            const int gn = n0 + tn + wn * GEMM_RTSN;
            if (gn < N) {
                __global float* out = c + gm * ldc + gn;
                *out = beta == 0.0f ? alpha * acc[wm][wn] : alpha * acc[wm][wn] + beta * *out;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// CPU path. MB = ceil(M / 8) row panels, NB = ceil(N / 16) column panels.
// gemm_pack_a copies op(A[b]) into Ap (BATCH, MB, K, 8): panel ib holds rows 8*ib .. 8*ib+7, one k after the
// other, zero past M. gemm_pack_b copies op(B[b]) into Bp (BATCH, NB, K, 16) the same way, zero past N. The
// packed panels are read front to back by sgemm_packed, so the hardware prefetcher streams them (B's rows, 4 KiB
// apart at N = 1024, would touch a new page per k). All four transposition cases pack the same way.
//   gemm_pack_a: global (K, MB, BATCH), any local size dividing it.  gemm_pack_b: global (K, NB, BATCH).

__kernel void gemm_pack_a(int transA, int M, int K, __global const float* A, int offA, int lda, int strideA,
                          __global float* Ap) {
    const int k = get_global_id(0);
    const int ib = get_global_id(1);
    const int batch = get_global_id(2);
    if (k >= K) {
        return;
    }
    const int MB = (M + 7) / 8;
    __global const float* a = A + offA + batch * strideA;
    __global float* dst = Ap + ((batch * MB + ib) * K + k) * 8;
    for (int r = 0; r < 8; r++) {
        const int i = ib * 8 + r;
        dst[r] = i < M ? (transA ? a[k * lda + i] : a[i * lda + k]) : 0.0f;
    }
}

__kernel void gemm_pack_b(int transB, int N, int K, __global const float* B, int offB, int ldb, int strideB,
                          __global float* Bp) {
    const int k = get_global_id(0);
    const int jb = get_global_id(1);
    const int batch = get_global_id(2);
    if (k >= K) {
        return;
    }
    const int NB = (N + 15) / 16;
    __global const float* b = B + offB + batch * strideB;
    __global float* dst = Bp + ((batch * NB + jb) * K + k) * 16;
    for (int l = 0; l < 16; l++) {
        const int j = jb * 16 + l;
        dst[l] = j < N ? (transB ? b[j * ldb + k] : b[k * ldb + j]) : 0.0f;
    }
}

// sgemm_packed: one work-item computes the 8 x 16 block (ib, jb) of C[b] with eight float16 accumulators (one
// per row; 8 of the 32 AVX-512 registers), one fma per row and k. packedStrideA = 0 when every batch shares
// one packed A (strideA == 0), else MB * K * 8; likewise packedStrideB.
//   global (NB rounded up to the local size, MB rounded up, BATCH); work-items past the panels return.

__kernel void sgemm_packed(int M, int N, int K, float alpha,
                           __global const float* Ap, int packedStrideA, __global const float* Bp, int packedStrideB,
                           float beta, __global float* C, int offC, int ldc, int strideC) {
    const int jb = get_global_id(0);
    const int ib = get_global_id(1);
    const int batch = get_global_id(2);
    const int i0 = ib * 8;
    const int j0 = jb * 16;
    if (i0 >= M || j0 >= N) {
        return;
    }
    __global const float* a = Ap + batch * packedStrideA + ib * K * 8;  // (K, 8)
    __global const float* b = Bp + batch * packedStrideB + jb * K * 16; // (K, 16)
    __global float* c = C + offC + batch * strideC;
    float16 c0 = 0.0f, c1 = 0.0f, c2 = 0.0f, c3 = 0.0f, c4 = 0.0f, c5 = 0.0f, c6 = 0.0f, c7 = 0.0f;
    for (int k = 0; k < K; k++) {
        const float16 bv = vload16(k, b);
        const float8 av = vload8(k, a);
        c0 = fma((float16) (av.s0), bv, c0);
        c1 = fma((float16) (av.s1), bv, c1);
        c2 = fma((float16) (av.s2), bv, c2);
        c3 = fma((float16) (av.s3), bv, c3);
        c4 = fma((float16) (av.s4), bv, c4);
        c5 = fma((float16) (av.s5), bv, c5);
        c6 = fma((float16) (av.s6), bv, c6);
        c7 = fma((float16) (av.s7), bv, c7);
    }
    float block[8][16]; // (8, 16) the accumulators, addressable by a runtime row index for the edge stores
    vstore16(c0, 0, block[0]);
    vstore16(c1, 0, block[1]);
    vstore16(c2, 0, block[2]);
    vstore16(c3, 0, block[3]);
    vstore16(c4, 0, block[4]);
    vstore16(c5, 0, block[5]);
    vstore16(c6, 0, block[6]);
    vstore16(c7, 0, block[7]);
    const int rows = min(8, M - i0);
    const int cols = min(16, N - j0);
    for (int r = 0; r < rows; r++) {
        __global float* out = c + (i0 + r) * ldc + j0;
        for (int l = 0; l < cols; l++) {
            out[l] = beta == 0.0f ? alpha * block[r][l] : alpha * block[r][l] + beta * out[l];
        }
    }
}
