package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blades.io.StDType;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;

/**
 * Runs one PyTorch reference case (see reference-data/README.md) for the activation, norm and indexing tests:
 * loads inputs, compares the output, backpropagates NAME.gout (loss = sum(out * gout)) and compares every
 * NAME.grad.&lt;arg&gt; the file holds.
 */
final class LayerRefs {
    private LayerRefs() {
    }

    /** float64 results against float64 torch: only summation order differs. */
    static final Tolerance F64 = Tolerance.of(1e-12, 1e-10);

    /** The tolerance for a case's dtype: the project's float32 default, or the float64 one. */
    static Tolerance tolerance(DType dtype) {
        return dtype == DType.F32 ? Tolerance.F32 : F64;
    }

    static DType dtypeOf(ReferenceFile ref, String tensor) {
        StDType t = ref.file().info(tensor).dtype();
        if (t == StDType.F32) {
            return DType.F32;
        }
        assertThat(t).as("dtype of %s", tensor).isEqualTo(StDType.F64);
        return DType.F64;
    }

    /** NAME.in.arg as a tensor of its stored dtype; requiresGrad when the file holds NAME.grad.arg. */
    static Tensor input(ReferenceFile ref, String caseName, String arg) {
        String name = caseName + ".in." + arg;
        int[] shape = ref.shape(name); // (rank)
        Tensor t = dtypeOf(ref, name) == DType.F32 ? Tensor.of(ref.floats(name), shape)
                : Tensor.of(ref.doubles(name), shape);
        return t.requiresGrad(ref.file().contains(caseName + ".grad." + arg)).named(arg);
    }

    /** NAME.in.arg read as integer ids (stored as int64). */
    static IntTensor ids(ReferenceFile ref, String caseName, String arg) {
        String name = caseName + ".in." + arg;
        return IntTensor.of(ref.file().ints(name), ref.shape(name));
    }

    /**
     * Compares {@code out} with NAME.out and, when the case has NAME.gout, every NAME.grad.&lt;arg&gt; with the
     * gradient of the input {@code inputs.get(arg)}; a gradient in the file without a matching input fails.
     */
    static void check(ReferenceFile ref, String caseName, Map<String, Tensor> inputs, Tensor out, Tolerance tol) {
        check(ref, caseName, inputs, out, tol, tol);
    }

    /** As {@link #check(ReferenceFile, String, Map, Tensor, Tolerance)} with its own tolerance for the gradients. */
    static void check(ReferenceFile ref, String caseName, Map<String, Tensor> inputs, Tensor out, Tolerance outTol,
            Tolerance gradTol) {
        compare(ref, caseName + ".out", out, outTol);
        String goutName = caseName + ".gout";
        if (!ref.file().contains(goutName)) {
            return;
        }
        int[] goutShape = ref.shape(goutName); // (shape of out)
        Tensor gout = out.dtype() == DType.F32 ? Tensor.of(ref.floats(goutName), goutShape)
                : Tensor.of(ref.doubles(goutName), goutShape);
        out.backward(gout);
        List<String> grads = new ArrayList<>();
        String prefix = caseName + ".grad.";
        for (String name : ref.tensorsOf(caseName)) {
            if (name.startsWith(prefix)) {
                grads.add(name);
            }
        }
        assertThat(grads).as("gradients of case %s", caseName).isNotEmpty();
        for (String name : grads) {
            String arg = name.substring(prefix.length());
            Tensor x = inputs.get(arg);
            assertThat(x).as("case %s has %s but the test gives no input '%s'", caseName, name, arg).isNotNull();
            assertThat(x.grad()).as("gradient of %s in case %s", arg, caseName).isNotNull();
            compare(ref, name, x.grad(), gradTol);
        }
    }

    static void compare(ReferenceFile ref, String tensor, Tensor actual, Tolerance tol) {
        if (actual.dtype() == DType.F32) {
            ref.assertClose(tensor, actual.toFloatArray(), actual.shape(), tol);
        } else {
            ref.assertClose(tensor, actual.toDoubleArray(), actual.shape(), tol);
        }
    }

    /** The case's integer argument {@code key} (JSON numbers without a fraction read as Long). */
    static int intArg(ReferenceFile ref, String caseName, String key) {
        Object v = ref.caseArgs(caseName).get(key);
        assertThat(v).as("argument %s of case %s", key, caseName).isInstanceOf(Long.class);
        return ((Long) v).intValue();
    }

    static double doubleArg(ReferenceFile ref, String caseName, String key) {
        Object v = ref.caseArgs(caseName).get(key);
        assertThat(v).as("argument %s of case %s", key, caseName).isInstanceOf(Number.class);
        return ((Number) v).doubleValue();
    }

    static String op(ReferenceFile ref, String caseName) {
        return (String) ref.caseArgs(caseName).get("op");
    }

    /** Compares two computations of the same values (fused against composed, fast path against oracle). */
    static void assertSameValues(String what, Tensor actual, Tensor expected, Tolerance tol) {
        TensorCompare.assertClose(what, actual.toDoubleArray(), actual.shape(), expected.toDoubleArray(),
                expected.shape(), tol);
    }
}
