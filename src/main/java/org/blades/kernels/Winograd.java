package org.blades.kernels;

import java.util.Arrays;

// C = input channels, O = output channels, H/W = image height/width (input and output: stride 1, padding 1),
// TH = ceil(H/2), TW = ceil(W/2) tiles per image column / row, TT = TH*TW tiles per image, T = tiles of all
// images in one GEMM (image j at columns [j*TT, (j+1)*TT), tile (i, k) of an image at column i*TW + k),
// e = 4*r + s one of the 16 positions (r, s) of a 4x4 transformed tile, P = TW + 1.

/**
 * Winograd's minimal filtering F(2x2, 3x3) for a 3x3, stride-1, padding-1 convolution (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016, eq. 8): {@code Y = A^T [(G g G^T) . (B^T d B)] A} per
 * 4x4 input tile d (a 2x2 output tile), with
 * <pre>
 *   G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]            (4, 3)
 *   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]         (4, 4)
 *   A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]                                         (2, 4)
 * </pre>
 * Summed over input channels, the element-wise product becomes 16 independent GEMMs (eq. 12):
 * {@code M_e (O, T) = U_e (O, C) @ V_e (C, T)} with {@code U = G g G^T} per (o, c) ({@link #weights}) and
 * {@code V = B^T d B} per (c, tile) ({@link #inputPlane}); {@link #outputPlane} then forms {@code A^T M A}. The
 * GEMMs sum C products instead of 9C: 2.25 times fewer multiplies than im2col + GEMM. The weight gradient is
 * the adjoint of the same pipeline: {@code dM = A dY A^T} per tile ({@link #outputPlaneAdjoint}), the GEMMs
 * {@code dU_e (O, C) += dM_e (O, T) @ V_e (C, T)^T}, and {@code dw += G^T dU G} ({@link #weightsAdjoint}).
 *
 * <p>Tiles: tile (i, k) reads input rows 2i-1 .. 2i+2 and columns 2k-1 .. 2k+2 (zero outside the image: the
 * padding, and the overhang past the bottom/right edge when H or W is odd) and writes output rows 2i, 2i+1 and
 * columns 2k, 2k+1 (those inside the image).
 *
 * <p>Speed: the transforms run over a whole plane's tiles at once rather than tile by tile. The input transform
 * first forms {@code d B} along each input row (four values per tile from columns 2k-1 .. 2k+2) and stores the
 * rows by parity, so that {@code B^T (d B)} for every tile of the plane is one pass per e over contiguous rows at
 * t and t + TW; the output transform forms {@code A^T m} and {@code (A^T m) A} the same way and interleaves the
 * even and odd output columns at the end. {@link WinogradScalar} computes the same per tile with the same
 * operations in the same order (B and A hold only 0 and +-1, G also 1/2), so the two agree bit for bit. The
 * 16 blocks U_e, V_e, M_e are laid out {@link #blockStride} apart.
 *
 * <p>Scratch: one plane's {@code d B} rows (or {@code A^T m} and {@code (A^T m) A}) live in a small per-thread
 * array (about 50 KiB for a 56x56 plane), reused across calls.
 */
public final class Winograd {
    private Winograd() {
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Whether the convolution is one Winograd F(2x2, 3x3) computes: a 3x3 kernel, stride 1, padding 1. */
    public static boolean applies(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 1
                && g.padW() == 1;
    }

    /** TH or TW: tiles along a side of n pixels. */
    public static int tiles(int n) {
        return (n + 1) / 2;
    }

    /**
     * The distance between consecutive U_e, V_e or M_e blocks of n floats each: n rounded up to whole cache lines
     * plus one line. Blocks a multiple of 4 KiB apart (64 x 64 weights, 64 channels x 784 tiles) would put the
     * 16 element-wise streams of a transform into the same cache sets: 7 times slower stores, measured.
     */
    public static int blockStride(int n) {
        return ((n + 15) & ~15) + 16;
    }

    /** TT: tiles per image. */
    public static int tilesPerImage(ConvGeometry g) {
        return tiles(g.height()) * tiles(g.width());
    }

    // ----------------------------------------------------------------------------------------------
    // Weights: U = G g G^T

    /**
     * U_e[o, c] = (G w[o, c] G^T)[e] for o in [o0, o1).
     *
     * @param w (O, C, 3, 3)
     * @param u (16, eStride): U_e (O, C) at e*eStride, rows [o0, o1) written; eStride = {@link #blockStride}(O*C)
     */
    public static void weights(float[] w, int O, int C, float[] u, int eStride, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            for (int c = 0; c < C; c++) {
                transformWeight(w, (o * C + c) * 9, false, u, o * C + c, eStride);
            }
        }
    }

