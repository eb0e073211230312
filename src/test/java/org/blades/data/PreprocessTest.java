package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// B = batch, H/W = model input height/width

/** Decode → resize → CLIP normalisation against Pillow + torchvision (reference-data/images/resize.safetensors). */
class PreprocessTest {

    @Test
    void pipelineMatchesPillowPlusTorchvision() throws ImageFileException {
        try (ReferenceFile ref = ReferenceFile.open("images/resize")) {
            List<String> cases = ref.caseNames().stream().filter(c -> c.startsWith("pipeline_")).toList();
            assertThat(cases).hasSize(3);
            for (String c : cases) {
                Map<String, Object> args = ref.caseArgs(c);
                List<?> out = (List<?>) args.get("out");
                int h = ((Number) out.get(0)).intValue();
                int w = ((Number) out.get(1)).intValue();
                PreprocessOptions options = new PreprocessOptions(h, w, DecodeOptions.DEFAULT);
                Tensor x = Preprocess.load(ImageDecoderTest.fixture((String) args.get("fixture")), options); // (3, H, W)
                // Resize rounding (~1e-7) divided by std (~0.27): still within the float32 tolerance.
                ref.assertClose(c + ".out", x.f32(), x.shape(), Tolerance.F32);
            }
        }
    }

    @Test
    void normalisationUsesClipConstants() {
        float[] data = new float[3]; // (3, 1, 1)
        data[0] = Preprocess.CLIP_MEAN[0];
        data[1] = Preprocess.CLIP_MEAN[1] + Preprocess.CLIP_STD[1];
        data[2] = 0;
        Tensor t = Preprocess.normalize(new RgbImage(data, 1, 1));
        assertThat(t.f32()[0]).isEqualTo(0f);
        assertThat(t.f32()[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(t.f32()[2]).isEqualTo(-0.40821073f / 0.27577711f);
    }

    @Test
    void batchStacksInOrder() throws ImageFileException {
        PreprocessOptions options = new PreprocessOptions(8, 6, DecodeOptions.DEFAULT);
        var files = List.of(ImageDecoderTest.FIXTURES.resolve("rgb8.png"), ImageDecoderTest.FIXTURES.resolve("gray.jpg"));
        Tensor batch = Preprocess.loadBatch(files, options); // (B, 3, H, W)
        assertThat(batch.shape()).containsExactly(2, 3, 8, 6);
        Tensor second = Preprocess.load(files.get(1), options); // (3, H, W)
        assertThat(batch.getDouble(1, 2, 7, 5)).isEqualTo(second.getDouble(2, 7, 5));
    }

    @Test
    void batchNamesTheBadFile() {
        var files = List.of(ImageDecoderTest.FIXTURES.resolve("rgb8.png"), ImageDecoderTest.FIXTURES.resolve("truncated.jpg"));
        assertThatThrownBy(() -> Preprocess.loadBatch(files, PreprocessOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class).hasMessageContaining("truncated.jpg: truncated: ");
    }

    @Test
    void defaultIsTheModelInput() {
        assertThat(PreprocessOptions.DEFAULT.height()).isEqualTo(224);
        assertThat(PreprocessOptions.DEFAULT.width()).isEqualTo(224);
        assertThat(PreprocessOptions.DEFAULT.decode().maxPixels()).isEqualTo(100_000_000L);
    }
}
