package org.blades.data.manip;

import org.blades.data.RgbImage;

// H/W = image height/width

/**
 * Applies a sampled manipulation to a face: the eye, mouth and nose flips ({@link FeatheredFlip}) and the global
 * warp ({@link PiecewiseAffineWarp}), each a method named after the paper's Fig. 2. Stateless and thread-safe.
 */
public final class FaceManipulator {

    private final ManipulationOptions options;

    public FaceManipulator(ManipulationOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("FaceManipulator: options must not be null");
        }
        this.options = options;
    }

    public ManipulationOptions options() {
        return options;
    }

    /**
     * Regions from the landmarks (given in this image's pixel grid), then
     * {@link #apply(RgbImage, FaceRegions, ManipulationParams)}.
     */
    public ManipulatedFace apply(RgbImage image, FaceLandmarks landmarks, ManipulationParams params) {
        return apply(image, FaceRegions.from(landmarks, image.height(), image.width(), options.regions()), params);
    }

    /** The manipulated face and its labels. The regions must lie in the image. */
    public ManipulatedFace apply(RgbImage image, FaceRegions regions, ManipulationParams params) {
        if (image == null || regions == null || params == null) {
            throw new IllegalArgumentException("FaceManipulator.apply: image, regions and params must not be null");
        }
        return switch (params.kind()) {
            case NONE -> new ManipulatedFace(image, params, params.kind().labels(), null);
            case EYE_HFLIP -> eyeHorizontalFlip(image, regions.eye(params.eye()), params);
            case MOUTH_HFLIP -> mouthHorizontalFlip(image, regions.mouth(), params);
            case MOUTH_VFLIP -> mouthVerticalFlip(image, regions.mouth(), params);
            case NOSE_FLIP -> noseFlip(image, regions.nose(), params);
            case GLOBAL_WARP -> globalWarp(image, params);
        };
    }

    /** Fig. 2(a): one eye mirrored left-right. */
    private ManipulatedFace eyeHorizontalFlip(RgbImage image, PixelBox eye, ManipulationParams params) {
        return flipRegion(image, eye, FlipAxis.HORIZONTAL, params);
    }

    /** Fig. 2(b): the mouth mirrored left-right. */
    private ManipulatedFace mouthHorizontalFlip(RgbImage image, PixelBox mouth, ManipulationParams params) {
        return flipRegion(image, mouth, FlipAxis.HORIZONTAL, params);
    }

    /** Fig. 2(c): the mouth upside down (or rotated by 180 degrees, the authors' code, by option). */
    private ManipulatedFace mouthVerticalFlip(RgbImage image, PixelBox mouth, ManipulationParams params) {
        return flipRegion(image, mouth, options.mouthVerticalAxis(), params);
    }

    /** The nose region flipped (default: both axes, as the authors' unused nose_flip_func). */
    private ManipulatedFace noseFlip(RgbImage image, PixelBox nose, ManipulationParams params) {
        return flipRegion(image, nose, options.noseAxis(), params);
    }

    /** Fig. 2(d): the whole face warped piecewise-affinely; no blend, every region moves. */
    private ManipulatedFace globalWarp(RgbImage image, ManipulationParams params) {
        return new ManipulatedFace(PiecewiseAffineWarp.warp(image, params.warp()), params, params.kind().labels(), null);
    }

    private ManipulatedFace flipRegion(RgbImage image, PixelBox region, FlipAxis axis, ManipulationParams params) {
        if (!region.fitsIn(image.height(), image.width())) {
            throw new IllegalArgumentException("FaceManipulator: " + params.kind() + " region " + region + " exceeds the "
                    + image.height() + "x" + image.width() + " image; were the regions computed for another size?");
        }
        float[] mask = new float[image.height() * image.width()]; // (H, W)
        RgbImage out = FeatheredFlip.flipAndBlend(image, region, axis, options.featherFraction(), params.blendStrength(),
                mask);
        return new ManipulatedFace(out, params, params.kind().labels(), mask);
    }
}
