package org.blades.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.blades.data.DecodeOptions;
import org.blades.data.ImageBytes;
import org.blades.data.ImageDecoder;
import org.blades.data.ImageFileException;
import org.blades.data.RgbImage;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.Test;

class JpegRecompressionTest {

    private static final Path IMAGES = ReferenceFile.projectRoot().resolve("src/test/resources/images");

    @Test
    void reencodesAsJpegOfTheGivenQualityKeepingTheLookAndOrientation() throws Exception {
        ImageBytes png = ImageBytes.read(IMAGES.resolve("rgb8.png"));
        ImageBytes q95 = JpegRecompression.reencode(png, 95, DecodeOptions.DEFAULT);
        ImageBytes q20 = JpegRecompression.reencode(png, 20, DecodeOptions.DEFAULT);
        assertThat(q95.format()).isEqualTo(ImageBytes.Format.JPEG);
        assertThat(q95.bytes()).isNotEqualTo(png.bytes()).isNotEqualTo(q20.bytes());
        assertThat(q95.name()).isEqualTo(png.name());
        RgbImage a = ImageDecoder.decode(png, DecodeOptions.DEFAULT);
        RgbImage b = ImageDecoder.decode(q95, DecodeOptions.DEFAULT);
        RgbImage c = ImageDecoder.decode(q20, DecodeOptions.DEFAULT);
        assertThat(b.height()).isEqualTo(a.height());
        assertThat(meanAbs(a, b)).isGreaterThan(0).isLessThan(meanAbs(a, c));

        // an EXIF-rotated JPEG comes back upright, with no orientation left to apply
        ImageBytes rotated = ImageBytes.read(IMAGES.resolve("orient_6.jpg"));
        RgbImage upright = ImageDecoder.decode(rotated, DecodeOptions.DEFAULT);
        RgbImage again = ImageDecoder.decode(JpegRecompression.reencode(rotated, 90, DecodeOptions.DEFAULT),
                DecodeOptions.DEFAULT.withOrientation(DecodeOptions.Orientation.IGNORE));
        assertThat(again.width()).isEqualTo(upright.width());
        assertThat(again.height()).isEqualTo(upright.height());

        assertThatThrownBy(() -> JpegRecompression.reencode(ImageBytes.read(IMAGES.resolve("truncated.jpg")), 90,
                DecodeOptions.DEFAULT)).isInstanceOf(ImageFileException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> JpegRecompression.reencode(png, 0, DecodeOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double meanAbs(RgbImage a, RgbImage b) {
        double s = 0;
        for (int i = 0; i < a.data().length; i++) {
            s += Math.abs(a.data()[i] - b.data()[i]);
        }
        return s / a.data().length;
    }
}
