package org.blades.data.manip;

import java.util.Locale;

/**
 * The eye, mouth and nose boxes of one face, in the pixel grid of one image.
 *
 * <p>Each box is the bounding box of the region's defining points grown by a margin (see {@link RegionOptions}),
 * turned into pixels by keeping every pixel whose centre lies inside the grown box (x0 = ceil(xmin),
 * x1 = floor(xmax) + 1), then clipped to the image:
 * <ul>
 *   <li>eye (each side): its two corners, margin eyeMargin x that eye's width;</li>
 *   <li>mouth: the two mouth corners, margin mouthMargin x the mouth width;</li>
 *   <li>nose: the nose point and the midpoint of the eye centres, margin noseMargin x the inter-ocular distance.</li>
 * </ul>
 */
public record FaceRegions(PixelBox leftEye, PixelBox rightEye, PixelBox mouth, PixelBox nose) {

    /**
     * The regions of a face with these landmarks in an image of the given size.
     *
     * @throws IllegalArgumentException when a landmark the regions need is not finite or lies outside the image
     *                                  (beyond the outer half pixel), or a region is below the minimum size
     */
    public static FaceRegions from(FaceLandmarks landmarks, int height, int width, RegionOptions options) {
        if (landmarks == null || options == null) {
            throw new IllegalArgumentException("face regions: landmarks and options must not be null");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("face regions: image size " + height + "x" + width + " is empty");
        }
        for (int i : landmarks.usedIndices()) {
            double x = landmarks.x(i);
            double y = landmarks.y(i);
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("face regions: landmark " + landmarks.pointName(i) + " at ("
                        + x + ", " + y + ") is not finite");
            }
            if (x < -0.5 || x > width - 0.5 || y < -0.5 || y > height - 0.5) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "face regions: landmark %s at (%.2f, %.2f) lies outside the %dx%d image (x and y must be in "
                                + "[-0.5, %.1f] and [-0.5, %.1f]); were the landmarks mapped into this crop?",
                        landmarks.pointName(i), x, y, width, height, width - 0.5, height - 0.5));
            }
        }
        FaceKeyPoints k = landmarks.keyPoints(options.fivePointEyeWidth());
        double eyeWidthLeft = k.leftEyeOuter().distance(k.leftEyeInner());
        double eyeWidthRight = k.rightEyeInner().distance(k.rightEyeOuter());
        double mouthWidth = k.mouthLeft().distance(k.mouthRight());
        PixelBox leftEye = box("image-left eye", k.leftEyeOuter(), k.leftEyeInner(),
                options.eyeMargin() * eyeWidthLeft, height, width, options);
        PixelBox rightEye = box("image-right eye", k.rightEyeInner(), k.rightEyeOuter(),
                options.eyeMargin() * eyeWidthRight, height, width, options);
        PixelBox mouth = box("mouth", k.mouthLeft(), k.mouthRight(), options.mouthMargin() * mouthWidth,
                height, width, options);
        PixelBox nose = box("nose", k.nose(), k.leftEye().midpoint(k.rightEye()),
                options.noseMargin() * k.interOcular(), height, width, options);
        return new FaceRegions(leftEye, rightEye, mouth, nose);
    }

    /** {@link #from} with {@link RegionOptions#defaults()}. */
    public static FaceRegions from(FaceLandmarks landmarks, int height, int width) {
        return from(landmarks, height, width, RegionOptions.defaults());
    }

    /** The box of one eye. */
    public PixelBox eye(EyeSide side) {
        return side == EyeSide.LEFT ? leftEye : rightEye;
    }

    /** Pixels whose centres lie in the box of a and b grown by margin, clipped to the image. */
    private static PixelBox box(String region, FaceKeyPoints.Point a, FaceKeyPoints.Point b, double margin,
                                int height, int width, RegionOptions options) {
        int x0 = Math.max(0, (int) Math.ceil(Math.min(a.x(), b.x()) - margin));
        int y0 = Math.max(0, (int) Math.ceil(Math.min(a.y(), b.y()) - margin));
        int x1 = Math.min(width, (int) Math.floor(Math.max(a.x(), b.x()) + margin) + 1);
        int y1 = Math.min(height, (int) Math.floor(Math.max(a.y(), b.y()) + margin) + 1);
        int min = options.minRegionSize();
        if (x1 - x0 < min || y1 - y0 < min) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "face regions: the %s region x [%d, %d) y [%d, %d) is %dx%d pixels in the %dx%d image, below the "
                            + "minimum %dx%d (defining points %s and %s, margin %.2f px)",
                    region, x0, x1, y0, y1, Math.max(0, x1 - x0), Math.max(0, y1 - y0), width, height, min, min,
                    a, b, margin));
        }
        return new PixelBox(x0, y0, x1, y1);
    }
}
