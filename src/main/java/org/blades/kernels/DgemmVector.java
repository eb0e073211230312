package org.blades.kernels;

import java.util.Arrays;
import java.util.function.IntConsumer;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * DGEMM on the Vector API: the double-precision twin of {@link SgemmVector}, produced from the
 * same source with the types swapped. Packing, blocking, task grid and determinism rules are the
 * same (see SgemmVector); only the sizes below differ, scaled for 8-byte elements. It serves
 * {@link Gemm#dgemm}, the path of gradient checks and double-precision references. Load this
 * class only when {@link VectorSupport#ENABLED}.
 *
 * <p>Legend: M, N, K = GEMM dimensions (C is M x N, op(A) M x K, op(B) K x N); L = double lanes
 * per vector (8 with AVX-512); MR x NR = the register tile of C (NR = 2 * L); kc <= KC = depth
 * of one K slice; nb x kb = a block of op(B) (at most NB x KB). Semantics and argument rules as
 * in {@link Gemm}.
 */
public final class DgemmVector {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Doubles per vector. */
    private static final int L = S.length();
    /** Register tile: MR rows (broadcast from A) x NR columns (two vectors of B). */
    static final int MR = 14;
    static final int NR = 2 * L;
    /** Height of the kernel used for a last row panel holding at most MR_EDGE rows. */
    static final int MR_EDGE = 8;
    /** Depth of one K slice: one micro-kernel call, one packing round; a B panel is 32 KiB. */
    static final int KC = 256;
    /** Row stride inside an A panel: one cache line more than KC (see SgemmVector.A_STRIDE). */
    static final int A_STRIDE = KC + 8;
    /** Largest block of op(B) packed at once: KB x NB doubles (16 MiB). */
    static final int KB = KC * 8;
    static final int NB = 1024;
    /** Largest task in panels: A block (168 x 256), B slice (256 x 256), C block (168 x 256) fit in L2. */
    static final int TASK_ROW_PANELS = 12;
    static final int TASK_COL_PANELS = 16;
    /** B panels packed per task of the shared packing phase. */
    private static final int PACK_GRAIN = 8;

    /** Per thread: {A block, task-local B slice, one C tile, shared B block}, grown on demand. */
    private static final ThreadLocal<double[][]> WORKSPACE = ThreadLocal.withInitial(
            () -> new double[][] {new double[0], new double[0], new double[MR * NR], new double[0]});

    private DgemmVector() {}

    /** Double lanes of the preferred species. */
    public static int doubleLanes() {
        return L;
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C.
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
        if (M == 0 || N == 0) {
            return;
        }
        if (alpha == 0.0 || K == 0) {
            scale(beta, C, offC, ldc, 0, M, 0, N);
            return;
        }
        boolean parallel = Parallel.threads() > 1 && 2L * M * N * K >= Gemm.PARALLEL_MIN_FLOPS;
        int threads = parallel ? Parallel.threads() : 1;
        Call call = new Call(transA, transB, M, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
        // equal column blocks (whole panels) rather than full ones plus a sliver
        int nbSize = roundUp(ceilDiv(N, ceilDiv(N, NB)), NR);
        for (int n0 = 0; n0 < N; n0 += nbSize) {
            for (int k0 = 0; k0 < K; k0 += KB) {
                call.block(n0, Math.min(nbSize, N - n0), k0, Math.min(KB, K - k0), threads);
                if (call.sharedB) {
                    double[][] ws = WORKSPACE.get();
                    if (ws[3].length < call.kb * call.nPanels * NR) {
                        ws[3] = new double[call.kb * call.nPanels * NR];
                    }
                    call.bShared = ws[3];
                    int packTasks = ceilDiv(call.nPanels, PACK_GRAIN);
                    run(packTasks, parallel, t -> call.packSharedB(t * PACK_GRAIN,
                            Math.min(call.nPanels, (t + 1) * PACK_GRAIN)));
                }
                run(call.rowChunks * call.colChunks, parallel, call::compute);
            }
        }
    }

    private static void run(int n, boolean parallel, IntConsumer body) {
        if (parallel) {
            Parallel.parallelFor(n, body);
        } else {
            for (int t = 0; t < n; t++) {
                body.accept(t);
            }
        }
    }

    /** C[rows r0..r1, cols j0..j1] *= beta, with beta == 0 writing zeros (C not read). */
    private static void scale(double beta, double[] C, int offC, int ldc, int r0, int r1, int j0, int j1) {
        for (int i = r0; i < r1; i++) {
            int ci = offC + i * ldc;
            if (beta == 0.0) {
                Arrays.fill(C, ci + j0, ci + j1, 0.0);
            } else if (beta != 1.0) {
                for (int j = j0; j < j1; j++) {
                    C[ci + j] *= beta;
                }
            }
        }
    }

    /**
     * One dgemm call: its arguments plus the current block of op(B) and its task grid. The block
     * fields are written by the calling thread between parallel phases; Parallel's fork and join
     * publish them to the workers.
     */
    private static final class Call {
        final boolean transA;
        final boolean transB;
        final int M;
        final int K;
        final double alpha;
        final double[] A;
        final int offA;
        final int lda;
        final double[] B;
        final int offB;
        final int ldb;
        final double beta;
        final double[] C;
        final int offC;
        final int ldc;
        final int mPanels;
        /** Gather offsets {0, lda, 2 lda, ..}: L consecutive k of one op(A) row when transA, else null. */
        final int[] aGather;
        /** Gather offsets {0, ldb, 2 ldb, ..}: L consecutive columns of one op(B) row when transB, else null. */
        final int[] bGather;

        int n0;
        int nb;
        int k0;
        int kb;
        int nPanels;
        int rowPanelsPerTask;
        int colPanelsPerTask;
        int rowChunks;
        int colChunks;
        boolean sharedB;
        /** Slice s (k from k0 + s*KC), panel q at s * KC * nPad + q * NR * kc, then (kc, NR). */
        double[] bShared; // (kb, nPad) regrouped into (kc, NR) panels

        Call(boolean transA, boolean transB, int M, int K, double alpha, double[] A, int offA, int lda,
             double[] B, int offB, int ldb, double beta, double[] C, int offC, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.M = M;
            this.K = K;
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
            this.mPanels = ceilDiv(M, MR);
            // Transposed operands are packed with gathers (vgatherdps): twice the speed of a scalar
            // transpose here, which matters for conv's weight gradient (op(B) = cols^T).
            this.aGather = transA ? strides(lda) : null;
            this.bGather = transB ? strides(ldb) : null;
        }

        private static int[] strides(int ld) {
            int[] map = new int[L];
            for (int j = 0; j < L; j++) {
                map[j] = j * ld;
            }
            return map;
        }

        /** Selects block (n0, nb, k0, kb) of op(B) and plans its task grid. */
        void block(int n0, int nb, int k0, int kb, int threads) {
            this.n0 = n0;
            this.nb = nb;
            this.k0 = k0;
            this.kb = kb;
            this.nPanels = ceilDiv(nb, NR);
            // Shrink tasks until there are about 4 per thread (so one stalled core cannot hold up
            // the call), columns first: a narrower task repacks less than a shorter one.
            int rp = TASK_ROW_PANELS;
            int cp = TASK_COL_PANELS;
            while (ceilDiv(mPanels, rp) * ceilDiv(nPanels, cp) < 4 * threads) {
                if (cp > 4 && nPanels > ceilDiv(cp, 2)) {
                    cp = ceilDiv(cp, 2);
                } else if (rp > 2 && mPanels > ceilDiv(rp, 2)) {
                    rp = ceilDiv(rp, 2);
                } else {
                    break;
                }
            }
            // equal-sized chunks instead of full ones plus a small remainder
            rowPanelsPerTask = ceilDiv(mPanels, ceilDiv(mPanels, rp));
            colPanelsPerTask = ceilDiv(nPanels, ceilDiv(nPanels, cp));
            rowChunks = ceilDiv(mPanels, rowPanelsPerTask);
            colChunks = ceilDiv(nPanels, colPanelsPerTask);
            sharedB = rowChunks > 1;
        }

        /** Shared packing phase: B panels [q0, q1) of the block, all its K slices. */
        void packSharedB(int q0, int q1) {
            int nPad = nPanels * NR;
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                packB(bShared, kk * nPad, q0, q1, k0 + kk, kc);
            }
        }

        /** Task t of the grid: C rows of panels [pa, pb) x block columns of panels [qa, qb). */
        void compute(int t) {
            int pa = (t / colChunks) * rowPanelsPerTask;
            int pb = Math.min(mPanels, pa + rowPanelsPerTask);
            int qa = (t % colChunks) * colPanelsPerTask;
            int qb = Math.min(nPanels, qa + colPanelsPerTask);
            double[][] ws = WORKSPACE.get();
            if (ws[0].length < (pb - pa) * MR * A_STRIDE) {
                ws[0] = new double[rowPanelsPerTask * MR * A_STRIDE];
            }
            if (!sharedB && ws[1].length < KC * (qb - qa) * NR) {
                ws[1] = new double[KC * colPanelsPerTask * NR];
            }
            double[] ap = ws[0]; // (pb - pa) panels, each (MR, A_STRIDE)
            double[] tile = ws[2]; // (MR, NR)
            double[] c = this.C;
            int ldc = this.ldc;
            int cBase = offC + n0;
            boolean firstBlock = k0 == 0;
            if (firstBlock && beta != 0.0 && beta != 1.0) {
                scale(beta, c, cBase, ldc, pa * MR, Math.min(M, pb * MR), qa * NR, Math.min(nb, qb * NR));
            }
            int nPad = nPanels * NR;
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                packA(ap, pa, pb, k0 + kk, kc);
                double[] bp; // panel q starts at bBase + q * NR * kc, then (kc, NR)
                int bBase;
                if (sharedB) {
                    bp = bShared;
                    bBase = kk * nPad;
                } else {
                    bp = ws[1];
                    bBase = -qa * NR * kc;
                    packB(bp, bBase, qa, qb, k0 + kk, kc);
                }
                // beta == 0: the first slice stores instead of accumulating, so C is never read
                boolean overwrite = firstBlock && kk == 0 && beta == 0.0;
                for (int q = qa; q < qb; q++) {
                    int cols = Math.min(NR, nb - q * NR);
                    int bo = bBase + q * NR * kc;
                    for (int p = pa; p < pb; p++) {
                        int rows = Math.min(MR, M - p * MR);
                        int ao = (p - pa) * MR * A_STRIDE;
                        if (cols > L) {
                            if (rows > MR_EDGE) {
                                kernelMR(kc, ap, ao, bp, bo, tile);
                            } else {
                                kernelEdge(kc, ap, ao, bp, bo, tile);
                            }
                        } else if (rows > MR_EDGE) {
                            kernelHalf(kc, ap, ao, bp, bo, tile);
                        } else {
                            kernelEdgeHalf(kc, ap, ao, bp, bo, tile);
                        }
                        merge(tile, rows, cols, overwrite, c, cBase + p * MR * ldc + q * NR, ldc);
                    }
                }
            }
        }

        /** Packs alpha * op(A) rows of panels [pa, pb), columns [kStart, kStart + kc), into ap. */
        private void packA(double[] ap, int pa, int pb, int kStart, int kc) {
            for (int p = pa; p < pb; p++) {
                int rows = Math.min(MR, M - p * MR);
                int height = rows > MR_EDGE ? MR : MR_EDGE;
                int dst = (p - pa) * MR * A_STRIDE; // row 0 of the panel
                for (int i = 0; i < rows; i++) {
                    int d = dst + i * A_STRIDE;
                    int row = p * MR + i;
                    if (transA) {
                        // op(A)(row, k) = A[k * lda + row]: a strided column of the stored A
                        int src = offA + kStart * lda + row;
                        int k = 0;
                        for (; k <= kc - L; k += L) {
                            DoubleVector.fromArray(S, A, src + k * lda, aGather, 0).mul(alpha).intoArray(ap, d + k);
                        }
                        for (; k < kc; k++) {
                            ap[d + k] = alpha * A[src + k * lda];
                        }
                    } else {
                        int src = offA + row * lda + kStart;
                        int k = 0;
                        for (; k <= kc - L; k += L) {
                            DoubleVector.fromArray(S, A, src + k).mul(alpha).intoArray(ap, d + k);
                        }
                        for (; k < kc; k++) {
                            ap[d + k] = alpha * A[src + k];
                        }
                    }
                }
                // the kernel reads all `height` rows; padding rows must hold finite values
                for (int i = rows; i < height; i++) {
                    Arrays.fill(ap, dst + i * A_STRIDE, dst + i * A_STRIDE + kc, 0.0);
                }
            }
        }

        /**
         * Packs op(B) rows [kStart, kStart + kc) of the block's column panels [qa, qb); panel q
         * goes to bp[base + q * NR * kc ..] as (kc, NR).
         */
        private void packB(double[] bp, int base, int qa, int qb, int kStart, int kc) {
            for (int q = qa; q < qb; q++) {
                int dst = base + q * NR * kc;
                int cols = Math.min(NR, nb - q * NR);
                int col0 = n0 + q * NR;
                if (transB && cols == NR) {
                    // op(B)(k, j) = B[j * ldb + k]: each half row of the panel is one gather
                    int src = offB + col0 * ldb + kStart;
                    for (int k = 0; k < kc; k++) {
                        int d = dst + k * NR;
                        DoubleVector.fromArray(S, B, src + k, bGather, 0).intoArray(bp, d);
                        DoubleVector.fromArray(S, B, src + L * ldb + k, bGather, 0).intoArray(bp, d + L);
                    }
                } else if (transB) {
                    for (int j = 0; j < cols; j++) {
                        int src = offB + (col0 + j) * ldb + kStart;
                        for (int k = 0; k < kc; k++) {
                            bp[dst + k * NR + j] = B[src + k];
                        }
                    }
                    for (int j = cols; j < NR; j++) {
                        for (int k = 0; k < kc; k++) {
                            bp[dst + k * NR + j] = 0.0;
                        }
                    }
                } else if (cols == NR) {
                    for (int k = 0; k < kc; k++) {
                        int src = offB + (kStart + k) * ldb + col0;
                        int d = dst + k * NR;
                        DoubleVector.fromArray(S, B, src).intoArray(bp, d);
                        DoubleVector.fromArray(S, B, src + L).intoArray(bp, d + L);
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        int src = offB + (kStart + k) * ldb + col0;
                        int d = dst + k * NR;
                        System.arraycopy(B, src, bp, d, cols);
                        Arrays.fill(bp, d + cols, d + NR, 0.0);
                    }
                }
            }
        }
    }

    /**
     * C tile (rows, cols) at co = tile (overwrite) or C + tile. Full-width rows use vectors,
     * partial ones scalars; both perform the same double additions.
     *
     * @param tile (MR, NR)
     */
    private static void merge(double[] tile, int rows, int cols, boolean overwrite, double[] c, int co, int ldc) {
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc;
            int ti = i * NR;
            if (cols == NR) {
                DoubleVector v0 = DoubleVector.fromArray(S, tile, ti);
                DoubleVector v1 = DoubleVector.fromArray(S, tile, ti + L);
                if (!overwrite) {
                    v0 = v0.add(DoubleVector.fromArray(S, c, ci));
                    v1 = v1.add(DoubleVector.fromArray(S, c, ci + L));
                }
                v0.intoArray(c, ci);
                v1.intoArray(c, ci + L);
            } else if (overwrite) {
                System.arraycopy(tile, ti, c, ci, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[ci + j] += tile[ti + j];
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }

    /**
     * The register-blocked micro-kernel: tile (MR, NR) = A panel (MR, kc) x B panel (kc, NR).
     * The accumulators are named locals, the body is spelled out row by row, and nothing
     * vector-typed leaves the method: only then does C2 keep them in zmm registers (vectors in
     * arrays, fields or non-inlined calls get boxed: 17 instead of 101 GFLOP/s seen here).
     * The result goes to {@code tile} (in L1) and {@link #merge} adds it to C. Keeping the C
     * update out of the kernel keeps it small enough for C1, which compiles it first: a
     * kernel with the update inside failed C1 ('out of virtual registers') and, when that
     * happened after a tier-2 compile, stayed in slow tier-2 code for good (2.5 GFLOP/s).
     */
    private static void kernelMR(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c0a = DoubleVector.zero(S);
        DoubleVector c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S);
        DoubleVector c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S);
        DoubleVector c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S);
        DoubleVector c3b = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S);
        DoubleVector c4b = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S);
        DoubleVector c5b = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S);
        DoubleVector c6b = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S);
        DoubleVector c7b = DoubleVector.zero(S);
        DoubleVector c8a = DoubleVector.zero(S);
        DoubleVector c8b = DoubleVector.zero(S);
        DoubleVector c9a = DoubleVector.zero(S);
        DoubleVector c9b = DoubleVector.zero(S);
        DoubleVector c10a = DoubleVector.zero(S);
        DoubleVector c10b = DoubleVector.zero(S);
        DoubleVector c11a = DoubleVector.zero(S);
        DoubleVector c11b = DoubleVector.zero(S);
        DoubleVector c12a = DoubleVector.zero(S);
        DoubleVector c12b = DoubleVector.zero(S);
        DoubleVector c13a = DoubleVector.zero(S);
        DoubleVector c13b = DoubleVector.zero(S);
        for (int k = 0; k < kc; k++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bo + L);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            DoubleVector a8 = DoubleVector.broadcast(S, ap[ao + 8 * A_STRIDE]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            DoubleVector a9 = DoubleVector.broadcast(S, ap[ao + 9 * A_STRIDE]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            DoubleVector a10 = DoubleVector.broadcast(S, ap[ao + 10 * A_STRIDE]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            DoubleVector a11 = DoubleVector.broadcast(S, ap[ao + 11 * A_STRIDE]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
            DoubleVector a12 = DoubleVector.broadcast(S, ap[ao + 12 * A_STRIDE]);
            c12a = a12.fma(b0, c12a);
            c12b = a12.fma(b1, c12b);
            DoubleVector a13 = DoubleVector.broadcast(S, ap[ao + 13 * A_STRIDE]);
            c13a = a13.fma(b0, c13a);
            c13b = a13.fma(b1, c13b);
            ao++;
            bo += NR;
        }
        c0a.intoArray(tile, 0);
        c0b.intoArray(tile, 0 + L);
        c1a.intoArray(tile, NR);
        c1b.intoArray(tile, NR + L);
        c2a.intoArray(tile, 2 * NR);
        c2b.intoArray(tile, 2 * NR + L);
        c3a.intoArray(tile, 3 * NR);
        c3b.intoArray(tile, 3 * NR + L);
        c4a.intoArray(tile, 4 * NR);
        c4b.intoArray(tile, 4 * NR + L);
        c5a.intoArray(tile, 5 * NR);
        c5b.intoArray(tile, 5 * NR + L);
        c6a.intoArray(tile, 6 * NR);
        c6b.intoArray(tile, 6 * NR + L);
        c7a.intoArray(tile, 7 * NR);
        c7b.intoArray(tile, 7 * NR + L);
        c8a.intoArray(tile, 8 * NR);
        c8b.intoArray(tile, 8 * NR + L);
        c9a.intoArray(tile, 9 * NR);
        c9b.intoArray(tile, 9 * NR + L);
        c10a.intoArray(tile, 10 * NR);
        c10b.intoArray(tile, 10 * NR + L);
        c11a.intoArray(tile, 11 * NR);
        c11b.intoArray(tile, 11 * NR + L);
        c12a.intoArray(tile, 12 * NR);
        c12b.intoArray(tile, 12 * NR + L);
        c13a.intoArray(tile, 13 * NR);
        c13b.intoArray(tile, 13 * NR + L);
    }

    /** {@link #kernelMR} for a last row panel of at most MR_EDGE rows. */
    private static void kernelEdge(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c0a = DoubleVector.zero(S);
        DoubleVector c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S);
        DoubleVector c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S);
        DoubleVector c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S);
        DoubleVector c3b = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S);
        DoubleVector c4b = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S);
        DoubleVector c5b = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S);
        DoubleVector c6b = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S);
        DoubleVector c7b = DoubleVector.zero(S);
        for (int k = 0; k < kc; k++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bo + L);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            ao++;
            bo += NR;
        }
        c0a.intoArray(tile, 0);
        c0b.intoArray(tile, 0 + L);
        c1a.intoArray(tile, NR);
        c1b.intoArray(tile, NR + L);
        c2a.intoArray(tile, 2 * NR);
        c2b.intoArray(tile, 2 * NR + L);
        c3a.intoArray(tile, 3 * NR);
        c3b.intoArray(tile, 3 * NR + L);
        c4a.intoArray(tile, 4 * NR);
        c4b.intoArray(tile, 4 * NR + L);
        c5a.intoArray(tile, 5 * NR);
        c5b.intoArray(tile, 5 * NR + L);
        c6a.intoArray(tile, 6 * NR);
        c6b.intoArray(tile, 6 * NR + L);
        c7a.intoArray(tile, 7 * NR);
        c7b.intoArray(tile, 7 * NR + L);
    }

    /**
     * {@link #kernelMR} for a last column panel of at most L columns (N = 196 ends with 4):
     * half the work of padding it to NR. Reads the first L columns of the (kc, NR) B panel.
     */
    private static void kernelHalf(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c0a = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S);
        DoubleVector c8a = DoubleVector.zero(S);
        DoubleVector c9a = DoubleVector.zero(S);
        DoubleVector c10a = DoubleVector.zero(S);
        DoubleVector c11a = DoubleVector.zero(S);
        DoubleVector c12a = DoubleVector.zero(S);
        DoubleVector c13a = DoubleVector.zero(S);
        for (int k = 0; k < kc; k++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            DoubleVector a1 = DoubleVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            DoubleVector a2 = DoubleVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            DoubleVector a3 = DoubleVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            DoubleVector a4 = DoubleVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            DoubleVector a5 = DoubleVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            DoubleVector a6 = DoubleVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            DoubleVector a7 = DoubleVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            DoubleVector a8 = DoubleVector.broadcast(S, ap[ao + 8 * A_STRIDE]);
            c8a = a8.fma(b0, c8a);
            DoubleVector a9 = DoubleVector.broadcast(S, ap[ao + 9 * A_STRIDE]);
            c9a = a9.fma(b0, c9a);
            DoubleVector a10 = DoubleVector.broadcast(S, ap[ao + 10 * A_STRIDE]);
            c10a = a10.fma(b0, c10a);
            DoubleVector a11 = DoubleVector.broadcast(S, ap[ao + 11 * A_STRIDE]);
            c11a = a11.fma(b0, c11a);
            DoubleVector a12 = DoubleVector.broadcast(S, ap[ao + 12 * A_STRIDE]);
            c12a = a12.fma(b0, c12a);
            DoubleVector a13 = DoubleVector.broadcast(S, ap[ao + 13 * A_STRIDE]);
            c13a = a13.fma(b0, c13a);
            ao++;
            bo += NR;
        }
        c0a.intoArray(tile, 0);
        c1a.intoArray(tile, NR);
        c2a.intoArray(tile, 2 * NR);
        c3a.intoArray(tile, 3 * NR);
        c4a.intoArray(tile, 4 * NR);
        c5a.intoArray(tile, 5 * NR);
        c6a.intoArray(tile, 6 * NR);
        c7a.intoArray(tile, 7 * NR);
        c8a.intoArray(tile, 8 * NR);
        c9a.intoArray(tile, 9 * NR);
        c10a.intoArray(tile, 10 * NR);
        c11a.intoArray(tile, 11 * NR);
        c12a.intoArray(tile, 12 * NR);
        c13a.intoArray(tile, 13 * NR);
    }

    /** {@link #kernelHalf} for a last row panel of at most MR_EDGE rows. */
    private static void kernelEdgeHalf(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c0a = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S);
        for (int k = 0; k < kc; k++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            DoubleVector a1 = DoubleVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            DoubleVector a2 = DoubleVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            DoubleVector a3 = DoubleVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            DoubleVector a4 = DoubleVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            DoubleVector a5 = DoubleVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            DoubleVector a6 = DoubleVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            DoubleVector a7 = DoubleVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            ao++;
            bo += NR;
        }
        c0a.intoArray(tile, 0);
        c1a.intoArray(tile, NR);
        c2a.intoArray(tile, 2 * NR);
        c3a.intoArray(tile, 3 * NR);
        c4a.intoArray(tile, 4 * NR);
        c5a.intoArray(tile, 5 * NR);
        c6a.intoArray(tile, 6 * NR);
        c7a.intoArray(tile, 7 * NR);
    }
}
