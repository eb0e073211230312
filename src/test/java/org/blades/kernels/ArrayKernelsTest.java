package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// n = elements of the run.

/** {@link ArrayKernels#add} (the Vector API path in the test JVM) against its plain twin, bit for bit. */
class ArrayKernelsTest {

    /** The split fill writes exactly [from, to), across several tasks and in a single one. */
    @Test
    void fillWritesExactlyTheRange() {
        for (int[] r : new int[][] {{0, 0}, {3, 10}, {7, (1 << 19) + 13}}) {
            float[] f = new float[r[1] + 5];
            double[] d = new double[r[1] + 5];
            Arrays.fill(f, -1f);
            Arrays.fill(d, -1.0);
            ArrayKernels.fill(f, r[0], r[1], 2.5f);
            ArrayKernels.fill(d, r[0], r[1], 2.5);
            for (int i = 0; i < f.length; i++) {
                boolean in = i >= r[0] && i < r[1];
                assertThat(f[i]).as("float index %d of [%d, %d)", i, r[0], r[1]).isEqualTo(in ? 2.5f : -1f);
                assertThat(d[i]).as("double index %d of [%d, %d)", i, r[0], r[1]).isEqualTo(in ? 2.5 : -1.0);
            }
        }
    }

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
