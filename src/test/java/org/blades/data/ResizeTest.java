package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.blades.testing.ReferenceFile;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// H/W = input height/width, OH/OW = output height/width

/** {@link Resize} against PyTorch 1.13 / torchvision 0.14 (reference-data/images/resize.safetensors). */
class ResizeTest {

    /**
     * Both sides compute in float32 in the same order; the residue is rounding (PyTorch's AVX builds may contract
     * multiply-adds), so the project's float32 tolerance applies.
     */
    private static final Tolerance TOL = Tolerance.F32;

    @Test
    void matchesTorchvisionAntialiasedBilinear() {
        try (ReferenceFile ref = ReferenceFile.open("images/resize")) {
            List<String> cases = ref.caseNames().stream().filter(c -> !c.startsWith("pipeline_")).toList();
            assertThat(cases).contains("down_odd", "up", "mixed", "width_only", "height_only", "same", "to_one", "from_one");
            for (String c : cases) {
                int[] in = ref.shape(c + ".in");     // (3, H, W)
                int[] out = ref.shape(c + ".out");   // (3, OH, OW)
                float[] y = Resize.resize(ref.floats(c + ".in"), 3, in[1], in[2], out[1], out[2]); // (3, OH, OW)
                ref.assertClose(c + ".out", y, out, TOL);
            }
        }
    }

    @Test
    void weightsOfEachOutputSumToOneAndCoverTheFootprint() {
        Resize.Taps t = Resize.Taps.of(100, 7); // scale 14.29: an output away from the border averages ~29 inputs
        for (int i = 0; i < 7; i++) {
            float sum = 0;
            for (int k = 0; k < t.count()[i]; k++) {
                sum += t.weights()[i * t.maxTaps() + k];
            }
            assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
            // The border outputs lose the taps that would fall outside the image.
            assertThat(t.count()[i]).isBetween(i == 0 || i == 6 ? 14 : 27, t.maxTaps());
        }
    }

    @Test
    void constantImageStaysConstant() {
        float[] src = new float[3 * 13 * 17]; // (3, H, W)
        java.util.Arrays.fill(src, 0.25f);
        for (float v : Resize.resize(src, 3, 13, 17, 5, 29)) {
            assertThat(v).isCloseTo(0.25f, org.assertj.core.data.Offset.offset(1e-7f));
        }
    }

    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> Resize.resize(new float[10], 3, 2, 2, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(C, H, W) = (3, 2, 2)");
        assertThatThrownBy(() -> Resize.resize(new float[12], 3, 2, 2, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }

    @Test
    void referenceCasesRecordTheirSizes() {
        try (ReferenceFile ref = ReferenceFile.open("images/resize")) {
            Map<String, Object> args = ref.caseArgs("down_odd");
            assertThat(args).containsEntry("out", List.of(11L, 8L));
        }
    }
}
