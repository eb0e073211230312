package org.blades.tensor;

/**
 * Odometer walks over strided tensors: the generic (slow) path behind views, copies and broadcasting.
 * Dense fast paths bypass it.
 */
final class StridedLoop {
    private StridedLoop() {
    }

    @FunctionalInterface
    interface IndexPair {
        void accept(int a, int b);
    }

    @FunctionalInterface
    interface IndexTriple {
        void accept(int a, int b, int c);
    }

    /** Calls body(flatIndex, storageIndex) for every element in row-major order. */
    static void forEach(int[] shape, int[] strides, int offset, IndexPair body) {
        int n = Shape.numel(shape);
        if (n == 0) {
            return;
        }
        int nd = shape.length;
        int[] idx = new int[nd];
        int p = offset;
        for (int i = 0; i < n; i++) {
            body.accept(i, p);
            for (int k = nd - 1; k >= 0; k--) {
                p += strides[k];
                if (++idx[k] < shape[k]) {
                    break;
                }
                p -= strides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /** Calls body(storageIndexA, storageIndexB) walking two layouts of the same shape together. */
    static void forEach2(int[] shape, int[] sa, int oa, int[] sb, int ob, IndexPair body) {
        int n = Shape.numel(shape);
        if (n == 0) {
            return;
        }
        int nd = shape.length;
        int[] idx = new int[nd];
        int pa = oa;
        int pb = ob;
        for (int i = 0; i < n; i++) {
            body.accept(pa, pb);
            for (int k = nd - 1; k >= 0; k--) {
                pa += sa[k];
                pb += sb[k];
                if (++idx[k] < shape[k]) {
                    break;
                }
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /**
     * dst = src (or dst += src when {@code add}) over a shared shape for float32 storages: the odometer walks
     * every dimension but the last, the last runs as a tight strided loop (transposed views, e.g. a weight
     * gradient flowing back through {@code W.transpose}, copy at memory speed instead of per-element calls).
     * The values are the generic walk's: a float32 copy, or one float32 addition per element.
     */
    static void copyF32(int[] shape, float[] dst, int[] sd, int od, float[] src, int[] ss, int os, boolean add) {
        int n = Shape.numel(shape);
        if (n == 0) {
            return;
        }
        int nd = shape.length;
        if (nd == 2 && sd[1] == 1 && ss[0] == 1 && ss[1] != 1) {
            transposedF32(shape[0], shape[1], dst, sd[0], od, src, ss[1], os, add);
            return;
        }
        int inner = shape[nd - 1];
        int di = sd[nd - 1];
        int si = ss[nd - 1];
        int[] idx = new int[nd]; // odometer over the outer nd - 1 dimensions
        int pd = od;
        int ps = os;
        for (int row = 0, rows = n / inner; row < rows; row++) {
            if (add) {
                for (int j = 0, a = pd, b = ps; j < inner; j++, a += di, b += si) {
                    dst[a] += src[b];
                }
            } else {
                for (int j = 0, a = pd, b = ps; j < inner; j++, a += di, b += si) {
                    dst[a] = src[b];
                }
            }
            for (int k = nd - 2; k >= 0; k--) {
                pd += sd[k];
                ps += ss[k];
                if (++idx[k] < shape[k]) {
                    break;
                }
                pd -= sd[k] * shape[k];
                ps -= ss[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /** Tile edge of {@link #transposedF32}: two 32x32 float tiles stay in L1. */
    private static final int TILE = 32;

    /**
     * dst[r, c] (+)= src[c, r] for an (R, C) destination with unit column stride reading a source stored
     * transposed (unit stride along R), in square tiles so that both sides are read and written a cache line at
     * a time. Same per-element operation as the generic walk.
     */
    private static void transposedF32(int R, int C, float[] dst, int dRow, int od, float[] src, int sCol, int os,
                                      boolean add) {
        for (int r0 = 0; r0 < R; r0 += TILE) {
            int r1 = Math.min(R, r0 + TILE);
            for (int c0 = 0; c0 < C; c0 += TILE) {
                int c1 = Math.min(C, c0 + TILE);
                for (int r = r0; r < r1; r++) {
                    int d = od + r * dRow;
                    int sBase = os + r;
                    if (add) {
                        for (int c = c0; c < c1; c++) {
                            dst[d + c] += src[sBase + c * sCol];
                        }
                    } else {
                        for (int c = c0; c < c1; c++) {
                            dst[d + c] = src[sBase + c * sCol];
                        }
                    }
                }
            }
        }
    }

    /** Calls body(flatIndex, storageIndexA, storageIndexB): the broadcasting binary-op walk. */
    static void forEach3(int[] shape, int[] sa, int oa, int[] sb, int ob, IndexTriple body) {
        int n = Shape.numel(shape);
        if (n == 0) {
            return;
        }
        int nd = shape.length;
        int[] idx = new int[nd];
        int pa = oa;
        int pb = ob;
        for (int i = 0; i < n; i++) {
            body.accept(i, pa, pb);
            for (int k = nd - 1; k >= 0; k--) {
                pa += sa[k];
                pb += sb[k];
                if (++idx[k] < shape[k]) {
                    break;
                }
                pa -= sa[k] * shape[k];
                pb -= sb[k] * shape[k];
                idx[k] = 0;
            }
        }
    }
}
