package org.blades.nn;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.blades.tensor.DType;
import org.blades.tensor.Shape;
import org.blades.tensor.Tensor;

// n = elements of one tensor; fan_in = elements of a weight per output unit (numel / shape[0])

/**
 * Deterministic parameter values that Java and Python (numpy, reference-data/generate_models.py) compute
 * bit for bit, so reference tests of big models need no stored weights.
 *
 * <p>The scheme, per state_dict entry {@code key} of n elements, with a 64-bit global {@code seed}:
 * <ol>
 *   <li>{@code state = fnv1a64(UTF-8 bytes of key) XOR seed} (64-bit FNV-1a: offset basis 0xcbf29ce484222325,
 *       prime 0x100000001b3);</li>
 *   <li>{@code x_i} = the i-th output of splitmix64 started at {@code state}, i = 0..n-1 (identical to
 *       {@code new java.util.SplittableRandom(state).nextLong()} called n times);</li>
 *   <li>{@code u_i = (x_i >>> 40) * 2^-24}, exact in float64 (24 bits);</li>
 *   <li>{@code value_i = (float) (center + halfWidth * (2 u_i - 1))}: {@code 2u - 1} is exact, the product and
 *       the sum are correctly rounded float64 operations, then one rounding to float32. No transcendental
 *       function is involved; {@code halfWidth = 1 / sqrt(fan_in)} uses only a correctly rounded sqrt and
 *       division. Hence the same bits in both languages. Values are float32 even for a float64 model.</li>
 * </ol>
 * {@link #rule} picks (center, halfWidth) from the key's last component and the shape: weights of rank >= 2
 * (convolution, linear) {@code ±1/sqrt(fan_in)} (PyTorch's default Conv2d/Linear bound); rank-1 {@code weight}
 * (norm gains) {@code 1 ± 0.1}; {@code bias} {@code ±0.1}; {@code running_mean} {@code ±0.1};
 * {@code running_var} {@code 1 ± 0.5} (positive); {@code num_batches_tracked} 0. Anything else is an error
 * naming the key, so a model with other kinds of tensors fills those itself (e.g. with {@link #uniform}).
 */
public final class PortableInit {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private PortableInit() {
    }

    /** A value range {@code center ± halfWidth}; {@link #ZERO} fills zeros without drawing. */
    public record Rule(double center, double halfWidth) {
        public static final Rule ZERO = new Rule(0.0, 0.0);
    }

    /** Fills every parameter and buffer of {@code model} by {@link #rule}, in place. */
    public static void init(Module model, long seed) {
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            fill(e.getValue(), e.getKey(), seed, rule(e.getKey(), e.getValue().shape()));
        }
    }

    /** The range for the state_dict entry {@code key} of {@code shape}; see the class comment. */
    public static Rule rule(String key, int[] shape) {
        String last = key.substring(key.lastIndexOf('.') + 1);
        switch (last) {
            case "num_batches_tracked":
                return Rule.ZERO;
            case "running_mean":
                return new Rule(0.0, 0.1);
            case "running_var":
                return new Rule(1.0, 0.5);
            default:
                break;
        }
        if (shape.length >= 2) {
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return new Rule(0.0, 1.0 / Math.sqrt((double) fanIn));
        }
        if (shape.length == 1 && last.equals("weight")) {
            return new Rule(1.0, 0.1);
        }
        if (shape.length == 1 && last.equals("bias")) {
            return new Rule(0.0, 0.1);
        }
        throw new IllegalArgumentException("portable init: no rule for '" + key + "' of shape "
                + Shape.format(shape) + " (rules: rank >= 2, 1-D weight/bias, running_mean, running_var, "
                + "num_batches_tracked)");
    }

    /** Overwrites the dense tensor {@code t} with the values of {@code key} (not recorded on the tape). */
    public static void fill(Tensor t, String key, long seed, Rule rule) {
        if (!t.isContiguous() || t.offset() != 0) {
            throw new IllegalArgumentException("portable init: '" + key + "' must be a dense tensor, got shape "
                    + Shape.format(t.shape()) + " strides " + Shape.format(t.strides()) + " offset " + t.offset());
        }
        if (rule.equals(Rule.ZERO)) {
            t.fillInPlace(0.0);
            return;
        }
        float[] v = uniform(key, seed, t.numel(), rule.center(), rule.halfWidth()); // (n)
        if (t.dtype() == DType.F32) {
            System.arraycopy(v, 0, t.f32(), 0, v.length);
        } else {
            double[] d = t.f64(); // (n)
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
        }
    }

    /** n values {@code center ± halfWidth} for {@code key} (steps 1 to 4 of the class comment). */
    public static float[] uniform(String key, long seed, int n, double center, double halfWidth) {
        long state = fnv1a64(key) ^ seed;
        float[] out = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            long x = mix64(state + (i + 1L) * GOLDEN_GAMMA);
            double u = (x >>> 40) * 0x1p-24;
            out[i] = (float) (center + halfWidth * (2.0 * u - 1.0));
        }
        return out;
    }

    /** 64-bit FNV-1a of the UTF-8 bytes of {@code text}. */
    public static long fnv1a64(String text) {
        long h = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    /** The i-th (from 0) output of splitmix64 started at {@code state}. */
    public static long splitmix64(long state, long i) {
        return mix64(state + (i + 1) * GOLDEN_GAMMA);
    }

    /** splitmix64's finaliser (Stafford's variant 13), as in java.util.SplittableRandom. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
