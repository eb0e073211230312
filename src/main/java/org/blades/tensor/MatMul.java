package org.blades.tensor;

import org.blades.kernels.Gemm;

/**
 * Batched matrix product. Dimensions: M, K = rows and columns of a; K, N = rows and columns of b;
 * batch dimensions broadcast as in NumPy. Transposed views are handed to the GEMM kernel as transposes,
 * not copied.
 */
public final class MatMul {
    private MatMul() {
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() < 2 || b.dim() < 2) {
            throw new IllegalArgumentException("matmul: both operands need at least 2 dimensions, got "
                    + a.describe() + " and " + b.describe());
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("matmul: dtypes differ: " + a.describe() + " and " + b.describe());
        }
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.format(as) + " and " + Shape.format(bs)
                    + " are incompatible (inner dimensions " + k + " != " + bs[bs.length - 2] + ")");
        }
        int[] batch = Shape.broadcast("matmul", java.util.Arrays.copyOf(as, as.length - 2),
                java.util.Arrays.copyOf(bs, bs.length - 2));
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(a.dtype(), outShape); // (..., M, N)
        Operand pa = Operand.of(a, m, k);
        Operand pb = Operand.of(b, k, n);
        int[] sa = Shape.broadcastStrides(java.util.Arrays.copyOf(pa.t.shapeRef(), as.length - 2),
                java.util.Arrays.copyOf(pa.t.stridesRef(), as.length - 2), batch);
        int[] sb = Shape.broadcastStrides(java.util.Arrays.copyOf(pb.t.shapeRef(), bs.length - 2),
                java.util.Arrays.copyOf(pb.t.stridesRef(), bs.length - 2), batch);
        StridedLoop.forEach3(batch, sa, pa.t.offset(), sb, pb.t.offset(), (i, offA, offB) -> {
            int offC = i * m * n;
            if (a.dtype() == DType.F32) {
                Gemm.sgemm(pa.trans, pb.trans, m, n, k, 1f, pa.t.rawF(), offA, pa.ld, pb.t.rawF(), offB, pb.ld,
                        0f, out.rawF(), offC, n);
            } else {
                Gemm.dgemm(pa.trans, pb.trans, m, n, k, 1.0, pa.t.rawD(), offA, pa.ld, pb.t.rawD(), offB, pb.ld,
                        0.0, out.rawD(), offC, n);
            }
        });
        return Autograd.record("matmul", out, new Tensor[] {a, b}, g -> {
            // forward: c = a @ b  =>  da += dc @ b^T,  db += a^T @ dc
            if (a.requiresGrad()) {
                Autograd.accumulate(a, g.matmul(b.transpose(-1, -2)).sumTo(as));
            }
            if (b.requiresGrad()) {
                Autograd.accumulate(b, a.transpose(-1, -2).matmul(g).sumTo(bs));
            }
        });
    }

    /** How a matrix operand is read by GEMM: row-major, or transposed (column-major), with a leading dim. */
    private record Operand(Tensor t, boolean trans, int ld) {
        static Operand of(Tensor x, int rows, int cols) {
            int[] st = x.stridesRef();
            int r = st[st.length - 2];
            int c = st[st.length - 1];
            if ((c == 1 || cols == 1) && (r >= cols || rows == 1)) {
                return new Operand(x, false, Math.max(rows == 1 ? cols : r, 1));
            }
            if ((r == 1 || rows == 1) && (c >= rows || cols == 1)) {
                return new Operand(x, true, Math.max(cols == 1 ? rows : c, 1));
            }
            Tensor dense = x.detach().contiguous();
            return new Operand(dense, false, Math.max(cols, 1));
        }
    }
}
