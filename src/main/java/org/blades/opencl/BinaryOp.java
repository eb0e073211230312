package org.blades.opencl;

/**
 * A broadcasting binary function for {@link OpenClKernels#binary}, the device twin of
 * org.blades.tensor.Elementwise.Binary; the ordinal is the op code of kernels/elementwise.cl (B_ADD ... B_EQ).
 * Derivative rules ({@link OpenClKernels#binaryBackward}) are torch's: max/min send dy to the winner and split it
 * on ties; pow's exponent gradient is 0 where the base is 0 and the exponent >= 0. GT and EQ have none.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, GT, EQ;

    /** Which input a gradient is for. */
    public enum Operand {
        A, B
    }

    public boolean differentiable() {
        return this != GT && this != EQ;
    }

    int code() {
        return ordinal();
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
