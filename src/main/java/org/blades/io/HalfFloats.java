package org.blades.io;

/**
 * Exact widening of 16-bit floats to float32. Both formats are subsets of float32, so every value
 * (normal, subnormal, ±0, ±inf, NaN) converts without rounding.
 *
 * <p>IEEE 754 binary16 (F16): 1 sign, 5 exponent (bias 15), 10 mantissa bits.
 * bfloat16 (BF16): the upper 16 bits of a float32: 1 sign, 8 exponent (bias 127), 7 mantissa bits.
 * Java 17 has no Float.float16ToFloat (it arrived in 20), hence this class.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** binary16 bits (in the low 16 bits of {@code bits}) to the float with the same value. */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            // inf (mant == 0) or NaN; the payload moves to the top of float's 23-bit mantissa, so NaN stays NaN.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // ±0 or subnormal: value = mant * 2^-24. mant < 2^10 and 2^-24 is a float normal, so the product is exact.
            float magnitude = mant * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        // Normal: rebias the exponent from 15 to 127 and left-align the 10 mantissa bits in float's 23.
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** bfloat16 bits to float: bfloat16 is float32 with the low 16 mantissa bits dropped. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
