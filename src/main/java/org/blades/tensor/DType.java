package org.blades.tensor;

/** Element type of a {@link Tensor}: float32 is the fast path, float64 the oracle and gradient-check path. */
public enum DType {
    F32(4, "float32"),
    F64(8, "float64");

    private final int bytes;
    private final String label;

    DType(int bytes, String label) {
        this.bytes = bytes;
        this.label = label;
    }

    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return label;
    }
}
