package org.blades.data.manip;

import org.blades.data.RgbImage;

// C = 3 colour channels, H/W = image height/width, K = 2 r + 1 Gaussian taps, n = pixels along one axis

/**
 * The local manipulations of Fig. 2 (a)-(c): flip a face region and blend it back with a feathered mask.
 *
 * <p>For a region box R with shorter side m:
 * <ol>
 *   <li>sigma = featherFraction x m (default m / 8), kernel radius r = ceil(4 sigma) (the Gaussian's mass beyond
 *       4 sigma is 6e-5; OpenCV's own kernel size for float images is also about 8 sigma + 1);</li>
 *   <li>flip box P = R grown by r on every side, the growth cut equally on both sides of an axis at the image border
 *       so P keeps R's centre; the pixels of P are mirrored in place ({@link #flip}). Flipping the grown box, as the
 *       authors' code does with its 5-px (eyes, mouth) and 3-px (nose) padding, puts mirrored content under the
 *       whole soft edge of the mask instead of a seam at R's border;</li>
 *   <li>mask = indicator of R blurred by the Gaussian (reflect-101 border, OpenCV's default):
 *       1 deep inside R, 0.5 on its border, 0 from r pixels outside R on ({@link #featherMask});</li>
 *   <li>out = a flipped + (1 - a) original with a = strength x mask ({@link #blend}).</li>
 * </ol>
 * Deviation from the authors' code: their mask thresholds a first blur at its maximum, erodes it and blurs again
 * (sigma 10 px at 224), which for regions smaller than the first kernel leaves a Gaussian blob at the region's
 * centre whatever the region's shape; ours follows the region box, so the blend covers the whole flipped region.
 */
public final class FeatheredFlip {

    private static final int CHANNELS = 3;

    private FeatheredFlip() {
    }

    /** The mask's Gaussian sigma for a region box: featherFraction x its shorter side. */
    public static double featherSigma(PixelBox region, double featherFraction) {
        return featherFraction * Math.min(region.width(), region.height());
    }

    /** Gaussian kernel radius: ceil(4 sigma), at least 1. */
    public static int featherRadius(double sigma) {
        return Math.max(1, (int) Math.ceil(4 * sigma));
    }

    /** The image with the pixels inside {@code box} mirrored along {@code axis}; pixels outside are copied. */
    public static RgbImage flip(RgbImage image, PixelBox box, FlipAxis axis) {
        requireInside("flip", box, image);
        int h = image.height();
        int w = image.width();
        float[] src = image.data(); // (C, H, W)
        float[] out = src.clone();  // (C, H, W)
        boolean mirrorX = axis != FlipAxis.VERTICAL;
        boolean mirrorY = axis != FlipAxis.HORIZONTAL;
        for (int c = 0; c < CHANNELS; c++) {
            for (int y = box.y0(); y < box.y1(); y++) {
                int sy = mirrorY ? box.y0() + box.y1() - 1 - y : y;
                for (int x = box.x0(); x < box.x1(); x++) {
                    int sx = mirrorX ? box.x0() + box.x1() - 1 - x : x;
                    out[(c * h + y) * w + x] = src[(c * h + sy) * w + sx];
                }
            }
        }
        return new RgbImage(out, h, w);
    }

