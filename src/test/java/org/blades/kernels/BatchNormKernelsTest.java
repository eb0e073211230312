package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// len = values in the run, off = its offset in the arrays.

/**
 * {@link BatchNormKernels}' entry points (the Vector API path when enabled, as the test JVM runs) against their
 * plain twins, on runs of every length around the vector width (tails), at odd offsets, with NaN, signed zeros
 * and a ReLU mask that cuts about half the values: element-wise kernels bit for bit, sums to float32 rounding.
 */
class BatchNormKernelsTest {

    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 32, 33, 64, 100, 3136};

    /** Uniform in [-2, 2); with specials, NaN at 3 and signed zeros at 7 and 11. */
    private static float[] values(SplittableRandom rng, int n, boolean specials) {
        float[] v = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        if (specials && n > 12) {
            v[3] = Float.NaN;
            v[7] = -0f;
            v[11] = 0f;
        }
        return v;
    }

    private static void assertSameBits(String what, float[] actual, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToIntBits(actual[i])).as("%s at %d: %s vs %s", what, i, actual[i], expected[i])
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @Test
    void affineMatchesTheTwinBitForBit() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int len : LENGTHS) {
            for (int variant = 0; variant < 4; variant++) {
                boolean residual = variant % 2 == 1;
                boolean relu = variant >= 2;
                int n = len + 9;
                float[] x = values(rng, n, true); // (n)
                float[] r = residual ? values(rng, n, true) : null; // (n)
                float[] fast = values(rng, n, false); // (n), values outside the run must survive
                float[] plain = fast.clone(); // (n)
                BatchNormKernels.affine(x, 2, fast, 5, r, 4, len, 0.3f, 1e-9f, 1.7f, -0.2f, relu);
                BatchNormKernels.affineScalar(x, 2, plain, 5, r, 4, len, 0.3f, 1e-9f, 1.7f, -0.2f, relu);
                assertSameBits("affine len " + len + " variant " + variant, fast, plain);
            }
        }
    }

    @Test
    void affineInPlaceAndReluSemantics() {
        float[] y = {-1f, -0f, 0f, 2f, Float.NaN, 3f}; // (6)
        BatchNormKernels.affine(y, 0, y, 0, null, 0, 6, 0f, 0f, 1f, 0f, true);
        assertThat(y).containsExactly(0f, 0f, 0f, 2f, Float.NaN, 3f);
        assertThat(Float.floatToIntBits(y[1])).as("relu(-0) is +0").isEqualTo(0);
    }

    @Test
    void sumsMatchTheTwinToRounding() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int len : LENGTHS) {
            float[] x = values(rng, len + 3, false); // (len + 3)
            double s = BatchNormKernels.sum(x, 3, len);
            double t = BatchNormKernels.sumScalar(x, 3, len);
            assertThat(s).as("sum len %d", len).isCloseTo(t, within(1e-6 * (1 + len)));
            double q = BatchNormKernels.sumSquaredDeviations(x, 3, len, 0.25f, 1e-9f);
            double u = BatchNormKernels.sumSquaredDeviationsScalar(x, 3, len, 0.25f, 1e-9f);
            assertThat(q).as("squared deviations len %d", len).isCloseTo(u, within(1e-6 * (1 + u)));
        }
    }

    @Test
    void gradientKernelsMatchTheTwins() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int len : LENGTHS) {
            for (boolean masked : new boolean[] {false, true}) {
                int n = len + 6;
                float[] g = values(rng, n, false); // (n)
                float[] x = values(rng, n, false); // (n)
                float[] y = masked ? values(rng, n, true) : null; // (n) the forward output: the mask is y > 0
                double[] fast = {1.0, 2.0}; // accumulated into
                double[] plain = {1.0, 2.0};
                BatchNormKernels.gradientSums(g, y, x, 1, len, -0.1f, 0f, fast);
                BatchNormKernels.gradientSumsScalar(g, y, x, 1, len, -0.1f, 0f, plain);
                assertThat(fast[0]).as("sum dz len %d", len).isCloseTo(plain[0], within(1e-6 * (1 + len)));
                assertThat(fast[1]).as("sum dz x len %d", len).isCloseTo(plain[1], within(1e-6 * (1 + len)));

                float[] dxFast = values(rng, n, false); // (n)
                float[] dxPlain = dxFast.clone(); // (n)
                float[] drFast = values(rng, n, false); // (n)
                float[] drPlain = drFast.clone(); // (n)
                BatchNormKernels.inputGradient(g, y, x, dxFast, drFast, 1, len, -0.1f, 1e-9f, 1.3f, -0.4f, 0.01f);
                BatchNormKernels.inputGradientScalar(g, y, x, dxPlain, drPlain, 1, len, -0.1f, 1e-9f, 1.3f, -0.4f,
                        0.01f);
                assertSameBits("dx len " + len, dxFast, dxPlain);
                assertSameBits("dr len " + len, drFast, drPlain);
                float[] only = dxPlain.clone(); // (n)
                BatchNormKernels.inputGradient(g, y, x, only, null, 1, len, -0.1f, 1e-9f, 1.3f, -0.4f, 0.01f);
                assertSameBits("dx alone len " + len, only, dxPlain);
            }
        }
    }
}
