package org.blades.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.PackedColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

// H/W = stored height/width, OH/OW = output height/width as displayed, OH'/OW' = the output size in the stored
// orientation (OH/OW swapped for EXIF orientations 5-8)

/**
 * Decodes image files to RGB floats in [0, 1] through ImageIO, with the TwelveMonkeys JPEG and BMP plugins
 * (baseline and progressive JPEG, CMYK and YCCK JPEG, PNG 8/16-bit, palette, alpha, grayscale, BMP, GIF).
 *
 * <p>Pixel values are taken as stored, as Pillow and torchvision do: gray is replicated into R, G and B (never
 * passed through Java's linear-gray colour space), 16-bit samples are divided by 65535, a palette is looked up,
 * alpha is dropped without compositing (Pillow's convert("RGB")). Only CMYK/YCCK JPEGs go through a colour
 * conversion, TwelveMonkeys' (with the embedded ICC profile when there is one).
 *
 * <p>Refusals, each an {@link ImageFileException} naming the file and the reason: no decoder for the format;
 * a header declaring more than {@link DecodeOptions#maxPixels()} pixels (checked from the header, before any
 * pixel is decompressed); a decoder exception; and a decoder warning that reports lost image data (libjpeg's
 * "premature end of data segment", "bad Huffman code", a missing EOI...). Decoders recover from such damage by
 * painting gray, which would put garbage into training; warnings that lose nothing (extraneous bytes between
 * header segments, an ICC profile note, CMYK without a profile) are tolerated.
 *
 * <p>The EXIF orientation (IFD0; unknown values and unreadable EXIF count as 1, as in Pillow's
 * ImageOps.exif_transpose) is applied after resizing, which is exact because antialiased resizing commutes with
 * flips and transposes (the target size is transposed for orientations 5-8), and lets
 * {@link #decodeResized} resize row by row without a full-resolution float copy.
 */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    /** What the header says, without decoding pixels. Width and height are as stored (before orientation). */
    public record Header(ImageBytes.Format format, int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    public static RgbImage decode(Path file, DecodeOptions options) throws ImageFileException {
        return decode(ImageBytes.read(file), options);
    }

    /** The whole image at full resolution, (3, H, W) in the displayed orientation. */
    public static RgbImage decode(ImageBytes image, DecodeOptions options) throws ImageFileException {
        return decode(image, orientationOf(image, options), options, 0, 0);
    }

    public static RgbImage decodeResized(Path file, int outHeight, int outWidth, DecodeOptions options)
            throws ImageFileException {
        return decodeResized(ImageBytes.read(file), outHeight, outWidth, options);
    }

    /** The image resized to (OH, OW) (bilinear, antialiased, see {@link Resize}), in the displayed orientation. */
    public static RgbImage decodeResized(ImageBytes image, int outHeight, int outWidth, DecodeOptions options)
            throws ImageFileException {
        if (outHeight <= 0 || outWidth <= 0) {
            throw new IllegalArgumentException("decodeResized: output size must be positive, got " + outHeight + "x"
                    + outWidth);
        }
        return decode(image, orientationOf(image, options), options, outHeight, outWidth);
    }

    /** Reads the dimensions from the header only; refuses unsupported and unreadable headers like decode does. */
    public static Header header(ImageBytes image) throws ImageFileException {
        ImageReader reader = null;
        try (ImageInputStream in = open(image)) {
            reader = reader(image, in);
            return new Header(image.format(), width(image, reader), height(image, reader));
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(image.name(), "reading the header", e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /**
     * Decodes every pixel (so truncation and corruption are found) and discards them: what the index needs to list
     * a file as usable without the cost of float conversion. Returns the stored dimensions.
     */
    static Header verify(ImageBytes image, DecodeOptions options) throws ImageFileException {
        BufferedImage bi = read(image, options);
        return new Header(image.format(), bi.getWidth(), bi.getHeight());
    }

    /** Decodes with a known EXIF orientation; {@code outHeight == 0} means full resolution. */
    static RgbImage decode(ImageBytes image, int orientation, DecodeOptions options, int outHeight, int outWidth)
            throws ImageFileException {
        BufferedImage bi = read(image, options);
        int h = bi.getHeight();
        int w = bi.getWidth();
        boolean transposed = orientation >= 5 && orientation <= 8;
        int rawOutH = outHeight == 0 ? h : transposed ? outWidth : outHeight;
        int rawOutW = outHeight == 0 ? w : transposed ? outHeight : outWidth;

        if (3L * h * rawOutW > Integer.MAX_VALUE - 8) {
            // Only reachable with a pixel limit raised far above the default.
            throw new ImageFileException(image.name(), ImageFileException.Reason.TOO_LARGE, w + "x" + h
                    + " pixels do not fit one float array at this output width");
        }
        Rows rows = new Rows(bi);
        float[] row = new float[3 * w];                 // (3, W)
        float[] wide = new float[3 * h * rawOutW];      // (3, H, OW')
        Resize.Taps taps = rawOutW == w ? null : Resize.Taps.of(w, rawOutW);
        for (int y = 0; y < h; y++) {
            rows.read(y, row);
            for (int c = 0; c < 3; c++) {
                int dst = (c * h + y) * rawOutW;
                if (taps == null) {
                    System.arraycopy(row, c * w, wide, dst, w);
                } else {
                    Resize.horizontalRow(row, c * w, taps, wide, dst);
                }
            }
        }
        float[] raw = rawOutH == h ? wide : Resize.vertical(wide, 3, h, rawOutW, rawOutH); // (3, OH', OW')
        return orient(raw, rawOutH, rawOutW, orientation);
    }

    // ------------------------------------------------------------------------------------------------------
    // Reading

    private static ImageInputStream open(ImageBytes image) throws ImageFileException {
        if (image.format() == ImageBytes.Format.UNKNOWN) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.UNSUPPORTED,
                    "not a JPEG, PNG, BMP or GIF file (no known signature in its first bytes)");
        }
        // A memory-backed stream: ImageIO.createImageInputStream would spill to a temporary file.
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(image.bytes()));
    }

    private static ImageReader reader(ImageBytes image, ImageInputStream in) throws ImageFileException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.UNSUPPORTED,
                    "no installed decoder reads this " + image.format() + " file");
        }
        ImageReader reader = readers.next();
        // seekForwardOnly and ignoreMetadata: one pass, and no metadata trees (EXIF comes from metadata-extractor).
        reader.setInput(in, true, true);
        return reader;
    }

    private static int width(ImageBytes image, ImageReader reader) throws ImageFileException {
        try {
            return positive(image, reader.getWidth(0), "width");
        } catch (IOException | RuntimeException e) {
            throw failure(image.name(), "reading the header", e);
        }
    }

    private static int height(ImageBytes image, ImageReader reader) throws ImageFileException {
        try {
            return positive(image, reader.getHeight(0), "height");
        } catch (IOException | RuntimeException e) {
            throw failure(image.name(), "reading the header", e);
        }
    }

    private static int positive(ImageBytes image, int v, String what) throws ImageFileException {
        if (v <= 0) {
            throw new ImageFileException(image.name(), ImageFileException.Reason.CORRUPT, "header declares " + what
                    + " " + v);
        }
        return v;
    }

    private static BufferedImage read(ImageBytes image, DecodeOptions options) throws ImageFileException {
        ImageReader reader = null;
        try (ImageInputStream in = open(image)) {
            reader = reader(image, in);
            long w = width(image, reader);
            long h = height(image, reader);
            if (w * h > options.maxPixels()) {
                throw new ImageFileException(image.name(), ImageFileException.Reason.TOO_LARGE, w + "x" + h + " = "
                        + w * h + " pixels is above the limit of " + options.maxPixels() + " pixels");
            }
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage bi;
            try {
                bi = reader.read(0);
            } catch (OutOfMemoryError e) {
                // One big raster allocation failed and is gone again: refuse this file, keep the run going.
                throw new ImageFileException(image.name(), ImageFileException.Reason.TOO_LARGE, "not enough memory to"
                        + " decode " + w + "x" + h + " pixels (raise -Xmx or lower the pixel limit)");
            }
            for (String warning : warnings) {
                ImageFileException.Reason reason = dataLoss(warning);
                if (reason != null) {
                    throw new ImageFileException(image.name(), reason, "decoder reports " + summary(warnings));
                }
            }
            return bi;
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(image.name(), "decoding", e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /** Distinct warnings in order, at most four, so one damaged file gives one readable line. */
    private static String summary(List<String> warnings) {
        List<String> distinct = warnings.stream().distinct().toList();
        String shown = String.join("; ", distinct.subList(0, Math.min(4, distinct.size())));
        return distinct.size() > 4 ? shown + "; and " + (distinct.size() - 4) + " more" : shown;
    }

    private static final Pattern EXTRANEOUS = Pattern.compile("extraneous bytes before marker 0x([0-9a-f]{2})");

    /** The reason a decoder warning means lost or invented pixels, or null when nothing was lost. */
    static ImageFileException.Reason dataLoss(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("truncated") || w.contains("premature end")) {
            return ImageFileException.Reason.TRUNCATED;
        }
        Matcher m = EXTRANEOUS.matcher(w);
        if (m.find()) {
            // Junk between header segments is skipped harmlessly; junk before a restart marker is lost scan data.
            int marker = Integer.parseInt(m.group(1), 16);
            return marker >= 0xD0 && marker <= 0xD7 ? ImageFileException.Reason.CORRUPT : null;
        }
        if (w.contains("corrupt") || w.contains("bad huffman") || w.contains("inconsistent progression")
                || w.contains("invalid sos") || w.contains("duplicate component") || w.contains("instead of rst")) {
            return ImageFileException.Reason.CORRUPT;
        }
        return null;
    }

    /** An exception from a decoder, as a per-file error: truncated, unsupported or (otherwise) corrupt. */
    static ImageFileException failure(String file, String stage, Throwable e) {
        List<String> parts = new ArrayList<>();
        boolean eof = false;
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            eof |= t instanceof EOFException;
            String msg = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
            // An IOException's message is meant for users; a RuntimeException's class name is the news.
            String part = t instanceof IOException && msg != null ? msg
                    : t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        // A decoder that throws an unchecked exception has tripped over malformed data it did not validate.
        String detail = e instanceof RuntimeException ? "decoder failed on malformed data (" + String.join(": ", parts)
                + ")" : String.join(": ", parts);
        String lower = detail.toLowerCase(Locale.ROOT);
        ImageFileException.Reason reason = eof || lower.contains("truncat") || lower.contains("premature end")
                || lower.contains("unexpected end") || lower.contains("end of data")
                ? ImageFileException.Reason.TRUNCATED
                : lower.contains("unsupported") || lower.contains("not supported")
                ? ImageFileException.Reason.UNSUPPORTED
                : ImageFileException.Reason.CORRUPT;
        return new ImageFileException(file, reason, stage + ": " + detail, e);
    }

    // ------------------------------------------------------------------------------------------------------
    // Orientation

    private static int orientationOf(ImageBytes image, DecodeOptions options) {
        if (options.orientation() == DecodeOptions.Orientation.IGNORE) {
            return 1;
        }
        try {
            Integer o = ExifExtractor.read(image).values().orientation();
            return o == null ? 1 : o;
        } catch (ImageFileException e) {
            // The pixels may still be fine; without readable EXIF the stored order is the only defined one.
            return 1;
        }
    }

    /**
     * Applies an EXIF orientation to a planar image (3, H, W). Output pixel (r, c) of the displayed image reads
     * stored pixel: 1 (r, c); 2 (r, W-1-c); 3 (H-1-r, W-1-c); 4 (H-1-r, c); 5 (c, r); 6 (H-1-c, r);
     * 7 (H-1-c, W-1-r); 8 (c, W-1-r). Values outside 1..8 leave the image as stored.
     */
    static RgbImage orient(float[] src, int h, int w, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return new RgbImage(src, h, w);
        }
        boolean transposed = orientation >= 5;
        int oh = transposed ? w : h;
        int ow = transposed ? h : w;
        float[] dst = new float[src.length]; // (3, OH, OW)
        for (int c = 0; c < 3; c++) {
            int plane = c * h * w;
            for (int r = 0; r < oh; r++) {
                for (int col = 0; col < ow; col++) {
                    int sy;
                    int sx;
                    switch (orientation) {
                        case 2 -> { sy = r; sx = w - 1 - col; }
                        case 3 -> { sy = h - 1 - r; sx = w - 1 - col; }
                        case 4 -> { sy = h - 1 - r; sx = col; }
                        case 5 -> { sy = col; sx = r; }
                        case 6 -> { sy = h - 1 - col; sx = r; }
                        case 7 -> { sy = h - 1 - col; sx = w - 1 - r; }
                        default -> { sy = col; sx = w - 1 - r; }
                    }
                    dst[plane + r * ow + col] = src[plane + sy * w + sx];
                }
            }
        }
        return new RgbImage(dst, oh, ow);
    }

    // ------------------------------------------------------------------------------------------------------
    // Pixel access

    /** Converts one stored row at a time to RGB floats, choosing the path by colour model once. */
    private static final class Rows {
        private enum Kind { INDEXED, GRAY, RGB, OTHER }

        private final BufferedImage image;
        private final Raster raster;
        private final Kind kind;
        private final float[] max = new float[3];   // (3,) largest sample value per colour band (255, 65535...)
        private final int[] samples;                // (W,) one band of one row
        private final int[] argb;                   // (W,) fallback path

        Rows(BufferedImage image) {
            this.image = image;
            this.raster = image.getRaster();
            ColorModel cm = image.getColorModel();
            int type = raster.getDataBuffer().getDataType();
            boolean integral = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT
                    || type == DataBuffer.TYPE_INT || type == DataBuffer.TYPE_SHORT;
            int csType = cm.getColorSpace().getType();
            boolean plain = (cm instanceof ComponentColorModel || cm instanceof PackedColorModel) && integral
                    && type != DataBuffer.TYPE_SHORT;
            if (cm instanceof IndexColorModel) {
                kind = Kind.INDEXED;
            } else if (plain && csType == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
                kind = Kind.GRAY;
            } else if (plain && csType == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3) {
                kind = Kind.RGB;
            } else {
                kind = Kind.OTHER;
            }
            if (kind == Kind.GRAY || kind == Kind.RGB) {
                for (int b = 0; b < cm.getNumColorComponents(); b++) {
                    max[b] = (float) ((1L << cm.getComponentSize(b)) - 1);
                }
            }
            samples = new int[image.getWidth()];
            argb = kind == Kind.OTHER ? new int[image.getWidth()] : null;
        }

        /** Row y as (3, W): R plane, then G, then B, each in [0, 1]. */
        void read(int y, float[] out) {
            int w = image.getWidth();
            switch (kind) {
                case INDEXED -> {
                    IndexColorModel icm = (IndexColorModel) image.getColorModel();
                    raster.getSamples(0, y, w, 1, 0, samples);
                    for (int x = 0; x < w; x++) {
                        int i = samples[x];
                        out[x] = icm.getRed(i) / 255f;
                        out[w + x] = icm.getGreen(i) / 255f;
                        out[2 * w + x] = icm.getBlue(i) / 255f;
                    }
                }
                case GRAY -> {
                    raster.getSamples(0, y, w, 1, 0, samples);
                    for (int x = 0; x < w; x++) {
                        float v = samples[x] / max[0];
                        out[x] = v;
                        out[w + x] = v;
                        out[2 * w + x] = v;
                    }
                }
                case RGB -> {
                    for (int c = 0; c < 3; c++) {
                        raster.getSamples(0, y, w, 1, c, samples);
                        float m = max[c];
                        for (int x = 0; x < w; x++) {
                            out[c * w + x] = samples[x] / m;
                        }
                    }
                }
                default -> {
                    // Any other colour model (CMYK left unconverted, float rasters...): Java's conversion to sRGB.
                    image.getRGB(0, y, w, 1, argb, 0, w);
                    for (int x = 0; x < w; x++) {
                        int p = argb[x];
                        out[x] = ((p >> 16) & 0xFF) / 255f;
                        out[w + x] = ((p >> 8) & 0xFF) / 255f;
                        out[2 * w + x] = (p & 0xFF) / 255f;
                    }
                }
            }
        }
    }
}
