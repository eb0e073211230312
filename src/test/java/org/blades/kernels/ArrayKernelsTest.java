package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// n = elements of the run.

/**
 * {@link ArrayKernels}' element-wise loops (the Vector API path in the test JVM) against their plain twins, bit for
 * bit.
 */
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

    /** The three-operand loops, with the destination overlapping an operand as Winograd's transforms use them. */
    @Test
    void elementwiseOperationsMatchTheirTwins() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int n : new int[] {0, 1, 5, 15, 16, 17, 49, 100, 784}) {
            float[] a = random(rng, 3 * n + 40); // (3n + 40): operands and destination in one array
            for (int op = 0; op < 4; op++) {
                float[] fast = a.clone(); // (3n + 40)
                float[] plain = a.clone(); // (3n + 40)
                int d = 2 * n + 21;
                switch (op) {
                    case 0 -> {
                        ArrayKernels.sub(fast, d, fast, 1, fast, n + 9, n);
                        ArrayKernels.subScalar(plain, d, plain, 1, plain, n + 9, n);
                    }
                    case 1 -> {
                        ArrayKernels.sum(fast, d, fast, 1, fast, n + 9, n);
                        ArrayKernels.sumScalar(plain, d, plain, 1, plain, n + 9, n);
                    }
                    case 2 -> {
                        ArrayKernels.sum3(fast, d, fast, 1, fast, n + 9, fast, 3, n);
                        ArrayKernels.sum3Scalar(plain, d, plain, 1, plain, n + 9, plain, 3, n);
                    }
                    default -> {
                        ArrayKernels.sub3(fast, d, fast, 1, fast, n + 9, fast, 3, n);
                        ArrayKernels.sub3Scalar(plain, d, plain, 1, plain, n + 9, plain, 3, n);
                    }
                }
                assertThat(fast).as("operation %d, n = %d", op, n).containsExactly(plain);
                if (n > 0) {
                    assertThat(fast).as("operation %d, n = %d wrote its range", op, n).isNotEqualTo(a);
                }
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextDouble(-3, 3);
        }
        return a;
    }
}
