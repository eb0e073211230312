package org.blades.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfFloatsTest {

    // Bit patterns checked with numpy.float16 and torch.bfloat16.
    @ParameterizedTest
    @CsvSource({
        "3C00, 1.0",
        "C100, -2.5",
        "7BFF, 65504.0",
        "0001, 5.9604645E-8",     // smallest subnormal, 2^-24
        "03FF, 6.097555E-5",      // largest subnormal, 1023 * 2^-24
        "0400, 6.1035156E-5",     // smallest normal, 2^-14
        "8000, -0.0",
        "0000, 0.0",
        "7C00, Infinity",
        "FC00, -Infinity",
    })
    void f16KnownValues(String hex, float expected) {
        float f = HalfFloats.f16ToFloat((short) Integer.parseInt(hex, 16));
        assertThat(Float.floatToRawIntBits(f)).as(hex).isEqualTo(Float.floatToRawIntBits(expected));
    }

    @Test
    void f16SubnormalsAreExactPowersOfTwo() {
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(Math.scalb(1f, -24));
        assertThat(HalfFloats.f16ToFloat((short) 0x8001)).isEqualTo(-Math.scalb(1f, -24));
        assertThat(HalfFloats.f16ToFloat((short) 0x0200)).isEqualTo(Math.scalb(1f, -15));
    }

    @Test
    void f16NanStaysNanWithSignAndPayload() {
        assertThat(HalfFloats.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(HalfFloats.f16ToFloat((short) 0x7C01)).isNaN(); // signalling NaN: payload in the low bit must survive
        assertThat(Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0xFE00))).isEqualTo(0xFFC00000);
    }

    /** All 65536 patterns against the textbook formula (-1)^s * 2^(e-15) * (1 + m/1024), computed in double. */
    @Test
    void f16AllPatternsMatchTheDefinition() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int s = bits >>> 15;
            int e = (bits >>> 10) & 0x1f;
            int m = bits & 0x3ff;
            double expected;
            if (e == 0x1f) {
                expected = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (e == 0) {
                expected = Math.scalb((double) m, -24);
            } else {
                expected = Math.scalb(1 + m / 1024.0, e - 15);
            }
            if (s == 1) {
                expected = -expected;
            }
            float got = HalfFloats.f16ToFloat((short) bits);
            if (Double.isNaN(expected)) {
                assertThat(got).as("0x%04X", bits).isNaN();
            } else {
                // Compare bits so that -0.0 and 0.0 are told apart.
                assertThat(Float.floatToRawIntBits(got)).as("0x%04X", bits).isEqualTo(Float.floatToRawIntBits((float) expected));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "3F80, 1.0",
        "C020, -2.5",
        "7F7F, 3.3895314E38",     // largest finite
        "0080, 1.17549435E-38",   // smallest normal, 2^-126
        "0001, 9.1835496E-41",    // smallest subnormal, 2^-133
        "8000, -0.0",
        "7F80, Infinity",
        "FF80, -Infinity",
    })
    void bf16KnownValues(String hex, float expected) {
        float f = HalfFloats.bf16ToFloat((short) Integer.parseInt(hex, 16));
        assertThat(Float.floatToRawIntBits(f)).as(hex).isEqualTo(Float.floatToRawIntBits(expected));
    }

    @Test
    void bf16Nan() {
        assertThat(HalfFloats.bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x7F81)).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x0001)).isEqualTo(Math.scalb(1f, -133));
    }
}
