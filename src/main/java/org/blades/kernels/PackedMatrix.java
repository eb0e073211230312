package org.blades.kernels;

// M = rows of op(A), K = the summed dimension, N = columns of the other operand.

/**
 * The left operand of several GEMMs, {@code alpha * op(A)} (M, K), packed once by {@link Gemm#packA} and then
 * read by every {@link Gemm#sgemm(PackedMatrix, boolean, int, float[], int, int, float, float[], int, int)}
 * call: a convolution multiplies the same weights with every image (group) of a batch, and its backward pass
 * the same transposed weights with every image's output gradient, so packing per GEMM call would repeat the
 * copy (and, for a transposed A, the gather) once per image. Immutable after packing (the transposed layout of
 * {@link #forRepeatedUse} is built once, under a lock); safe to share between threads.
 */
public final class PackedMatrix {
    final int rows;
    final int depth;
    final float alpha;
    /** SgemmVector's panel layout when {@link #vectorLayout}, else alpha * op(A) row-major (M, K). */
    final float[] data;
    final boolean vectorLayout;
    /** Whether products with a narrow right operand may run transposed ({@link #forRepeatedUse}). */
    final boolean transposable;
    /** alpha * op(A)^T in SgemmVector's right-operand layout, built on first use; only when transposable. */
    private volatile float[] transposed;

    PackedMatrix(int rows, int depth, float alpha, float[] data, boolean vectorLayout) {
        this(rows, depth, alpha, data, vectorLayout, false);
    }

    private PackedMatrix(int rows, int depth, float alpha, float[] data, boolean vectorLayout, boolean transposable) {
        this.rows = rows;
        this.depth = depth;
        this.alpha = alpha;
        this.data = data;
        this.vectorLayout = vectorLayout;
        this.transposable = transposable;
    }

    /** M: rows of op(A) and of every C computed with it. */
    public int rows() {
        return rows;
    }

    /** K: columns of op(A), rows of every op(B) it multiplies. */
    public int depth() {
        return depth;
    }

    /**
     * This matrix for many products, such as a frozen model's weights: a product whose op(B) is narrow (few
     * columns N, e.g. the 7x7 maps of a ResNet's last stage) may then run as C^T = op(B)^T A^T, which wastes
     * fewer lanes of the register tile, with A^T packed once, on first need, into a second array as large as
     * this one. Same results to the bit. Not for a matrix packed into a reused workspace (its data would change
     * under the transposed copy), nor for one used a few times (the copy costs as much as a product).
     */
    public PackedMatrix forRepeatedUse() {
        return new PackedMatrix(rows, depth, alpha, data, vectorLayout, true);
    }

    /** alpha * op(A)^T, (K, M), in SgemmVector's right-operand layout; only when {@link #transposable}. */
    float[] transposedPanels() {
        float[] t = transposed;
        if (t == null) {
            synchronized (this) {
                t = transposed;
                if (t == null) {
                    t = SgemmVector.transposePacked(data, rows, depth);
                    transposed = t;
                }
            }
        }
        return t;
    }
}
