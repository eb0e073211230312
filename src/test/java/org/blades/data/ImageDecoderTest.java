package org.blades.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blades.testing.ReferenceFile;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// H/W = height/width

/**
 * Decoding of every supported kind of file against Pillow's decoding of the same fixture
 * (reference-data/images/decode.safetensors; fixtures from reference-data/images/generate.py).
 */
class ImageDecoderTest {

    static final Path FIXTURES = ReferenceFile.projectRoot().resolve("src/test/resources/images");

    /** Lossless formats: the same 8- or 16-bit samples divided the same way. */
    private static final Tolerance LOSSLESS = Tolerance.F32;
    /**
     * JPEG: TwelveMonkeys decodes through the JDK's libjpeg 6b, Pillow through libjpeg-turbo. Both use the
     * integer IDCT and fancy chroma upsampling, and agree exactly on these fixtures (measured); two levels of 255
     * leave room for other builds of either library.
     */
    private static final Tolerance JPEG = Tolerance.of(2.0 / 255, 0);

    static ImageBytes fixture(String name) {
        try {
            return new ImageBytes(name, Files.readAllBytes(FIXTURES.resolve(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertLikePillow(String file, Tolerance tol) throws ImageFileException {
        RgbImage img = ImageDecoder.decode(fixture(file), DecodeOptions.DEFAULT);
        try (ReferenceFile ref = ReferenceFile.open("images/decode")) {
            ref.assertClose(file.replace('.', '_') + ".rgb", img.data(), new int[] {3, img.height(), img.width()}, tol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb8.png", "rgba8.png", "gray8.png", "graya8.png", "palette.png", "palette_trns.png",
            "rgb16.png", "gray16.png", "rgb24.bmp", "palette8.bmp", "palette.gif"})
    void losslessFormatsMatchPillowExactly(String file) throws ImageFileException {
        assertLikePillow(file, LOSSLESS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb_baseline.jpg", "rgb_444.jpg", "rgb_progressive.jpg", "gray.jpg"})
    void jpegsMatchPillowWithinDecoderDifferences(String file) throws ImageFileException {
        assertLikePillow(file, JPEG);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationMatchesPillowExifTranspose(int orientation) throws ImageFileException {
        RgbImage img = ImageDecoder.decode(fixture("orient_" + orientation + ".jpg"), DecodeOptions.DEFAULT);
        assertThat(new int[] {img.height(), img.width()}).containsExactly(orientation >= 5 ? new int[] {16, 10}
                : new int[] {10, 16});
        assertLikePillow("orient_" + orientation + ".jpg", JPEG);
    }

    @Test
    void orientationCanBeIgnored() throws ImageFileException {
        RgbImage stored = ImageDecoder.decode(fixture("orient_6.jpg"),
                DecodeOptions.DEFAULT.withOrientation(DecodeOptions.Orientation.IGNORE));
        RgbImage plain = ImageDecoder.decode(fixture("orient_1.jpg"), DecodeOptions.DEFAULT);
        assertThat(stored.data()).containsExactly(plain.data());
    }

    @Test
    void cmykAndYcckJpegsBecomeTheSameRgbWithTheRightHues() throws ImageFileException {
        RgbImage cmyk = ImageDecoder.decode(fixture("cmyk.jpg"), DecodeOptions.DEFAULT);
        RgbImage ycck = ImageDecoder.decode(fixture("ycck.jpg"), DecodeOptions.DEFAULT);
        assertThat(new int[] {cmyk.height(), cmyk.width(), ycck.height(), ycck.width()}).containsExactly(24, 32, 24, 32);
        float maxDiff = 0;
        for (int i = 0; i < cmyk.data().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(cmyk.data()[i] - ycck.data()[i]));
        }
        assertThat(maxDiff).as("CMYK vs YCCK encodings of one image").isLessThan(0.05f);
        // Fixture: cyan ink left, magenta top right, yellow bottom right (generate.py).
        for (RgbImage img : new RgbImage[] {cmyk, ycck}) {
            assertThat(img.at(0, 12, 4)).as("cyan: little red").isLessThan(img.at(2, 12, 4) - 0.3f);
            assertThat(img.at(1, 4, 28)).as("magenta: little green").isLessThan(img.at(0, 4, 28) - 0.3f);
            assertThat(img.at(2, 20, 28)).as("yellow: little blue").isLessThan(img.at(1, 20, 28) - 0.3f);
        }
    }

    @Test
    void truncatedFilesAreRefusedNamingFileAndReason() {
        assertThatThrownBy(() -> ImageDecoder.decode(fixture("truncated.jpg"), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class)
                .hasMessageStartingWith("truncated.jpg: truncated: ")
                .satisfies(e -> assertThat(((ImageFileException) e).reason()).isEqualTo(ImageFileException.Reason.TRUNCATED));
        assertThatThrownBy(() -> ImageDecoder.decode(fixture("truncated.png"), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class)
                .hasMessageStartingWith("truncated.png: ");
    }

    @Test
    void nonImagesAreUnsupported() {
        assertThatThrownBy(() -> ImageDecoder.decode(fixture("not-an-image.jpg"), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class)
                .hasMessage("not-an-image.jpg: unsupported: not a JPEG, PNG, BMP or GIF file (no known signature in its"
                        + " first bytes)");
    }

    @Test
    void missingFileIsUnreadable() {
        assertThatThrownBy(() -> ImageDecoder.decode(FIXTURES.resolve("no-such.jpg"), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class).hasMessageEndingWith("no-such.jpg: unreadable: no such file");
    }

    @Test
    void pixelLimitIsEnforcedFromTheHeader() {
        assertThatThrownBy(() -> ImageDecoder.decode(fixture("rgb8.png"), DecodeOptions.DEFAULT.withMaxPixels(34 * 21 - 1)))
                .isInstanceOf(ImageFileException.class)
                .hasMessage("rgb8.png: too large: 34x21 = 714 pixels is above the limit of 713 pixels");
    }

    /**
     * A decompression bomb: a valid 34x21 JPEG whose frame header is patched to 60000 x 60000 (3.6 gigapixels);
     * refused at once from the header, before the decoder allocates anything.
     */
    @Test
    void decompressionBombIsRefusedBeforeDecoding() {
        byte[] jpg = fixture("rgb_baseline.jpg").bytes().clone();
        int sof = indexOfMarker(jpg, 0xC0);
        jpg[sof + 5] = (byte) 0xEA; // height 0xEA60 = 60000
        jpg[sof + 6] = 0x60;
        jpg[sof + 7] = (byte) 0xEA; // width
        jpg[sof + 8] = 0x60;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageBytes("bomb.jpg", jpg), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class)
                .hasMessage("bomb.jpg: too large: 60000x60000 = 3600000000 pixels is above the limit of 100000000 pixels");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds to refuse").isLessThan(5);
    }

    @Test
    void pngBombIsRefusedFromTheHeader() {
        byte[] png = fixture("rgb8.png").bytes().clone();
        // IHDR: length at 8, "IHDR" at 12, width and height (big-endian u32) at 16 and 20, CRC of bytes 12..28 at 29.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
        b.putInt(16, 100_000).putInt(20, 100_000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageBytes("bomb.png", png), DecodeOptions.DEFAULT))
                .isInstanceOf(ImageFileException.class)
                .hasMessage("bomb.png: too large: 100000x100000 = 10000000000 pixels is above the limit of 100000000"
                        + " pixels");
    }

    @Test
    void headerReadsDimensionsWithoutDecoding() throws ImageFileException {
        ImageDecoder.Header h = ImageDecoder.header(fixture("rgb_progressive.jpg"));
        assertThat(h).isEqualTo(new ImageDecoder.Header(ImageBytes.Format.JPEG, 34, 21));
        assertThat(ImageDecoder.header(fixture("orient_6.jpg")).width()).as("stored, not displayed").isEqualTo(16);
    }

    @Test
    void decodeResizedEqualsDecodeThenResize() throws ImageFileException {
        for (String f : new String[] {"rgb8.png", "orient_6.jpg", "orient_7.jpg", "gray16.png"}) {
            RgbImage full = ImageDecoder.decode(fixture(f), DecodeOptions.DEFAULT);
            RgbImage direct = ImageDecoder.decodeResized(fixture(f), 7, 9, DecodeOptions.DEFAULT);
            RgbImage twoStep = full.resize(7, 9);
            assertThat(direct.height()).isEqualTo(7);
            assertThat(direct.width()).isEqualTo(9);
            // Same math; for orientations 5-8 the passes run in the other order, so allow float rounding.
            for (int i = 0; i < direct.data().length; i++) {
                assertThat(direct.data()[i]).as(f + " element " + i).isCloseTo(twoStep.data()[i],
                        org.assertj.core.data.Offset.offset(2e-6f));
            }
        }
    }

    @Test
    void toleratedWarningsAreOnlyThoseThatLoseNoPixels() {
        assertThat(ImageDecoder.dataLoss("Corrupt JPEG data: 2 extraneous bytes before marker 0xdb")).isNull();
        assertThat(ImageDecoder.dataLoss("ICC profile is Perceptual, ignoring, treating as Display class")).isNull();
        assertThat(ImageDecoder.dataLoss("No embedded ICC color profile, will convert using inaccurate CMYK to RGB"
                + " conversion. Colors may look incorrect.")).isNull();
        assertThat(ImageDecoder.dataLoss("Corrupt JPEG data: 5 extraneous bytes before marker 0xd3"))
                .isEqualTo(ImageFileException.Reason.CORRUPT);
        assertThat(ImageDecoder.dataLoss("Corrupt JPEG data: premature end of data segment"))
                .isEqualTo(ImageFileException.Reason.TRUNCATED);
        assertThat(ImageDecoder.dataLoss("Truncated File - Missing EOI marker")).isEqualTo(ImageFileException.Reason.TRUNCATED);
        assertThat(ImageDecoder.dataLoss("Corrupt JPEG data: bad Huffman code")).isEqualTo(ImageFileException.Reason.CORRUPT);
    }

    @Test
    void tensorHasChannelsFirst() throws ImageFileException {
        RgbImage img = ImageDecoder.decode(fixture("rgb8.png"), DecodeOptions.DEFAULT);
        assertThat(img.toTensor().shape()).containsExactly(3, 21, 34);
        assertThat(img.toTensor().getDouble(2, 20, 33)).isEqualTo(img.at(2, 20, 33));
    }

    private static int indexOfMarker(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker 0x" + Integer.toHexString(marker));
    }
}
