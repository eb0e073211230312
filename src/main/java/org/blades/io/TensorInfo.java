package org.blades.io;

import java.util.Arrays;

/**
 * One header entry of a safetensors file.
 *
 * @param shape row-major dimensions; {@code []} is a scalar (one element). Copied in and out.
 * @param begin byte offset of the first element, relative to the start of the data section (as in the header)
 * @param end   byte offset one past the last element, relative to the start of the data section
 */
public record TensorInfo(String name, StDType dtype, int[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    /** Shape as "(2, 3)", the form error messages across the project use. */
    public String shapeString() {
        return formatShape(shape);
    }

    static String formatShape(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape) + Long.hashCode(begin) * 17;
    }

    @Override
    public String toString() {
        return name + ": " + dtype + " " + shapeString() + " bytes [" + begin + ", " + end + ")";
    }
}
