package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// W = row length, rows = rows combined.

/** {@link PoolKernels#columnMax} (the Vector API path in the test JVM) against its plain twin, bit for bit. */
class PoolKernelsTest {

    @Test
    void columnMaxMatchesTheTwinWithNaNAndSignedZeros() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int W : new int[] {1, 7, 16, 17, 56, 112}) {
            for (int rows = 1; rows <= 3; rows++) {
                float[] x = new float[3 + rows * W]; // (rows, W) at 3
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.rint(rng.nextDouble(-2, 2)); // many ties, and -0 from rint
                }
                if (x.length > 20) {
                    x[5] = Float.NaN;
                    x[x.length - 2] = Float.NEGATIVE_INFINITY;
                }
                float[] fast = new float[W]; // (W)
                float[] plain = new float[W]; // (W)
                PoolKernels.columnMax(x, 3, rows, W, fast);
                PoolKernels.columnMaxScalar(x, 3, rows, W, plain);
                for (int w = 0; w < W; w++) {
                    assertThat(Float.floatToIntBits(fast[w])).as("W %d rows %d column %d", W, rows, w)
                            .isEqualTo(Float.floatToIntBits(plain[w]));
                }
            }
        }
    }
}
