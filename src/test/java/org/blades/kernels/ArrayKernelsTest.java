package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// n = elements of the run.

/** {@link ArrayKernels#add} (the Vector API path in the test JVM) against its plain twin, bit for bit. */
class ArrayKernelsTest {

    @Test
    void addMatchesTheTwinAtEveryLengthAndOffset() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 5, 15, 16, 17, 54, 100, 1000}) {
            float[] src = new float[n + 7]; // (n + 7)
            float[] fast = new float[n + 9]; // (n + 9)
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rng.nextDouble(-3, 3);
            }
            for (int i = 0; i < fast.length; i++) {
                fast[i] = (float) rng.nextDouble(-3, 3);
            }
            float[] plain = fast.clone(); // (n + 9)
            ArrayKernels.add(fast, 4, src, 3, n);
            ArrayKernels.addScalar(plain, 4, src, 3, n);
            assertThat(fast).as("n = %d", n).containsExactly(plain);
        }
    }
}
