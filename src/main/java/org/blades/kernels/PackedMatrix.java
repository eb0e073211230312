package org.blades.kernels;

// M = rows of op(A), K = the summed dimension.

/**
 * The left operand of several GEMMs, {@code alpha * op(A)} (M, K), packed once by {@link Gemm#packA} and then
 * read by every {@link Gemm#sgemm(PackedMatrix, boolean, int, float[], int, int, float, float[], int, int)}
 * call: a convolution multiplies the same weights with every image (group) of a batch, and its backward pass
 * the same transposed weights with every image's output gradient, so packing per GEMM call would repeat the
 * copy (and, for a transposed A, the gather) once per image. Immutable after packing; safe to share between
 * threads.
 */
public final class PackedMatrix {
    final int rows;
    final int depth;
    final float alpha;
    /** SgemmVector's panel layout when {@link #vectorLayout}, else alpha * op(A) row-major (M, K). */
    final float[] data;
    final boolean vectorLayout;

    PackedMatrix(int rows, int depth, float alpha, float[] data, boolean vectorLayout) {
        this.rows = rows;
        this.depth = depth;
        this.alpha = alpha;
        this.data = data;
        this.vectorLayout = vectorLayout;
    }

    /** M: rows of op(A) and of every C computed with it. */
    public int rows() {
        return rows;
    }

    /** K: columns of op(A), rows of every op(B) it multiplies. */
    public int depth() {
        return depth;
    }
}
