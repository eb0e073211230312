package org.blades.embed;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.blades.data.DecodeOptions;
import org.blades.data.ImageBytes;
import org.blades.data.ImageDecoder;
import org.blades.data.ImageFileException;
import org.blades.data.RgbImage;

// H/W = image height/width

/**
 * Re-encodes an image as a baseline JPEG of a given quality, in memory: the robustness test of the paper's Table 5
 * (every test image JPEG-compressed before detection).
 *
 * <p>The image is decoded as usual (EXIF orientation applied, so the result needs no orientation tag), rounded to
 * 8 bits per channel and written by ImageIO's JPEG writer with {@code quality / 100} as its compression quality,
 * which scales the IJG standard tables as libjpeg (and so Pillow's {@code quality=}) does, with 4:2:0 chroma
 * subsampling like Pillow's default. The bytes are not bit-identical to Pillow's (different DCT and rounding), the
 * quantisation is.
 */
public final class JpegRecompression {
    private JpegRecompression() {
    }

    /** {@code image} decoded and re-encoded as JPEG quality 1..100; the result keeps the file's name. */
    public static ImageBytes reencode(ImageBytes image, int quality, DecodeOptions decode) throws ImageFileException {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG re-encoding: quality must be 1..100, got " + quality);
        }
        RgbImage rgb = ImageDecoder.decode(image, decode);
        int h = rgb.height();
        int w = rgb.width();
        float[] px = rgb.data(); // (3, H, W) in [0, 1]
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w]; // (W) packed RGB
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                row[x] = (to8(px[i]) << 16) | (to8(px[h * w + i]) << 8) | to8(px[2 * h * w + i]);
            }
            bi.setRGB(0, y, w, 1, row, 0, w);
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("JPEG re-encoding: no ImageIO JPEG writer is installed");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(bi, null, null), p);
        } catch (IOException e) {
            // Writing to memory fails only on a writer bug; reported against the file like a decoder failure.
            throw new ImageFileException(image.name(), ImageFileException.Reason.CORRUPT,
                    "re-encoding as JPEG quality " + quality + " failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return new ImageBytes(image.name(), bytes.toByteArray());
    }

    /** [0, 1] to 0..255; 8-bit sources decode to exact multiples of 1/255 and so come back unchanged. */
    private static int to8(float v) {
        int q = Math.round(v * 255f);
        return Math.max(0, Math.min(255, q));
    }
}
