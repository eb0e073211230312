package org.blades.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;

/**
 * A layer or model: named parameters (trainable leaves), named buffers (state such as batch-norm running
 * statistics, saved but not trained) and named child modules. Dotted names follow PyTorch's state_dict
 * ("layer1.0.conv1.weight"), so checkpoints written by PyTorch load without renaming.
 *
 * <p>Order matters and matches PyTorch: a module lists its own parameters, then its own buffers, then each
 * child's entries in registration order.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter; it is marked requiresGrad. */
    protected final Tensor param(String name, Tensor t) {
        checkName(name);
        params.put(name, t.requiresGrad(true).named(name));
        return t;
    }

    /** Registers a buffer: saved and loaded with the state, never trained. */
    protected final Tensor buffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t.named(name));
        return t;
    }

    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || params.containsKey(name) || buffers.containsKey(name)
                || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid or duplicate member name '"
                    + name + "'");
        }
    }

    /** Every parameter under dotted names, in state_dict order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return Collections.unmodifiableMap(out);
    }

    /** Every buffer under dotted names, in state_dict order. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return Collections.unmodifiableMap(out);
    }

    /** Parameters and buffers under dotted names in PyTorch's state_dict order. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withParams, boolean withBuffers) {
        if (withParams) {
            params.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (withBuffers) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withParams, withBuffers));
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameters as one flat vector θ (snapshot, bit-exact restore, θ ± εv). */
    public final ParameterVector parameterVector() {
        return new ParameterVector(parameters());
    }

    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Training mode (batch statistics in batch-norm) or evaluation mode, for this module and all children. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
    }

    public final boolean isTraining() {
        return training;
    }

    protected final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }
}
