package org.blades.data.manip;

/**
 * How large the eye, mouth and nose boxes are around their landmarks.
 *
 * <p>The authors' code draws a 2-px line through the region's landmarks and dilates it (cross-shaped structuring
 * element) before taking its bounding box: by (eye width // 4) * 2 for one eye, mouth width // 3 for the mouth and
 * inter-ocular distance // 4 for the nose. A dilation by k steps grows the line's bounding box by k on every side,
 * so the defaults here are those steps as fractions, without the integer rounding.
 *
 * @param eyeMargin         grown on every side of the box of one eye's two corners, x that eye's width (default 0.5)
 * @param mouthMargin       grown around the box of the mouth corners, x the mouth width (default 1/3)
 * @param noseMargin        grown around the box of the nose point and the eye-centre midpoint, x the
 *                          inter-ocular distance (default 0.25)
 * @param fivePointEyeWidth eye width (corner to corner) as a fraction of the inter-ocular distance, for 5-point
 *                          landmarks that have no eye corners (default 0.40: 0.151 / 0.379 in the dlib/OpenFace
 *                          68-point mean face, corners 36/39 and 42/45 against the eye-centre distance)
 * @param minRegionSize     a box narrower or lower than this after clipping to the image is an error (default 2:
 *                          flipping one row or column changes nothing)
 */
public record RegionOptions(double eyeMargin, double mouthMargin, double noseMargin, double fivePointEyeWidth,
                            int minRegionSize) {

    public RegionOptions {
        requireNonNegative("eyeMargin", eyeMargin);
        requireNonNegative("mouthMargin", mouthMargin);
        requireNonNegative("noseMargin", noseMargin);
        if (!(fivePointEyeWidth > 0) || Double.isInfinite(fivePointEyeWidth)) {
            throw new IllegalArgumentException("RegionOptions: fivePointEyeWidth " + fivePointEyeWidth + " must be > 0");
        }
        if (minRegionSize < 1) {
            throw new IllegalArgumentException("RegionOptions: minRegionSize " + minRegionSize + " must be >= 1");
        }
    }

    public static RegionOptions defaults() {
        return new RegionOptions(0.5, 1.0 / 3.0, 0.25, 0.40, 2);
    }

    private static void requireNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("RegionOptions: " + name + " " + v + " must be finite and >= 0");
        }
    }
}
