package org.blades.data.loader;

import org.blades.data.DecodeOptions;
import org.blades.data.PreprocessOptions;
import org.blades.data.manip.ManipulationOptions;

/**
 * How {@link FaceDataset} turns an index entry into a training sample.
 *
 * @param input        the model input size and the decoding rules (224 x 224 for ResNet-50; the tiny preset is
 *                     smaller)
 * @param faceBox      which face box of the entry's annotation the image is cropped to
 * @param boxScale     the face box's longer side is grown by this factor into the square crop (the authors: 1.3)
 * @param landmarks    where the eye, mouth and nose regions of the manipulations come from
 * @param manipulation what the manipulation sampler draws and how the manipulations are done
 */
public record SampleOptions(PreprocessOptions input, FaceBox faceBox, double boxScale, LandmarkSource landmarks,
        ManipulationOptions manipulation) {

    /** Which face box of an entry's {@link org.blades.data.FaceAnnotation} is used. */
    public enum FaceBox {
        /**
         * {@code bounding_box}, in fractions of this image's width and height (FDF's boxes relative to its face
         * crops, the images the authors trained on).
         */
        BOUNDING_BOX,
        /** {@code original_bounding_box}, in pixels of this image (for indexes of the original photographs). */
        ORIGINAL_BOUNDING_BOX,
        /** Never crop: the whole image, as at test time. */
        WHOLE_IMAGE
    }

    /** Where the landmarks of the manipulation regions come from. */
    public enum LandmarkSource {
        /**
         * The entry's landmarks (the field that goes with {@link #faceBox}: {@code landmark} or
         * {@code original_landmark}) mapped into the crop when they are 5- or 68-point landmarks that give valid
         * regions; otherwise the canonical FFHQ layout. The default: exact where landmarks were supplied,
         * approximate elsewhere (FDF's own 7 points carry no mouth corners).
         */
        ENTRY_ELSE_CANONICAL,
        /**
         * Only the entry's landmarks; a sample drawn for a region flip that has no usable landmarks gets the global
         * warp instead (what the authors' code does when a region cannot be built).
         */
        ENTRY,
        /**
         * Always the FFHQ template ({@link org.blades.data.manip.CanonicalLandmarks#ffhq}) scaled to the input:
         * right for aligned crops (FFHQ, CelebA-HQ), approximate for face-box crops.
         */
        CANONICAL
    }

    public SampleOptions {
        if (input == null || faceBox == null || landmarks == null || manipulation == null) {
            throw new IllegalArgumentException("SampleOptions: input, faceBox, landmarks and manipulation must not be "
                    + "null");
        }
        if (!(boxScale > 0) || Double.isInfinite(boxScale)) {
            throw new IllegalArgumentException("SampleOptions: boxScale " + boxScale + " must be finite and > 0");
        }
    }

    /**
     * 224 x 224, FDF face boxes x 1.3 (ORIGINAL-CODE-FACTS.md: "Training crops: FDF bounding box x1.3 square,
     * clipped"), entry landmarks else canonical, our manipulation defaults ({@link ManipulationOptions#defaults()}).
     */
    public static SampleOptions defaults() {
        return new SampleOptions(PreprocessOptions.DEFAULT, FaceBox.BOUNDING_BOX, 1.3,
                LandmarkSource.ENTRY_ELSE_CANONICAL, ManipulationOptions.defaults());
    }

    public SampleOptions withSize(int height, int width) {
        return new SampleOptions(new PreprocessOptions(height, width, input.decode()), faceBox, boxScale, landmarks,
                manipulation);
    }

    public SampleOptions withDecode(DecodeOptions decode) {
        return new SampleOptions(new PreprocessOptions(input.height(), input.width(), decode), faceBox, boxScale,
                landmarks, manipulation);
    }

    public SampleOptions withFaceBox(FaceBox box, double scale) {
        return new SampleOptions(input, box, scale, landmarks, manipulation);
    }

    public SampleOptions withLandmarks(LandmarkSource source) {
        return new SampleOptions(input, faceBox, boxScale, source, manipulation);
    }

    public SampleOptions withManipulation(ManipulationOptions options) {
        return new SampleOptions(input, faceBox, boxScale, landmarks, options);
    }
}
