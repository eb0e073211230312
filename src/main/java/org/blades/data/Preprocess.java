package org.blades.data;

import java.nio.file.Path;
import java.util.List;
import org.blades.tensor.Tensor;

// B = batch, H/W = model input height/width

/**
 * Image file → model input: decode (orientation applied), resize to the input size with antialiased bilinear
 * filtering ({@link Resize}, the float equivalent of torchvision's resize(antialias=True)), then CLIP's per-channel
 * normalisation (x - mean) / std. The aspect ratio is not kept: the original method squashes whole images to
 * 224 x 224.
 *
 * <p>Difference to the original code, which resized 8-bit PIL images: Pillow rounds the resized image to 8 bits
 * before normalisation; we keep floats, a difference of at most 0.5/255 per pixel before normalisation.
 */
public final class Preprocess {
    private Preprocess() {
    }

    /** CLIP's channel means (R, G, B). */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's channel standard deviations (R, G, B). */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** One model input (3, H, W). */
    public static Tensor load(Path file, PreprocessOptions options) throws ImageFileException {
        return load(ImageBytes.read(file), options);
    }

    /** One model input (3, H, W). */
    public static Tensor load(ImageBytes image, PreprocessOptions options) throws ImageFileException {
        return normalize(ImageDecoder.decodeResized(image, options.height(), options.width(), options.decode()));
    }

    /**
     * A batch (B, 3, H, W) in the order of {@code files}. The first unusable file aborts the batch with its
     * {@link ImageFileException}; callers that must skip bad files filter them out first (the index lists them).
     */
    public static Tensor loadBatch(List<Path> files, PreprocessOptions options) throws ImageFileException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("loadBatch: no files");
        }
        int n = 3 * options.height() * options.width();
        float[] batch = new float[files.size() * n]; // (B, 3, H, W)
        for (int b = 0; b < files.size(); b++) {
            float[] one = load(files.get(b), options).f32(); // (3, H, W)
            System.arraycopy(one, 0, batch, b * n, n);
        }
        return Tensor.of(batch, files.size(), 3, options.height(), options.width());
    }

    /** CLIP normalisation of an image in [0, 1], into a new tensor (3, H, W); per element (x - mean) / std in float. */
    public static Tensor normalize(RgbImage image) {
        int hw = image.height() * image.width();
        float[] src = image.data(); // (3, H, W)
        float[] out = new float[src.length]; // (3, H, W)
        for (int c = 0; c < 3; c++) {
            float mean = CLIP_MEAN[c];
            float std = CLIP_STD[c];
            for (int i = c * hw; i < (c + 1) * hw; i++) {
                out[i] = (src[i] - mean) / std;
            }
        }
        return Tensor.of(out, 3, image.height(), image.width());
    }
}
