package org.blades.kernels;

// N = batch, C = input channels, O = output channels, H/W = image height/width (stride 1, padding 1),
// TH = ceil(H/2), TW = ceil(W/2), e = 4*r + s a position of a 4x4 transformed tile.

/**
 * The tests' oracles for {@link Winograd}: the whole F(2x2, 3x3) convolution and its weight gradient written as
 * the paper's per-tile matrix products in float64 ({@link #forward}, {@link #weightGradient}, to be compared with
 * {@link ConvScalar}), and tile-by-tile float32 transforms with the same signatures as {@link Winograd}'s, each
 * entry formed by the same operations in the same order as there, so the fast transforms must match them bit for
 * bit.
 */
public final class WinogradScalar {
    private WinogradScalar() {
    }

    /** Lavin and Gray's transform matrices for F(2x2, 3x3). */
    static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}; // (4, 3)
    static final double[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}; // (4, 4)
    static final double[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}}; // (2, 4)

    /**
     * y[n, o] = sum_c A^T [(G w[o, c] G^T) . (B^T d_c B)] A per tile, as plain matrix products in float64.
     *
     * @param x (N, C, H, W)
     * @param w (O, C, 3, 3)
     * @param y (N, O, H, W), overwritten
     */
    public static void forward(double[] x, double[] w, double[] y, int N, int O, ConvGeometry g) {
        if (!Winograd.applies(g)) {
            throw new IllegalArgumentException("winograd: needs a 3x3 kernel, stride 1, padding 1, got " + g);
        }
        int C = g.channels(), H = g.height(), W = g.width();
        double[][][] u = new double[O * C][][]; // (O*C) of (4, 4)
        for (int oc = 0; oc < O * C; oc++) {
            double[][] k = new double[3][3]; // (3, 3)
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    k[a][b] = w[oc * 9 + a * 3 + b];
                }
            }
            u[oc] = times(times(G, k), transpose(G));
        }
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < Winograd.tiles(H); i++) {
                for (int j = 0; j < Winograd.tiles(W); j++) {
                    double[][][] v = new double[C][][]; // (C) of (4, 4)
                    for (int c = 0; c < C; c++) {
                        v[c] = inputTile(x, (n * C + c) * H * W, H, W, i, j);
                    }
                    for (int o = 0; o < O; o++) {
                        double[][] m = new double[4][4]; // (4, 4)
                        for (int c = 0; c < C; c++) {
                            for (int a = 0; a < 4; a++) {
                                for (int b = 0; b < 4; b++) {
                                    m[a][b] += u[o * C + c][a][b] * v[c][a][b];
                                }
                            }
                        }
                        double[][] t = times(times(AT, m), transpose(AT)); // (2, 2)
                        for (int a = 0; a < 2; a++) {
                            for (int b = 0; b < 2; b++) {
                                if (2 * i + a < H && 2 * j + b < W) {
                                    y[((n * O + o) * H + 2 * i + a) * W + 2 * j + b] = t[a][b];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code V = B^T d B} of tile (i, j) of one plane: d its 4x4 input window from row 2i-1 and column 2j-1, zero
     * outside the plane.
     *
     * @param x (H, W) plane at off
     * @return (4, 4)
     */
    private static double[][] inputTile(double[] x, int off, int H, int W, int i, int j) {
        double[][] d = new double[4][4]; // (4, 4)
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                int r = 2 * i - 1 + a;
                int col = 2 * j - 1 + b;
                boolean inside = r >= 0 && r < H && col >= 0 && col < W;
                d[a][b] = inside ? x[off + r * W + col] : 0.0;
            }
        }
        return times(times(BT, d), transpose(BT));
    }

    /**
     * The adjoint of {@link #forward} in the weights, as plain matrix products in float64: per tile,
     * {@code dM = A dY A^T} (dY zero outside the image) and {@code V_c = B^T d_c B}, summed into
     * {@code dU[o, c] += dM_o . V_c} over all images and tiles, then {@code dw[o, c] += G^T dU[o, c] G}.
     *
     * @param x  (N, C, H, W)
     * @param dy (N, O, H, W)
     * @param dw (O, C, 3, 3), added into
     */
    public static void weightGradient(double[] x, double[] dy, double[] dw, int N, int O, ConvGeometry g) {
        if (!Winograd.applies(g)) {
            throw new IllegalArgumentException("winograd: needs a 3x3 kernel, stride 1, padding 1, got " + g);
        }
        int C = g.channels(), H = g.height(), W = g.width();
        double[][][] du = new double[O * C][4][4]; // (O*C) of (4, 4)
        double[][] a = transpose(AT); // (4, 2)
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < Winograd.tiles(H); i++) {
                for (int j = 0; j < Winograd.tiles(W); j++) {
                    double[][][] v = new double[C][][]; // (C) of (4, 4)
                    for (int c = 0; c < C; c++) {
                        v[c] = inputTile(x, (n * C + c) * H * W, H, W, i, j);
                    }
                    for (int o = 0; o < O; o++) {
                        double[][] t = new double[2][2]; // (2, 2)
                        for (int p = 0; p < 2; p++) {
                            for (int q = 0; q < 2; q++) {
                                boolean inside = 2 * i + p < H && 2 * j + q < W;
                                t[p][q] = inside ? dy[((n * O + o) * H + 2 * i + p) * W + 2 * j + q] : 0.0;
                            }
                        }
                        // forward: Y = A^T M A  =>  dM = A dY A^T
                        double[][] dm = times(times(a, t), AT); // (4, 4)
                        for (int c = 0; c < C; c++) {
                            // forward: M = sum_c U_c . V_c  =>  dU_c += dM . V_c
                            for (int p = 0; p < 4; p++) {
                                for (int q = 0; q < 4; q++) {
                                    du[o * C + c][p][q] += dm[p][q] * v[c][p][q];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int oc = 0; oc < O * C; oc++) {
            // forward: U = G g G^T  =>  dg = G^T dU G
            double[][] k = times(times(transpose(G), du[oc]), G); // (3, 3)
            for (int p = 0; p < 3; p++) {
                for (int q = 0; q < 3; q++) {
                    dw[oc * 9 + p * 3 + q] += k[p][q];
                }
            }
        }
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    // ----------------------------------------------------------------------------------------------
    // Float32 per-tile twins of Winograd's transforms

    /** Twin of {@link Winograd#weights}: U_e (O, C) at u[e*eStride] from w (O, C, 3, 3), rows [o0, o1). */
    public static void weights(float[] w, int O, int C, float[] u, int eStride, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            for (int c = 0; c < C; c++) {
                weightTile(w, (o * C + c) * 9, false, u, o * C + c, eStride);
            }
        }
    }

    /** Twin of {@link Winograd#weightsRotated}: U'_e (C, O) at u[e*eStride] from w (O, C, 3, 3), rows [c0, c1). */
    public static void weightsRotated(float[] w, int O, int C, float[] u, int eStride, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < O; o++) {
                weightTile(w, (o * C + c) * 9, true, u, c * O + o, eStride);
            }
        }
    }

    /** G g G^T of one kernel: t = G g, then t G^T, with G's rows (a + b) * 0.5 and a = first + last. */
    private static void weightTile(float[] w, int wOff, boolean rotated, float[] u, int uOff, int eStride) {
        float[][] k = new float[3][3]; // (3, 3)
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                k[a][b] = rotated ? w[wOff + (2 - a) * 3 + 2 - b] : w[wOff + a * 3 + b];
            }
        }
        float[][] t = new float[4][3]; // (4, 3) = G k
        for (int b = 0; b < 3; b++) {
            float first = k[0][b] + k[2][b];
            t[0][b] = k[0][b];
            t[1][b] = (first + k[1][b]) * 0.5f;
            t[2][b] = (first - k[1][b]) * 0.5f;
            t[3][b] = k[2][b];
        }
        for (int r = 0; r < 4; r++) {
            float first = t[r][0] + t[r][2];
            u[uOff + (4 * r) * eStride] = t[r][0];
            u[uOff + (4 * r + 1) * eStride] = (first + t[r][1]) * 0.5f;
            u[uOff + (4 * r + 2) * eStride] = (first - t[r][1]) * 0.5f;
            u[uOff + (4 * r + 3) * eStride] = t[r][2];
        }
    }

    /** Twin of {@link Winograd#inputPlane}, tile by tile: d B per row, then B^T (d B) per column. */
    public static void inputPlane(float[] x, int xOff, int H, int W, float[] v, int vOff, int eStride) {
        int TW = Winograd.tiles(W);
        for (int i = 0; i < Winograd.tiles(H); i++) {
            for (int j = 0; j < TW; j++) {
                float[][] d = new float[4][4]; // (4, 4)
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        int r = 2 * i - 1 + a;
                        int col = 2 * j - 1 + b;
                        d[a][b] = r >= 0 && r < H && col >= 0 && col < W ? x[xOff + r * W + col] : 0f;
                    }
                }
                float[][] t = new float[4][4]; // (4, 4) = d B
                for (int a = 0; a < 4; a++) {
                    t[a][0] = d[a][0] - d[a][2];
                    t[a][1] = d[a][1] + d[a][2];
                    t[a][2] = d[a][2] - d[a][1];
                    t[a][3] = d[a][1] - d[a][3];
                }
                int at = vOff + i * TW + j;
                for (int b = 0; b < 4; b++) {
                    v[at + b * eStride] = t[0][b] - t[2][b];
                    v[at + (4 + b) * eStride] = t[1][b] + t[2][b];
                    v[at + (8 + b) * eStride] = t[2][b] - t[1][b];
                    v[at + (12 + b) * eStride] = t[1][b] - t[3][b];
                }
            }
        }
    }

    /** Twin of {@link Winograd#outputPlane}, tile by tile: A^T m per column, then (A^T m) A per row. */
    public static void outputPlane(float[] m, int mOff, int eStride, int H, int W, float[] y, int yOff) {
        int TW = Winograd.tiles(W);
        for (int i = 0; i < Winograd.tiles(H); i++) {
            for (int j = 0; j < TW; j++) {
                float[][] t = new float[4][4]; // (4, 4)
                for (int e = 0; e < 16; e++) {
                    t[e / 4][e % 4] = m[mOff + e * eStride + i * TW + j];
                }
                float[][] p = new float[2][4]; // (2, 4) = A^T m
                for (int b = 0; b < 4; b++) {
                    p[0][b] = t[0][b] + t[1][b] + t[2][b];
                    p[1][b] = t[1][b] - t[2][b] - t[3][b];
                }
                for (int a = 0; a < 2; a++) {
                    float even = p[a][0] + p[a][1] + p[a][2];
                    float odd = p[a][1] - p[a][2] - p[a][3];
                    int r = 2 * i + a;
                    if (r < H) {
                        y[yOff + r * W + 2 * j] = even;
                        if (2 * j + 1 < W) {
                            y[yOff + r * W + 2 * j + 1] = odd;
                        }
                    }
                }
            }
        }
    }

    /** Twin of {@link Winograd#outputPlaneAdjoint}, tile by tile: dY A^T per row (row 1 negated), then A per column. */
    public static void outputPlaneAdjoint(float[] dy, int dyOff, int H, int W, float[] m, int mOff, int eStride) {
        int TW = Winograd.tiles(W);
        for (int i = 0; i < Winograd.tiles(H); i++) {
            for (int j = 0; j < TW; j++) {
                float[][] d = new float[2][2]; // (2, 2)
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        int r = 2 * i + a;
                        int col = 2 * j + b;
                        d[a][b] = r < H && col < W ? dy[dyOff + r * W + col] : 0f;
                    }
                }
                float[][] h = new float[2][4]; // (2, 4) = dY A^T, row 1 negated
                h[0][0] = d[0][0];
                h[0][1] = d[0][0] + d[0][1];
                h[0][2] = d[0][0] - d[0][1];
                h[0][3] = -d[0][1];
                float n0 = -d[1][0];
                h[1][0] = n0;
                h[1][1] = n0 - d[1][1];
                h[1][2] = n0 + d[1][1];
                h[1][3] = d[1][1];
                int at = mOff + i * TW + j;
                for (int b = 0; b < 4; b++) {
                    m[at + b * eStride] = h[0][b];
                    m[at + (4 + b) * eStride] = h[0][b] - h[1][b];
                    m[at + (8 + b) * eStride] = h[0][b] + h[1][b];
                    m[at + (12 + b) * eStride] = h[1][b];
                }
            }
        }
    }

    /** Twin of {@link Winograd#weightsAdjoint}: dw[o, c] += G^T dU[o, c] G per kernel, rows [o0, o1). */
    public static void weightsAdjoint(float[] du, int eStride, int O, int C, float[] dw, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            for (int c = 0; c < C; c++) {
                float[][] t = new float[4][4]; // (4, 4) = dU[o, c]
                for (int e = 0; e < 16; e++) {
                    t[e / 4][e % 4] = du[e * eStride + o * C + c];
                }
                float[][] z = new float[4][3]; // (4, 3) = dU G
                for (int r = 0; r < 4; r++) {
                    float half = (t[r][1] + t[r][2]) * 0.5f;
                    z[r][0] = t[r][0] + half;
                    z[r][1] = (t[r][1] - t[r][2]) * 0.5f;
                    z[r][2] = half + t[r][3];
                }
                int d = (o * C + c) * 9;
                for (int b = 0; b < 3; b++) {
                    float half = (z[1][b] + z[2][b]) * 0.5f;
                    dw[d + b] += z[0][b] + half;
                    dw[d + 3 + b] += (z[1][b] - z[2][b]) * 0.5f;
                    dw[d + 6 + b] += half + z[3][b];
                }
            }
        }
    }
}
