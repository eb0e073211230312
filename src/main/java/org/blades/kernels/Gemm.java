package org.blades.kernels;

import java.util.Arrays;

/**
 * The GEMM everyone calls: picks the fastest available implementation.
 *
 * <p>Legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the summed dimension.
 * Row-major BLAS semantics: {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is M x K
 * (A stored K x M with leading dimension lda when transA) and op(B) is K x N (B stored N x K
 * when transB). Element (r, c) of a stored matrix X lives at {@code X[offX + r * ldX + c]}.
 * When beta == 0, C is only written, never read (NaN in C does not propagate), as in BLAS.
 *
 * <p>Determinism: every implementation here computes each C element on exactly one thread, with
 * a K summation order fixed by compile-time block sizes, so results are bit-identical for every
 * {@link Parallel#threads()} setting (they do differ between the vector and scalar paths, and
 * from {@link GemmScalar}, by float rounding).
 *
 * <p>Paths: {@link SgemmVector} / {@link DgemmVector} when {@link VectorSupport#ENABLED}, else
 * {@link #sgemmBlocked} / {@link #dgemmBlocked}, the scalar cache-blocked fallbacks (public so
 * that tests and benchmarks can call them directly). {@link GemmScalar} is the test oracle.
 */
public final class Gemm {

    /** Work (2*M*N*K) below which a GEMM runs on the calling thread: waking workers costs more. */
    static final long PARALLEL_MIN_FLOPS = 1L << 21;

    /** Scalar blocking: a (KCS, NCS) block of op(B) stays in L2 while a chunk of C rows sweeps it. */
    private static final int KCS = 256;
    private static final int NCS = 512;
    /** Rows of C per parallel task in the scalar paths. */
    private static final int ROW_GRAIN = 16;

    private Gemm() {}

    /**
     * C = alpha * op(A) * op(B) + beta * C in single precision, on the Vector API when enabled.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float alpha, float[] A, int offA, int lda,
                             float[] B, int offB, int ldb,
                             float beta, float[] C, int offC, int ldc) {
        if (VectorSupport.ENABLED) {
            SgemmVector.sgemm(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        } else {
            sgemmBlocked(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        }
    }

    /**
     * Packs {@code alpha * op(A)} (M, K) once for several {@link #sgemm(PackedMatrix, boolean, int, float[], int,
     * int, float, float[], int, int)} calls that share it.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     */
    public static PackedMatrix packA(boolean transA, int M, int K, float alpha, float[] A, int offA, int lda) {
        return packA(transA, M, K, alpha, A, offA, lda, null);
    }

    /** Floats {@link #packA} needs for an (M, K) operand: a workspace at least this long is used in place. */
    public static int packedSize(int M, int K) {
        return VectorSupport.ENABLED ? SgemmVector.packedSize(M, K) : M * K;
    }

    /**
     * {@link #packA} into {@code workspace} when it holds at least {@link #packedSize} floats (else into a new
     * array): the result is valid until the workspace is next written, which is the caller's to ensure.
     */
    public static PackedMatrix packA(boolean transA, int M, int K, float alpha, float[] A, int offA, int lda,
                                     float[] workspace) {
        checkMatrix("packA: op(A) " + M + "x" + K + (transA ? " (A stored transposed)" : ""), "A", "lda",
                transA ? K : M, transA ? M : K, A.length, offA, lda);
        if (M < 0 || K < 0) {
            throw new IllegalArgumentException("packA: dimensions must be >= 0, got " + M + "x" + K);
        }
        if (VectorSupport.ENABLED) {
            return new PackedMatrix(M, K, alpha, SgemmVector.packA(transA, M, K, alpha, A, offA, lda, workspace),
                    true);
        }
        float[] rows = workspace != null && workspace.length >= M * K ? workspace : new float[M * K]; // (M, K): the products sgemmBlocked forms, alpha * a, so results agree
        for (int i = 0; i < M; i++) {
            for (int k = 0; k < K; k++) {
                rows[i * K + k] = alpha * (transA ? A[offA + k * lda + i] : A[offA + i * lda + k]);
            }
        }
        return new PackedMatrix(M, K, alpha, rows, false);
    }

