package org.blades.data;

import org.blades.tensor.Tensor;

// H/W = height/width

/**
 * A decoded image: three planes R, G, B with values in [0, 1], row-major.
 *
 * @param data (3, H, W); owned by this record, not copied (callers hand over a fresh array)
 */
public record RgbImage(float[] data, int height, int width) {

    public RgbImage {
        if (height <= 0 || width <= 0 || data.length != 3L * height * width) {
            throw new IllegalArgumentException("RgbImage: data of " + data.length + " floats is not (3, " + height
                    + ", " + width + ")");
        }
    }

    /** The value at channel c (0 R, 1 G, 2 B), row y, column x. */
    public float at(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** This image resized to (OH, OW) by {@link Resize} (bilinear, antialiased). */
    public RgbImage resize(int outHeight, int outWidth) {
        return new RgbImage(Resize.resize(data, 3, height, width, outHeight, outWidth), outHeight, outWidth);
    }

    /** A float32 tensor (3, H, W) sharing this image's array. */
    public Tensor toTensor() {
        return Tensor.of(data, 3, height, width);
    }
}
