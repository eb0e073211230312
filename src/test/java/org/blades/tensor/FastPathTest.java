package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

// R/K = rows/columns of a 2-D tensor; B/T/C = leading and trailing dimensions of a 3-D one.

/**
 * The float32 fast paths of the tensor core against their generic twins, bit for bit: the strided copy and
 * accumulation (tiled for a transposed 2-D view), the row-broadcast binary ops, and the leading-axes sum.
 * The generic walk computes each element in float64 and rounds once; for one addition, subtraction or
 * multiplication of two floats that is the float32 result, so the two must agree exactly. The twin is run on
 * float64 tensors holding the same values and rounded to float32.
 */
class FastPathTest {

    private static float[] rounded(Tensor t) {
        return t.toFloatArray();
    }

    @Test
    void transposedAndStridedCopiesMatchTheGenericWalk() {
        for (int[] rk : new int[][] {{37, 45}, {1, 64}, {64, 1}, {33, 33}}) {
            Tensor src32 = Tensor.randn(DType.F32, 1, rk[1], rk[0]); // (K, R), read transposed
            Tensor src64 = src32.to(DType.F64);
            Tensor fast = Tensor.zeros(DType.F32, rk[0], rk[1]);
            fast.copyFromInPlace(src32.transpose(0, 1));
            Tensor twin = Tensor.zeros(DType.F64, rk[0], rk[1]);
            twin.copyFromInPlace(src64.transpose(0, 1));
            assertThat(rounded(fast)).as("copy %dx%d", rk[0], rk[1]).containsExactly(rounded(twin));

            Tensor acc32 = Tensor.randn(DType.F32, 2, rk[0], rk[1]); // (R, K)
            Tensor acc64 = acc32.to(DType.F64);
            acc32.addInPlace(src32.transpose(0, 1));
            acc64.addInPlace(src64.transpose(0, 1));
            assertThat(rounded(acc32)).as("add %dx%d", rk[0], rk[1]).containsExactly(rounded(acc64));
        }
        // 3-D with a sliced, permuted source: the odometer path
        Tensor big = Tensor.randn(DType.F32, 3, 4, 7, 9);
        Tensor view32 = big.permute(2, 0, 1).slice(0, 2, 7); // (5, 4, 7)
        Tensor view64 = big.to(DType.F64).permute(2, 0, 1).slice(0, 2, 7);
        assertThat(rounded(view32.contiguous())).containsExactly(rounded(view64.contiguous()));
    }

    @Test
    void rowBroadcastOpsMatchTheGenericWalk() {
        Tensor x32 = Tensor.randn(DType.F32, 4, 3, 5, 7); // (B, T, C)
        Tensor x64 = x32.to(DType.F64);
        for (int[] bShape : new int[][] {{7}, {1, 7}, {5, 7}, {1, 1, 7}}) {
            Tensor b32 = Tensor.randn(DType.F32, 5, bShape);
            Tensor b64 = b32.to(DType.F64);
            String s = java.util.Arrays.toString(bShape);
            assertThat(rounded(x32.add(b32))).as("add %s", s).containsExactly(rounded(x64.add(b64)));
            assertThat(rounded(x32.sub(b32))).as("sub %s", s).containsExactly(rounded(x64.sub(b64)));
            assertThat(rounded(x32.mul(b32))).as("mul %s", s).containsExactly(rounded(x64.mul(b64)));
        }
        // a trailing shape that does not match (5, 1) broadcasts along the last axis: the generic walk
        Tensor col = Tensor.randn(DType.F32, 6, 5, 1);
        assertThat(rounded(x32.add(col))).containsExactly(rounded(x64.add(col.to(DType.F64))));
    }

    @Test
    void leadingAxesSumMatchesANaiveFloat64Sum() {
        Tensor x = Tensor.randn(DType.F32, 7, 3, 5, 7); // (B, T, C)
        float[] v = x.f32(); // (B, T, C)
        float[] fast = x.sum(false, 0, 1).toFloatArray(); // (C)
        for (int c = 0; c < 7; c++) {
            double acc = 0.0;
            for (int r = 0; r < 15; r++) {
                acc += v[r * 7 + c];
            }
            assertThat(fast[c]).as("column %d", c).isEqualTo((float) acc);
        }
        assertThat(x.sum(true, 0).shape()).containsExactly(1, 5, 7);
        assertThat(x.sumTo(new int[] {7}).toFloatArray()).containsExactly(fast);
    }
}
