package org.blades.data.manip;

import org.blades.data.RgbImage;

import java.util.SplittableRandom;

// C = 3 colour channels, H/W = image height/width

/** Seeded test images. */
final class TestImages {

    private TestImages() {
    }

    /** Uniform noise in [0, 1): every pixel differs from its mirror image, so a flip always shows. */
    static RgbImage noise(int height, int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] px = new float[3 * height * width]; // (C, H, W)
        for (int k = 0; k < px.length; k++) {
            px[k] = (float) rng.nextDouble();
        }
        return new RgbImage(px, height, width);
    }

    /** Channel c holds a c-specific linear ramp a x + b y + k: bilinear sampling reproduces it exactly. */
    static RgbImage ramp(int height, int width) {
        float[] px = new float[3 * height * width]; // (C, H, W)
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    px[(c * height + y) * width + x] = (float) rampValue(c, x, y);
                }
            }
        }
        return new RgbImage(px, height, width);
    }

    static double rampValue(int c, double x, double y) {
        return 0.1 + 0.004 * (c + 1) * x + 0.003 * (3 - c) * y;
    }
}
