package org.blades.kernels;

import java.util.Arrays;
import java.util.function.IntConsumer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Vector API: packed panels, cache blocking and a register-blocked micro-kernel
 * (the Goto/BLIS scheme). Load this class only when {@link VectorSupport#ENABLED}.
 *
 * <p>Legend: M, N, K = GEMM dimensions (C is M x N, op(A) M x K, op(B) K x N); L = float lanes
 * per vector (16 with AVX-512, 8 with AVX2); MR x NR = the register tile of C (NR = 2 * L; MR = 14
 * or 6 by the vector width, see {@link #MR}); kc <= KC = depth of one K slice; nb x kb = a block
 * of op(B) (at most NB x KB). Semantics and argument rules as in {@link Gemm}.
 *
 * <p>For each (nb, kb) block of op(B), C's columns in it are cut into a grid of tasks (row panels
 * [pa, pb) x column panels [qa, qb)) run in parallel. A task walks its K slices; per slice it
 * packs its rows of alpha * op(A) into a buffer of its own thread (small enough for L2) and calls
 * the micro-kernel for each MR x NR tile, B panel by B panel: one (KC, NR) B panel (32 KiB with
 * AVX-512, 16 KiB with AVX2) stays in L1 while the task's A panels stream from L2, and the task's
 * C block stays in L2 across slices. op(B) is packed once per block, shared by all tasks, when
 * several row chunks will read it; with a single row chunk (small M, e.g. 64 output channels)
 * each task packs its own columns instead, so nothing packed is written back to memory: memory
 * bandwidth (a few GB/s per core here), not arithmetic, limits the shapes with a small M or N.
 *
 * <p>Packed layouts: an A panel keeps op(A)'s rows as rows, at a fixed stride of A_STRIDE floats,
 * so the kernel's MR broadcasts use constant displacements and packing a row-major A is a plain
 * copy; a B panel is k-major (kc, NR), so each k step is two vector loads. Panels are
 * zero-padded at the matrix edges.
 *
 * <p>Determinism: K slices start at multiples of KC and each tile's sum runs k-ascending inside a
 * slice, so every C element receives the same float operations in the same order whatever the
 * task grid; the grid (which depends on the thread count) only decides which thread performs them.
 * Nor do the register tile and the vector width change them (each element is one fma chain per
 * slice): the AVX2 tile gives the AVX-512 tile's bits.
 *
 * <p>Tuning (2-core Sapphire Rapids, AVX-512, 48 KiB L1d and 2 MiB L2 per core): a 14 x 32 tile
 * (28 of the 32 zmm registers accumulate) measured best against 8 x 32 and 12 x 32; KC = 256
 * keeps one B panel in two thirds of L1. Edge panels use smaller kernels: a last row panel of at
 * most 8 rows an 8-row one, so M = 64 (a common channel count) runs as 4 * 14 + 8 rows with no
 * padding; a last column panel of at most L columns a one-vector-wide one.
 *
 * <p>AVX2 (same machine with -XX:UseAVX=2, JDK 17, 2 threads, medians of 3 runs): the 14 x 16
 * tile spilled accumulators and reached 103 GFLOP/s at 1024^3 and 90 on ResNet-50's convs
 * (weighted); the 6 x 16 tile reaches 180 and 143, its kernel alone 112 on one core (the FMA
 * peak). Its last row panel is padded (M = 64 runs as 11 panels, 2 rows of zeros) rather than
 * given a 4-row kernel. Tasks of 120 to 288 rows and 256 to 512 columns measured alike here, so
 * TASK_ROW_PANELS is sized for the smaller L2 of AVX2 machines. KC stays 256 so that both tiles
 * give the same bits. JDK 25's C2 (unlike 17's) issues all six broadcasts of a k step before the
 * FMAs and spills two accumulators: 120 GFLOP/s at 1024^3 there, still above the 14-row tile.
 */
public final class SgemmVector {

    /** System property forcing the register tile: {@code 14x2} or {@code 6x2} (default: by vector width). */
    static final String TILE_PROPERTY = "blades.sgemm.tile";

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    private static final int L = S.length();
    /**
     * Register tile: MR rows (broadcast from A) x NR columns (two vectors of B). MR follows the
     * register file: 14 with 16 lanes (AVX-512: 28 of 32 zmm registers accumulate), 6 with fewer
     * (AVX2: 12 accumulators, 2 B vectors and a broadcast fill 15 of 16 ymm registers; 14 rows
     * spill there). {@code -Dblades.sgemm.tile=6x2} or {@code 14x2} forces one, so that either
     * tile's whole path can be tested and measured on one machine.
     */
    static final int MR = tileRows(L, System.getProperty(TILE_PROPERTY));
    static final int NR = 2 * L;
    /**
     * Height of the kernel used for a last row panel holding at most MR_EDGE rows: 8 for the
     * 14-row tile; the 6-row tile pads its last panel to MR instead.
     */
    static final int MR_EDGE = MR == 14 ? 8 : MR;
    /** Depth of one K slice: one micro-kernel call, one packing round. */
    static final int KC = 256;
    /**
     * Row stride inside an A panel: one cache line more than KC, so that the MR rows being read
     * fall into different L1 sets instead of competing with the B panel for the same ways.
     */
    static final int A_STRIDE = KC + 16;
    /** Largest block of op(B) packed at once: KB x NB floats (16 MiB). */
    static final int KB = KC * 8;
    static final int NB = 2048;
    /**
     * Largest task in panels: its A block, one B slice and its C block fit in L2 together; the A
     * block, which every B panel of the task streams through, fits by far. 14-row tile: A 280 x 256,
     * B 256 x 512, C 280 x 512 (1.4 MiB of 2 MiB). 6-row tile with AVX2: A 168 x 256 (BLIS's
     * Haswell block, 180 KiB: even a 256 KiB L2 holds it), B 256 x 256, C 168 x 256 (0.6 MiB, for
     * the 512 KiB to 1 MiB L2 of most AVX2 machines). Taller tasks mean fewer passes over op(B).
     */
    static final int TASK_ROW_PANELS = MR == 14 ? 20 : 28;
    static final int TASK_COL_PANELS = 16;
    /** B panels packed per task of the shared packing phase. */
    private static final int PACK_GRAIN = 8;
    /** A panels packed per task of a shared or whole-matrix packing phase (about as many floats as B's). */
    private static final int A_PACK_GRAIN = PACK_GRAIN * NR / MR;

    /**
     * Per thread: {A block, task-local B slice, one C tile, shared B block, shared A block, C^T of a transposed
     * product}, grown on demand.
     */
    private static final ThreadLocal<float[][]> WORKSPACE = ThreadLocal.withInitial(() -> new float[][] {
        new float[0], new float[0], new float[MR * NR], new float[0], new float[0], new float[0]});

    private SgemmVector() {}

    /** MR for a vector of `lanes` floats, or as forced by {@link #TILE_PROPERTY} (null or empty: not forced). */
    static int tileRows(int lanes, String forced) {
        if (forced == null || forced.isEmpty()) {
            return lanes >= 16 ? 14 : 6;
        }
        return switch (forced) {
            case "14x2" -> 14;
            case "6x2" -> 6;
            default -> throw new IllegalArgumentException(
                    "sgemm: -D" + TILE_PROPERTY + "=" + forced + " is not a register tile (expected 14x2 or 6x2)");
        };
    }

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
        run(new Call(transA, transB, M, N, K, alpha, A, offA, lda, null, B, offB, ldb, null, beta, C, offC, ldc));
    }

    /**
     * C = op(A) * op(B) + beta * C with op(A) packed beforehand by {@link #packA}: the same floats in the same
     * order as {@link #sgemm} on the unpacked matrix, so the results are bit-identical.
     *
     * @param packedA alpha * op(A), (M, K), in {@link #packA}'s layout
     * @param B       (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C       (M, N) at offC with row stride ldc
     */
    static void sgemmPacked(float[] packedA, int M, int K, boolean transB, int N,
                            float[] B, int offB, int ldb, float beta, float[] C, int offC, int ldc) {
        if (M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            scale(beta, C, offC, ldc, 0, M, 0, N);
            return;
        }
        run(new Call(false, transB, M, N, K, 1f, null, 0, 0, packedA, B, offB, ldb, null, beta, C, offC, ldc));
    }

    /**
     * Multiply-adds (one lane each) a transposed product must save per element of C to pay for transposing it.
     * Measured on ResNet-50's narrow layers at batch 1 (2 threads, AVX-512), in saved multiply-adds per element:
     * 512 to 512 channels 3x3 at 7x7 (1,316) went from 1.85 to 1.33 ms, 2,048 to 512 at 7x7 (585) from 0.73 to
     * 0.64, 1,024 to 2,048 stride 2 (295) gained a little; 512 to 2,048 at 7x7 (148) lost 0.08 ms, 1,024 to 512 at
     * 14x14 (63) nothing, 256 to 1,024 at 14x14 (17) lost 0.19.
     */
    private static final int TRANSPOSE_COST = 256;

    /**
     * Whether C (M, N) = A (M, K) op(B) is faster as its transpose C^T = op(B)^T A^T. Tiles pad C's rows to the
     * kernel heights and its columns to the kernel widths, so a narrow C wastes lanes that a tall C^T does not:
     * ResNet-50 at batch 1 has N = 49 (7x7 maps), which pads to 64 columns but only to 50 rows. The saving grows
     * with K, while writing C^T back into C costs a fixed amount per element ({@link #TRANSPOSE_COST}).
     */
    static boolean transposedPays(int M, int N, int K) {
        long direct = (long) paddedRows(M) * paddedCols(N);
        long transposed = (long) paddedRows(N) * paddedCols(M);
        return (direct - transposed) * K >= (long) TRANSPOSE_COST * M * N;
    }

    /** Rows the kernels compute for m rows: whole MR panels, a last one of at most MR_EDGE rows at MR_EDGE. */
    private static int paddedRows(int m) {
        int rest = m % MR;
        return m - rest + (rest == 0 ? 0 : rest > MR_EDGE ? MR : MR_EDGE);
    }

    /** Columns the kernels compute for n columns: whole NR panels, a last one of at most L columns at L. */
    private static int paddedCols(int n) {
        int rest = n % NR;
        return n - rest + (rest == 0 ? 0 : rest > L ? NR : L);
    }

    /** Floats of {@link #transposePacked}'s layout for an (M, K) matrix. */
    static int transposedSize(int M, int K) {
        return ceilDiv(K, KC) * KC * ceilDiv(M, NR) * NR;
    }

    /**
     * {@link #packA}'s (M, K) matrix again, transposed into the layout of a packed right operand: A^T (K, M) with
     * K slice s at {@code s * KC * mPad} (mPad = M rounded up to NR) and, inside it, column panel q at
     * {@code q * NR * kc} as (kc, NR), columns past M zero. It is what Call.packSharedB would build from A^T for
     * the whole matrix at once, so {@link #sgemmPackedTransposed} needs no packing of it per call.
     *
     * @param packedA (ceil(K / KC), mPanels, MR, A_STRIDE)
     * @return (K rounded up to KC, mPad) in slices of (kc, NR) panels
     */
    static float[] transposePacked(float[] packedA, int M, int K) {
        int mPanels = ceilDiv(M, MR);
        int mPad = ceilDiv(M, NR) * NR;
        float[] out = new float[transposedSize(M, K)]; // (slices, KC, mPad) as panels
        for (int s = 0; s * KC < K; s++) {
            int kc = Math.min(KC, K - s * KC);
            int sliceIn = s * mPanels * MR * A_STRIDE;
            int sliceOut = s * KC * mPad;
            for (int i = 0; i < M; i++) {
                int src = sliceIn + i * A_STRIDE; // row i: panels of MR rows follow each other
                int dst = sliceOut + i / NR * NR * kc + i % NR; // column i of its panel
                for (int k = 0; k < kc; k++) {
                    out[dst + k * NR] = packedA[src + k];
                }
            }
        }
        return out;
    }

    /**
     * {@link #sgemmPacked} with beta 0, computed as C^T (N, M) = op(B)^T A^T into this thread's workspace and then
     * transposed into C: chosen by {@link #transposedPays}. Bit-identical to sgemmPacked: every element is the
     * same chain of fma over the same K slices, with its two factors swapped (fma rounds only the exact a*b + c),
     * and the slices are added in the same order.
     *
     * @param packedAt A^T in {@link #transposePacked}'s layout
     * @param B        (K, N) at offB with row stride ldb, or (N, K) when transB
     * @param C        (M, N) at offC with row stride ldc, overwritten
     */
    static void sgemmPackedTransposed(float[] packedAt, int M, int K, boolean transB, int N, float[] B, int offB,
                                      int ldb, float[] C, int offC, int ldc) {
        if (M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            scale(0f, C, offC, ldc, 0, M, 0, N);
            return;
        }
        float[][] ws = WORKSPACE.get();
        if (ws[5].length < N * M) {
            ws[5] = new float[N * M];
        }
        float[] ct = ws[5]; // (N, M)
        // op(B)^T (N, K): B stored (K, N) is op(B)^T stored transposed; B stored (N, K) is op(B)^T itself
        run(new Call(!transB, false, N, M, K, 1f, B, offB, ldb, null, null, 0, 0, packedAt, 0f, ct, 0, M));
        transposeInto(ct, N, M, C, offC, ldc);
    }

    /**
     * C (M, N) = t^T for t (N, M) row-major: each row of C gathers one column of t, L values per instruction.
     *
     * @param t (N, M)
     * @param C (M, N) at offC with row stride ldc
     */
    private static void transposeInto(float[] t, int N, int M, float[] C, int offC, int ldc) {
        int[] column = strides(M); // {0, M, 2M, ..}: L consecutive rows of one column of t
        for (int i = 0; i < M; i++) {
            int dst = offC + i * ldc;
            int j = 0;
            for (; j <= N - L; j += L) {
                FloatVector.fromArray(S, t, j * M + i, column, 0).intoArray(C, dst + j);
            }
            for (; j < N; j++) {
                C[dst + j] = t[j * M + i];
            }
        }
    }

    /** Floats of a packed (M, K) matrix: every K slice holds all row panels at full height. */
    static int packedSize(int M, int K) {
        return ceilDiv(K, KC) * ceilDiv(M, MR) * MR * A_STRIDE;
    }

    /**
     * Packs alpha * op(A) (M, K) once for several {@link #sgemmPacked} calls: K slice s, row panel p at
     * {@code (s * mPanels + p) * MR * A_STRIDE}, the layout {@code Call.packA} builds slice by slice. Parallel
     * over (slice, panel) pairs.
     *
     * @param A         (M, K) at offA with row stride lda, or (K, M) when transA
     * @param workspace used when it holds {@link #packedSize} floats, else a new array is
     * @return (ceil(K / KC), mPanels, MR, A_STRIDE)
     */
    static float[] packA(boolean transA, int M, int K, float alpha, float[] A, int offA, int lda, float[] workspace) {
        int mPanels = ceilDiv(M, MR);
        int slices = ceilDiv(K, KC);
        int size = packedSize(M, K);
        float[] packed = workspace != null && workspace.length >= size ? workspace : new float[size]; // (slices, mPanels, MR, A_STRIDE)
        boolean parallel = Parallel.threads() > 1 && !Parallel.poolBusy() && (long) M * K >= Gemm.PARALLEL_MIN_FLOPS / 8;
        packSlices(transA, M, alpha, A, offA, lda, transA ? strides(lda) : null, packed, 0, K, parallel);
        return packed;
    }

    /**
     * Packs alpha * op(A) columns [k0, k0 + kLen) into dst: slice s (k from k0 + s * KC), row panel p at
     * {@code (s * mPanels + p) * MR * A_STRIDE}. One task per (slice, A_PACK_GRAIN panels).
     *
     * @param gather {0, lda, 2 lda, ..} when transA, else null
     * @param dst    (ceil(kLen / KC), mPanels, MR, A_STRIDE)
     */
    private static void packSlices(boolean transA, int M, float alpha, float[] A, int offA, int lda, int[] gather,
                                   float[] dst, int k0, int kLen, boolean parallel) {
        int mPanels = ceilDiv(M, MR);
        int chunks = ceilDiv(mPanels, A_PACK_GRAIN);
        run(ceilDiv(kLen, KC) * chunks, parallel, t -> {
            int s = t / chunks;
            int pa = (t % chunks) * A_PACK_GRAIN;
            int kStart = k0 + s * KC;
            packPanels(transA, M, alpha, A, offA, lda, gather, dst, (s * mPanels + pa) * MR * A_STRIDE, pa,
                    Math.min(mPanels, pa + A_PACK_GRAIN), kStart, Math.min(KC, k0 + kLen - kStart));
        });
    }

    /** Runs one call, block of op(B) by block, each block's task grid in parallel when worthwhile. */
    private static void run(Call call) {
        boolean parallel = Parallel.threads() > 1 && !Parallel.poolBusy()
                && 2L * call.M * call.N * call.K >= Gemm.PARALLEL_MIN_FLOPS;
        int threads = parallel ? Parallel.threads() : 1;
        // equal column blocks (whole panels) rather than full ones plus a sliver
        int N = call.N;
        int K = call.K;
        int nbSize = roundUp(ceilDiv(N, ceilDiv(N, NB)), NR);
        for (int n0 = 0; n0 < N; n0 += nbSize) {
            for (int k0 = 0; k0 < K; k0 += KB) {
                call.block(n0, Math.min(nbSize, N - n0), k0, Math.min(KB, K - k0), threads);
                if (call.sharedB && call.packedB == null) {
                    float[][] ws = WORKSPACE.get();
                    if (ws[3].length < call.kb * call.nPanels * NR) {
                        ws[3] = new float[call.kb * call.nPanels * NR];
                    }
                    call.bShared = ws[3];
                    int packTasks = ceilDiv(call.nPanels, PACK_GRAIN);
                    run(packTasks, parallel, t -> call.packSharedB(t * PACK_GRAIN,
                            Math.min(call.nPanels, (t + 1) * PACK_GRAIN)));
                }
                if (call.sharedA) {
                    float[][] ws = WORKSPACE.get();
                    int size = packedSize(call.M, call.kb);
                    if (ws[4].length < size) {
                        ws[4] = new float[size];
                    }
                    call.aShared = ws[4];
                    packSlices(call.transA, call.M, call.alpha, call.A, call.offA, call.lda, call.aGather, ws[4],
                            call.k0, call.kb, parallel);
                }
                run(call.rowChunks * call.colChunks, parallel, call::compute);
            }
        }
    }

    private static int[] strides(int ld) {
        int[] map = new int[L];
        for (int j = 0; j < L; j++) {
            map[j] = j * ld;
        }
        return map;
    }

    /**
     * Packs alpha * op(A) rows of panels [pa, pb), columns [kStart, kStart + kc), panel p at
     * {@code base + (p - pa) * MR * A_STRIDE}, each (MR, A_STRIDE) with zero rows below a short last panel.
     *
     * @param A      (M, K) at offA with row stride lda, or (K, M) when transA
     * @param gather {0, lda, 2 lda, ..} when transA, else null
     */
    private static void packPanels(boolean transA, int M, float alpha, float[] A, int offA, int lda, int[] gather,
                                   float[] ap, int base, int pa, int pb, int kStart, int kc) {
        for (int p = pa; p < pb; p++) {
            int rows = Math.min(MR, M - p * MR);
            int height = rows > MR_EDGE ? MR : MR_EDGE;
            int dst = base + (p - pa) * MR * A_STRIDE; // row 0 of the panel
            for (int i = 0; i < rows; i++) {
                int d = dst + i * A_STRIDE;
                int row = p * MR + i;
                if (transA) {
                    // op(A)(row, k) = A[k * lda + row]: a strided column of the stored A
                    int src = offA + kStart * lda + row;
                    int k = 0;
                    for (; k <= kc - L; k += L) {
                        FloatVector.fromArray(S, A, src + k * lda, gather, 0).mul(alpha).intoArray(ap, d + k);
                    }
                    for (; k < kc; k++) {
                        ap[d + k] = alpha * A[src + k * lda];
                    }
                } else {
                    int src = offA + row * lda + kStart;
                    int k = 0;
                    for (; k <= kc - L; k += L) {
                        FloatVector.fromArray(S, A, src + k).mul(alpha).intoArray(ap, d + k);
                    }
                    for (; k < kc; k++) {
                        ap[d + k] = alpha * A[src + k];
                    }
                }
            }
            // the kernel reads all `height` rows; padding rows must hold finite values
            for (int i = rows; i < height; i++) {
                Arrays.fill(ap, dst + i * A_STRIDE, dst + i * A_STRIDE + kc, 0f);
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
    private static void scale(float beta, float[] C, int offC, int ldc, int r0, int r1, int j0, int j1) {
        for (int i = r0; i < r1; i++) {
            int ci = offC + i * ldc;
            if (beta == 0f) {
                Arrays.fill(C, ci + j0, ci + j1, 0f);
            } else if (beta != 1f) {
                for (int j = j0; j < j1; j++) {
                    C[ci + j] *= beta;
                }
            }
        }
    }

    /**
     * One sgemm call: its arguments plus the current block of op(B) and its task grid. The block
     * fields are written by the calling thread between parallel phases; Parallel's fork and join
     * publish them to the workers.
     */
    private static final class Call {
        final boolean transA;
        final boolean transB;
        final int M;
        final int N;
        final int K;
        final float alpha;
        final float[] A;
        final int offA;
        final int lda;
        /** alpha * op(A) packed whole by {@link #packA}, or null: then each task packs its rows per K slice. */
        final float[] packedA; // (slices, mPanels, MR, A_STRIDE)
        final float[] B;
        final int offB;
        final int ldb;
        /** op(B) packed whole by {@link #transposePacked}, or null: then op(B) is packed block by block. */
        final float[] packedB; // (K rounded up to KC, nPad) in slices of (kc, NR) panels
        /** N rounded up to NR: the width of one K slice of packedB. */
        final int nPadAll;
        final float beta;
        final float[] C;
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
        float[] bShared; // (kb, nPad) regrouped into (kc, NR) panels
        /** The block's op(A) columns packed once for all column chunks (else each task packs its rows per chunk). */
        boolean sharedA;
        /** Slice s (k from k0 + s*KC), panel p at (s * mPanels + p) * MR * A_STRIDE, as packedA. */
        float[] aShared; // (ceil(kb / KC), mPanels, MR, A_STRIDE)

        Call(boolean transA, boolean transB, int M, int N, int K, float alpha, float[] A, int offA, int lda,
             float[] packedA, float[] B, int offB, int ldb, float[] packedB, float beta, float[] C, int offC,
             int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.M = M;
            this.N = N;
            this.K = K;
            this.alpha = alpha;
            this.A = A;
            this.offA = offA;
            this.lda = lda;
            this.packedA = packedA;
            this.B = B;
            this.offB = offB;
            this.ldb = ldb;
            this.packedB = packedB;
            this.nPadAll = ceilDiv(N, NR) * NR;
            this.beta = beta;
            this.C = C;
            this.offC = offC;
            this.ldc = ldc;
            this.mPanels = ceilDiv(M, MR);
            // Transposed operands are packed with gathers (vgatherdps): twice the speed of a scalar
            // transpose here, which matters for conv's weight gradient (op(B) = cols^T).
            this.aGather = transA && packedA == null ? strides(lda) : null;
            this.bGather = transB ? strides(ldb) : null;
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
            while (threads > 1 && ceilDiv(mPanels, rp) * ceilDiv(nPanels, cp) < 4 * threads) {
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
            sharedB = packedB != null || rowChunks > 1;
            sharedA = packedA == null && colChunks > 1;
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
            float[][] ws = WORKSPACE.get();
            if (packedA == null && !sharedA && ws[0].length < (pb - pa) * MR * A_STRIDE) {
                ws[0] = new float[rowPanelsPerTask * MR * A_STRIDE];
            }
            if (!sharedB && ws[1].length < KC * (qb - qa) * NR) {
                ws[1] = new float[KC * colPanelsPerTask * NR];
            }
            float[] ap = packedA != null ? packedA : sharedA ? aShared : ws[0]; // panels from aBase, (MR, A_STRIDE) each
            float[] tile = ws[2]; // (MR, NR)
            float[] c = this.C;
            int ldc = this.ldc;
            int cBase = offC + n0;
            boolean firstBlock = k0 == 0;
            if (firstBlock && beta != 0f && beta != 1f) {
                scale(beta, c, cBase, ldc, pa * MR, Math.min(M, pb * MR), qa * NR, Math.min(nb, qb * NR));
            }
            int nPad = nPanels * NR;
            for (int kk = 0; kk < kb; kk += KC) {
                int kc = Math.min(KC, kb - kk);
                int aBase;
                if (packedA != null) {
                    aBase = ((k0 + kk) / KC * mPanels + pa) * MR * A_STRIDE;
                } else if (sharedA) {
                    aBase = (kk / KC * mPanels + pa) * MR * A_STRIDE;
                } else {
                    aBase = 0;
                    packPanels(transA, M, alpha, A, offA, lda, aGather, ap, 0, pa, pb, k0 + kk, kc);
                }
                float[] bp; // panel q starts at bBase + q * NR * kc, then (kc, NR)
                int bBase;
                if (packedB != null) {
                    bp = packedB;
                    bBase = (k0 + kk) / KC * KC * nPadAll + n0 * kc;
                } else if (sharedB) {
                    bp = bShared;
                    bBase = kk * nPad;
                } else {
                    bp = ws[1];
                    bBase = -qa * NR * kc;
                    packB(bp, bBase, qa, qb, k0 + kk, kc);
                }
                // beta == 0: the first slice stores instead of accumulating, so C is never read
                boolean overwrite = firstBlock && kk == 0 && beta == 0f;
                for (int q = qa; q < qb; q++) {
                    int cols = Math.min(NR, nb - q * NR);
                    int bo = bBase + q * NR * kc;
                    for (int p = pa; p < pb; p++) {
                        int rows = Math.min(MR, M - p * MR);
                        int ao = aBase + (p - pa) * MR * A_STRIDE;
                        kernel(rows, cols, kc, ap, ao, bp, bo, tile);
                        merge(tile, rows, cols, overwrite, c, cBase + p * MR * ldc + q * NR, ldc);
                    }
                }
            }
        }

        /**
         * Packs op(B) rows [kStart, kStart + kc) of the block's column panels [qa, qb); panel q
         * goes to bp[base + q * NR * kc ..] as (kc, NR).
         */
        private void packB(float[] bp, int base, int qa, int qb, int kStart, int kc) {
            for (int q = qa; q < qb; q++) {
                int dst = base + q * NR * kc;
                int cols = Math.min(NR, nb - q * NR);
                int col0 = n0 + q * NR;
                if (transB && cols == NR) {
                    // op(B)(k, j) = B[j * ldb + k]: each half row of the panel is one gather
                    int src = offB + col0 * ldb + kStart;
                    for (int k = 0; k < kc; k++) {
                        int d = dst + k * NR;
                        FloatVector.fromArray(S, B, src + k, bGather, 0).intoArray(bp, d);
                        FloatVector.fromArray(S, B, src + L * ldb + k, bGather, 0).intoArray(bp, d + L);
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
                            bp[dst + k * NR + j] = 0f;
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
                        System.arraycopy(B, src, bp, d, cols);
                        Arrays.fill(bp, d + cols, d + NR, 0f);
                    }
                }
            }
        }
    }

    /**
     * C tile (rows, cols) at co = tile (overwrite) or C + tile. Full-width rows use vectors,
     * partial ones scalars; both perform the same float additions.
     *
     * @param tile (MR, NR)
     */
    private static void merge(float[] tile, int rows, int cols, boolean overwrite, float[] c, int co, int ldc) {
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc;
            int ti = i * NR;
            if (cols == NR) {
                FloatVector v0 = FloatVector.fromArray(S, tile, ti);
                FloatVector v1 = FloatVector.fromArray(S, tile, ti + L);
                if (!overwrite) {
                    v0 = v0.add(FloatVector.fromArray(S, c, ci));
                    v1 = v1.add(FloatVector.fromArray(S, c, ci + L));
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
     * Tile (rows, cols) of C's current slice into {@code tile}, by the kernel for MR and the panel's
     * size. MR is a constant, so C2 keeps only one tile's branches.
     *
     * @param ap   A panel (MR, A_STRIDE) at ao, zero rows below `rows` up to the kernel's height
     * @param bp   B panel (kc, NR) at bo, zero columns right of `cols`
     * @param tile (MR, NR)
     */
    private static void kernel(int rows, int cols, int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
        if (MR == 6) {
            if (cols > L) {
                kernel6(kc, ap, ao, bp, bo, tile);
            } else {
                kernel6Half(kc, ap, ao, bp, bo, tile);
            }
        } else if (cols > L) {
            if (rows > MR_EDGE) {
                kernel14(kc, ap, ao, bp, bo, tile);
            } else {
                kernel8(kc, ap, ao, bp, bo, tile);
            }
        } else if (rows > MR_EDGE) {
            kernel14Half(kc, ap, ao, bp, bo, tile);
        } else {
            kernel8Half(kc, ap, ao, bp, bo, tile);
        }
    }

    /**
     * The register-blocked micro-kernel of the 14-row tile: tile (14, NR) = A panel (14, kc) x
     * B panel (kc, NR); every element is a k-ascending chain of fma from zero.
     * The accumulators are named locals, the body is spelled out row by row, and nothing
     * vector-typed leaves the method: only then does C2 keep them in zmm registers (vectors in
     * arrays, fields or non-inlined calls get boxed: 17 instead of 101 GFLOP/s seen here).
     * The result goes to {@code tile} (in L1) and {@link #merge} adds it to C. Keeping the C
     * update out of the kernel keeps it small enough for C1, which compiles it first: a
     * kernel with the update inside failed C1 ('out of virtual registers') and, when that
     * happened after a tier-2 compile, stayed in slow tier-2 code for good (2.5 GFLOP/s).
     */
    static void kernel14(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
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
        FloatVector c8a = FloatVector.zero(S);
        FloatVector c8b = FloatVector.zero(S);
        FloatVector c9a = FloatVector.zero(S);
        FloatVector c9b = FloatVector.zero(S);
        FloatVector c10a = FloatVector.zero(S);
        FloatVector c10b = FloatVector.zero(S);
        FloatVector c11a = FloatVector.zero(S);
        FloatVector c11b = FloatVector.zero(S);
        FloatVector c12a = FloatVector.zero(S);
        FloatVector c12b = FloatVector.zero(S);
        FloatVector c13a = FloatVector.zero(S);
        FloatVector c13b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(S, ap[ao + 8 * A_STRIDE]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(S, ap[ao + 9 * A_STRIDE]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(S, ap[ao + 10 * A_STRIDE]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(S, ap[ao + 11 * A_STRIDE]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
            FloatVector a12 = FloatVector.broadcast(S, ap[ao + 12 * A_STRIDE]);
            c12a = a12.fma(b0, c12a);
            c12b = a12.fma(b1, c12b);
            FloatVector a13 = FloatVector.broadcast(S, ap[ao + 13 * A_STRIDE]);
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

    /** {@link #kernel14} for a last row panel of at most MR_EDGE = 8 rows. */
    static void kernel8(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
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
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
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
     * {@link #kernel14} for a last column panel of at most L columns (N = 196 ends with 4):
     * half the work of padding it to NR. Reads the first L columns of the (kc, NR) B panel.
     */
    static void kernel14Half(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
        FloatVector c0a = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S);
        FloatVector c8a = FloatVector.zero(S);
        FloatVector c9a = FloatVector.zero(S);
        FloatVector c10a = FloatVector.zero(S);
        FloatVector c11a = FloatVector.zero(S);
        FloatVector c12a = FloatVector.zero(S);
        FloatVector c13a = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
            c7a = a7.fma(b0, c7a);
            FloatVector a8 = FloatVector.broadcast(S, ap[ao + 8 * A_STRIDE]);
            c8a = a8.fma(b0, c8a);
            FloatVector a9 = FloatVector.broadcast(S, ap[ao + 9 * A_STRIDE]);
            c9a = a9.fma(b0, c9a);
            FloatVector a10 = FloatVector.broadcast(S, ap[ao + 10 * A_STRIDE]);
            c10a = a10.fma(b0, c10a);
            FloatVector a11 = FloatVector.broadcast(S, ap[ao + 11 * A_STRIDE]);
            c11a = a11.fma(b0, c11a);
            FloatVector a12 = FloatVector.broadcast(S, ap[ao + 12 * A_STRIDE]);
            c12a = a12.fma(b0, c12a);
            FloatVector a13 = FloatVector.broadcast(S, ap[ao + 13 * A_STRIDE]);
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

    /** {@link #kernel14Half} for a last row panel of at most MR_EDGE = 8 rows. */
    static void kernel8Half(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
        FloatVector c0a = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * A_STRIDE]);
            c6a = a6.fma(b0, c6a);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * A_STRIDE]);
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

    /**
     * {@link #kernel14} for the 6-row tile (AVX2), under the same rules: 12 accumulators, two B
     * vectors and one broadcast need 15 of the 16 ymm registers (the BLIS Haswell shape), so JDK
     * 17's C2 spills nothing; JDK 25's spills two accumulators (see the class notes).
     */
    static void kernel6(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
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
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
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
    }

    /** {@link #kernel6} for a last column panel of at most L columns; reads the first L columns of the B panel. */
    static void kernel6Half(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
        FloatVector c0a = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c0a = a0.fma(b0, c0a);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + A_STRIDE]);
            c1a = a1.fma(b0, c1a);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * A_STRIDE]);
            c2a = a2.fma(b0, c2a);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * A_STRIDE]);
            c3a = a3.fma(b0, c3a);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * A_STRIDE]);
            c4a = a4.fma(b0, c4a);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * A_STRIDE]);
            c5a = a5.fma(b0, c5a);
            ao++;
            bo += NR;
        }
        c0a.intoArray(tile, 0);
        c1a.intoArray(tile, NR);
        c2a.intoArray(tile, 2 * NR);
        c3a.intoArray(tile, 3 * NR);
        c4a.intoArray(tile, 4 * NR);
        c5a.intoArray(tile, 5 * NR);
    }
}
