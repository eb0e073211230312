package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.blades.kernels.GemmScalar;
import org.blades.opencl.OpenClKernels.GemmPath;
import org.blades.opencl.OpenClKernels.MatrixArg;
import org.junit.jupiter.api.Test;

// M, N, K = GEMM dimensions (C (M, N) = op(A) (M, K) op(B) (K, N)); BATCH = products per call.

/**
 * Both GEMM paths (the tiled GPU kernel and the packed CPU kernels, whichever device runs the test) against
 * GemmScalar.sgemm on every combination of odd sizes, all four transpositions, padded leading dimensions, offsets,
 * alpha/beta and batches.
 *
 * <p>Tolerance: both the kernel and the oracle sum K products in float, in different orders; each is within
 * K * 2^-24 * sum_k |a_ik b_kj| of the exact value (the standard bound for a float dot product), so they may differ
 * by twice that, plus 1e-6 for the beta term.
 */
class GemmKernelTest {

    private static final int[] SIZES = {1, 3, 17, 65, 129};

    @Test
    void everyPathMatchesTheScalarOracleOnOddShapes() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(7);
        int cases = 0;
        for (GemmPath path : new GemmPath[] {GemmPath.TILED, GemmPath.PACKED}) {
            for (int m : SIZES) {
                for (int n : SIZES) {
                    for (int kk : SIZES) {
                        // all transpositions on a quarter of the shapes, one (rotating) on the rest: a short run
                        int t0 = (m + 3 * n + 7 * kk) % 4;
                        for (int t = 0; t < 4; t++) {
                            if (t != t0 && (m * n * kk) % 4 != 1) {
                                continue;
                            }
                            check(k, path, rng, t / 2 == 1, t % 2 == 1, m, n, kk, 1, 1f, 0f);
                            cases++;
                        }
                    }
                }
            }
        }
        assertThat(cases).isGreaterThan(250);
    }

    @Test
    void alphaBetaAndBatchesWithSharedOperands() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(11);
        for (GemmPath path : new GemmPath[] {GemmPath.TILED, GemmPath.PACKED}) {
            check(k, path, rng, false, true, 17, 65, 3, 3, 0.5f, -2f);
            check(k, path, rng, true, false, 65, 1, 129, 2, -1.5f, 1f);
            check(k, path, rng, true, true, 3, 17, 17, 4, 1f, 0.25f);
        }
    }

    @Test
    void kZeroScalesC() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(13);
        check(k, GemmPath.AUTO, rng, false, false, 17, 3, 0, 1, 1f, 0.5f);
        check(k, GemmPath.AUTO, rng, false, false, 3, 17, 0, 1, 1f, 0f);
    }

    @Test
    void betaZeroDoesNotReadC() {
        OpenClKernels k = OpenClTestSupport.kernels();
        for (GemmPath path : new GemmPath[] {GemmPath.TILED, GemmPath.PACKED}) {
            DeviceBuffer a = k.device().upload(new float[] {1, 2, 3, 4}); // (2, 2)
            DeviceBuffer b = k.device().upload(new float[] {1, 0, 0, 1}); // (2, 2) identity
            DeviceBuffer c = k.device().upload(new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN});
            k.sgemmBatched(path, false, false, 2, 2, 2, 1, 1f, new MatrixArg(a, 0, 2, 0), new MatrixArg(b, 0, 2, 0),
                    0f, new MatrixArg(c, 0, 2, 0));
            assertThat(c.download()).as(path.name()).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void kernelTimesAreSummedOnlyWhileProfiling() {
        OpenClKernels k = OpenClTestSupport.kernels();
        DeviceBuffer a = k.device().upload(OpenClTestSupport.uniform(new SplittableRandom(17), 65 * 65, -1, 1));
        DeviceBuffer c = k.device().allocate(65 * 65);
        k.profileKernels(true);
        k.sgemm(false, false, 65, 65, 65, 1f, a, 0, 65, a, 0, 65, 0f, c, 0, 65);
        assertThat(k.kernelNanos()).isPositive();
        k.profileKernels(false);
        k.sgemm(false, false, 65, 65, 65, 1f, a, 0, 65, a, 0, 65, 0f, c, 0, 65);
        assertThat(k.kernelNanos()).isZero();
    }

    @Test
    void rejectsOutOfRangeOperandsNamingTheShapes() {
        OpenClKernels k = OpenClTestSupport.kernels();
        DeviceBuffer a = k.device().allocate(6);
        DeviceBuffer c = k.device().allocate(9);
        DeviceBuffer b = k.device().allocate(6);
        assertThatThrownBy(() -> k.sgemm(false, false, 2, 3, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sgemm: op(A) 2x3, op(B) 3x3, C 2x3, batch 1: stored B 3x3 needs element 8 but the "
                        + "buffer has 6");
        assertThatThrownBy(() -> k.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, a, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output buffer is also an input");
    }

    /** One (batched) product through path, against GemmScalar per batch entry, with padded ld and offsets. */
    private static void check(OpenClKernels k, GemmPath path, SplittableRandom rng, boolean transA, boolean transB,
                              int m, int n, int kk, int batch, float alpha, float beta) {
        int aRows = transA ? kk : m;
        int aCols = transA ? m : kk;
        int bRows = transB ? n : kk;
        int bCols = transB ? kk : n;
        int lda = aCols + 2;
        int ldb = bCols + 1;
        int ldc = n + 3;
        int offA = 5;
        int offB = 2;
        int offC = 7;
        int strideA = aRows * lda + 4;
        int strideB = batch > 2 ? 0 : bRows * ldb; // batch 3 and 4 share B: a weight used by every entry
        int strideC = m * ldc + 1;
        float[] a = OpenClTestSupport.uniform(rng, offA + batch * strideA, -1, 1);
        float[] b = OpenClTestSupport.uniform(rng, offB + Math.max(1, batch * strideB) + bRows * ldb, -1, 1);
        float[] c = OpenClTestSupport.uniform(rng, offC + batch * strideC, -1, 1);
        float[] expected = c.clone();
        double[] bound = new double[c.length]; // (len C) the allowed difference per element
        for (int e = 0; e < batch; e++) {
            GemmScalar.sgemm(transA, transB, m, n, kk, alpha, a, offA + e * strideA, lda, b, offB + e * strideB, ldb,
                    beta, expected, offC + e * strideC, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double abs = 0;
                    for (int p = 0; p < kk; p++) {
                        float av = transA ? a[offA + e * strideA + p * lda + i] : a[offA + e * strideA + i * lda + p];
                        float bv = transB ? b[offB + e * strideB + j * ldb + p] : b[offB + e * strideB + p * ldb + j];
                        abs += Math.abs((double) av * bv);
                    }
                    bound[offC + e * strideC + i * ldc + j] = 2.0 * kk * 0x1p-24 * Math.abs(alpha) * abs + 1e-6;
                }
            }
        }
        DeviceBuffer da = k.device().upload(a);
        DeviceBuffer db = k.device().upload(b);
        DeviceBuffer dc = k.device().upload(c);
        k.sgemmBatched(path, transA, transB, m, n, kk, batch, alpha, new MatrixArg(da, offA, lda, strideA),
                new MatrixArg(db, offB, ldb, strideB), beta, new MatrixArg(dc, offC, ldc, strideC));
        float[] actual = dc.download();
        for (int i = 0; i < c.length; i++) {
            // elements outside every C block (padding, offsets) must be untouched: bound 0 there
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= bound[i])) {
                throw new AssertionError(String.format("sgemm %s trans(%b, %b) M %d N %d K %d batch %d alpha %s "
                        + "beta %s: C[%d] = %s, oracle %s, |diff| %.3e > bound %.3e", path, transA, transB, m, n, kk,
                        batch, alpha, beta, i, actual[i], expected[i], diff, bound[i]));
            }
        }
        da.close();
        db.close();
        dc.close();
    }
}
