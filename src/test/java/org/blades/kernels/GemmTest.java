package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every fast GEMM path against the {@link GemmScalar} oracle.
 *
 * <p>Legend: M, N, K = GEMM dimensions (C is M x N, op(A) M x K, op(B) K x N); lda/ldb/ldc =
 * stored row strides; off* = offsets of the views inside their arrays.
 *
 * <p>Tolerance: per element, |fast - oracle| <= 2 (K + 2) u (|alpha| sum_k |a_ik b_kj| + |beta c_ij|)
 * with u = 2^-24 (2^-53 for double): the worst-case bound of two float dot products that differ
 * only in summation order (plus alpha folded into A, one extra rounding). A relative-to-magnitude
 * bound would reject correct results where cancellation makes the entry small.
 */
class GemmTest {

    private static final int[] SIZES = {1, 3, 17, 65, 129, 257};
    private static final float[] ALPHAS = {1f, -0.5f, 2.5f};
    private static final float[] BETAS = {0f, 1f, 0.3f};
    /** Written around the C view; must survive every call. */
    private static final float GUARD = 12345.5f;

    private enum Path { DISPATCH, VECTOR, BLOCKED }

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** One randomised GEMM problem: shapes, strides, offsets, scalars and data. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                           int offA, int lda, int offB, int ldb, int offC, int ldc,
                           float[] a, float[] b, float[] c) {

        static Problem random(SplittableRandom rnd, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, float beta) {
            int aRows = transA ? k : m;
            int aCols = transA ? m : k;
            int bRows = transB ? n : k;
            int bCols = transB ? k : n;
            // sub-matrix views: leading dimensions wider than the view, views not at offset 0
            int lda = Math.max(1, aCols) + rnd.nextInt(4);
            int ldb = Math.max(1, bCols) + rnd.nextInt(4);
            int ldc = Math.max(1, n) + rnd.nextInt(4);
            int offA = rnd.nextInt(6);
            int offB = rnd.nextInt(6);
            int offC = rnd.nextInt(6);
            float[] a = uniform(rnd, offA + aRows * lda + 3); // (aRows, lda) view at offA
            float[] b = uniform(rnd, offB + bRows * ldb + 3); // (bRows, ldb) view at offB
            float[] c = new float[offC + m * ldc + 3]; // (M, ldc) view at offC
            Arrays.fill(c, GUARD);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    // beta == 0 must overwrite C without reading it, so fill it with NaN then
                    c[offC + i * ldc + j] = beta == 0f ? Float.NaN : (float) rnd.nextDouble(-1, 1);
                }
            }
            return new Problem(transA, transB, m, n, k, alpha, beta, offA, lda, offB, ldb, offC, ldc, a, b, c);
        }

        float opA(int i, int p) {
            return transA ? a[offA + p * lda + i] : a[offA + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
        }

        float[] run(Path path) {
            float[] out = c.clone();
            switch (path) {
                case DISPATCH -> Gemm.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, out, offC, ldc);
                case VECTOR -> SgemmVector.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, out, offC, ldc);
                case BLOCKED -> Gemm.sgemmBlocked(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, out, offC, ldc);
            }
            return out;
        }

        float[] oracle() {
            float[] out = c.clone();
            GemmScalar.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, out, offC, ldc);
            return out;
        }

        @Override
        public String toString() {
            return "sgemm(transA=" + transA + ", transB=" + transB + ", M=" + m + ", N=" + n + ", K=" + k
                    + ", alpha=" + alpha + ", beta=" + beta + ", offA=" + offA + ", lda=" + lda + ", offB=" + offB
                    + ", ldb=" + ldb + ", offC=" + offC + ", ldc=" + ldc + ")";
        }
    }

    private static float[] uniform(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    /** Asserts got matches the oracle inside the C view (within the bound) and is untouched outside it. */
    private static void assertClose(Problem p, float[] got, float[] want, String label) {
        double u = 0x1p-24;
        boolean[] inView = new boolean[got.length];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                int idx = p.offC() + i * p.ldc() + j;
                inView[idx] = true;
                double mag = 0;
                for (int q = 0; q < p.k(); q++) {
                    mag += Math.abs((double) p.opA(i, q) * p.opB(q, j));
                }
                double cOld = p.beta() == 0f ? 0 : Math.abs((double) p.beta() * p.c()[idx]);
                double bound = 2.0 * (p.k() + 2) * u * (Math.abs(p.alpha()) * mag + cOld) + Float.MIN_NORMAL;
                double err = Math.abs((double) got[idx] - want[idx]);
                if (!(err <= bound)) {
                    throw new AssertionError(label + " " + p + ": C[" + i + "][" + j + "] = " + got[idx]
                            + " but oracle " + want[idx] + " (|diff| " + err + " = " + (err / bound)
                            + " x the bound " + bound + ")");
                }
            }
        }
        for (int idx = 0; idx < got.length; idx++) {
            if (!inView[idx] && Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(GUARD)) {
                throw new AssertionError(label + " " + p + ": wrote " + got[idx] + " at index " + idx
                        + " outside the C view");
            }
        }
    }

    /** Seeded shapes drawn from SIZES, every transpose combination, alpha and beta. */
    private static List<Problem> problems(long seed, int perCombo) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Problem> out = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            for (int r = 0; r < perCombo; r++) {
                int m = SIZES[rnd.nextInt(SIZES.length)];
                int n = SIZES[rnd.nextInt(SIZES.length)];
                int k = SIZES[rnd.nextInt(SIZES.length)];
                float alpha = ALPHAS[rnd.nextInt(ALPHAS.length)];
                float beta = BETAS[r % BETAS.length];
                out.add(Problem.random(rnd, (t & 1) != 0, (t & 2) != 0, m, n, k, alpha, beta));
            }
        }
        return out;
    }

    @Test
    void dispatchMatchesOracle() {
        for (Problem p : problems(1, 12)) {
            assertClose(p, p.run(Path.DISPATCH), p.oracle(), "Gemm.sgemm");
        }
    }

    @Test
    void vectorPathMatchesOracle() {
        assumeTrue(VectorSupport.ENABLED, "Vector API not available: " + VectorSupport.describe());
        for (Problem p : problems(2, 12)) {
            assertClose(p, p.run(Path.VECTOR), p.oracle(), "SgemmVector.sgemm");
        }
    }

    @Test
    void scalarFallbackMatchesOracle() {
        for (Problem p : problems(3, 8)) {
            assertClose(p, p.run(Path.BLOCKED), p.oracle(), "Gemm.sgemmBlocked");
        }
    }

    /**
     * Every row-panel height the kernels see (full; with the 14-row tile also the 8-row edge kernel
     * and the 9..13 gap; with the 6-row tile padded panels) against every kind of last column panel
     * (one-vector kernel for <= L columns, padded, full).
     */
    @Test
    void vectorPathEveryEdgeSize() {
        assumeTrue(VectorSupport.ENABLED, "Vector API not available: " + VectorSupport.describe());
        SplittableRandom rnd = new SplittableRandom(4);
        int lanes = SgemmVector.NR / 2;
        int[] widths = {1, lanes - 1, lanes, lanes + 1, SgemmVector.NR, SgemmVector.NR + lanes, 2 * SgemmVector.NR + 3};
        for (int m = 1; m <= 2 * SgemmVector.MR + 1; m++) {
            for (int n : widths) {
                Problem p = Problem.random(rnd, rnd.nextBoolean(), rnd.nextBoolean(), m, n, 1 + rnd.nextInt(40), 1f,
                        BETAS[rnd.nextInt(BETAS.length)]);
                assertClose(p, p.run(Path.VECTOR), p.oracle(), "SgemmVector.sgemm");
            }
        }
    }

    /** One of SgemmVector's micro-kernels: tile (height, width) = A panel (height, kc) x B panel (kc, width). */
    private interface MicroKernel {
        void run(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile);
    }

    /**
     * Each micro-kernel, whichever tile this JVM chose (so the 6-row kernels run under AVX-512 too),
     * called on packed panels at offsets and compared with GemmScalar, and bit for bit with its scalar
     * twin: every element a k-ascending fma chain from zero, the order the determinism and packed-operand
     * guarantees rely on. The tile starts as GUARD: the kernel must neither read it nor write outside its
     * (height, width) corner.
     */
    @Test
    void microKernelsMatchScalarTwin() {
        assumeTrue(VectorSupport.ENABLED, "Vector API not available: " + VectorSupport.describe());
        int nr = SgemmVector.NR;
        int lanes = nr / 2;
        int stride = SgemmVector.A_STRIDE;
        record Case(String name, MicroKernel kernel, int height, int width) {}
        List<Case> cases = List.of(
                new Case("kernel6", SgemmVector::kernel6, 6, nr),
                new Case("kernel6Half", SgemmVector::kernel6Half, 6, lanes),
                new Case("kernel14", SgemmVector::kernel14, 14, nr),
                new Case("kernel14Half", SgemmVector::kernel14Half, 14, lanes),
                new Case("kernel8", SgemmVector::kernel8, 8, nr),
                new Case("kernel8Half", SgemmVector::kernel8Half, 8, lanes));
        SplittableRandom rnd = new SplittableRandom(10);
        for (Case kern : cases) {
            for (int depth : new int[] {1, 2, 7, SgemmVector.KC - 1, SgemmVector.KC}) {
                int ao = rnd.nextInt(5);
                int bo = rnd.nextInt(5);
                float[] ap = uniform(rnd, ao + kern.height() * stride); // (height, A_STRIDE) at ao
                float[] bp = uniform(rnd, bo + depth * nr); // (depth, NR) at bo
                float[] tile = new float[kern.height() * nr]; // (height, NR)
                Arrays.fill(tile, GUARD);
                Problem p = new Problem(false, false, kern.height(), kern.width(), depth, 1f, 0f, ao, stride, bo, nr,
                        0, nr, ap, bp, tile);
                float[] got = tile.clone();
                kern.kernel().run(depth, ap, ao, bp, bo, got);
                String label = kern.name() + " kc=" + depth;
                assertClose(p, got, p.oracle(), label);
                for (int i = 0; i < kern.height(); i++) {
                    for (int j = 0; j < kern.width(); j++) {
                        float sum = 0f;
                        for (int k = 0; k < depth; k++) {
                            sum = Math.fma(ap[ao + i * stride + k], bp[bo + k * nr + j], sum);
                        }
                        assertThat(got[i * nr + j]).as("%s tile[%d][%d]", label, i, j).isEqualTo(sum);
                    }
                }
            }
        }
    }

    /** The tile follows the vector width unless the system property forces one; a bad value names the property. */
    @Test
    void registerTileFollowsVectorWidth() {
        assumeTrue(VectorSupport.ENABLED, "Vector API not available: " + VectorSupport.describe());
        assertThat(SgemmVector.tileRows(16, null)).isEqualTo(14);
        assertThat(SgemmVector.tileRows(8, null)).isEqualTo(6);
        assertThat(SgemmVector.tileRows(8, "14x2")).isEqualTo(14);
        assertThat(SgemmVector.tileRows(16, "6x2")).isEqualTo(6);
        assertThatThrownBy(() -> SgemmVector.tileRows(16, "8x3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SgemmVector.TILE_PROPERTY).hasMessageContaining("8x3");
        assertThat(SgemmVector.MR).isEqualTo(SgemmVector.tileRows(SgemmVector.floatLanes(),
                System.getProperty(SgemmVector.TILE_PROPERTY)));
        assertThat(SgemmVector.MR_EDGE).isEqualTo(SgemmVector.MR == 14 ? 8 : SgemmVector.MR);
    }

    /**
     * Spans several K slices and blocks of op(B) in K and N (beta applied on the first only), with
     * op(B) packed once and shared (several row chunks) or packed per task (a single row chunk).
     */
    @Test
    void vectorPathAcrossSlicesAndBlocks() {
        assumeTrue(VectorSupport.ENABLED, "Vector API not available: " + VectorSupport.describe());
        SplittableRandom rnd = new SplittableRandom(5);
        int tallM = 2 * SgemmVector.TASK_ROW_PANELS * SgemmVector.MR + 37;
        int deepK = SgemmVector.KB + SgemmVector.KC + 5;
        int wideN = SgemmVector.NB + SgemmVector.NR + 3;
        for (float beta : new float[] {0f, 0.3f}) {
            List<Problem> ps = List.of(
                    Problem.random(rnd, false, true, tallM, 20, deepK, 1.5f, beta),
                    Problem.random(rnd, true, false, 20, wideN, 3 * SgemmVector.KC + 1, 1f, beta),
                    Problem.random(rnd, false, false, 30, 100, 2 * SgemmVector.KC + 7, -1f, beta));
            for (Problem p : ps) {
                assertClose(p, p.run(Path.VECTOR), p.oracle(), "SgemmVector.sgemm");
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        SplittableRandom rnd = new SplittableRandom(6);
        List<Problem> ps = new ArrayList<>();
        // big enough for the parallel paths (2*M*N*K >= Gemm.PARALLEL_MIN_FLOPS)
        ps.add(Problem.random(rnd, false, false, 257, 129, 65, 1f, 0f));
        ps.add(Problem.random(rnd, true, false, 129, 257, 257, -0.5f, 1f));
        ps.add(Problem.random(rnd, false, true, 65, 1029, 129, 2.5f, 0.3f));
        ps.add(Problem.random(rnd, true, true, 300, 200, 600, 1f, 0f));
        for (Problem p : ps) {
            for (Path path : Path.values()) {
                if (path == Path.VECTOR && !VectorSupport.ENABLED) {
                    continue;
                }
                Parallel.setThreads(1);
                float[] one = p.run(path);
                Parallel.setThreads(2);
                float[] two = p.run(path);
                Parallel.setThreads(3);
                float[] three = p.run(path);
                assertThat(two).as("%s %s, 2 threads vs 1", path, p).isEqualTo(one);
                assertThat(three).as("%s %s, 3 threads vs 1", path, p).isEqualTo(one);
            }
        }
    }

    /**
     * An operand packed once by Gemm.packA gives the same bits as the unpacked call: over edge panels, several K
     * slices and blocks, transposed and plain A and B, every beta, alpha 0 (B's NaN must not reach C), reused for
     * several products, and with the pool busy (a GEMM inside a parallel task plans for one thread).
     */
    @Test
    void packedOperandMatchesUnpackedBitForBit() {
        SplittableRandom rnd = new SplittableRandom(9);
        int deepK = VectorSupport.ENABLED ? SgemmVector.KB + SgemmVector.KC + 5 : 600;
        int[][] shapes = {{1, 1, 1}, {9, 33, 17}, {15, 49, 300}, {64, 196, 576}, {29, 100, deepK}, {130, 70, 257}};
        for (int[] mnk : shapes) {
            for (boolean transA : new boolean[] {false, true}) {
                for (float alpha : new float[] {1f, -0.5f, 0f}) {
                    Problem first = Problem.random(rnd, transA, rnd.nextBoolean(), mnk[0], mnk[1], mnk[2], alpha,
                            BETAS[rnd.nextInt(BETAS.length)]);
                    if (alpha == 0f) {
                        first.b()[first.offB()] = Float.NaN;
                    }
                    PackedMatrix packed = Gemm.packA(transA, mnk[0], mnk[2], alpha, first.a(), first.offA(),
                            first.lda());
                    assertThat(packed.rows()).isEqualTo(mnk[0]);
                    assertThat(packed.depth()).isEqualTo(mnk[2]);
                    for (int use = 0; use < 2; use++) {
                        // the second product reuses A with a new B and C
                        Problem p = use == 0 ? first : new Problem(transA, !first.transB(), first.m(), first.n(),
                                first.k(), alpha, first.beta(), first.offA(), first.lda(), 0, first.transB()
                                ? first.n() : first.k(), first.offC(), first.ldc(),
                                first.a(), uniform(rnd, first.k() * first.n()), first.c());
                        float[] want = p.run(Path.DISPATCH);
                        float[] got = p.c().clone();
                        Gemm.sgemm(packed, p.transB(), p.n(), p.b(), p.offB(), p.ldb(), p.beta(), got, p.offC(),
                                p.ldc());
                        assertThat(got).as("packed %s", p).isEqualTo(want);
                        float[] nested = p.c().clone();
                        Parallel.parallelFor(2, t -> {
                            if (t == 0) {
                                Gemm.sgemm(packed, p.transB(), p.n(), p.b(), p.offB(), p.ldb(), p.beta(), nested,
                                        p.offC(), p.ldc());
                            }
                        });
                        assertThat(nested).as("packed inside a parallel task %s", p).isEqualTo(want);
                    }
                }
            }
        }
        assertThatThrownBy(() -> Gemm.packA(false, 3, 4, 1f, new float[11], 0, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("packA");
    }

    /**
     * A matrix packed for repeated use runs products with a narrow op(B) as C^T = op(B)^T A^T, and they give the
     * unpacked call's bits: N = NR + 1 and L + 1 (which pay under either register tile), ResNet-50's 512 x 49 x
     * 4608 (pays with the 14-row tile), across K slices and blocks and with C^T wider than one column block
     * (M > NB), both layouts of B, alpha folded into A, C
     * pre-filled with NaN (beta 0 must not read it), 1 and 2 threads and inside a busy pool. Beta other than 0, a
     * width the tile fits exactly and a 1 x 1 product keep the direct product, with the same bits as well.
     */
    @Test
    void packedForRepeatedUseRunsNarrowProductsTransposedBitForBit() {
        SplittableRandom rnd = new SplittableRandom(10);
        int nr = VectorSupport.ENABLED ? SgemmVector.NR : 32;
        int lanes = nr / 2;
        int deepK = VectorSupport.ENABLED ? SgemmVector.KB + SgemmVector.KC + 5 : 600;
        boolean wideTile = VectorSupport.ENABLED && SgemmVector.MR == 14;
        int wideM = (VectorSupport.ENABLED ? SgemmVector.NB : 2048) + nr + 3; // C^T in two column blocks
        int[][] narrow = {{4 * nr, nr + 1, deepK}, {3 * nr + 5, lanes + 1, 1000}, {wideM, nr + 1, 1000}};
        int[][] shapes = {narrow[0], narrow[1], narrow[2], {512, 49, 4608}, {70, 2 * nr, 257}, {1, 1, 7}};
        for (int[] mnk : shapes) {
            boolean expectTransposed = Arrays.asList(narrow).contains(mnk) || wideTile && mnk[1] == 49;
            if (VectorSupport.ENABLED) {
                assertThat(SgemmVector.transposedPays(mnk[0], mnk[1], mnk[2])).as("transposed pays for %s",
                        Arrays.toString(mnk)).isEqualTo(expectTransposed);
            }
            for (boolean transB : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f}) {
                    Problem p = Problem.random(rnd, false, transB, mnk[0], mnk[1], mnk[2], -0.5f, beta);
                    PackedMatrix packed = Gemm.packA(false, p.m(), p.k(), p.alpha(), p.a(), p.offA(), p.lda())
                            .forRepeatedUse();
                    float[] want = p.run(Path.DISPATCH);
                    for (int threads : new int[] {1, 2}) {
                        Parallel.setThreads(threads);
                        float[] got = p.c().clone();
                        Gemm.sgemm(packed, transB, p.n(), p.b(), p.offB(), p.ldb(), beta, got, p.offC(), p.ldc());
                        assertThat(got).as("%d threads %s", threads, p).isEqualTo(want);
                    }
                    float[] nested = p.c().clone();
                    Parallel.parallelFor(2, t -> {
                        if (t == 0) {
                            Gemm.sgemm(packed, transB, p.n(), p.b(), p.offB(), p.ldb(), beta, nested, p.offC(),
                                    p.ldc());
                        }
                    });
                    assertThat(nested).as("inside a parallel task %s", p).isEqualTo(want);
                    if (VectorSupport.ENABLED && expectTransposed && beta == 0f) {
                        assertThat(packed.transposedPanels()).as("A^T is packed once")
                                .isSameAs(packed.transposedPanels());
                    }
                }
            }
        }
    }

    /** Runs one double path: DISPATCH = Gemm.dgemm, VECTOR = DgemmVector, BLOCKED = Gemm.dgemmBlocked. */
    private static void dgemm(Path path, boolean transA, boolean transB, int m, int n, int k, double alpha,
                              double[] a, int offA, int lda, double[] b, int offB, int ldb,
                              double beta, double[] c, int offC, int ldc) {
        switch (path) {
            case DISPATCH -> Gemm.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            case VECTOR -> DgemmVector.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            case BLOCKED -> Gemm.dgemmBlocked(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        }
    }

    @Test
    void dgemmMatchesOracleAndIsDeterministic() {
        SplittableRandom rnd = new SplittableRandom(7);
        double u = 0x1p-53;
        for (Path path : Path.values()) {
            if (path == Path.VECTOR && !VectorSupport.ENABLED) {
                continue;
            }
            for (int t = 0; t < 4; t++) {
                for (int r = 0; r < 5; r++) {
                    boolean transA = (t & 1) != 0;
                    boolean transB = (t & 2) != 0;
                    int m = SIZES[rnd.nextInt(SIZES.length)];
                    int n = SIZES[rnd.nextInt(SIZES.length)];
                    int k = SIZES[rnd.nextInt(SIZES.length)];
                    double alpha = ALPHAS[rnd.nextInt(ALPHAS.length)];
                    double beta = BETAS[r % BETAS.length];
                    int lda = (transA ? m : k) + rnd.nextInt(3);
                    int ldb = (transB ? k : n) + rnd.nextInt(3);
                    int ldc = n + rnd.nextInt(3);
                    int offA = rnd.nextInt(4);
                    int offB = rnd.nextInt(4);
                    int offC = rnd.nextInt(4);
                    double[] a = rnd.doubles(offA + (long) (transA ? k : m) * lda, -1, 1).toArray(); // (rows, lda)
                    double[] b = rnd.doubles(offB + (long) (transB ? n : k) * ldb, -1, 1).toArray(); // (rows, ldb)
                    double[] c = new double[offC + m * ldc]; // (M, ldc)
                    Arrays.fill(c, beta == 0 ? Double.NaN : 0.25);
                    double[] want = c.clone();
                    GemmScalar.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, want, offC, ldc);
                    Parallel.setThreads(1);
                    double[] one = c.clone();
                    dgemm(path, transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, one, offC, ldc);
                    Parallel.setThreads(2);
                    double[] two = c.clone();
                    dgemm(path, transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, two, offC, ldc);
                    String what = path + " dgemm transA=" + transA + " transB=" + transB
                            + " M=" + m + " N=" + n + " K=" + k;
                    assertThat(two).as("%s, 2 threads vs 1", what).isEqualTo(one);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            int idx = offC + i * ldc + j;
                            double mag = 0;
                            for (int q = 0; q < k; q++) {
                                double av = transA ? a[offA + q * lda + i] : a[offA + i * lda + q];
                                double bv = transB ? b[offB + j * ldb + q] : b[offB + q * ldb + j];
                                mag += Math.abs(av * bv);
                            }
                            double cOld = beta == 0 ? 0 : Math.abs(beta * c[idx]);
                            double bound = 2.0 * (k + 2) * u * (Math.abs(alpha) * mag + cOld) + Double.MIN_NORMAL;
                            assertThat(Math.abs(one[idx] - want[idx])).as("%s C[%d][%d]", what, i, j)
                                    .isLessThanOrEqualTo(bound);
                        }
                    }
                }
            }
        }
    }

    /** Degenerate shapes follow BLAS: K == 0 or alpha == 0 give C = beta * C; M or N == 0 touch nothing. */
    @Test
    void degenerateShapes() {
        for (Path path : Path.values()) {
            if (path == Path.VECTOR && !VectorSupport.ENABLED) {
                continue;
            }
            SplittableRandom rnd = new SplittableRandom(8);
            Problem kZero = Problem.random(rnd, false, false, 5, 7, 0, 1f, 0.5f);
            assertClose(kZero, kZero.run(path), kZero.oracle(), path + " K=0");
            Problem kZeroBetaZero = Problem.random(rnd, true, true, 5, 7, 0, 1f, 0f);
            float[] zeroed = kZeroBetaZero.run(path);
            assertThat(zeroed[kZeroBetaZero.offC()]).isEqualTo(0f);
            Problem alphaZero = Problem.random(rnd, false, true, 9, 4, 6, 0f, 1f);
            assertClose(alphaZero, alphaZero.run(path), alphaZero.oracle(), path + " alpha=0");
            Problem mZero = Problem.random(rnd, false, false, 0, 4, 6, 1f, 0f);
            assertThat(mZero.run(path)).isEqualTo(mZero.c());
        }
    }

    @Test
    void rejectsBadArguments() {
        float[] a = new float[6]; // (2, 3)
        float[] b = new float[12]; // (3, 4)
        float[] c = new float[8]; // (2, 4)
        assertThatThrownBy(() -> Gemm.sgemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sgemm")
                .hasMessageContaining("C 2x4")
                .hasMessageContaining("length 8");
        assertThatThrownBy(() -> Gemm.sgemm(false, false, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f, c, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lda 2 < max(1, 3)");
        assertThatThrownBy(() -> Gemm.sgemmBlocked(false, true, 2, 4, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ldb 2 < max(1, 3)");
        assertThatThrownBy(() -> GemmScalar.dgemm(false, false, -1, 4, 3, 1.0, new double[6], 0, 3,
                new double[12], 0, 4, 0.0, new double[8], 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dgemm")
                .hasMessageContaining("must be >= 0");
    }

    @Test
    void describesTheKernelChoice() {
        assertThat(VectorSupport.describe()).isNotBlank();
        if (VectorSupport.ENABLED) {
            assertThat(VectorSupport.describe()).startsWith("Vector API, ").endsWith(" float lanes");
        } else {
            assertThat(VectorSupport.describe()).startsWith("scalar (");
        }
    }
}
