package org.blades.opencl;

import java.util.Arrays;

/**
 * A strided view of a {@link DeviceBuffer}: element (i0, i1, ...) lives at {@code offset + sum_d i_d * strides[d]},
 * the same addressing as org.blades.tensor.Tensor, so a tensor's view maps onto the device without a copy.
 * Strides are >= 0 (0 repeats an element, as broadcasting does).
 *
 * @param buffer  the storage
 * @param offset  element offset of (0, ..., 0)
 * @param shape   (rank) sizes, each >= 0
 * @param strides (rank) element strides, each >= 0
 */
public record View(DeviceBuffer buffer, int offset, int[] shape, int[] strides) {

    public View {
        if (buffer == null || shape == null || strides == null) {
            throw new IllegalArgumentException("View: buffer, shape and strides must not be null");
        }
        shape = shape.clone();
        strides = strides.clone();
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("View: shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        long last = offset;
        boolean empty = false;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || strides[d] < 0) {
                throw new IllegalArgumentException("View: negative size or stride in shape " + Arrays.toString(shape)
                        + ", strides " + Arrays.toString(strides));
            }
            empty |= shape[d] == 0;
            last += (long) Math.max(shape[d] - 1, 0) * strides[d];
        }
        if (offset < 0 || (!empty && last >= buffer.length())) {
            throw new IllegalArgumentException("View: shape " + Arrays.toString(shape) + ", strides "
                    + Arrays.toString(strides) + " at offset " + offset + " reaches element " + last
                    + " of a buffer of " + buffer.length());
        }
    }

    /** The dense row-major view of shape at offset 0. */
    public static View dense(DeviceBuffer buffer, int... shape) {
        return denseAt(buffer, 0, shape);
    }

    /** The dense row-major view of shape starting at element offset. */
    public static View denseAt(DeviceBuffer buffer, int offset, int... shape) {
        return new View(buffer, offset, shape, denseStrides(shape));
    }

    static int[] denseStrides(int[] shape) {
        int[] s = new int[shape.length]; // (rank)
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof View v && v.buffer == buffer && v.offset == offset && Arrays.equals(v.shape, shape)
                && Arrays.equals(v.strides, strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * System.identityHashCode(buffer) + offset) + Arrays.hashCode(shape) * 17
                + Arrays.hashCode(strides);
    }

    @Override
    public String toString() {
        return "View(" + buffer + ", offset " + offset + ", shape " + Arrays.toString(shape) + ", strides "
                + Arrays.toString(strides) + ")";
    }
}
