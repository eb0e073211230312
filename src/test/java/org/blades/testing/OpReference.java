package org.blades.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.io.StDType;
import org.blades.tensor.DType;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;

// rank = number of dimensions of a tensor

/**
 * Runs one op case of a PyTorch reference file the way generate.py did: inputs NAME.in.*, output compared with
 * NAME.out, loss = sum(out * NAME.gout), backward, and every NAME.grad.* compared with the input's gradient.
 *
 * <pre>
 * try (ReferenceFile ref = ReferenceFile.open("elementwise")) {
 *     OpReference c = new OpReference(ref, "add_bcast");
 *     c.check(c.in("a").add(c.in("b")), Tolerance.F32);
 * }
 * </pre>
 *
 * <p>Gradients follow the file, as torch's requires_grad did when it was written: an input requires a gradient
 * exactly when the file stores NAME.grad.&lt;arg&gt;. So every stored gradient must be matched by a Java one (a
 * missing one fails), and an input torch did not differentiate (a mask, ids) is never asked for one.
 */
public final class OpReference {
    /** float64 results against float64 torch: only summation order differs. */
    public static final Tolerance F64 = Tolerance.of(1e-12, 1e-10);

    private final ReferenceFile ref;
    private final String name;
    private final Map<String, Tensor> inputs = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();

    public OpReference(ReferenceFile ref, String name) {
        this.ref = ref;
        this.name = name;
        ref.tensorsOf(name); // fails with the list of cases when the case is missing
    }

    /** The default tolerance for a case's dtype: the project's float32 one ({@link Tolerance#F32}) or {@link #F64}. */
    public static Tolerance tolerance(DType dtype) {
        return dtype == DType.F32 ? Tolerance.F32 : F64;
    }

    public String name() {
        return name;
    }

    /** The case's arguments (metadata JSON). */
    public Map<String, Object> args() {
        return ref.caseArgs(name);
    }

    /** The case's "op" argument. */
    public String op() {
        return arg("op", String.class, "a string");
    }

    /** The case's integer argument {@code key} (JSON numbers without a fraction read as Long). */
    public int intArg(String key) {
        return toInt(key, arg(key, Long.class, "an integer"));
    }

    /** The case's numeric argument {@code key}. */
    public double doubleArg(String key) {
        return arg(key, Number.class, "a number").doubleValue();
    }

    /** The case's argument {@code key} as a list of integers (a shape, a permutation). */
    public int[] intsArg(String key) {
        List<?> list = arg(key, List.class, "a list of integers");
        int[] out = new int[list.size()]; // (list length)
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v)) {
                throw new AssertionError("case " + name + ": argument '" + key + "' = " + list
                        + " is not a list of integers");
            }
            out[i] = toInt(key, v);
        }
        return out;
    }

    /**
     * Input NAME.in.arg as a leaf tensor in the file's dtype (F32 or F64), named {@code arg}; it requires a gradient
     * when the file stores NAME.grad.arg. The same tensor on every call, so {@link #check} finds its gradient.
     */
    public Tensor in(String arg) {
        return inputs.computeIfAbsent(arg,
                a -> tensor(name + ".in." + a).requiresGrad(ref.file().contains(name + ".grad." + a)).named(a));
    }

    /** Input NAME.in.arg as a constant (masks, running statistics). */
    public Tensor constant(String arg) {
        return tensor(name + ".in." + arg);
    }

    /** Integer input NAME.in.arg (ids) as an IntTensor. */
    public IntTensor ids(String arg) {
        String t = name + ".in." + arg;
        return IntTensor.of(ref.file().ints(t), ref.shape(t));
    }

    /** Any floating tensor of the file, in its dtype. */
    public Tensor tensor(String full) {
        int[] shape = ref.shape(full); // (rank)
        StDType dt = ref.file().info(full).dtype();
        return switch (dt) {
            case F32 -> Tensor.of(ref.floats(full), shape);
            case F64 -> Tensor.of(ref.doubles(full), shape);
            default -> throw new AssertionError("case " + name + ": " + full + " is " + dt + ", expected F32 or F64");
        };
    }

    /** Compares {@code out} with NAME.out, then every stored input gradient, each with {@code tol}. */
    public void check(Tensor out, Tolerance tol) {
        check(out, tol, tol);
    }

    /**
     * As {@link #check(Tensor, Tolerance)} with a separate tolerance for the gradients. When the case has NAME.gout
     * it must hold at least one NAME.grad.*, and each needs an input from {@link #in} with a gradient.
     */
    public void check(Tensor out, Tolerance outTol, Tolerance gradTol) {
        compare(name + ".out", out, outTol);
        if (!ref.file().contains(name + ".gout")) {
            return;
        }
        Tensor gout = tensor(name + ".gout");
        if (gout.dtype() != out.dtype()) {
            throw new AssertionError("case " + name + ": output is " + out.dtype() + " but the reference gout is "
                    + gout.dtype());
        }
        if (!out.requiresGrad()) {
            throw new AssertionError("case " + name + ": the reference has " + name + ".gout but the Java output "
                    + "does not require a gradient (no input from in() reached it through the tape)");
        }
        // d sum(out * gout) / d out = gout
        out.backward(gout);
        String prefix = name + ".grad.";
        List<String> grads = new ArrayList<>();
        for (String t : ref.tensorsOf(name)) {
            if (t.startsWith(prefix)) {
                grads.add(t);
            }
        }
        if (grads.isEmpty()) {
            throw new AssertionError("case " + name + " has " + name + ".gout but no " + prefix + "* to compare");
        }
        for (String t : grads) {
            String arg = t.substring(prefix.length());
            Tensor input = inputs.get(arg);
            if (input == null) {
                throw new AssertionError("case " + name + ": the reference has " + t + " but the test never read input '"
                        + arg + "' with in(\"" + arg + "\")");
            }
            if (input.grad() == null) {
                throw new AssertionError("case " + name + ": the reference has " + t
                        + " but the Java run produced no gradient for input '" + arg + "'");
            }
            compare(t, input.grad(), gradTol);
        }
    }

    /** Compares any tensor with a reference tensor of the file (float32 values are reported as floats). */
    public void compare(String full, Tensor actual, Tolerance tol) {
        TensorCompare.Report r = actual.dtype() == DType.F32
                ? ref.assertClose(full, actual.toFloatArray(), actual.shape(), tol)
                : ref.assertClose(full, actual.toDoubleArray(), actual.shape(), tol);
        lines.add(r.summary());
    }

    /** One line per compared tensor (max error, budget share) for the test log. */
    public List<String> report() {
        return lines;
    }

    private <T> T arg(String key, Class<T> type, String what) {
        Object v = args().get(key);
        if (!type.isInstance(v)) {
            throw new AssertionError("case " + name + ": argument '" + key + "' is " + (v == null ? "missing" : v)
                    + ", expected " + what + "; arguments: " + args());
        }
        return type.cast(v);
    }

    private int toInt(String key, long v) {
        if (v != (int) v) {
            throw new AssertionError("case " + name + ": argument '" + key + "' = " + v + " does not fit an int");
        }
        return (int) v;
    }
}
