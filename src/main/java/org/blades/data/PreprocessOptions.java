package org.blades.data;

/**
 * The model's input geometry and the decoding rules used to get there.
 *
 * @param height model input height (224 for BLADES' ResNet-50)
 * @param width  model input width
 * @param decode pixel limit and orientation handling
 */
public record PreprocessOptions(int height, int width, DecodeOptions decode) {

    /** 224 x 224, as in the paper and the original code (whole image squashed, no crop, no augmentation). */
    public static final PreprocessOptions DEFAULT = new PreprocessOptions(224, 224, DecodeOptions.DEFAULT);

    public PreprocessOptions {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("preprocess options: input size must be positive, got " + height + "x"
                    + width);
        }
        if (decode == null) {
            throw new IllegalArgumentException("preprocess options: decode options must not be null");
        }
    }
}
