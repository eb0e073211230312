package org.blades.data;

// C = channels, H/W = input height/width, OH/OW = output height/width, K = taps of one output sample

/**
 * Bilinear resizing with antialiasing, the algorithm of PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=False, antialias=True)} (what torchvision's
 * {@code resize(..., antialias=True)} calls on tensors, itself Pillow's resampling scheme):
 *
 * <p>Separable, width first, then height. Along one axis of length in → out, with scale = in / out, output sample
 * i is centred at {@code center = scale * (i + 0.5)} in input coordinates and averages the input samples j whose
 * centres j + 0.5 fall within {@code support} of it, weighted by the triangle filter
 * {@code max(0, 1 - |j + 0.5 - center| / s)} and normalised to sum 1, where s = max(scale, 1) and
 * support = s. Upscaling (scale < 1) is therefore plain bilinear interpolation with edge clamping; downscaling
 * widens the triangle to cover the whole footprint of the output pixel, which is the antialiasing.
 *
 * <p>Arithmetic is float32 in PyTorch's order (center, window and weights in float, weights normalised, then
 * a running float sum), so results agree with PyTorch 1.13 within float rounding
 * (reference-data/images/resize.safetensors, atol 1e-6 + rtol 1e-5).
 */
public final class Resize {
    private Resize() {
    }

    /** The taps of one axis: output i reads input[start[i] .. start[i] + count[i]) with weights[i * maxTaps + k]. */
    record Taps(int[] start, int[] count, float[] weights, int maxTaps) {   // start, count: (out,); weights: (out, K)

        static Taps of(int in, int out) {
            if (in <= 0 || out <= 0) {
                throw new IllegalArgumentException("resize: sizes must be positive, got " + in + " -> " + out);
            }
            float scale = (float) in / (float) out;
            float support = scale >= 1.0f ? scale : 1.0f; // interp_size / 2 = 1 for bilinear, widened when shrinking
            float invScale = scale >= 1.0f ? 1.0f / scale : 1.0f;
            int maxTaps = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out];        // (out,)
            int[] count = new int[out];        // (out,)
            float[] weights = new float[out * maxTaps]; // (out, K)
            for (int i = 0; i < out; i++) {
                float center = scale * (i + 0.5f);
                int xmin = Math.max((int) (center - support + 0.5f), 0);
                int xsize = Math.min((int) (center + support + 0.5f), in) - xmin;
                float total = 0.0f;
                for (int j = 0; j < xsize; j++) {
                    float w = triangle((j + xmin - center + 0.5f) * invScale);
                    weights[i * maxTaps + j] = w;
                    total += w;
                }
                if (total != 0.0f) {
                    for (int j = 0; j < xsize; j++) {
                        weights[i * maxTaps + j] /= total;
                    }
                }
                start[i] = xmin;
                count[i] = xsize;
            }
            return new Taps(start, count, weights, maxTaps);
        }

        private static float triangle(float x) {
            float a = Math.abs(x);
            return a < 1.0f ? 1.0f - a : 0.0f;
        }
    }

    /**
     * Resizes a planar image.
     *
     * @param src (C, H, W) row-major
     * @return (C, OH, OW) row-major, a new array (also when the size is unchanged)
     */
    public static float[] resize(float[] src, int channels, int height, int width, int outHeight, int outWidth) {
        if (src.length != channels * height * width) {
            throw new IllegalArgumentException("resize: input of " + src.length + " floats is not (C, H, W) = ("
                    + channels + ", " + height + ", " + width + ")");
        }
        float[] rows = horizontal(src, channels * height, width, outWidth); // (C, H, OW)
        return vertical(rows, channels, height, outWidth, outHeight);
    }

    /**
     * Resizes each of {@code rowCount} rows of length W to length OW: the width pass, also usable one decoded row at
     * a time so a large image never needs a full float copy.
     *
     * @param src (rows, W)
     * @return (rows, OW)
     */
    public static float[] horizontal(float[] src, int rowCount, int width, int outWidth) {
        float[] dst = new float[rowCount * outWidth]; // (rows, OW)
        if (outWidth == width) {
            // PyTorch skips an axis whose size does not change; the taps would be the identity anyway.
            System.arraycopy(src, 0, dst, 0, dst.length);
            return dst;
        }
        Taps taps = Taps.of(width, outWidth);
        for (int r = 0; r < rowCount; r++) {
            horizontalRow(src, r * width, taps, dst, r * outWidth);
        }
        return dst;
    }

    /** One row: dst[dstOff + i] = sum_k w[i, k] * src[srcOff + start[i] + k]. */
    static void horizontalRow(float[] src, int srcOff, Taps taps, float[] dst, int dstOff) {
        int k = taps.maxTaps();
        for (int i = 0; i < taps.start().length; i++) {
            int s = srcOff + taps.start()[i];
            int n = taps.count()[i];
            float acc = 0.0f;
            for (int j = 0; j < n; j++) {
                acc += src[s + j] * taps.weights()[i * k + j];
            }
            dst[dstOff + i] = acc;
        }
    }

    /**
     * The height pass.
     *
     * @param src (C, H, OW)
     * @return (C, OH, OW)
     */
    public static float[] vertical(float[] src, int channels, int height, int width, int outHeight) {
        float[] dst = new float[channels * outHeight * width]; // (C, OH, OW)
        if (outHeight == height) {
            System.arraycopy(src, 0, dst, 0, dst.length);
            return dst;
        }
        Taps taps = Taps.of(height, outHeight);
        int k = taps.maxTaps();
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int i = 0; i < outHeight; i++) {
                int s = taps.start()[i];
                int n = taps.count()[i];
                int out = (c * outHeight + i) * width;
                for (int x = 0; x < width; x++) {
                    float acc = 0.0f;
                    for (int j = 0; j < n; j++) {
                        acc += src[plane + (s + j) * width + x] * taps.weights()[i * k + j];
                    }
                    dst[out + x] = acc;
                }
            }
        }
        return dst;
    }
}
