package org.blades.tasks;

import java.util.Arrays;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// B = batch, K = a task's prompts

/**
 * The pieces every task loss shares: label constants in the logits' dtype and the masked batch mean.
 *
 * <p>Masking multiplies by a 0/1 weight instead of gathering the valid rows: a masked sample's loss is still
 * computed (from finite logits, always finite thanks to the 1e-8 inside the square roots) and then multiplied by
 * 0, so it adds exactly 0 to the value and exactly 0 to every gradient. With nothing valid the loss is 0 and
 * stays on the tape with a zero gradient, so a trainer can backpropagate a weighted sum of losses whatever the
 * batch holds (a plain mean would give 0/0 = NaN, as torch's mean of an empty tensor does).
 */
final class LossSupport {
    private LossSupport() {
    }

    /** 1e-8 inside every square root of a fidelity (the authors' code): keeps d√u/du = 1/(2√u) finite at u = 0. */
    static final double SQRT_EPS = 1e-8;

    /**
     * The mean over the valid samples: Σ_b valid_b·x_b / max(1, #valid).
     *
     * @param perSample (B)
     * @param valid     (B)
     * @return 0-d
     */
    static Tensor meanOverValid(Tensor perSample, boolean[] valid) {
        double[] mask = new double[valid.length]; // (B) 1 where valid
        int count = 0;
        for (int b = 0; b < valid.length; b++) {
            if (valid[b]) {
                mask[b] = 1.0;
                count++;
            }
        }
        return perSample.mul(constant(perSample.dtype(), mask, valid.length)).sum().div(Math.max(1, count));
    }

    /** A constant (no gradient) tensor of the given dtype. */
    static Tensor constant(DType dtype, double[] values, int... shape) {
        if (dtype == DType.F64) {
            return Tensor.of(values.clone(), shape);
        }
        float[] f = new float[values.length]; // same shape, float32
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.of(f, shape);
    }

    /**
     * The one-hot targets p(c|x) of Eqs. 3 and 5; a masked sample gets a row of zeros (never read: its loss is
     * weighted by 0, but its class id may be -1).
     *
     * @return (B, K)
     */
    static Tensor oneHot(DType dtype, ClassLabels labels, int classCount) {
        int b = labels.batchSize();
        double[] onehot = new double[b * classCount]; // (B, K)
        for (int i = 0; i < b; i++) {
            if (labels.isValid(i)) {
                onehot[i * classCount + labels.classId(i)] = 1.0;
            }
        }
        return constant(dtype, onehot, b, classCount);
    }

    /** @throws IllegalArgumentException unless logits are (batch, classCount) */
    static void checkLogits(String loss, Tensor logits, int batch, int classCount) {
        if (logits.dim() != 2 || logits.size(0) != batch || (classCount >= 0 && logits.size(1) != classCount)) {
            throw new IllegalArgumentException(loss + ": logits " + Arrays.toString(logits.shape())
                    + " must be (B, K) = (" + batch + ", " + (classCount >= 0 ? String.valueOf(classCount) : "K")
                    + ") for the labels given");
        }
    }
}
