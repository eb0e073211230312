package org.blades.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.io.StDType;
import org.blades.tensor.IntTensor;
import org.blades.tensor.Tensor;

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
 */
public final class OpReference {
    private final ReferenceFile ref;
    private final String name;
    private final Map<String, Tensor> inputs = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();

    public OpReference(ReferenceFile ref, String name) {
        this.ref = ref;
        this.name = name;
        ref.tensorsOf(name); // fails with the list of cases when the case is missing
    }

    public String name() {
        return name;
    }

    /** The case's arguments (metadata JSON). */
    public Map<String, Object> args() {
        return ref.caseArgs(name);
    }

    /** Input NAME.in.arg as a leaf tensor that requires a gradient, in the file's dtype (F32 or F64). */
    public Tensor in(String arg) {
        return inputs.computeIfAbsent(arg, a -> tensor(name + ".in." + a).requiresGrad(true).named(a));
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

    /** Any tensor of the file, in its dtype. */
    public Tensor tensor(String full) {
        int[] shape = ref.shape(full);
        StDType dt = ref.file().info(full).dtype();
        return dt == StDType.F64 ? Tensor.of(ref.doubles(full), shape) : Tensor.of(ref.floats(full), shape);
    }

    /** Compares {@code out} with NAME.out, then every stored input gradient, each with {@code tol}. */
    public void check(Tensor out, Tolerance tol) {
        check(out, tol, tol);
    }

    /** As {@link #check(Tensor, Tolerance)} with a separate tolerance for the gradients. */
    public void check(Tensor out, Tolerance outTol, Tolerance gradTol) {
        compare(name + ".out", out, outTol);
        if (!ref.file().contains(name + ".gout")) {
            return;
        }
        Tensor gout = tensor(name + ".gout");
        out.mul(gout).sum().backward();
        for (String t : ref.tensorsOf(name)) {
            String prefix = name + ".grad.";
            if (t.startsWith(prefix)) {
                String arg = t.substring(prefix.length());
                Tensor input = inputs.get(arg);
                if (input == null || input.grad() == null) {
                    throw new AssertionError("case " + name + ": the reference has " + t
                            + " but the Java run produced no gradient for input '" + arg + "'");
                }
                compare(t, input.grad(), gradTol);
            }
        }
    }

    /** Compares any tensor with a reference tensor of the file. */
    public void compare(String full, Tensor actual, Tolerance tol) {
        TensorCompare.Report r = ref.assertClose(full, actual.toDoubleArray(), actual.shape(), tol);
        lines.add(r.summary());
    }

    /** One line per compared tensor (max error, budget share) for the test log. */
    public List<String> report() {
        return lines;
    }
}