    /**
     * C = A * op(B) + beta * C with A packed by {@link #packA} (alpha included): bit-identical to {@link #sgemm}
     * with the unpacked operand.
     *
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void sgemm(PackedMatrix a, boolean transB, int N, float[] B, int offB, int ldb,
                             float beta, float[] C, int offC, int ldc) {
        int M = a.rows;
        int K = a.depth;
        if (a.vectorLayout != VectorSupport.ENABLED) {
            throw new IllegalStateException("sgemm: packed operand " + M + "x" + K + " was packed for the "
                    + (a.vectorLayout ? "Vector API" : "scalar") + " path");
        }
        // alpha 0: the unpacked GEMMs skip the product (NaN in B does not reach C), so these must too
        float scale = a.alpha == 0f ? 0f : 1f;
        if (!a.vectorLayout) {
            sgemmBlocked(false, transB, M, N, K, scale, a.data, 0, Math.max(1, K), B, offB, ldb, beta, C, offC, ldc);
            return;
        }
        checkArgs("sgemm", false, transB, M, N, K, M * K, 0, Math.max(1, K), B.length, offB, ldb, C.length, offC,
                ldc);
        if (scale == 0f) {
            // alpha 0 never reads A: the packed array (at least M * K floats) only satisfies the argument check
            SgemmVector.sgemm(false, transB, M, N, K, 0f, a.data, 0, Math.max(1, K), B, offB, ldb, beta, C, offC,
                    ldc);
            return;
        }
        if (a.transposable && beta == 0f && SgemmVector.transposedPays(M, N, K)) {
            SgemmVector.sgemmPackedTransposed(a.transposedPanels(), M, K, transB, N, B, offB, ldb, C, offC, ldc);
            return;
        }
        SgemmVector.sgemmPacked(a.data, M, K, transB, N, B, offB, ldb, beta, C, offC, ldc);
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C in double precision, on the Vector API when enabled.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void dgemm(boolean transA, boolean transB, int M, int N, int K,
                             double alpha, double[] A, int offA, int lda,
                             double[] B, int offB, int ldb,
                             double beta, double[] C, int offC, int ldc) {
        if (VectorSupport.ENABLED) {
            DgemmVector.dgemm(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        } else {
            dgemmBlocked(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        }
    }

    /**
     * Scalar cache-blocked SGEMM in i-k-j order: the innermost loop is a contiguous axpy over a
     * row of C, four k at a time (C2 does not vectorise it: C and B might alias). Per element of
     * C: beta * C first, then k ascending. Parallel over rows.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void sgemmBlocked(boolean transA, boolean transB, int M, int N, int K,
                                    float alpha, float[] A, int offA, int lda,
                                    float[] B, int offB, int ldb,
                                    float beta, float[] C, int offC, int ldc) {
        checkArgs("sgemm", transA, transB, M, N, K, A.length, offA, lda, B.length, offB, ldb, C.length, offC, ldc);
        if (M == 0 || N == 0) {
            return;
        }
        boolean product = alpha != 0f && K > 0;
        // The axpy loop wants op(B) row-major; a transposed B is copied once.
        float[] b = B; // (K, N) at bOff, row stride bLd
        int bOff = offB;
        int bLd = ldb;
        if (product && transB) {
            b = new float[K * N];
            for (int j = 0; j < N; j++) {
                for (int k = 0; k < K; k++) {
                    b[k * N + j] = B[offB + j * ldb + k];
                }
            }
            bOff = 0;
            bLd = N;
        }
        float[] bRows = b;
        int bRowsOff = bOff;
        int bRowsLd = bLd;
        Parallel.RangeBody rows = (i0, i1) -> sgemmRows(i0, i1, transA, N, K, product, alpha, A, offA, lda,
                bRows, bRowsOff, bRowsLd, beta, C, offC, ldc);
        if (2L * M * N * K < PARALLEL_MIN_FLOPS) {
            rows.run(0, M);
        } else {
            Parallel.parallelForRange(M, ROW_GRAIN, rows);
        }
    }

    /** Rows [i0, i1) of C; b is op(B), (K, N) row-major at bOff with row stride bLd. */
    private static void sgemmRows(int i0, int i1, boolean transA, int N, int K, boolean product,
                                  float alpha, float[] A, int offA, int lda,
                                  float[] b, int bOff, int bLd,
                                  float beta, float[] C, int offC, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ci = offC + i * ldc;
            if (beta == 0f) {
                Arrays.fill(C, ci, ci + N, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < N; j++) {
                    C[ci + j] *= beta;
                }
            }
        }
        if (!product) {
            return;
        }
        for (int jc = 0; jc < N; jc += NCS) {
            int jn = Math.min(NCS, N - jc);
            for (int pc = 0; pc < K; pc += KCS) {
                int pEnd = Math.min(K, pc + KCS);
                for (int i = i0; i < i1; i++) {
                    int ci = offC + i * ldc + jc;
                    int k = pc;
                    // four k per sweep over the C row: a quarter of the C loads and stores, and
                    // the same left-to-right additions as one k at a time
                    for (; k + 3 < pEnd; k += 4) {
                        float a0 = alpha * (transA ? A[offA + k * lda + i] : A[offA + i * lda + k]);
                        float a1 = alpha * (transA ? A[offA + (k + 1) * lda + i] : A[offA + i * lda + k + 1]);
                        float a2 = alpha * (transA ? A[offA + (k + 2) * lda + i] : A[offA + i * lda + k + 2]);
                        float a3 = alpha * (transA ? A[offA + (k + 3) * lda + i] : A[offA + i * lda + k + 3]);
                        int b0 = bOff + k * bLd + jc;
                        int b1 = b0 + bLd;
                        int b2 = b1 + bLd;
                        int b3 = b2 + bLd;
                        for (int j = 0; j < jn; j++) {
                            C[ci + j] = C[ci + j] + a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                        }
                    }
                    for (; k < pEnd; k++) {
                        float a = alpha * (transA ? A[offA + k * lda + i] : A[offA + i * lda + k]);
                        int bi = bOff + k * bLd + jc;
                        for (int j = 0; j < jn; j++) {
                            C[ci + j] += a * b[bi + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Scalar cache-blocked DGEMM, same algorithm and summation order as {@link #sgemmBlocked}.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void dgemmBlocked(boolean transA, boolean transB, int M, int N, int K,
                                    double alpha, double[] A, int offA, int lda,
                                    double[] B, int offB, int ldb,
                                    double beta, double[] C, int offC, int ldc) {
        checkArgs("dgemm", transA, transB, M, N, K, A.length, offA, lda, B.length, offB, ldb, C.length, offC, ldc);
        if (M == 0 || N == 0) {
            return;
        }
        boolean product = alpha != 0.0 && K > 0;
        double[] b = B; // (K, N) at bOff, row stride bLd
        int bOff = offB;
        int bLd = ldb;
        if (product && transB) {
            b = new double[K * N];
            for (int j = 0; j < N; j++) {
                for (int k = 0; k < K; k++) {
                    b[k * N + j] = B[offB + j * ldb + k];
                }
            }
            bOff = 0;
            bLd = N;
        }
        double[] bRows = b;
        int bRowsOff = bOff;
        int bRowsLd = bLd;
        Parallel.RangeBody rows = (i0, i1) -> dgemmRows(i0, i1, transA, N, K, product, alpha, A, offA, lda,
                bRows, bRowsOff, bRowsLd, beta, C, offC, ldc);
        if (2L * M * N * K < PARALLEL_MIN_FLOPS) {
            rows.run(0, M);
        } else {
            Parallel.parallelForRange(M, ROW_GRAIN, rows);
        }
    }

    /** Rows [i0, i1) of C; b is op(B), (K, N) row-major at bOff with row stride bLd. */
    private static void dgemmRows(int i0, int i1, boolean transA, int N, int K, boolean product,
                                  double alpha, double[] A, int offA, int lda,
                                  double[] b, int bOff, int bLd,
                                  double beta, double[] C, int offC, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ci = offC + i * ldc;
            if (beta == 0.0) {
                Arrays.fill(C, ci, ci + N, 0.0);
            } else if (beta != 1.0) {
                for (int j = 0; j < N; j++) {
                    C[ci + j] *= beta;
                }
            }
        }
        if (!product) {
            return;
        }
        for (int jc = 0; jc < N; jc += NCS) {
            int jn = Math.min(NCS, N - jc);
            for (int pc = 0; pc < K; pc += KCS) {
                int pEnd = Math.min(K, pc + KCS);
                for (int i = i0; i < i1; i++) {
                    int ci = offC + i * ldc + jc;
                    int k = pc;
                    // four k per sweep over the C row: a quarter of the C loads and stores, and
                    // the same left-to-right additions as one k at a time
                    for (; k + 3 < pEnd; k += 4) {
                        double a0 = alpha * (transA ? A[offA + k * lda + i] : A[offA + i * lda + k]);
                        double a1 = alpha * (transA ? A[offA + (k + 1) * lda + i] : A[offA + i * lda + k + 1]);
                        double a2 = alpha * (transA ? A[offA + (k + 2) * lda + i] : A[offA + i * lda + k + 2]);
                        double a3 = alpha * (transA ? A[offA + (k + 3) * lda + i] : A[offA + i * lda + k + 3]);
                        int b0 = bOff + k * bLd + jc;
                        int b1 = b0 + bLd;
                        int b2 = b1 + bLd;
                        int b3 = b2 + bLd;
                        for (int j = 0; j < jn; j++) {
                            C[ci + j] = C[ci + j] + a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                        }
                    }
                    for (; k < pEnd; k++) {
                        double a = alpha * (transA ? A[offA + k * lda + i] : A[offA + i * lda + k]);
                        int bi = bOff + k * bLd + jc;
                        for (int j = 0; j < jn; j++) {
                            C[ci + j] += a * b[bi + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Validates GEMM arguments against BLAS rules and array bounds, so kernels may index freely.
     * Throws IllegalArgumentException naming the op, the shapes and the offending argument.
     */
    static void checkArgs(String op, boolean transA, boolean transB, int M, int N, int K,
                          int aLen, int offA, int lda, int bLen, int offB, int ldb,
                          int cLen, int offC, int ldc) {
        String shapes = op + ": op(A) " + M + "x" + K + (transA ? " (A stored transposed)" : "")
                + ", op(B) " + K + "x" + N + (transB ? " (B stored transposed)" : "")
                + ", C " + M + "x" + N;
        if (M < 0 || N < 0 || K < 0) {
            throw new IllegalArgumentException(shapes + ": dimensions must be >= 0");
        }
        if (offA < 0 || offB < 0 || offC < 0) {
            throw new IllegalArgumentException(shapes + ": offsets must be >= 0, got offA " + offA
                    + ", offB " + offB + ", offC " + offC);
        }
        checkMatrix(shapes, "A", "lda", transA ? K : M, transA ? M : K, aLen, offA, lda);
        checkMatrix(shapes, "B", "ldb", transB ? N : K, transB ? K : N, bLen, offB, ldb);
        checkMatrix(shapes, "C", "ldc", M, N, cLen, offC, ldc);
    }

    private static void checkMatrix(String shapes, String name, String ldName, int rows, int cols,
                                    int len, int off, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(shapes + ": " + ldName + " " + ld + " < max(1, " + cols
                    + ") for stored " + name + " " + rows + "x" + cols);
        }
        if (rows > 0 && cols > 0) {
            long last = off + (long) (rows - 1) * ld + cols - 1;
            if (last >= len) {
                throw new IllegalArgumentException(shapes + ": stored " + name + " " + rows + "x" + cols
                        + " at offset " + off + " with " + ldName + " " + ld + " needs index " + last
                        + " but the array has length " + len);
            }
        }
    }
}
