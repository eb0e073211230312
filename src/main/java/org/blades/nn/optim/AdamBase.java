package org.blades.nn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// n = elements of one parameter tensor

/**
 * Adam's update (Kingma and Ba 2015) exactly as torch.optim.Adam / AdamW (PyTorch 1.13, single-tensor path)
 * compute it, per parameter p with gradient g at step t = 1, 2, ...:
 * <pre>
 *   AdamW:  p = p * (1 - lr wd)                       (decoupled decay, before the moments)
 *   Adam:   g = g + wd p                              (L2 penalty in the gradient)
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   p = p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * eps is added after the square root and after the second-moment bias correction (PyTorch's placement,
 * not the paper's eps-hat). Each parameter keeps its own step count, so a parameter that had no gradient
 * at some step is bias-corrected for the steps it actually took, as in PyTorch.
 *
 * <p>Arithmetic follows PyTorch's dtype: float32 parameters and moments are updated in float32 with the
 * hyper-parameters rounded to float32 (as PyTorch's CPU kernels do with Python scalars), and the bias
 * corrections are computed in double; float64 parameters entirely in double.
 */
abstract class AdamBase implements Optimizer {

    /** Moments of one parameter; the array matching the parameter's dtype is used. */
    private static final class State {
        long step;
        float[] m32; // (n)
        float[] v32; // (n)
        double[] m64; // (n)
        double[] v64; // (n)
    }

    private final List<Tensor> params;
    private final Map<Tensor, State> state = new IdentityHashMap<>();
    private final AdamOptions options;
    private final boolean decoupled;
    private double lr;

