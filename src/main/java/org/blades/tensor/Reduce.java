package org.blades.tensor;

import java.util.Arrays;

/**
 * Reductions over chosen axes. Primitives: sum and max (one derivative rule each); mean and logsumexp are
 * composed from them. float32 inputs are accumulated in float64.
 */
public final class Reduce {
    private Reduce() {
    }

    private enum Kind { SUM, MAX }

    /** Keeps the reduced axes as size 1: the shape a reduction's gradient is expanded from. */
    private static int[] keptShape(int[] shape, int[] axes) {
        int[] out = shape.clone();
        for (int a : axes) {
            out[a] = 1;
        }
        return out;
    }

    private static int[] droppedShape(int[] shape, int[] axes) {
        int[] out = new int[shape.length - axes.length];
        for (int i = 0, j = 0, k = 0; i < shape.length; i++) {
            if (k < axes.length && axes[k] == i) {
                k++;
            } else {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /** Reduces x over sorted axes into a dense tensor of the kept shape; no tape. */
    private static Tensor compute(Kind kind, Tensor x, int[] axes) {
        int rank = x.dim();
        int[] shape = x.shapeRef();
        if (kind == Kind.SUM && x.isDense() && axes.length > 0 && axes[axes.length - 1] == axes.length - 1
                && axes.length < rank) {
            return sumLeading(x, axes.length);
        }
        int[] perm = new int[rank];
        int p = 0;
        int inner = 1;
        for (int i = 0; i < rank; i++) {
            if (Arrays.binarySearch(axes, i) < 0) {
                perm[p++] = i;
            }
        }
        for (int a : axes) {
            perm[p++] = a;
            inner *= shape[a];
        }
        Tensor rows = x.detach().permute(perm).contiguous(); // (outer, inner) after the kept axes
        Tensor out = Tensor.empty(x.dtype(), keptShape(shape, axes));
        int outer = out.numel();
        if (kind == Kind.MAX && inner == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty dimension of " + x.describe());
        }
        for (int r = 0; r < outer; r++) {
            int base = r * inner;
            double acc = kind == Kind.SUM ? 0.0 : Double.NEGATIVE_INFINITY;
            if (x.dtype() == DType.F32) {
                float[] v = rows.rawF(); // (outer, inner)
                if (kind == Kind.SUM) {
                    for (int i = 0; i < inner; i++) {
                        acc += v[base + i];
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        acc = maxNaN(acc, v[base + i]);
                    }
                }
            } else {
                double[] v = rows.rawD(); // (outer, inner)
                if (kind == Kind.SUM) {
                    for (int i = 0; i < inner; i++) {
                        acc += v[base + i];
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        acc = maxNaN(acc, v[base + i]);
                    }
                }
            }
            out.put(r, acc);
        }
        return out;
    }

    /**
     * The sum over the first {@code lead} axes of a dense tensor (a bias gradient: (B, T, C) to (C)) without
     * the transposing copy the general path makes: each output column accumulates its rows in ascending order
     * in float64, the general path's order, so the result is the same to the bit.
     *
     * @param x (R, K) viewed flat: R = product of the leading axes, K = the rest
     */
    private static Tensor sumLeading(Tensor x, int lead) {
        int[] shape = x.shapeRef();
        int rows = 1;
        for (int i = 0; i < lead; i++) {
            rows *= shape[i];
        }
        int k = x.numel() / Math.max(rows, 1);
        double[] acc = new double[k]; // (K)
        if (x.dtype() == DType.F32) {
            float[] v = x.rawF(); // (R, K)
            for (int r = 0; r < rows; r++) {
                for (int j = 0, base = r * k; j < k; j++) {
                    acc[j] += v[base + j];
                }
            }
        } else {
            double[] v = x.rawD(); // (R, K)
            for (int r = 0; r < rows; r++) {
                for (int j = 0, base = r * k; j < k; j++) {
                    acc[j] += v[base + j];
                }
            }
        }
        Tensor out = Tensor.empty(x.dtype(), keptShape(shape, java.util.stream.IntStream.range(0, lead).toArray()));
        for (int j = 0; j < k; j++) {
            out.put(j, acc[j]);
        }
        return out;
    }

    /** NaN propagates, as in torch. */
    private static double maxNaN(double acc, double v) {
        return v > acc || Double.isNaN(v) ? v : acc;
    }

    public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shape.axes("sum", axes, x.dim());
        int[] shape = x.shapeRef();
        int[] kept = keptShape(shape, ax);
        Tensor out = compute(Kind.SUM, x, ax);
        out = Autograd.record("sum", out, new Tensor[] {x}, g -> {
            // forward: y = sum(x, axes)  =>  dx += dy broadcast back over axes
            Autograd.accumulate(x, g.expand(shape).contiguous());
        });
        return keepDims ? out : out.reshape(droppedShape(shape, ax));
    }

    public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shape.axes("mean", axes, x.dim());
        int count = 1;
        for (int a : ax) {
            count *= x.shapeRef()[a];
        }
        return sum(x, keepDims, ax).div(count);
    }

    public static Tensor max(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shape.axes("max", axes, x.dim());
        int[] shape = x.shapeRef();
        Tensor out = compute(Kind.MAX, x, ax);
        Tensor y = out;
        out = Autograd.record("max", out, new Tensor[] {x}, g -> {
            // forward: y = max(x, axes)  =>  dx += dy * [x == y] / (number of maxima)
            Tensor isMax = x.eq(y);
            Tensor count = compute(Kind.SUM, isMax, ax);
            Autograd.accumulate(x, isMax.mul(g.div(count)));
        });
        return keepDims ? out : out.reshape(droppedShape(shape, ax));
    }

    /** log(sum(exp(x))) over axes, shifted by the (detached) maximum so exp never overflows. */
    public static Tensor logsumexp(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shape.axes("logsumexp", axes, x.dim());
        Tensor m = compute(Kind.MAX, x, ax);
        for (int i = 0, n = m.numel(); i < n; i++) {
            if (Double.isInfinite(m.at(i))) {
                m.put(i, 0.0); // all -inf (or an inf) row: shifting by inf would give nan
            }
        }
        Tensor out = x.sub(m).exp().sum(true, ax).log().add(m);
        return keepDims ? out : out.reshape(droppedShape(x.shapeRef(), ax));
    }

    public static IntTensor argmax(Tensor x, int axis) {
        int a = Shape.axis("argmax", axis, x.dim());
        int[] shape = x.shapeRef();
        int[] perm = new int[x.dim()];
        for (int i = 0, p = 0; i < x.dim(); i++) {
            if (i != a) {
                perm[p++] = i;
            }
        }
        perm[x.dim() - 1] = a;
        int n = shape[a];
        if (n == 0) {
            throw new IllegalArgumentException("argmax: axis " + axis + " of " + x.describe() + " is empty");
        }
        Tensor rows = x.detach().permute(perm).contiguous(); // (outer, n)
        int outer = rows.numel() / n;
        int[] idx = new int[outer];
        for (int r = 0; r < outer; r++) {
            int best = 0;
            double bv = rows.at(r * n);
            for (int i = 1; i < n && !Double.isNaN(bv); i++) {
                double v = rows.at(r * n + i);
                if (v > bv || Double.isNaN(v)) {
                    bv = v;
                    best = i;
                }
            }
            idx[r] = best;
        }
        return new IntTensor(droppedShape(shape, new int[] {a}), idx);
    }

    /** Sums the dimensions that broadcasting added or stretched, giving {@code target}'s shape. */
    public static Tensor sumTo(Tensor g, int[] target) {
        int[] shape = g.shapeRef();
        if (Arrays.equals(shape, target)) {
            return g;
        }
        int lead = shape.length - target.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumTo: " + Shape.format(shape) + " has fewer dimensions than "
                    + Shape.format(target));
        }
        int[] axes = new int[shape.length];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead) {
                axes[k++] = i;
            } else if (target[i - lead] == 1 && shape[i] != 1) {
                axes[k++] = i;
            } else if (target[i - lead] != shape[i]) {
                throw new IllegalArgumentException("sumTo: " + Shape.format(shape) + " does not broadcast from "
                        + Shape.format(target));
            }
        }
        if (k == 0) {
            return g.reshape(target);
        }
        return sum(g, true, Arrays.copyOf(axes, k)).reshape(target);
    }
}
