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
