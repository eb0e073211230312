package org.blades.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

// Dimensions: B = batch, T = time (sequence positions), C = channels, V = vocabulary size,
// P = number of looked-up ids (product of the ids' shape).

/**
 * Indexing ops: embedding lookup, concatenation and stacking, masking, and row selection. Each is a primitive
 * with one derivative rule (a scatter or a slice of the output gradient), except stack, which is concat of
 * unsqueezed inputs.
 */
public final class Indexing {
    private Indexing() {
    }

    /**
     * Rows of {@code weight} selected by integer ids: {@code out[..., :] = weight[ids[...], :]}.
     *
     * @param weight (V, C)
     * @param ids    (...) with values in [0, V)
     * @return (..., C); the gradient is scatter-added into weight, so repeated ids accumulate
     */
    public static Tensor embedding(Tensor weight, IntTensor ids) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be (V, C), got " + weight.describe());
        }
        int v = weight.size(0);
        int c = weight.size(1);
        int[] idShape = ids.shape(); // (rank of ids)
        int[] index = ids.data(); // (P)
        for (int p = 0; p < index.length; p++) {
            if (index[p] < 0 || index[p] >= v) {
                throw new IndexOutOfBoundsException("embedding: id " + index[p] + " at position "
                        + Shape.format(unravel(p, idShape)) + " of ids " + Shape.format(idShape)
                        + " is out of range for vocabulary size V = " + v + " (weight " + weight.describe() + ")");
            }
        }
        int[] ids0 = index.clone(); // (P) snapshot: the caller's array could change before backward
        int[] outShape = new int[idShape.length + 1]; // (rank of ids + 1): ids' shape, then C
        System.arraycopy(idShape, 0, outShape, 0, idShape.length);
        outShape[idShape.length] = c;
        Tensor w = weight.contiguous().detach(); // (V, C)
        Tensor out = Tensor.empty(weight.dtype(), outShape); // (P, C)
        for (int p = 0; p < ids0.length; p++) {
            if (weight.dtype() == DType.F32) {
                System.arraycopy(w.rawF(), ids0[p] * c, out.rawF(), p * c, c);
            } else {
                System.arraycopy(w.rawD(), ids0[p] * c, out.rawD(), p * c, c);
            }
        }
        return Autograd.record("embedding", out, new Tensor[] {weight}, g -> {
            // forward: out[p, :] = weight[ids[p], :]  =>  dweight[ids[p], :] += dout[p, :]
            Tensor dw = Tensor.zeros(weight.dtype(), v, c); // (V, C)
            for (int p = 0; p < ids0.length; p++) {
                int src = p * c;
                int dst = ids0[p] * c;
                for (int k = 0; k < c; k++) {
                    dw.put(dst + k, dw.at(dst + k) + g.at(src + k));
                }
            }
            Autograd.accumulate(weight, dw);
        });
    }

    /** Joins tensors along an existing axis; all must share dtype, rank and every other dimension. */
    public static Tensor concat(List<Tensor> xs, int axis) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        Tensor first = xs.get(0);
        int rank = first.dim();
        if (rank == 0) {
            throw new IllegalArgumentException("concat: cannot concatenate 0-d tensors: " + describeAll(xs));
        }
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("concat: axis " + axis + " is out of range for " + describeAll(xs));
        }
        int a = axis < 0 ? axis + rank : axis;
        int total = 0;
        for (Tensor t : xs) {
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("concat: dtypes differ: " + describeAll(xs));
            }
            if (t.dim() != rank) {
                throw new IllegalArgumentException("concat: ranks differ: " + describeAll(xs));
            }
            for (int i = 0; i < rank; i++) {
                if (i != a && t.size(i) != first.size(i)) {
                    throw new IllegalArgumentException("concat: along axis " + axis + " every other dimension must "
                            + "match, but dimension " + i + " differs: " + describeAll(xs));
                }
            }
            total += t.size(a);
        }
        int[] outShape = first.shape(); // (rank)
        outShape[a] = total;
        Tensor out = Tensor.empty(first.dtype(), outShape); // (..., sum of the inputs' sizes along axis, ...)
        int[] starts = new int[xs.size()]; // (number of inputs) where each input begins along axis
        int at = 0;
        for (int i = 0; i < xs.size(); i++) {
            Tensor t = xs.get(i);
            starts[i] = at;
            out.sliceView(a, at, at + t.size(a)).copyFromInPlace(t);
            at += t.size(a);
        }
        Tensor[] inputs = xs.toArray(new Tensor[0]);
        return Autograd.record("concat", out, inputs, g -> {
            // forward: out[..., s_i : s_i + n_i, ...] = x_i  =>  dx_i += dout[..., s_i : s_i + n_i, ...]
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].requiresGrad()) {
                    Autograd.accumulate(inputs[i], g.sliceView(a, starts[i], starts[i] + inputs[i].size(a)));
                }
            }
        });
    }

    /** Joins same-shaped tensors along a new axis inserted at {@code axis} (in [-rank-1, rank]). */
    public static Tensor stack(List<Tensor> xs, int axis) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        Tensor first = xs.get(0);
        int rank = first.dim() + 1; // of the result
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("stack: axis " + axis + " is out of range for stacking "
                    + describeAll(xs));
        }
        int a = axis < 0 ? axis + rank : axis;
        for (Tensor t : xs) {
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("stack: dtypes differ: " + describeAll(xs));
            }
            if (!Arrays.equals(t.shapeRef(), first.shapeRef())) {
                throw new IllegalArgumentException("stack: all tensors must have the same shape: " + describeAll(xs));
            }
        }
        List<Tensor> expanded = new ArrayList<>(xs.size());
        for (Tensor t : xs) {
            expanded.add(t.unsqueeze(a));
        }
        return concat(expanded, a);
    }

    private static String describeAll(List<Tensor> xs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < xs.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(xs.get(i).describe());
        }
        return sb.toString();
    }

    /**
     * {@code value} where {@code mask} is 1, x where it is 0. The mask holds only 0 and 1 (any dtype), broadcasts
     * to x's shape and gets no gradient; x's gradient passes where mask is 0.
     */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        int[] shape = x.shapeRef(); // (rank of x)
        int[] joint = Shape.broadcast("maskedFill", shape, mask.shapeRef()); // (rank of x) when the mask fits
        if (!Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("maskedFill: mask " + mask.describe() + " does not broadcast to input "
                    + x.describe());
        }
        // (rank of x), 0 on the broadcast dimensions
        int[] maskStrides = Shape.broadcastStrides(mask.shapeRef(), mask.stridesRef(), shape);
        Tensor m = mask.detach();
        StridedLoop.forEach(m.shapeRef(), m.stridesRef(), m.offset(), (i, p) -> {
            double v = m.at(p);
            if (v != 0.0 && v != 1.0) {
                throw new IllegalArgumentException("maskedFill: mask " + mask.describe() + " must hold only 0 and 1, "
                        + "found " + v + " at flat index " + i);
            }
        });
        int[] xStrides = x.stridesRef(); // (rank of x)
        Tensor out = Tensor.empty(x.dtype(), shape); // x's shape
        StridedLoop.forEach3(shape, xStrides, x.offset(), maskStrides, m.offset(),
                (o, px, pm) -> out.put(o, m.at(pm) != 0.0 ? value : x.at(px)));
        return Autograd.record("maskedFill", out, new Tensor[] {x}, g -> {
            // forward: y = mask ? value : x  =>  dx += mask ? 0 : dy
            Tensor dx = Tensor.empty(x.dtype(), shape); // x's shape
            StridedLoop.forEach3(shape, Shape.contiguousStrides(shape), 0, maskStrides, m.offset(),
                    (o, pg, pm) -> dx.put(o, m.at(pm) != 0.0 ? 0.0 : g.at(pg)));
            Autograd.accumulate(x, dx);
        });
    }

    /** The causal attention mask: (T, T), 1 where column > row (a position may not see later positions), else 0. */
    public static Tensor causalMask(DType dtype, int t) {
        if (t < 0) {
            throw new IllegalArgumentException("causalMask: T must be >= 0, got " + t);
        }
        Tensor mask = Tensor.zeros(dtype, t, t); // (T, T)
        for (int row = 0; row < t; row++) {
            for (int col = row + 1; col < t; col++) {
                mask.put(row * t + col, 1.0);
            }
        }
        return mask;
    }

    /**
     * One row per batch element: {@code out[b, :] = x[b, positions[b], :]} (pooling at the end-of-text token).
     *
     * @param x         (B, T, C)
     * @param positions (B) with values in [0, T)
     * @return (B, C)
     */
    public static Tensor selectRows(Tensor x, int[] positions /* (B) */) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException("selectRows: input must be (B, T, C), got " + x.describe());
        }
        int b = x.size(0);
        int t = x.size(1);
        int c = x.size(2);
        if (positions.length != b) {
            throw new IllegalArgumentException("selectRows: " + positions.length + " positions for input "
                    + x.describe() + " with batch size B = " + b);
        }
        int[] pos = positions.clone(); // (B) snapshot: the caller's array could change before backward
        for (int i = 0; i < b; i++) {
            if (pos[i] < 0 || pos[i] >= t) {
                throw new IndexOutOfBoundsException("selectRows: position " + pos[i] + " for batch element " + i
                        + " is out of range for T = " + t + " (input " + x.describe() + ")");
            }
        }
        int[] st = x.stridesRef(); // (3) strides of B, T, C
        Tensor out = Tensor.empty(x.dtype(), b, c); // (B, C)
        for (int i = 0; i < b; i++) {
            int src = x.offset() + i * st[0] + pos[i] * st[1];
            for (int k = 0; k < c; k++) {
                out.put(i * c + k, x.at(src + k * st[2]));
            }
        }
        return Autograd.record("selectRows", out, new Tensor[] {x}, g -> {
            // forward: out[b, :] = x[b, pos[b], :]  =>  dx[b, pos[b], :] += dout[b, :]
            Tensor dx = Tensor.zeros(x.dtype(), b, t, c); // (B, T, C)
            for (int i = 0; i < b; i++) {
                int dst = (i * t + pos[i]) * c;
                for (int k = 0; k < c; k++) {
                    dx.put(dst + k, g.at(i * c + k));
                }
            }
            Autograd.accumulate(x, dx);
        });
    }

    /** Row-major flat index to a multi-index, for error messages. */
    private static int[] unravel(int flat, int[] shape /* (rank) */) {
        int[] idx = new int[shape.length]; // (rank)
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
