package org.blades.tensor;

import java.util.Arrays;

/**
 * Integer indices with a shape: token ids for {@code embedding}, the result of {@code argmax}.
 * Kept apart from {@link Tensor} because indices are never differentiated and never mixed with float math.
 */
public record IntTensor(int[] shape, int[] data) {

    public IntTensor {
        shape = shape.clone();
        if (Shape.numel(shape) != data.length) {
            throw new IllegalArgumentException("IntTensor: shape " + Shape.format(shape) + " holds "
                    + Shape.numel(shape) + " elements but data has " + data.length);
        }
    }

    public static IntTensor of(int[] data, int... shape) {
        return new IntTensor(shape, data);
    }

    public int numel() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IntTensor" + Shape.format(shape) + Arrays.toString(data.length > 16 ? Arrays.copyOf(data, 16) : data);
    }
}
