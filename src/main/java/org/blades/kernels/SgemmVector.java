package org.blades.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Vector API: packed panels, cache blocking and a register-blocked micro-kernel
 * (the Goto/BLIS scheme). Load this class only when {@link VectorSupport#ENABLED}.
 *
 * <p>Legend: M, N, K = GEMM dimensions (C is M x N, op(A) M x K, op(B) K x N); L = float lanes
 * per vector (16 with AVX-512); MR x NR = the register tile of C (NR = 2 * L); KC = depth of one
 * micro-kernel call; MB x NB x KB = a macro block, packed once; mPad / nPad = the macro block's
 * rows / columns rounded up to MR / NR. Semantics and argument rules as in {@link Gemm}.
 *
 * <p>Algorithm per macro block (m0, n0, k0):
 * <ol>
 *   <li>Pack, in parallel, alpha * op(A) into MR-row panels and op(B) into NR-column panels,
 *       k-major inside a panel so the micro-kernel reads both with unit stride. Panels are
 *       zero-padded at the matrix edge.</li>
 *   <li>Compute, in parallel, a grid of C tasks; each loops over its KC slices in ascending k,
 *       then over its B panels (one (KC, NR) panel, 32 KiB, stays in L1 while the task's A
 *       panels stream from L2), then over its A panels, calling the micro-kernel per MR x NR tile.</li>
 * </ol>
 * Determinism: the macro and KC block boundaries are constants, so every C element receives the
 * same float operations in the same order whatever the task grid; the grid (which depends on the
 * thread count) only decides which thread performs them.
 *
 * <p>Tuning (2-core Xeon with AVX-512, 48 KiB L1d and 2 MiB L2 per core): 8 x 32 tiles
 * (16 accumulators) ran as fast as 12 x 32 and 14 x 32 in isolation and waste no rows for
 * channel counts that are multiples of 8; KC = 256 fills two thirds of L1 with one B panel.
 */
public final class SgemmVector {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    private static final int L = S.length();
    /** Register tile: MR rows (broadcast from A) x NR columns (two vectors of B). */
    static final int MR = 8;
    static final int NR = 2 * L;
    /** Depth of one micro-kernel call: a (KC, NR) B panel stays in L1. */
    static final int KC = 256;
    /** Macro block: bounds the packed workspaces to MB*KB + KB*NB floats (24 MiB with AVX-512). */
    static final int MB = MR * (1024 / MR);
    static final int NB = NR * (2048 / NR);
    static final int KB = KC * 8;
    /** Target C task size before splitting for load balance. */
    private static final int TASK_ROW_PANELS = 24;
    private static final int TASK_COL_PANELS = 16;
    /** Panels packed per parallel packing task. */
    private static final int PACK_GRAIN = 8;

    /** Per calling thread: {packed A (KB, mPad) slices, packed B (KB, nPad) slices}, grown on demand. */
    private static final ThreadLocal<float[][]> WORKSPACE = ThreadLocal.withInitial(() -> new float[2][0]);

    public static long PACK_NS, COMP_NS;
    private SgemmVector() {}

    /** Float lanes of the preferred species. */
    public static int floatLanes() {
        return L;
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C.
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
        if (M == 0 || N == 0) {
            return;
        }
        if (alpha == 0f || K == 0) {
            scale(beta, C, offC, ldc, 0, M, 0, N);
            return;
        }
        boolean parallel = Parallel.threads() > 1 && 2L * M * N * K >= Gemm.PARALLEL_MIN_FLOPS;
        Call call = new Call(transA, transB, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        float[][] ws = WORKSPACE.get();
        for (int m0 = 0; m0 < M; m0 += MB) {
            for (int n0 = 0; n0 < N; n0 += NB) {
                for (int k0 = 0; k0 < K; k0 += KB) {
                    int mb = Math.min(MB, M - m0);
                    int nb = Math.min(NB, N - n0);
                    int kb = Math.min(KB, K - k0);
                    int mPanels = (mb + MR - 1) / MR;
                    int nPanels = (nb + NR - 1) / NR;
                    if (ws[0].length < mPanels * MR * kb) {
                        ws[0] = new float[mPanels * MR * Math.min(K, KB)];
                    }
                    if (ws[1].length < nPanels * NR * kb) {
                        ws[1] = new float[nPanels * NR * Math.min(K, KB)];
                    }
                    call.block(ws[0], ws[1], m0, mb, n0, nb, k0, kb);
                    long tp0 = System.nanoTime();
                    int aTasks = (mPanels + PACK_GRAIN - 1) / PACK_GRAIN;
                    int bTasks = (nPanels + PACK_GRAIN - 1) / PACK_GRAIN;
                    run(aTasks + bTasks, parallel, t -> {
                        if (t < aTasks) {
                            call.packA(t * PACK_GRAIN, Math.min(mPanels, (t + 1) * PACK_GRAIN));
                        } else {
                            int u = t - aTasks;
                            call.packB(u * PACK_GRAIN, Math.min(nPanels, (u + 1) * PACK_GRAIN));
                        }
                    });
                    long tp1 = System.nanoTime();
                    call.planTasks(parallel ? Parallel.threads() : 1);
                    run(call.rowChunks * call.colChunks, parallel, call::compute);
                    long tp2 = System.nanoTime();
                    PACK_NS += tp1 - tp0; COMP_NS += tp2 - tp1;
                }
            }
        }
    }

    private static void run(int n, boolean parallel, java.util.function.IntConsumer body) {
        if (parallel) {
            Parallel.parallelFor(n, body);
        } else {
            for (int t = 0; t < n; t++) {
                body.accept(t);
            }
        }
    }

    /** C[rows r0..r1, cols j0..j1] *= beta, with beta == 0 writing zeros (C not read). */
    private static void scale(float beta, float[] C, int offC, int ldc, int r0, int r1, int j0, int j1) {
        for (int i = r0; i < r1; i++) {
            int ci = offC + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(C, ci + j0, ci + j1, 0f);
            } else if (beta != 1f) {
                for (int j = j0; j < j1; j++) {
                    C[ci + j] *= beta;
                }
            }
        }
    }

    /**
     * One sgemm call: its arguments plus the current macro block. The block fields are written
     * by the calling thread between parallel phases; Parallel's join publishes them.
     */
    private static final class Call {
        final boolean transA;
        final boolean transB;
        final float alpha;
        final float[] A;
        final int offA;
        final int lda;
        final float[] B;
        final int offB;
        final int ldb;
        final float beta;
        final float[] C;
        final int offC;
        final int ldc;

        float[] ap; // KC slices of (mPad/MR) panels (kc, MR): slice kk starts at kk * mPad
        float[] bp; // KC slices of (nPad/NR) panels (kc, NR): slice kk starts at kk * nPad
        int m0;
        int mb;
        int n0;
        int nb;
        int k0;
        int kb;
        int mPanels;
        int nPanels;
        int rowChunks;
        int colChunks;
        int rowPanelsPerTask;
        int colPanelsPerTask;

        Call(boolean transA, boolean transB, float alpha, float[] A, int offA, int lda,
             float[] B, int offB, int ldb, float beta, float[] C, int offC, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.alpha = alpha;
            this.A = A;
            this.offA = offA;
            this.lda = lda;
            this.B = B;
            this.offB = offB;
            this.ldb = ldb;
            this.beta = beta;
            this.C = C;
            this.offC = offC;
            this.ldc = ldc;
        }

        void block(float[] ap, float[] bp, int m0, int mb, int n0, int nb, int k0, int kb) {
            this.ap = ap;
            this.bp = bp;
            this.m0 = m0;
            this.mb = mb;
            this.n0 = n0;
            this.nb = nb;
            this.k0 = k0;
            this.kb = kb;
            this.mPanels = (mb + MR - 1) / MR;
            this.nPanels = (nb + NR - 1) / NR;
        }

        /** Splits the block into a grid of tasks: about 4 per thread so a busy core cannot stall the call. */
        void planTasks(int threads) {
            int rp = TASK_ROW_PANELS;
            int cp = TASK_COL_PANELS;
            while (ceilDiv(mPanels, rp) * ceilDiv(nPanels, cp) < 4 * threads) {
                if (cp > 4 && nPanels > ceilDiv(cp, 2)) {
                    cp = ceilDiv(cp, 2);
                } else if (rp > 1 && mPanels > ceilDiv(rp, 2)) {
                    rp = ceilDiv(rp, 2);
                } else {
                    break;
                }
            }
            rowChunks = ceilDiv(mPanels, rp);
            colChunks = ceilDiv(nPanels, cp);
            // equal-sized chunks instead of full ones plus a small remainder
            rowPanelsPerTask = ceilDiv(mPanels, rowChunks);
            colPanelsPerTask = ceilDiv(nPanels, colChunks);
            rowChunks = ceilDiv(mPanels, rowPanelsPerTask);
            colChunks = ceilDiv(nPanels, colPanelsPerTask);
        }

        /** Packs alpha * op(A) rows of panels [p0, p1) for all KC slices of the block. */
        void packA(int p0, int p1) {
            int mPad = mPanels * MR;
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                for (int p = p0; p < p1; p++) {
                    int dst = kk * mPad + p * MR * kc;
                    int rows = Math.min(MR, mb - p * MR);
                    int row0 = m0 + p * MR;
                    int kStart = k0 + kk;
                    if (transA) {
                        // op(A)(i, k) = A[k * lda + i]: MR consecutive floats per k
                        for (int k = 0; k < kc; k++) {
                            int src = offA + (kStart + k) * lda + row0;
                            int d = dst + k * MR;
                            for (int i = 0; i < rows; i++) {
                                ap[d + i] = alpha * A[src + i];
                            }
                            for (int i = rows; i < MR; i++) {
                                ap[d + i] = 0f;
                            }
                        }
                    } else {
                        for (int i = 0; i < MR; i++) {
                            if (i < rows) {
                                int src = offA + (row0 + i) * lda + kStart;
                                for (int k = 0; k < kc; k++) {
                                    ap[dst + k * MR + i] = alpha * A[src + k];
                                }
                            } else {
                                for (int k = 0; k < kc; k++) {
                                    ap[dst + k * MR + i] = 0f;
                                }
                            }
                        }
                    }
                }
            }
        }

        /** Packs op(B) column panels [q0, q1) for all KC slices of the block. */
        void packB(int q0, int q1) {
            int nPad = nPanels * NR;
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                for (int q = q0; q < q1; q++) {
                    int dst = kk * nPad + q * NR * kc;
                    int cols = Math.min(NR, nb - q * NR);
                    int col0 = n0 + q * NR;
                    int kStart = k0 + kk;
                    if (transB) {
                        // op(B)(k, j) = B[j * ldb + k]: a transpose, one source row per column
                        for (int j = 0; j < NR; j++) {
                            if (j < cols) {
                                int src = offB + (col0 + j) * ldb + kStart;
                                for (int k = 0; k < kc; k++) {
                                    bp[dst + k * NR + j] = B[src + k];
                                }
                            } else {
                                for (int k = 0; k < kc; k++) {
                                    bp[dst + k * NR + j] = 0f;
                                }
                            }
                        }
                    } else if (cols == NR) {
                        for (int k = 0; k < kc; k++) {
                            int src = offB + (kStart + k) * ldb + col0;
                            int d = dst + k * NR;
                            FloatVector.fromArray(S, B, src).intoArray(bp, d);
                            FloatVector.fromArray(S, B, src + L).intoArray(bp, d + L);
                        }
                    } else {
                        for (int k = 0; k < kc; k++) {
                            int src = offB + (kStart + k) * ldb + col0;
                            int d = dst + k * NR;
                            for (int j = 0; j < cols; j++) {
                                bp[d + j] = B[src + j];
                            }
                            for (int j = cols; j < NR; j++) {
                                bp[d + j] = 0f;
                            }
                        }
                    }
                }
            }
        }

        /** Task t of the grid: C rows of panels [pa, pb) x columns of panels [qa, qb). */
        void compute(int t) {
            int pa = (t / colChunks) * rowPanelsPerTask;
            int pb = Math.min(mPanels, pa + rowPanelsPerTask);
            int qa = (t % colChunks) * colPanelsPerTask;
            int qb = Math.min(nPanels, qa + colPanelsPerTask);
            int mPad = mPanels * MR;
            int nPad = nPanels * NR;
            float[] ap = this.ap;
            float[] bp = this.bp;
            float[] c = this.C;
            int ldc = this.ldc;
            boolean firstBlock = k0 == 0;
            if (firstBlock && beta != 0f && beta != 1f) {
                scale(beta, c, offC + m0 * ldc + n0, ldc, pa * MR, Math.min(mb, pb * MR),
                        qa * NR, Math.min(nb, qb * NR));
            }
            float[] scratch = new float[MR * NR]; // (MR, NR)
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                boolean overwrite = firstBlock && kk == 0 && beta == 0f;
                for (int q = qa; q < qb; q++) {
                    int cols = Math.min(NR, nb - q * NR);
                    int bo = kk * nPad + q * NR * kc;
                    for (int p = pa; p < pb; p++) {
                        int rows = Math.min(MR, mb - p * MR);
                        microKernel(kc, ap, kk * mPad + p * MR * kc, bp, bo,
                                c, offC + (m0 + p * MR) * ldc + n0 + q * NR, ldc, rows, cols, overwrite, scratch);
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * The register-blocked micro-kernel: acc = Ap-panel (kc, MR) ^T x Bp-panel (kc, NR), then
     * C tile (rows x cols at co, row stride ldc) = acc (overwrite) or C + acc. The accumulators
     * are 16 named locals, the loop body is unrolled by hand over the 8 rows, and nothing
     * vector-typed leaves the method: C2 keeps them in zmm registers only under those conditions.
     * Tiles cut by the matrix edge go through {@code scratch} (MR, NR) with a scalar merge, which
     * performs the same float additions as the full-tile path.
     */
    private static void microKernel(int kc, float[] ap, int ao, float[] bp, int bo,
                                    float[] c, int co, int ldc, int rows, int cols,
                                    boolean overwrite, float[] scratch) {
        FloatVector c0a = FloatVector.zero(S);
        FloatVector c0b = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S);
        FloatVector c1b = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S);
        FloatVector c2b = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S);
        FloatVector c3b = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S);
        FloatVector c4b = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S);
        FloatVector c5b = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S);
        FloatVector c6b = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S);
        FloatVector c7b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            ao += MR;
            bo += NR;
        }
        if (rows == MR && cols == NR) {
            if (overwrite) {
                c0a.intoArray(c, co);
                c0b.intoArray(c, co + L);
                c1a.intoArray(c, co + ldc);
                c1b.intoArray(c, co + ldc + L);
                c2a.intoArray(c, co + 2 * ldc);
                c2b.intoArray(c, co + 2 * ldc + L);
                c3a.intoArray(c, co + 3 * ldc);
                c3b.intoArray(c, co + 3 * ldc + L);
                c4a.intoArray(c, co + 4 * ldc);
                c4b.intoArray(c, co + 4 * ldc + L);
                c5a.intoArray(c, co + 5 * ldc);
                c5b.intoArray(c, co + 5 * ldc + L);
                c6a.intoArray(c, co + 6 * ldc);
                c6b.intoArray(c, co + 6 * ldc + L);
                c7a.intoArray(c, co + 7 * ldc);
                c7b.intoArray(c, co + 7 * ldc + L);
            } else {
                c0a.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
                c0b.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
                c1a.add(FloatVector.fromArray(S, c, co + ldc)).intoArray(c, co + ldc);
                c1b.add(FloatVector.fromArray(S, c, co + ldc + L)).intoArray(c, co + ldc + L);
                c2a.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
                c2b.add(FloatVector.fromArray(S, c, co + 2 * ldc + L)).intoArray(c, co + 2 * ldc + L);
                c3a.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
                c3b.add(FloatVector.fromArray(S, c, co + 3 * ldc + L)).intoArray(c, co + 3 * ldc + L);
                c4a.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
                c4b.add(FloatVector.fromArray(S, c, co + 4 * ldc + L)).intoArray(c, co + 4 * ldc + L);
                c5a.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
                c5b.add(FloatVector.fromArray(S, c, co + 5 * ldc + L)).intoArray(c, co + 5 * ldc + L);
                c6a.add(FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
                c6b.add(FloatVector.fromArray(S, c, co + 6 * ldc + L)).intoArray(c, co + 6 * ldc + L);
                c7a.add(FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
                c7b.add(FloatVector.fromArray(S, c, co + 7 * ldc + L)).intoArray(c, co + 7 * ldc + L);
            }
            return;
        }
        c0a.intoArray(scratch, 0);
        c0b.intoArray(scratch, 0 + L);
        c1a.intoArray(scratch, 1 * NR);
        c1b.intoArray(scratch, 1 * NR + L);
        c2a.intoArray(scratch, 2 * NR);
        c2b.intoArray(scratch, 2 * NR + L);
        c3a.intoArray(scratch, 3 * NR);
        c3b.intoArray(scratch, 3 * NR + L);
        c4a.intoArray(scratch, 4 * NR);
        c4b.intoArray(scratch, 4 * NR + L);
        c5a.intoArray(scratch, 5 * NR);
        c5b.intoArray(scratch, 5 * NR + L);
        c6a.intoArray(scratch, 6 * NR);
        c6b.intoArray(scratch, 6 * NR + L);
        c7a.intoArray(scratch, 7 * NR);
        c7b.intoArray(scratch, 7 * NR + L);
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc;
            int si = i * NR;
            for (int j = 0; j < cols; j++) {
                c[ci + j] = overwrite ? scratch[si + j] : c[ci + j] + scratch[si + j];
            }
        }
    }
}