    /**
     * The indicator of {@code region} blurred by a Gaussian of {@code sigma} (radius {@link #featherRadius}),
     * reflect-101 at the image border: (H, W), values in [0, 1]. A box's indicator is the product of a row and a
     * column indicator, and the Gaussian and the border rule act on each axis alone, so the 2-D blur is the outer
     * product of two 1-D blurs: O((H + W) K) instead of O(H W K).
     */
    public static float[] featherMask(int height, int width, PixelBox region, double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("featherMask: sigma " + sigma + " must be > 0");
        }
        if (!region.fitsIn(height, width)) {
            throw new IllegalArgumentException("featherMask: region " + region + " exceeds the " + height + "x" + width
                    + " image");
        }
        int radius = featherRadius(sigma);
        double[] across = blurredInterval(width, region.x0(), region.x1(), sigma, radius); // (W,)
        double[] down = blurredInterval(height, region.y0(), region.y1(), sigma, radius);  // (H,)
        float[] mask = new float[height * width]; // (H, W)
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                mask[y * width + x] = (float) (down[y] * across[x]);
            }
        }
        return mask;
    }

    /** out = a flipped + (1 - a) original, a = strength x mask, per pixel and channel. */
    public static RgbImage blend(RgbImage original, RgbImage flipped, float[] mask, double strength) {
        if (original.height() != flipped.height() || original.width() != flipped.width()
                || mask.length != original.height() * original.width()) {
            throw new IllegalArgumentException("blend: original (3, " + original.height() + ", " + original.width()
                    + "), manipulated (3, " + flipped.height() + ", " + flipped.width() + ") and a mask of " + mask.length
                    + " values (need H*W = " + original.height() * original.width() + ") disagree");
        }
        int plane = original.height() * original.width();
        float[] o = original.data(); // (C, H, W)
        float[] f = flipped.data();  // (C, H, W)
        float[] out = new float[o.length]; // (C, H, W)
        for (int c = 0; c < CHANNELS; c++) {
            for (int p = 0; p < plane; p++) {
                double a = strength * mask[p];
                int k = c * plane + p;
                out[k] = (float) (a * f[k] + (1 - a) * o[k]);
            }
        }
        return new RgbImage(out, original.height(), original.width());
    }

    /**
     * Flip the region's grown box and blend it back: the whole local manipulation. Returns the new image and
     * stores strength x mask, (H, W), into {@code maskOut} when it is not null.
     */
    public static RgbImage flipAndBlend(RgbImage image, PixelBox region, FlipAxis axis, double featherFraction,
                                        double strength, float[] maskOut) {
        requireInside("flipAndBlend", region, image);
        double sigma = featherSigma(region, featherFraction);
        PixelBox flipBox = region.grownCentred(featherRadius(sigma), image.height(), image.width());
        RgbImage flipped = flip(image, flipBox, axis);
        float[] mask = featherMask(image.height(), image.width(), region, sigma); // (H, W)
        if (maskOut != null) {
            for (int p = 0; p < mask.length; p++) {
                maskOut[p] = (float) (strength * mask[p]);
            }
        }
        return blend(image, flipped, mask, strength);
    }

    /**
     * The indicator of [lo, hi) on an axis of n pixels blurred by a Gaussian: taps exp(-t^2 / (2 sigma^2)) for
     * |t| <= radius normalised to sum 1, border reflect-101 (... c b | a b c ...: the edge pixel is not repeated).
     */
    static double[] blurredInterval(int n, int lo, int hi, double sigma, int radius) {
        double[] taps = new double[2 * radius + 1]; // (K,)
        double sum = 0;
        for (int t = -radius; t <= radius; t++) {
            taps[t + radius] = Math.exp(-(t * (double) t) / (2 * sigma * sigma));
            sum += taps[t + radius];
        }
        double[] out = new double[n]; // (n,)
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int t = -radius; t <= radius; t++) {
                int p = reflect101(i + t, n);
                if (p >= lo && p < hi) {
                    acc += taps[t + radius];
                }
            }
            out[i] = acc / sum;
        }
        return out;
    }

    /** Index p folded into [0, n) by reflection about the edge pixels, repeated for kernels wider than the image. */
    static int reflect101(int p, int n) {
        if (n == 1) {
            return 0;
        }
        while (p < 0 || p >= n) {
            p = p < 0 ? -p : 2 * (n - 1) - p;
        }
        return p;
    }

    private static void requireInside(String op, PixelBox box, RgbImage image) {
        if (!box.fitsIn(image.height(), image.width())) {
            throw new IllegalArgumentException(op + ": region " + box + " exceeds the " + image.height() + "x"
                    + image.width() + " image");
        }
        if (box.width() == 0 || box.height() == 0) {
            throw new IllegalArgumentException(op + ": region " + box + " is empty");
        }
    }
}