    /**
     * The transform of the input gradient's weights {@code w'[c, o] = rot180(w[o, c])} (the kernel transposed and
     * turned by 180 degrees: {@code dx = conv(dy, w')} for a stride-1, padding-1 3x3 convolution):
     * U'_e[c, o] = (G w'[c, o] G^T)[e] for c in [c0, c1).
     *
     * @param w (O, C, 3, 3)
     * @param u (16, eStride): U'_e (C, O) at e*eStride, rows [c0, c1) written; eStride = {@link #blockStride}(O*C)
     */
    public static void weightsRotated(float[] w, int O, int C, float[] u, int eStride, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < O; o++) {
                transformWeight(w, (o * C + c) * 9, true, u, c * O + o, eStride);
            }
        }
    }

    /**
     * One 3x3 kernel g (read turned by 180 degrees when rotated) to u[uOff + e*eStride] = (G g G^T)[e]:
     * {@code t = G g} column by column, then {@code t G^T} row by row, G's halves as {@code ((a + b) * 0.5)}.
     */
    static void transformWeight(float[] w, int wOff, boolean rotated, float[] u, int uOff, int eStride) {
        int first = rotated ? wOff + 8 : wOff;
        int step = rotated ? -1 : 1;
        float g0 = w[first];
        float g1 = w[first + step];
        float g2 = w[first + 2 * step];
        float g3 = w[first + 3 * step];
        float g4 = w[first + 4 * step];
        float g5 = w[first + 5 * step];
        float g6 = w[first + 6 * step];
        float g7 = w[first + 7 * step];
        float g8 = w[first + 8 * step];
        // t = G g: (4, 3), rows g0..g2, t1, t2, g6..g8
        float a0 = g0 + g6;
        float a1 = g1 + g7;
        float a2 = g2 + g8;
        float t10 = (a0 + g3) * 0.5f;
        float t11 = (a1 + g4) * 0.5f;
        float t12 = (a2 + g5) * 0.5f;
        float t20 = (a0 - g3) * 0.5f;
        float t21 = (a1 - g4) * 0.5f;
        float t22 = (a2 - g5) * 0.5f;
        // U = t G^T: (4, 4), row r from t's row r
        rowTimesGt(g0, g1, g2, u, uOff, eStride);
        rowTimesGt(t10, t11, t12, u, uOff + 4 * eStride, eStride);
        rowTimesGt(t20, t21, t22, u, uOff + 8 * eStride, eStride);
        rowTimesGt(g6, g7, g8, u, uOff + 12 * eStride, eStride);
    }

    private static void rowTimesGt(float t0, float t1, float t2, float[] u, int uOff, int eStride) {
        float a = t0 + t2;
        u[uOff] = t0;
        u[uOff + eStride] = (a + t1) * 0.5f;
        u[uOff + 2 * eStride] = (a - t1) * 0.5f;
        u[uOff + 3 * eStride] = t2;
    }

    // ----------------------------------------------------------------------------------------------
    // Input: V = B^T d B

    /**
     * V of one channel plane: {@code v[vOff + e*eStride + i*TW + k] = (B^T d_ik B)[e]} for every tile (i, k).
     * First {@code d B} along each input row (its four values per tile from the row's columns 2k-1 .. 2k+2),
     * stored by row parity: tile row i's input rows 2i-1, 2i, 2i+1, 2i+2 are then rows i and i+1 of the even
     * and the odd set, so {@code B^T (d B)} is one pass over the whole plane per e, reading at t and t + TW.
     * For {@code d B} each row is split into its even and odd columns, Xe[k] = x[2k] and Xo[k] = x[2k+1] (tile
     * k's columns 2k-1 .. 2k+2 are Xo[k-1], Xe[k], Xo[k], Xe[k+1]): then each of the four formulas is one pass
     * over all rows of both parity sets, reading at t - 1, t and t + 1; only the first and the last tile of a
     * row, where t - 1 and t + 1 cross into the neighbouring row instead of the zero padding, are redone.
     *
     * @param x (H, W) plane at xOff
     * @param v (16, eStride) at vOff: TT columns of each V_e row written
     */
    public static void inputPlane(float[] x, int xOff, int H, int W, float[] v, int vOff, int eStride) {
        int TH = tiles(H);
        int TW = tiles(W);
        int TT = TH * TW;
        int rowSet = (TH + 1) * TW; // one parity set of padded rows: (TH + 1, TW)
        int rows = 2 * (TH + 1); // padded rows -1 .. 2*TH, stored by parity
        int xo = 1; // Xo: (2, TH + 1, TW), after one slot that the first tile's t - 1 reads
        int xe = xo + 2 * rowSet; // Xe: (2, TH + 1, TW), followed by a slot that the last tile's t + 1 reads
        int db = xe + 2 * rowSet; // d B: (4, 2, TH + 1, TW), [column q of the tile][row parity]
        float[] s = scratch(db + 8 * rowSet);
        for (int pr = 0; pr < rows; pr++) {
            int r = pr - 1; // input rows -1 .. 2*TH
            int dst = (pr & 1) * rowSet + (pr >> 1) * TW;
            if (r < 0 || r >= H) {
                Arrays.fill(s, xo + dst, xo + dst + TW, 0f);
                Arrays.fill(s, xe + dst, xe + dst + TW, 0f);
                continue;
            }
            ArrayKernels.deinterleave(s, xe + dst, s, xo + dst, x, xOff + r * W, W);
            if ((W & 1) != 0) {
                s[xo + dst + TW - 1] = 0f; // column W, past the right edge
            }
        }
        int n = 2 * rowSet;
        ArrayKernels.sub(s, db, s, xo - 1, s, xo, n); // d0 - d2
        ArrayKernels.sum(s, db + n, s, xe, s, xo, n); // d1 + d2
        ArrayKernels.sub(s, db + 2 * n, s, xo, s, xe, n); // d2 - d1
        ArrayKernels.sub(s, db + 3 * n, s, xe, s, xe + 1, n); // d1 - d3
        for (int j = 0; j < rows; j++) {
            // d0 of the first tile and d3 of the last are the zero padding
            int first = j * TW;
            int last = first + TW - 1;
            s[db + first] = 0f - s[xo + first];
            s[db + 3 * n + last] = s[xe + last] - 0f;
        }
        for (int q = 0; q < 4; q++) {
            // B^T (d B), column q of the tile: even rows i, i+1 and odd rows i, i+1 at t and t + TW
            int e0 = db + q * n;
            int o0 = e0 + rowSet;
            int dst = vOff + q * eStride;
            ArrayKernels.sub(v, dst, s, e0, s, e0 + TW, TT);
            ArrayKernels.sum(v, dst + 4 * eStride, s, o0, s, e0 + TW, TT);
            ArrayKernels.sub(v, dst + 8 * eStride, s, e0 + TW, s, o0, TT);
            ArrayKernels.sub(v, dst + 12 * eStride, s, o0, s, o0 + TW, TT);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Output: Y = A^T M A

    /**
     * One output channel plane from its M values: {@code y[yOff + (2i+a)*W + 2k+b] = (A^T m_ik A)[a, b]} with
     * {@code m_ik[e] = m[mOff + e*eStride + i*TW + k]}, pixels outside the image dropped. Both products run over
     * the whole plane's tiles at once; the even and odd columns are then interleaved row by row.
     *
     * @param m (16, eStride) at mOff: TT columns of each M_e row read
     * @param y (H, W) plane at yOff, overwritten
     */
    public static void outputPlane(float[] m, int mOff, int eStride, int H, int W, float[] y, int yOff) {
        int TH = tiles(H);
        int TW = tiles(W);
        int TT = TH * TW;
        float[] s = scratch(12 * TT); // p = A^T m: (2, 4, TT), then y = p A: (2, 2, TT), [a][even, odd]
        for (int q = 0; q < 4; q++) {
            int m0 = mOff + q * eStride;
            int m1 = m0 + 4 * eStride;
            int m2 = m1 + 4 * eStride;
            int m3 = m2 + 4 * eStride;
            int p0 = q * TT;
            int p1 = (4 + q) * TT;
            ArrayKernels.sum3(s, p0, m, m0, m, m1, m, m2, TT);
            ArrayKernels.sub3(s, p1, m, m1, m, m2, m, m3, TT);
        }
        for (int a = 0; a < 2; a++) {
            int pa = 4 * a * TT;
            int ye = (8 + 2 * a) * TT;
            int yo = ye + TT;
            ArrayKernels.sum3(s, ye, s, pa, s, pa + TT, s, pa + 2 * TT, TT);
            ArrayKernels.sub3(s, yo, s, pa + TT, s, pa + 2 * TT, s, pa + 3 * TT, TT);
        }
        for (int r = 0; r < H; r++) {
            int ye = (8 + 2 * (r & 1)) * TT + (r >> 1) * TW;
            ArrayKernels.interleave(y, yOff + r * W, s, ye, s, ye + TT, W);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Weight gradient: the adjoints of Y = A^T M A and U = G g G^T

    /**
     * The adjoint of {@link #outputPlane} for one output channel plane: {@code dM_ik = A dY_ik A^T} with dY_ik the
     * 2x2 dy pixels of tile (i, k), zero outside the image (the forward pass dropped those outputs), written to
     * {@code m[mOff + e*eStride + i*TW + k]}. Rows 0 and 3 of dM are {@code h0 = (dY A^T)} of the tile's even
     * dy row and {@code h1 = -(dY A^T)} of its odd one (A takes row 1 of {@code dY A^T} times 1, -1, -1 into its
     * rows 1 to 3: negated, those are a difference, a sum and a copy), so each dy row, split into its even and
     * odd columns, gives them by passes over the whole plane; rows 1 and 2 of dM are then {@code h0 - h1} and
     * {@code h0 + h1}.
     *
     * @param dy (H, W) plane at dyOff
     * @param m  (16, eStride) at mOff: TT columns of each dM_e row written
     */
    public static void outputPlaneAdjoint(float[] dy, int dyOff, int H, int W, float[] m, int mOff, int eStride) {
        int TH = tiles(H);
        int TW = tiles(W);
        int TT = TH * TW;
        // tile (i, k)'s dY: d00 = m_0, d01 = s[t], d10 = s[TT + t], d11 = m_15 at t = i*TW + k
        float[] s = scratch(2 * TT); // (2, TH, TW): odd columns of the even rows, even columns of the odd rows
        int m15 = mOff + 15 * eStride;
        for (int r = 0; r < 2 * TH; r++) {
            int t = (r >> 1) * TW;
            if (r >= H) {
                // the row below an odd-height image: zeros, whose negation below gives the per-tile twin's -0
                Arrays.fill(s, TT + t, TT + t + TW, 0f);
                Arrays.fill(m, m15 + t, m15 + t + TW, 0f);
                continue;
            }
            int row = dyOff + r * W;
            if ((r & 1) == 0) {
                ArrayKernels.deinterleave(m, mOff + t, s, t, dy, row, W);
                if ((W & 1) != 0) {
                    s[t + TW - 1] = 0f; // column W, past the right edge
                }
            } else {
                ArrayKernels.deinterleave(s, TT + t, m, m15 + t, dy, row, W);
                if ((W & 1) != 0) {
                    m[m15 + t + TW - 1] = 0f;
                }
            }
        }
        // h0 = dY A^T of the even row: d00, d00 + d01, d00 - d01, -d01
        ArrayKernels.sum(m, mOff + eStride, m, mOff, s, 0, TT);
        ArrayKernels.sub(m, mOff + 2 * eStride, m, mOff, s, 0, TT);
        ArrayKernels.neg(m, mOff + 3 * eStride, s, 0, TT);
        // h1 = -(dY A^T) of the odd row: n0 = -d10, n0 - d11, n0 + d11, d11
        int m12 = mOff + 12 * eStride;
        ArrayKernels.neg(m, m12, s, TT, TT);
        ArrayKernels.sub(m, m12 + eStride, m, m12, m, m15, TT);
        ArrayKernels.sum(m, m12 + 2 * eStride, m, m12, m, m15, TT);
        for (int q = 0; q < 4; q++) {
            // A (dY A^T), column q of the tile: A's rows (1, 0), (1, 1), (1, -1), (0, -1) on h0 and h1
            int h0 = mOff + q * eStride;
            int h1 = m12 + q * eStride;
            ArrayKernels.sub(m, h0 + 4 * eStride, m, h0, m, h1, TT);
            ArrayKernels.sum(m, h0 + 8 * eStride, m, h0, m, h1, TT);
        }
    }

    /**
     * The adjoint of {@link #weights}: {@code dw[o, c] += G^T dU[o, c] G} for o in [o0, o1), with
     * {@code dU[o, c][e] = du[e*eStride + o*C + c]}: {@code z = dU G} row by row, then {@code G^T z} column by
     * column, G's halves as {@code ((a + b) * 0.5)} shared by the two outer entries.
     *
     * @param du (16, eStride): dU_e (O, C) at e*eStride
     * @param dw (O, C, 3, 3), rows [o0, o1) added into
     */
    public static void weightsAdjoint(float[] du, int eStride, int O, int C, float[] dw, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            for (int c = 0; c < C; c++) {
                int u = o * C + c;
                int d = u * 9;
                // z = dU G: (4, 3), row r from dU's row r
                float h0 = (du[u + eStride] + du[u + 2 * eStride]) * 0.5f;
                float z00 = du[u] + h0;
                float z01 = (du[u + eStride] - du[u + 2 * eStride]) * 0.5f;
                float z02 = h0 + du[u + 3 * eStride];
                float h1 = (du[u + 5 * eStride] + du[u + 6 * eStride]) * 0.5f;
                float z10 = du[u + 4 * eStride] + h1;
                float z11 = (du[u + 5 * eStride] - du[u + 6 * eStride]) * 0.5f;
                float z12 = h1 + du[u + 7 * eStride];
                float h2 = (du[u + 9 * eStride] + du[u + 10 * eStride]) * 0.5f;
                float z20 = du[u + 8 * eStride] + h2;
                float z21 = (du[u + 9 * eStride] - du[u + 10 * eStride]) * 0.5f;
                float z22 = h2 + du[u + 11 * eStride];
                float h3 = (du[u + 13 * eStride] + du[u + 14 * eStride]) * 0.5f;
                float z30 = du[u + 12 * eStride] + h3;
                float z31 = (du[u + 13 * eStride] - du[u + 14 * eStride]) * 0.5f;
                float z32 = h3 + du[u + 15 * eStride];
                // G^T z: (3, 3), column b from z's column b
                columnTimesG(z00, z10, z20, z30, dw, d);
                columnTimesG(z01, z11, z21, z31, dw, d + 1);
                columnTimesG(z02, z12, z22, z32, dw, d + 2);
            }
        }
    }

    /** dw[d + 3a] += (G^T z)[a] for the column z (4) of one kernel. */
    private static void columnTimesG(float z0, float z1, float z2, float z3, float[] dw, int d) {
        float h = (z1 + z2) * 0.5f;
        dw[d] += z0 + h;
        dw[d + 3] += (z1 - z2) * 0.5f;
        dw[d + 6] += h + z3;
    }

    private static float[] scratch(int size) {
        float[][] s = SCRATCH.get();
        if (s[0].length < size) {
            s[0] = new float[size];
        }
        return s[0];
    }
}