    AdamBase(List<Tensor> params, AdamOptions options, boolean decoupled) {
        String name = decoupled ? "AdamW" : "Adam";
        if (params.isEmpty()) {
            throw new IllegalArgumentException(name + ": no parameters to optimise");
        }
        for (Tensor p : params) {
            if (!p.isLeaf() || !p.isDense()) {
                throw new IllegalArgumentException(name + ": parameter " + describe(p)
                        + " must be a dense leaf tensor (updated in place)");
            }
            if (state.put(p, new State()) != null) {
                throw new IllegalArgumentException(name + ": parameter " + describe(p) + " is listed twice");
            }
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.options = options;
        this.decoupled = decoupled;
        this.lr = options.lr();
    }

    private static String describe(Tensor p) {
        return (p.name() == null ? "" : "'" + p.name() + "' ") + p.dtype() + java.util.Arrays.toString(p.shape());
    }

    public AdamOptions options() {
        return options;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + value);
        }
        lr = value;
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }

    /** Steps taken by {@code p} so far (PyTorch's state["step"]). */
    public long stepCount(Tensor p) {
        State s = state.get(p);
        if (s == null) {
            throw new IllegalArgumentException("not a parameter of this optimiser: " + describe(p));
        }
        return s.step;
    }

    /** Copies of every parameter's state, in parameter order. */
    public List<AdamState> state() {
        List<AdamState> out = new ArrayList<>(params.size());
        for (Tensor p : params) {
            State s = state.get(p);
            int[] shape = p.shape();
            if (s.step == 0) {
                out.add(new AdamState(0, null, null));
            } else if (p.dtype() == DType.F32) {
                out.add(new AdamState(s.step, Tensor.of(s.m32.clone(), shape), Tensor.of(s.v32.clone(), shape)));
            } else {
                out.add(new AdamState(s.step, Tensor.of(s.m64.clone(), shape), Tensor.of(s.v64.clone(), shape)));
            }
        }
        return out;
    }

    /**
     * Replaces every parameter's state with {@code states} (in parameter order), e.g. a checkpoint's; each
     * moment must have its parameter's shape and is converted to its dtype. Nothing changes if a check fails.
     */
    public void loadState(List<AdamState> states) {
        if (states.size() != params.size()) {
            throw new IllegalArgumentException("Adam.loadState: " + states.size() + " states for " + params.size()
                    + " parameters");
        }
        for (int i = 0; i < params.size(); i++) {
            AdamState st = states.get(i);
            Tensor p = params.get(i);
            for (Tensor m : st.expAvg() == null ? List.<Tensor>of() : List.of(st.expAvg(), st.expAvgSq())) {
                if (!java.util.Arrays.equals(m.shape(), p.shape())) {
                    throw new IllegalArgumentException("Adam.loadState: a moment of shape "
                            + java.util.Arrays.toString(m.shape()) + " for parameter " + i + " " + describe(p));
                }
            }
        }
        for (int i = 0; i < params.size(); i++) {
            AdamState st = states.get(i);
            Tensor p = params.get(i);
            State s = state.get(p);
            s.step = st.step();
            s.m32 = s.v32 = null;
            s.m64 = s.v64 = null;
            if (st.step() == 0) {
                continue;
            }
            Tensor m = st.expAvg().to(p.dtype()).contiguous().detach();
            Tensor v = st.expAvgSq().to(p.dtype()).contiguous().detach();
            if (p.dtype() == DType.F32) {
                s.m32 = m.toFloatArray();
                s.v32 = v.toFloatArray();
            } else {
                s.m64 = m.toDoubleArray();
                s.v64 = v.toDoubleArray();
            }
        }
    }

    @Override
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    @Override
    public void step() {
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            State s = state.get(p);
            s.step++;
            double bc1 = 1 - Math.pow(options.beta1(), s.step);
            double bc2 = 1 - Math.pow(options.beta2(), s.step);
            double stepSize = lr / bc1;
            double bc2Sqrt = Math.sqrt(bc2);
            if (p.dtype() == DType.F32) {
                if (s.m32 == null) {
                    s.m32 = new float[p.numel()];
                    s.v32 = new float[p.numel()];
                }
                update32(p.f32(), g.contiguous().f32(), s.m32, s.v32, stepSize, bc2Sqrt);
            } else {
                if (s.m64 == null) {
                    s.m64 = new double[p.numel()];
                    s.v64 = new double[p.numel()];
                }
                update64(p.f64(), g.contiguous().f64(), s.m64, s.v64, stepSize, bc2Sqrt);
            }
        }
    }

    /**
     * @param p (n) parameter, updated
     * @param g (n) gradient
     * @param m (n) first moment, updated
     * @param v (n) second moment, updated
     */
    private void update64(double[] p, double[] g, double[] m, double[] v, double stepSize, double bc2Sqrt) {
        double b1 = options.beta1();
        double b2 = options.beta2();
        double wd = options.weightDecay();
        double eps = options.eps();
        double decay = 1 - lr * wd;
        for (int i = 0; i < p.length; i++) {
            double gi = g[i];
            if (decoupled) {
                p[i] *= decay;
            } else if (wd != 0) {
                gi = Math.fma(p[i], wd, gi);
            }
            m[i] = Math.fma(gi, 1 - b1, m[i] * b1);
            v[i] = v[i] * b2 + (1 - b2) * gi * gi;
            double denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
            p[i] += -stepSize * m[i] / denom;
        }
    }

    /** As {@link #update64}, in float32 with the hyper-parameters rounded to float32 (PyTorch's scalar handling). */
    private void update32(float[] p, float[] g, float[] m, float[] v, double stepSize, double bc2Sqrt) {
        float b1 = (float) options.beta1();
        float oneMinusB1 = (float) (1 - options.beta1());
        float b2 = (float) options.beta2();
        float oneMinusB2 = (float) (1 - options.beta2());
        float wd = (float) options.weightDecay();
        float eps = (float) options.eps();
        float decay = (float) (1 - lr * options.weightDecay());
        float negStep = (float) -stepSize;
        float bc2 = (float) bc2Sqrt;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            if (decoupled) {
                p[i] *= decay;
            } else if (wd != 0f) {
                gi = Math.fma(p[i], wd, gi);
            }
            m[i] = Math.fma(gi, oneMinusB1, m[i] * b1);
            v[i] = v[i] * b2 + oneMinusB2 * gi * gi;
            float denom = (float) Math.sqrt(v[i]) / bc2 + eps;
            p[i] += negStep * m[i] / denom;
        }
    }
}
