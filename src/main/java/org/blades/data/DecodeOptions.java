package org.blades.data;

/**
 * How images are decoded.
 *
 * @param maxPixels   images whose header declares more pixels (width x height) are refused before any pixel
 *                    is decompressed, so a small malicious file cannot make the decoder allocate gigabytes
 * @param orientation whether the EXIF orientation is applied (the pixels then look as the camera meant)
 */
public record DecodeOptions(long maxPixels, Orientation orientation) {

    /** 100 megapixels: above any camera photograph in the data sets, far below a decompression bomb. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    public static final DecodeOptions DEFAULT = new DecodeOptions(DEFAULT_MAX_PIXELS, Orientation.APPLY);

    public enum Orientation {
        /** Rotate/mirror by the EXIF Orientation tag (IFD0), as Pillow's ImageOps.exif_transpose does. */
        APPLY,
        /** Keep the stored pixel order. */
        IGNORE
    }

    public DecodeOptions {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("decode options: maxPixels must be positive, got " + maxPixels);
        }
        if (orientation == null) {
            throw new IllegalArgumentException("decode options: orientation must not be null");
        }
    }

    public DecodeOptions withMaxPixels(long pixels) {
        return new DecodeOptions(pixels, orientation);
    }

    public DecodeOptions withOrientation(Orientation o) {
        return new DecodeOptions(maxPixels, o);
    }
}
