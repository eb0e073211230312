package org.blades.kernels;

/**
 * The plain triple-loop GEMM: the oracle every fast GEMM is tested against.
 *
 * <p>Legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the summed dimension.
 * Row-major BLAS semantics: {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is M x K
 * (A stored K x M with leading dimension lda when transA) and op(B) is K x N (B stored N x K
 * when transB). Element (r, c) of a stored matrix X lives at {@code X[offX + r * ldX + c]}.
 * When beta == 0, C is only written, never read, so NaN or garbage in C does not propagate.
 */
public final class GemmScalar {

    private GemmScalar() {}

    /**
     * Single precision; sums over k in ascending order in float.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float alpha, float[] A, int offA, int lda,
                             float[] B, int offB, int ldb,
                             float beta, float[] C, int offC, int ldc) {
        Gemm.checkArgs("sgemm", transA, transB, M, N, K, A.length, offA, lda, B.length, offB, ldb, C.length, offC, ldc);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float sum = 0f;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[offA + k * lda + i] : A[offA + i * lda + k];
                    float b = transB ? B[offB + j * ldb + k] : B[offB + k * ldb + j];
                    sum += a * b;
                }
                int ci = offC + i * ldc + j;
                C[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * C[ci];
            }
        }
    }

    /**
     * Double precision twin of {@link #sgemm}.
     *
     * @param A (M, K) at offA with row stride lda, or (K, M) when transA
     * @param B (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C (M, N) at offC with row stride ldc
     */
    public static void dgemm(boolean transA, boolean transB, int M, int N, int K,
                             double alpha, double[] A, int offA, int lda,
                             double[] B, int offB, int ldb,
                             double beta, double[] C, int offC, int ldc) {
        Gemm.checkArgs("dgemm", transA, transB, M, N, K, A.length, offA, lda, B.length, offB, ldb, C.length, offC, ldc);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0.0;
                for (int k = 0; k < K; k++) {
                    double a = transA ? A[offA + k * lda + i] : A[offA + i * lda + k];
                    double b = transB ? B[offB + j * ldb + k] : B[offB + k * ldb + j];
                    sum += a * b;
                }
                int ci = offC + i * ldc + j;
                C[ci] = beta == 0.0 ? alpha * sum : alpha * sum + beta * C[ci];
            }
        }
    }
}
