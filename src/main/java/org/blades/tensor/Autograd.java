package org.blades.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reverse-mode tape. Every differentiable op builds its output and calls {@link #record} with a closure
 * that turns the output's gradient into its inputs' gradients (micrograd's design). {@link Tensor#backward()}
 * sorts the graph topologically and runs the closures in reverse.
 *
 * <p>Rules every backward closure follows: it receives a dense gradient of the output's shape; it calls
 * {@link #accumulate} once per input that requires a gradient; accumulate adds, it never overwrites.
 * Closures run with grad mode off, so they may use ordinary tensor ops.
 */
public final class Autograd {
    private Autograd() {
    }

    /** The derivative rule of one op: reads the output gradient, accumulates into input gradients. */
    @FunctionalInterface
    public interface Backward {
        void apply(Tensor gout);
    }

    /** A recorded op application: the tape entry hanging off its output tensor. */
    static final class Node {
        final String op;
        final Tensor[] inputs;
        final Backward fn;

        Node(String op, Tensor[] inputs, Backward fn) {
            this.op = op;
            this.inputs = inputs;
            this.fn = fn;
        }
    }

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** A scope in which no op is recorded; close it (try-with-resources) to restore the previous mode. */
    public static final class NoGrad implements AutoCloseable {
        private boolean closed;

        private NoGrad() {
            NO_GRAD_DEPTH.get()[0]++;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    public static NoGrad noGrad() {
        return new NoGrad();
    }

    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * Attaches a tape node to {@code out} when grad mode is on and some input requires a gradient;
     * otherwise returns {@code out} untouched, so ops pay nothing under {@link #noGrad()}.
     */
    public static Tensor record(String op, Tensor out, Tensor[] inputs, Backward fn) {
        if (!isGradEnabled()) {
            return out;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return out;
        }
        out.node = new Node(op, inputs.clone(), fn);
        out.requiresGrad = true;
        return out;
    }

    /** Adds {@code g} into {@code t}'s gradient; {@code g} is only read, so callers may pass shared tensors. */
    public static void accumulate(Tensor t, Tensor g) {
        if (t == null || !t.requiresGrad()) {
            return;
        }
        if (!Arrays.equals(t.shapeRef(), g.shapeRef()) || t.dtype() != g.dtype()) {
            throw new IllegalStateException("backward of " + (t.node == null ? "leaf" : t.node.op)
                    + ": gradient " + g.dtype() + Shape.format(g.shapeRef()) + " does not match tensor "
                    + t.dtype() + Shape.format(t.shapeRef()));
        }
        if (t.grad == null) {
            t.grad = g.copy();
        } else {
            t.grad.addInPlace(g);
        }
    }

    /**
     * {@link #accumulate} for a gradient tensor the calling backward rule allocated itself (new, or from
     * {@link #gradientBuffer}), dense, and never touches again: when {@code t} has no gradient yet, {@code g}
     * becomes it without a copy (an activation-sized copy per op otherwise). Later contributions are added into
     * it in place and the pass recycles it, which is why {@code g} must not be shared: never the rule's gout, a
     * view of it, or a tensor handed to a second accumulateOwned.
     */
    static void accumulateOwned(Tensor t, Tensor g) {
        if (t == null || !t.requiresGrad()) {
            return;
        }
        if (t.grad == null && g.isDense() && Arrays.equals(t.shapeRef(), g.shapeRef()) && t.dtype() == g.dtype()) {
            t.grad = g;
            return;
        }
        accumulate(t, g);
    }

    /**
     * t's gradient when it has one (dense, t's shape and dtype), for a rule whose kernel accumulates (a GEMM
     * with beta 1) to add its contribution into directly instead of through {@link #accumulate}; else null.
     * Gradients are private to the tape (copies or adopted buffers), so nothing else sees the writes.
     */
    static Tensor existingGradient(Tensor t) {
        Tensor g = t.grad;
        return g != null && g.isDense() && g.dtype() == t.dtype() && Arrays.equals(g.shapeRef(), t.shapeRef())
                ? g : null;
    }

    /** Runs the tape backwards from {@code root}, seeding its gradient with {@code gout}. */
    static void backward(Tensor root, Tensor gout) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor " + Shape.format(root.shapeRef())
                    + " does not require a gradient (no input of its graph has requiresGrad set)");
        }
        if (!Arrays.equals(root.shapeRef(), gout.shapeRef())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.format(gout.shapeRef())
                    + " does not match output shape " + Shape.format(root.shapeRef()));
        }
        Tensor[] order = topologicalOrder(root);
        accumulate(root, gout);
        Map<Long, ArrayDeque<Tensor>> outer = RELEASED.get();
        RELEASED.set(new HashMap<>());
        try (NoGrad ignored = noGrad()) {
            for (int i = order.length - 1; i >= 0; i--) {
                Tensor t = order[i];
                Node node = t.node;
                if (t.grad != null) {
                    node.fn.apply(t.grad);
                }
                // Release the graph as PyTorch does without retain_graph: saved activations can be freed. The
                // order array must let go too, or every op output stays reachable until the pass ends (at
                // ResNet-50 batch 48 that is the whole 4 GiB of activations under the backward's gradients).
                t.node = null;
                order[i] = null;
                if (!t.retainsGrad) {
                    release(t.grad);
                    t.grad = null;
                }
            }
        } finally {
            RELEASED.set(outer);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Gradient storage reuse within one backward pass

    /**
     * Dense gradients the running backward pass has released (those of non-leaf tensors whose rule has run),
     * by dtype and element count, at most {@link #RELEASED_PER_SIZE} of each. Every activation-sized gradient
     * is otherwise a new array the JVM zeroes and the collector soon reclaims: ResNet-50 at batch 8 allocates
     * about 900 MiB of them per step, and the concurrent collection they trigger takes CPU time from the
     * kernels on a 2-core machine. The bound keeps sizes that recur far apart (a late stage's gradients once
     * the pass is in an early stage) from holding memory until the pass ends. Only gradients this class owns go
     * here: copies made by {@link #accumulate}, tensors adopted by {@link #accumulateOwned}, and sums of them;
     * nothing else can hold their storage once released.
     */
    private static final ThreadLocal<Map<Long, ArrayDeque<Tensor>>> RELEASED = new ThreadLocal<>();
    private static final int RELEASED_PER_SIZE = 2;

    private static long poolKey(DType dtype, int numel) {
        return ((long) numel << 1) | (dtype == DType.F32 ? 0 : 1);
    }

    private static void release(Tensor g) {
        Map<Long, ArrayDeque<Tensor>> pool = RELEASED.get();
        if (pool != null && g != null && g.isDense()) {
            ArrayDeque<Tensor> free = pool.computeIfAbsent(poolKey(g.dtype(), g.numel()), k -> new ArrayDeque<>());
            if (free.size() < RELEASED_PER_SIZE) {
                free.push(g);
            }
        }
    }

    /**
     * A dense tensor for a backward rule to write a gradient into and hand to {@link #accumulateOwned}: the
     * storage of a gradient this backward pass has released when one of the size is free (zero-filled if
     * asked, else holding stale values the rule must overwrite entirely), else a new zero tensor.
     */
    static Tensor gradientBuffer(DType dtype, int[] shape, boolean zeroed) {
        Map<Long, ArrayDeque<Tensor>> pool = RELEASED.get();
        ArrayDeque<Tensor> free = pool == null ? null : pool.get(poolKey(dtype, Shape.numel(shape)));
        if (free == null || free.isEmpty()) {
            return Tensor.zeros(dtype, shape);
        }
        Tensor reused = free.pop();
        Tensor t = dtype == DType.F32 ? Tensor.of(reused.rawF(), shape) : Tensor.of(reused.rawD(), shape);
        if (zeroed) {
            t.fillInPlace(0.0);
        }
        return t;
    }

    /** Tensors with a tape node reachable from {@code root}, each after all of its inputs. */
    private static Tensor[] topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        if (root.node == null) {
            return new Tensor[0];
        }
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        // Iterative DFS: deep graphs (ResNet-50 unrolled, long tapes) would overflow the Java stack.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node.inputs;
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.node != null && !visited.containsKey(in)) {
                    visited.put(in, Boolean.TRUE);
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order.toArray(new Tensor[0]);
    }
}
