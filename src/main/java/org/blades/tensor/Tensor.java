package org.blades.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.blades.kernels.ArrayKernels;
import org.blades.kernels.Parallel;

/**
 * An n-dimensional array of float32 or float64 with strides over a shared storage, and a slot on the
 * autograd tape.
 *
 * <p>Views ({@link #reshape}, {@link #permute}, {@link #slice}, {@link #expand}, ...) share storage and are
 * differentiable. Every other op returns a new dense tensor (row-major, offset 0). Ops live in families named
 * after what they compute: {@link Elementwise}, {@link Reduce}, {@link MatMul} are reached through the
 * instance methods here; {@code Conv}, {@code Pool}, {@code Norm}, {@code Activation}, {@code Indexing} are
 * static.
 */
public final class Tensor {
    private final DType dtype;
    private final float[] f; // storage when dtype == F32, else null
    private final double[] d; // storage when dtype == F64, else null
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    boolean requiresGrad;
    boolean retainsGrad;
    Tensor grad;
    Autograd.Node node;
    private String name;

    private Tensor(DType dtype, float[] f, double[] d, int[] shape, int[] strides, int offset) {
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ----------------------------------------------------------------------------------------------
    // Factories

    public static Tensor empty(DType dtype, int... shape) {
        int n = Shape.numel(shape);
        return dtype == DType.F32
                ? new Tensor(dtype, new float[n], null, shape.clone(), Shape.contiguousStrides(shape), 0)
                : new Tensor(dtype, null, new double[n], shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return empty(dtype, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, shape);
        if (dtype == DType.F32) {
            Arrays.fill(t.f, (float) value);
        } else {
            Arrays.fill(t.d, value);
        }
        return t;
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    /** Wraps (does not copy) a float32 array; its length must equal the shape's element count. */
    public static Tensor of(float[] data, int... shape) {
        checkLength("Tensor.of", data.length, shape);
        return new Tensor(DType.F32, data, null, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** Wraps (does not copy) a float64 array; its length must equal the shape's element count. */
    public static Tensor of(double[] data, int... shape) {
        checkLength("Tensor.of", data.length, shape);
        return new Tensor(DType.F64, null, data, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** Standard normal draws from a seeded generator: the same seed gives the same tensor. */
    public static Tensor randn(DType dtype, long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = empty(dtype, shape);
        for (int i = 0, n = t.numel(); i < n; i++) {
            t.setFlat(i, gaussian(rng));
        }
        return t;
    }

    /** Uniform draws in [0, 1) from a seeded generator. */
    public static Tensor rand(DType dtype, long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = empty(dtype, shape);
        for (int i = 0, n = t.numel(); i < n; i++) {
            t.setFlat(i, rng.nextDouble());
        }
        return t;
    }

    /** Box-Muller: SplittableRandom has no nextGaussian on JDK 17. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static void checkLength(String op, int length, int[] shape) {
        if (Shape.numel(shape) != length) {
            throw new IllegalArgumentException(op + ": shape " + Shape.format(shape) + " needs "
                    + Shape.numel(shape) + " elements but the array has " + length);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Metadata

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    int[] shapeRef() {
        return shape;
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public int size(int axis) {
        return shape[Shape.axis("size", axis, shape.length)];
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public String name() {
        return name;
    }

    /** A label used in error messages and gradient-check reports. */
    public Tensor named(String label) {
        this.name = label;
        return this;
    }

    /** Row-major layout, possibly with an offset (a contiguous slice of a bigger storage). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Row-major, offset 0 and owning exactly its storage: {@link #f32()} and {@link #f64()} may be used. */
    public boolean isDense() {
        return offset == 0 && isContiguous() && storageLength() == numel();
    }

    /** Whether this and {@code other} are backed by the same array (views of one storage). */
    public boolean sharesStorage(Tensor other) {
        return other != null && dtype == other.dtype && (dtype == DType.F32 ? f == other.f : d == other.d);
    }

    private int storageLength() {
        return dtype == DType.F32 ? f.length : d.length;
    }

    /** The backing array of a dense float32 tensor. */
    public float[] f32() {
        if (dtype != DType.F32) {
            throw new IllegalStateException("f32(): tensor " + describe() + " is " + dtype);
        }
        requireDense("f32()");
        return f;
    }

    /** The backing array of a dense float64 tensor. */
    public double[] f64() {
        if (dtype != DType.F64) {
            throw new IllegalStateException("f64(): tensor " + describe() + " is " + dtype);
        }
        requireDense("f64()");
        return d;
    }

    private void requireDense(String op) {
        if (!isDense()) {
            throw new IllegalStateException(op + ": tensor " + describe() + " is a strided view; call contiguous() first");
        }
    }

    String describe() {
        return (name == null ? "" : "'" + name + "' ") + dtype + Shape.format(shape);
    }

    // Raw storage access for strided loops inside this package.
    double at(int storageIndex) {
        return f != null ? f[storageIndex] : d[storageIndex];
    }

    void put(int storageIndex, double v) {
        if (f != null) {
            f[storageIndex] = (float) v;
        } else {
            d[storageIndex] = v;
        }
    }

    float[] rawF() {
        return f;
    }

    double[] rawD() {
        return d;
    }

    int[] stridesRef() {
        return strides;
    }

    /** Flat row-major write into a dense tensor (factories, tests). */
    void setFlat(int i, double v) {
        put(i, v);
    }

    /** Element at a multi-index (negative indices count from the end). */
    public double getDouble(int... index) {
        return at(storageIndex("getDouble", index));
    }

    /** Writes one element in place; not recorded on the tape (for building inputs and optimizer state). */
    public void setDouble(double v, int... index) {
        put(storageIndex("setDouble", index), v);
    }

    private int storageIndex(String op, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of shape "
                    + Shape.format(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            int k = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (k < 0 || k >= shape[i]) {
                throw new IndexOutOfBoundsException(op + ": index " + index[i] + " is out of range for dimension "
                        + i + " of shape " + Shape.format(shape));
            }
            p += k * strides[i];
        }
        return p;
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): tensor " + describe() + " has " + numel() + " elements");
        }
        return at(offset);
    }

    /** Values in logical row-major order, as float64. */
    public double[] toDoubleArray() {
        if (dtype == DType.F64 && isDense()) {
            return d.clone();
        }
        double[] out = new double[numel()];
        StridedLoop.forEach(shape, strides, offset, (o, k) -> out[o] = at(k));
        return out;
    }

    /** Values in logical row-major order, as float32. */
    public float[] toFloatArray() {
        if (dtype == DType.F32 && isDense()) {
            return f.clone();
        }
        float[] out = new float[numel()];
        StridedLoop.forEach(shape, strides, offset, (o, k) -> out[o] = (float) at(k));
        return out;
    }

    // ----------------------------------------------------------------------------------------------
    // Autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf (parameter, task weight, input) as needing its gradient. */
    public Tensor requiresGrad(boolean on) {
        if (node != null && !on) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor " + describe() + "; use detach()");
        }
        requiresGrad = on;
        return this;
    }

    /** Keeps this non-leaf tensor's gradient after backward (leaves always keep theirs). */
    public Tensor retainGrad() {
        retainsGrad = true;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public boolean isLeaf() {
        return node == null;
    }

    /** Zeroes the accumulated gradient in place; backward only ever adds to it. */
    public void zeroGrad() {
        if (grad != null) {
            grad.fillInPlace(0.0);
        }
    }

    /** Reverse-mode sweep from this scalar; gradients accumulate into every tensor that requires one. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward(): output " + describe()
                    + " is not a scalar; pass an explicit gradient with backward(gout)");
        }
        Autograd.backward(this, full(dtype, 1.0, shape));
    }

    public void backward(Tensor gout) {
        Autograd.backward(this, gout);
    }

    /** The same values, cut from the tape. Shares storage. */
    public Tensor detach() {
        return new Tensor(dtype, f, d, shape, strides, offset);
    }

    // ----------------------------------------------------------------------------------------------
    // Copies and in-place writes (never recorded; for gradients, optimizers and parameter vectors)

    /** A dense copy with its own storage, recorded on the tape as identity. */
    public Tensor copy() {
        Tensor out = empty(dtype, shape);
        out.copyFromInPlace(this);
        return Autograd.record("copy", out, new Tensor[] {this}, g -> Autograd.accumulate(this, g));
    }

    /** This tensor if dense, else a dense copy; differentiable. */
    public Tensor contiguous() {
        return isDense() ? this : copy();
    }

    /** Same values in another dtype; differentiable (the gradient is cast back). */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        Tensor out = empty(target, shape);
        out.copyFromInPlace(this);
        return Autograd.record("to(" + target + ")", out, new Tensor[] {this},
                g -> Autograd.accumulate(this, g.to(dtype)));
    }

    /** Writes {@code src}'s values (broadcast to this shape) into this tensor or view. */
    public void copyFromInPlace(Tensor src) {
        int[] sStrides = Shape.broadcastStrides(src.shape, src.strides, shape);
        if (!Arrays.equals(Shape.broadcast("copy", shape, src.shape), shape)) {
            throw new IllegalArgumentException("copy: source " + Shape.format(src.shape)
                    + " cannot be broadcast to destination " + Shape.format(shape));
        }
        if (dtype == DType.F32 && src.dtype == DType.F32 && isDense() && src.isDense()
                && Arrays.equals(shape, src.shape)) {
            System.arraycopy(src.f, 0, f, 0, f.length);
            return;
        }
        if (dtype == DType.F32 && src.dtype == DType.F32 && shape.length > 0) {
            StridedLoop.copyF32(shape, f, strides, offset, src.f, sStrides, src.offset, false);
            return;
        }
        StridedLoop.forEach2(shape, strides, offset, sStrides, src.offset, (o, s) -> put(o, src.at(s)));
    }

    /** Elements per parallel task of a dense float32 {@link #addInPlace}. */
    private static final int ADD_CHUNK = 1 << 16;

    /** this += g, element by element (gradient accumulation). */
    public void addInPlace(Tensor g) {
        if (!Arrays.equals(shape, g.shape)) {
            throw new IllegalArgumentException("addInPlace: shapes " + Shape.format(shape) + " and "
                    + Shape.format(g.shape) + " differ");
        }
        if (isDense() && g.isDense() && dtype == g.dtype) {
            if (dtype == DType.F32) {
                float[] a = f; // (n)
                float[] b = g.f; // (n)
                // fixed chunks, each added by one thread: the same bits for any thread count
                int chunks = (a.length + ADD_CHUNK - 1) / ADD_CHUNK;
                Parallel.parallelFor(chunks, t -> {
                    int lo = t * ADD_CHUNK;
                    ArrayKernels.add(a, lo, b, lo, Math.min(ADD_CHUNK, a.length - lo));
                });
            } else {
                double[] a = d;
                double[] b = g.d;
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
            }
            return;
        }
        if (dtype == DType.F32 && g.dtype == DType.F32 && shape.length > 0) {
            StridedLoop.copyF32(shape, f, strides, offset, g.f, g.strides, g.offset, true);
            return;
        }
        StridedLoop.forEach2(shape, strides, offset, g.strides, g.offset, (o, s) -> put(o, at(o) + g.at(s)));
    }

    public void fillInPlace(double v) {
        if (isDense()) {
            if (f != null) {
                ArrayKernels.fill(f, 0, f.length, (float) v);
            } else {
                ArrayKernels.fill(d, 0, d.length, v);
            }
            return;
        }
        StridedLoop.forEach(shape, strides, offset, (o, k) -> put(k, v));
    }

    // ----------------------------------------------------------------------------------------------
    // Views: share storage; backward maps the gradient back through the inverse view.

    private Tensor view(String op, int[] newShape, int[] newStrides, int newOffset, Autograd.Backward fn) {
        Tensor out = new Tensor(dtype, f, d, newShape, newStrides, newOffset);
        return Autograd.record(op, out, new Tensor[] {this}, fn);
    }

    /** New shape with the same elements; one dimension may be -1. Copies only if this is a strided view. */
    public Tensor reshape(int... newShape) {
        int[] target = inferShape(newShape);
        if (!isContiguous()) {
            return contiguous().reshape(target);
        }
        return view("reshape", target, Shape.contiguousStrides(target), offset,
                g -> Autograd.accumulate(this, g.reshape(shape)));
    }

    private int[] inferShape(int[] newShape) {
        int[] target = newShape.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.format(newShape));
                }
                infer = i;
            } else {
                known *= target[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shape.format(shape) + " to "
                        + Shape.format(newShape));
            }
            target[infer] = n / known;
        }
        if (Shape.numel(target) != n) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shape.format(shape) + " ("
                    + n + " elements) to " + Shape.format(newShape));
        }
        return target;
    }

    /** Reorders dimensions: output dimension i is input dimension dims[i]. */
    public Tensor permute(int... dims) {
        if (dims.length != shape.length) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " does not match rank of "
                    + Shape.format(shape));
        }
        int[] ns = new int[dims.length];
        int[] nst = new int[dims.length];
        int[] inverse = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int a = Shape.axis("permute", dims[i], dims.length);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: axis repeated in " + Arrays.toString(dims));
            }
            seen[a] = true;
            ns[i] = shape[a];
            nst[i] = strides[a];
            inverse[a] = i;
        }
        return view("permute", ns, nst, offset, g -> Autograd.accumulate(this, g.permute(inverse)));
    }

    public Tensor transpose(int a, int b) {
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i;
        }
        int ra = Shape.axis("transpose", a, shape.length);
        int rb = Shape.axis("transpose", b, shape.length);
        dims[ra] = rb;
        dims[rb] = ra;
        return permute(dims);
    }

    /** Elements start (inclusive) to end (exclusive) along one axis; negative bounds count from the end. */
    public Tensor slice(int axis, int start, int end) {
        int a = Shape.axis("slice", axis, shape.length);
        int n = shape[a];
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || s > e || e > n) {
            throw new IndexOutOfBoundsException("slice: [" + start + ", " + end + ") is out of range for axis "
                    + axis + " of shape " + Shape.format(shape));
        }
        int[] ns = shape.clone();
        ns[a] = e - s;
        return view("slice", ns, strides.clone(), offset + s * strides[a], g -> {
            // forward: y = x[..., s:e, ...]  =>  dx[..., s:e, ...] += dy
            Tensor dx = zeros(dtype, shape);
            dx.sliceView(a, s, e).copyFromInPlace(g);
            Autograd.accumulate(this, dx);
        });
    }

    /** An untracked slice view, for writing into (used by backward rules). */
    Tensor sliceView(int axis, int start, int end) {
        int[] ns = shape.clone();
        ns[axis] = end - start;
        return new Tensor(dtype, f, d, ns, strides, offset + start * strides[axis]);
    }

    /** Broadcasts size-1 (or missing leading) dimensions to the target shape without copying (stride 0). */
    public Tensor expand(int... target) {
        int[] full = Shape.broadcast("expand", shape, target);
        if (!Arrays.equals(full, target)) {
            throw new IllegalArgumentException("expand: shape " + Shape.format(shape) + " cannot be expanded to "
                    + Shape.format(target));
        }
        if (Arrays.equals(target, shape)) {
            return this;
        }
        return view("expand", target.clone(), Shape.broadcastStrides(shape, strides, target), offset,
                g -> Autograd.accumulate(this, g.sumTo(shape)));
    }

    public Tensor unsqueeze(int axis) {
        int a = Shape.axis("unsqueeze", axis, shape.length + 1);
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            ns[i] = i == a ? 1 : shape[j++];
        }
        return reshape(ns);
    }

    public Tensor squeeze(int axis) {
        int a = Shape.axis("squeeze", axis, shape.length);
        if (shape[a] != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shape.format(shape)
                    + " has size " + shape[a] + ", not 1");
        }
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != a) {
                ns[j++] = shape[i];
            }
        }
        return reshape(ns);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    // ----------------------------------------------------------------------------------------------
    // Elementwise (broadcasting); the derivative rules live in Elementwise.

    public Tensor add(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.ADD, this, o);
    }

    public Tensor sub(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.SUB, this, o);
    }

    public Tensor mul(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.MUL, this, o);
    }

    public Tensor div(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.DIV, this, o);
    }

    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(Elementwise.Binary.POW, this, exponent);
    }

    public Tensor maximum(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.MAXIMUM, this, o);
    }

    public Tensor minimum(Tensor o) {
        return Elementwise.binary(Elementwise.Binary.MINIMUM, this, o);
    }

    public Tensor add(double c) {
        return add(scalar(dtype, c));
    }

    public Tensor sub(double c) {
        return sub(scalar(dtype, c));
    }

    public Tensor mul(double c) {
        return mul(scalar(dtype, c));
    }

    public Tensor div(double c) {
        return div(scalar(dtype, c));
    }

    public Tensor pow(double p) {
        return Elementwise.unary(Elementwise.Unary.pow(p), this);
    }

    public Tensor neg() {
        return Elementwise.unary(Elementwise.Unary.NEG, this);
    }

    public Tensor exp() {
        return Elementwise.unary(Elementwise.Unary.EXP, this);
    }

    public Tensor log() {
        return Elementwise.unary(Elementwise.Unary.LOG, this);
    }

    public Tensor sqrt() {
        return Elementwise.unary(Elementwise.Unary.SQRT, this);
    }

    public Tensor abs() {
        return Elementwise.unary(Elementwise.Unary.ABS, this);
    }

    /** Limits values to [min, max]; use Double.NEGATIVE_INFINITY / POSITIVE_INFINITY for a one-sided clamp. */
    public Tensor clamp(double min, double max) {
        return Elementwise.unary(Elementwise.Unary.clamp(min, max), this);
    }

    /** 1 where this > o (broadcast), else 0; not differentiable. */
    public Tensor gt(Tensor o) {
        return Elementwise.compare(Elementwise.Binary.GT, this, o);
    }

    /** 1 where this == o (broadcast), else 0; not differentiable. */
    public Tensor eq(Tensor o) {
        return Elementwise.compare(Elementwise.Binary.EQ, this, o);
    }

    // ----------------------------------------------------------------------------------------------
    // Reductions

    /** Sum over the given axes (all axes when none are given). */
    public Tensor sum(boolean keepDims, int... axes) {
        return Reduce.sum(this, keepDims, axes);
    }

    public Tensor sum() {
        return Reduce.sum(this, false);
    }

    public Tensor mean(boolean keepDims, int... axes) {
        return Reduce.mean(this, keepDims, axes);
    }

    public Tensor mean() {
        return Reduce.mean(this, false);
    }

    /** Maximum over the given axes; the gradient is shared equally between tied maxima (torch.amax). */
    public Tensor max(boolean keepDims, int... axes) {
        return Reduce.max(this, keepDims, axes);
    }

    public Tensor logsumexp(boolean keepDims, int... axes) {
        return Reduce.logsumexp(this, keepDims, axes);
    }

    /** Index of the first maximum along an axis; the axis is removed from the shape. */
    public IntTensor argmax(int axis) {
        return Reduce.argmax(this, axis);
    }

    /** Sums broadcast dimensions away so the result has {@code target}'s shape (the adjoint of expand). */
    public Tensor sumTo(int[] target) {
        return Reduce.sumTo(this, target);
    }

    // ----------------------------------------------------------------------------------------------
    // Linear algebra

    /** Batched matrix product (..., M, K) @ (..., K, N) with broadcast batch dimensions. */
    public Tensor matmul(Tensor o) {
        return MatMul.matmul(this, o);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(describe());
        int n = numel();
        double[] v = toDoubleArray();
        sb.append('[');
        for (int i = 0; i < Math.min(n, 8); i++) {
            sb.append(i > 0 ? ", " : "").append(v[i]);
        }
        return sb.append(n > 8 ? ", ...]" : "]").toString();
    }
}
