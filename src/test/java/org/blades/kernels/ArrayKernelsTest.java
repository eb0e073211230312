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

    /** Negation flips the sign of zeros too; the parity split and its inverse at odd and even lengths. */
    @Test
    void negationAndParitySplitsMatchTheirTwins() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 2, 7, 14, 15, 31, 32, 33, 56, 64, 100, 513}) {
            float[] src = random(rng, n + 11); // (n + 11)
            src[3] = 0f;
            src[4] = -0f;
            float[] fast = random(rng, 2 * n + 20); // (2n + 20): destinations at offsets
            float[] plain = fast.clone(); // (2n + 20)
            ArrayKernels.neg(fast, 5, src, 3, n);
            ArrayKernels.negScalar(plain, 5, src, 3, n);
            assertThat(rawBits(fast)).as("neg, n = %d", n).containsExactly(rawBits(plain));

            int half = (n + 1) / 2;
            float[] evenFast = random(rng, half + 6); // (ceil(n/2) + 6)
            float[] oddFast = random(rng, half + 6); // (ceil(n/2) + 6)
            float[] evenPlain = evenFast.clone();
            float[] oddPlain = oddFast.clone();
            ArrayKernels.deinterleave(evenFast, 2, oddFast, 5, src, 3, n);
            ArrayKernels.deinterleaveScalar(evenPlain, 2, oddPlain, 5, src, 3, n);
            assertThat(evenFast).as("deinterleave evens, n = %d", n).containsExactly(evenPlain);
            assertThat(oddFast).as("deinterleave odds, n = %d", n).containsExactly(oddPlain);
            for (int k = 0; 2 * k < n; k++) {
                assertThat(evenPlain[2 + k]).isEqualTo(src[3 + 2 * k]);
            }

            float[] back = random(rng, n + 9); // (n + 9)
            float[] backPlain = back.clone();
            ArrayKernels.interleave(back, 4, evenFast, 2, oddFast, 5, n);
            ArrayKernels.interleaveScalar(backPlain, 4, evenFast, 2, oddFast, 5, n);
            assertThat(back).as("interleave, n = %d", n).containsExactly(backPlain);
            assertThat(Arrays.copyOfRange(back, 4, 4 + n)).as("interleave inverts deinterleave, n = %d", n)
                    .containsExactly(Arrays.copyOfRange(src, 3, 3 + n));
        }
    }

    private static int[] rawBits(float[] a) {
        int[] bits = new int[a.length]; // (a.length)
        for (int i = 0; i < a.length; i++) {
            bits[i] = Float.floatToRawIntBits(a[i]);
        }
        return bits;
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextDouble(-3, 3);
        }
        return a;
    }
}
