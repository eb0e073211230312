package org.blades.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.blades.testing.OpReference;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// Dimensions: B = batch, T = time (sequence positions), C = channels, V = vocabulary size.

class IndexingTest {
    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("indexing");
    }

    @AfterAll
    static void close() {
        if (ref != null) {
            ref.close();
        }
    }

    /** Every case of indexing.safetensors, so a case added to the generator cannot go untested. */
    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return ref.caseNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            OpReference c = new OpReference(ref, name);
            String op = c.op();
            Tensor out;
            switch (op) {
                case "embedding" -> out = Indexing.embedding(c.in("weight"), c.ids("ids"));
                case "concat" -> out = Indexing.concat(List.of(c.in("a"), c.in("b"), c.in("c")), c.intArg("axis"));
                case "stack" -> out = Indexing.stack(List.of(c.in("a"), c.in("b"), c.in("c")), c.intArg("axis"));
                case "masked_fill", "causal_softmax" -> {
                    Tensor x = c.in("x");
                    // torch took no gradient of the mask: a constant here too.
                    Tensor mask = c.constant("mask");
                    int t = x.size(-1);
                    // The stored mask is torch's triu(ones, 1): the same as causalMask.
                    assertThat(mask.toDoubleArray()).containsExactly(Indexing.causalMask(x.dtype(), t).toDoubleArray());
                    if (op.equals("masked_fill")) {
                        out = Indexing.maskedFill(x, mask, c.doubleArg("value"));
                    } else {
                        Tensor masked = Indexing.maskedFill(x, mask, Double.NEGATIVE_INFINITY);
                        out = Activation.softmax(masked, c.intArg("axis"));
                    }
                }
                case "slice" -> out = c.in("x").slice(c.intArg("axis"), c.intArg("start"), c.intArg("end"));
                case "permute_reshape_mul" ->
                        out = c.in("x").permute(c.intsArg("perm")).reshape(c.intsArg("shape")).mul(c.in("c"));
                default -> throw new AssertionError("case " + name + ": no test for op '" + op + "'");
            }
            c.check(out, OpReference.tolerance(out.dtype()));
            System.out.println(String.join("\n", c.report()));
        }));
    }

    // ----------------------------------------------------------------------------------------------
    // Embedding

    @Test
    void embeddingGradientAccumulatesRepeatedIds() {
        Tensor w = Tensor.randn(DType.F64, 81, 4, 2).requiresGrad(true); // (V, C)
        IntTensor ids = IntTensor.of(new int[] {1, 1, 3, 1}, 2, 2);
        Tensor out = Indexing.embedding(w, ids); // (2, 2, C)
        assertThat(out.shape()).containsExactly(2, 2, 2);
        assertThat(out.getDouble(1, 0, 1)).isEqualTo(w.getDouble(3, 1));
        out.backward(Tensor.ones(DType.F64, 2, 2, 2));
        assertThat(w.grad().toDoubleArray()).containsExactly(0, 0, 3, 3, 0, 0, 1, 1);
    }

    @Test
    void embeddingRejectsOutOfRangeIds() {
        Tensor w = Tensor.zeros(DType.F32, 5, 3);
        assertThatThrownBy(() -> Indexing.embedding(w, IntTensor.of(new int[] {0, 4, 7, 1}, 2, 2)))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("embedding").hasMessageContaining("id 7")
                .hasMessageContaining("position (1, 0)").hasMessageContaining("V = 5");
        assertThatThrownBy(() -> Indexing.embedding(w, IntTensor.of(new int[] {-1}, 1)))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("id -1");
        assertThatThrownBy(() -> Indexing.embedding(Tensor.zeros(DType.F32, 5), IntTensor.of(new int[] {0}, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding").hasMessageContaining("(5,)");
    }

    // ----------------------------------------------------------------------------------------------
    // Concat and stack

    @Test
    void concatTakesStridedViewsAndNegativeAxes() {
        Tensor a = Tensor.randn(DType.F64, 82, 4, 3).requiresGrad(true); // used as (3, 4)
        Tensor b = Tensor.randn(DType.F64, 83, 3, 2).requiresGrad(true);
        Tensor out = Indexing.concat(List.of(a.transpose(0, 1), b), -1); // (3, 6)
        assertThat(out.shape()).containsExactly(3, 6);
        assertThat(out.getDouble(2, 1)).isEqualTo(a.getDouble(1, 2));
        assertThat(out.getDouble(2, 5)).isEqualTo(b.getDouble(2, 1));
        Tensor gout = Tensor.randn(DType.F64, 84, 3, 6);
        out.backward(gout);
        assertThat(a.grad().getDouble(1, 2)).isEqualTo(gout.getDouble(2, 1));
        assertThat(b.grad().getDouble(2, 1)).isEqualTo(gout.getDouble(2, 5));
    }

    @Test
    void stackInsertsANewAxis() {
        Tensor a = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {4, 5, 6}, 3).requiresGrad(true);
        Tensor out = Indexing.stack(List.of(a, b), -1); // (3, 2)
        assertThat(out.shape()).containsExactly(3, 2);
        assertThat(out.toDoubleArray()).containsExactly(1, 4, 2, 5, 3, 6);
        out.backward(Tensor.of(new double[] {10, 40, 20, 50, 30, 60}, 3, 2));
        assertThat(a.grad().toDoubleArray()).containsExactly(10, 20, 30);
        assertThat(b.grad().toDoubleArray()).containsExactly(40, 50, 60);
    }

    @Test
    void concatAndStackErrorsNameTheOpAndAllShapes() {
        Tensor a = Tensor.zeros(DType.F32, 2, 3);
        Tensor b = Tensor.zeros(DType.F32, 4, 5);
        Tensor c = Tensor.zeros(DType.F32, 2, 3, 1);
        Tensor d = Tensor.zeros(DType.F64, 2, 3);
        assertThatThrownBy(() -> Indexing.concat(List.of(a, b), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat")
                .hasMessageContaining("(2, 3)").hasMessageContaining("(4, 5)");
        assertThatThrownBy(() -> Indexing.concat(List.of(a, a, c), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat").hasMessageContaining("rank")
                .hasMessageContaining("(2, 3, 1)");
        assertThatThrownBy(() -> Indexing.concat(List.of(a, d), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat")
                .hasMessageContaining("float32(2, 3)").hasMessageContaining("float64(2, 3)");
        assertThatThrownBy(() -> Indexing.concat(List.of(a, a), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat").hasMessageContaining("axis 2");
        assertThatThrownBy(() -> Indexing.concat(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat");
        assertThatThrownBy(() -> Indexing.stack(List.of(a, Tensor.zeros(DType.F32, 2, 4)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stack")
                .hasMessageContaining("(2, 3)").hasMessageContaining("(2, 4)");
        assertThatThrownBy(() -> Indexing.stack(List.of(a, a), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stack").hasMessageContaining("axis 3");
    }

    // ----------------------------------------------------------------------------------------------
    // Masks

    @Test
    void causalMaskMarksLaterPositions() {
        assertThat(Indexing.causalMask(DType.F32, 3).toDoubleArray()).containsExactly(0, 1, 1, 0, 0, 1, 0, 0, 0);
        assertThat(Indexing.causalMask(DType.F64, 0).shape()).containsExactly(0, 0);
        assertThatThrownBy(() -> Indexing.causalMask(DType.F32, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("causalMask");
    }

    @Test
    void maskedFillBlocksTheGradientUnderTheMask() {
        Tensor x = Tensor.randn(DType.F64, 85, 2, 3).requiresGrad(true);
        Tensor mask = Tensor.of(new double[] {0, 1, 0}, 3).requiresGrad(true); // broadcast over rows
        Tensor out = Indexing.maskedFill(x, mask, 9.0);
        out.backward(Tensor.ones(DType.F64, 2, 3));
        assertThat(out.getDouble(1, 1)).isEqualTo(9.0);
        assertThat(out.getDouble(1, 2)).isEqualTo(x.getDouble(1, 2));
        assertThat(x.grad().toDoubleArray()).containsExactly(1, 0, 1, 1, 0, 1);
        assertThat(mask.grad()).as("no gradient flows into the mask").isNull();
    }

    @Test
    void maskedFillErrorsNameTheOpAndShapes() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3);
        assertThatThrownBy(() -> Indexing.maskedFill(x, Tensor.zeros(DType.F32, 4), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maskedFill")
                .hasMessageContaining("(2, 3)").hasMessageContaining("(4,)");
        assertThatThrownBy(() -> Indexing.maskedFill(x, Tensor.zeros(DType.F32, 2, 2, 3), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maskedFill")
                .hasMessageContaining("(2, 2, 3)");
        assertThatThrownBy(() -> Indexing.maskedFill(x, Tensor.full(DType.F32, Double.NEGATIVE_INFINITY, 3), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maskedFill")
                .hasMessageContaining("0 and 1");
    }

    /** Causal plus padding mask that hides every key from query row 1: the other rows' gradients stay finite. */
    @Test
    void fullyMaskedAttentionRowDoesNotPoisonOtherRows() {
        for (DType dt : DType.values()) {
            Tensor scores = Tensor.randn(dt, 86, 2, 4, 4).requiresGrad(true); // (B, T, T)
            Tensor mask = Indexing.causalMask(dt, 4); // (T, T)
            for (int col = 0; col < 4; col++) {
                mask.setDouble(1.0, 1, col);
            }
            Tensor p = Activation.softmax(Indexing.maskedFill(scores, mask, Double.NEGATIVE_INFINITY), -1);
            Tensor v = Tensor.randn(dt, 87, 2, 4, 3); // (B, T, C)
            p.matmul(v).backward(Tensor.randn(dt, 88, 2, 4, 3));
            double[] g = scores.grad().toDoubleArray(); // (B, T, T)
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).as("%s grad element %d", dt, i).isFinite();
            }
            for (int b = 0; b < 2; b++) {
                for (int col = 0; col < 4; col++) {
                    assertThat(p.getDouble(b, 1, col)).isEqualTo(0.0);
                    assertThat(scores.grad().getDouble(b, 1, col)).isEqualTo(0.0);
                }
                assertThat(p.getDouble(b, 0, 0)).isEqualTo(1.0);
                assertThat(Math.abs(scores.grad().getDouble(b, 3, 2))).isGreaterThan(0.0);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // selectRows

    @Test
    void selectRowsPicksOneRowPerBatchElement() {
        Tensor x = Tensor.randn(DType.F64, 89, 3, 5, 2).requiresGrad(true); // (B, T, C)
        int[] pos = {4, 0, 4}; // (B)
        Tensor out = Indexing.selectRows(x, pos); // (B, C)
        assertThat(out.shape()).containsExactly(3, 2);
        assertThat(out.toDoubleArray()).containsExactly(x.getDouble(0, 4, 0), x.getDouble(0, 4, 1),
                x.getDouble(1, 0, 0), x.getDouble(1, 0, 1), x.getDouble(2, 4, 0), x.getDouble(2, 4, 1));
        out.backward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
        double[] g = x.grad().toDoubleArray(); // (B, T, C)
        double sum = 0;
        for (double v : g) {
            sum += v;
        }
        assertThat(sum).isEqualTo(21.0);
        assertThat(x.grad().getDouble(0, 4, 1)).isEqualTo(2.0);
        assertThat(x.grad().getDouble(1, 0, 0)).isEqualTo(3.0);
        assertThat(x.grad().getDouble(2, 4, 1)).isEqualTo(6.0);
    }

    @Test
    void selectRowsReadsStridedViews() {
        Tensor base = Tensor.randn(DType.F32, 90, 2, 3, 4).requiresGrad(true); // (B, C, T) stored
        Tensor out = Indexing.selectRows(base.transpose(1, 2), new int[] {3, 1}); // (B, C)
        assertThat(out.getDouble(0, 2)).isEqualTo(base.getDouble(0, 2, 3));
        assertThat(out.getDouble(1, 0)).isEqualTo(base.getDouble(1, 0, 1));
        out.backward(Tensor.ones(DType.F32, 2, 3));
        assertThat(base.grad().getDouble(1, 2, 1)).isEqualTo(1.0);
        assertThat(base.grad().getDouble(1, 2, 0)).isEqualTo(0.0);
    }

    @Test
    void selectRowsErrorsNameTheOpPositionAndShape() {
        Tensor x = Tensor.zeros(DType.F32, 2, 5, 3);
        assertThatThrownBy(() -> Indexing.selectRows(x, new int[] {0, 5}))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("selectRows")
                .hasMessageContaining("position 5").hasMessageContaining("batch element 1").hasMessageContaining("T = 5");
        assertThatThrownBy(() -> Indexing.selectRows(x, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("selectRows")
                .hasMessageContaining("(2, 5, 3)");
        assertThatThrownBy(() -> Indexing.selectRows(Tensor.zeros(DType.F32, 2, 5), new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("selectRows")
                .hasMessageContaining("(2, 5)");
    }
}
