package org.blades.data.loader;

import org.blades.data.ExifLabels;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.ManipulationLabels;
import org.blades.data.manip.ManipulationParams;
import org.blades.tensor.Tensor;

// H/W = model input height/width

/**
 * One training sample: the model input and every target of the eleven tasks.
 *
 * @param index   the dataset index ({@link FaceDataset#entry})
 * @param path    the image's path relative to the dataset root, as in the index
 * @param image   (3, H, W) float32, CLIP-normalised
 * @param exif    the nine EXIF targets with their masks (ordinal levels, rank values, classes)
 * @param drawn   the manipulation the sampler drew for (seed, stream, epoch, index)
 * @param applied the manipulation done: {@code drawn}, or the global warp with the same random parameters when a
 *                region flip was drawn but the sample has no regions ({@link SampleOptions.LandmarkSource#ENTRY})
 * @param regions where the eye, mouth and nose regions came from
 * @param crop    the face crop in pixels of the decoded image, or null when the whole image was used
 */
public record Sample(int index, String path, Tensor image, ExifLabels exif, ManipulationParams drawn,
        ManipulationParams applied, RegionSource regions, FaceCrop crop) {

    /** Where a sample's manipulation regions came from. */
    public enum RegionSource {
        /** The index entry's landmarks, mapped into the crop. */
        ENTRY,
        /** The FFHQ template scaled to the input. */
        CANONICAL,
        /** No regions: region flips were replaced by the global warp. */
        NONE
    }

    /** The coarse and fine targets of the applied manipulation. */
    public ManipulationLabels labels() {
        return applied.kind().labels();
    }

    public Manipulation manipulation() {
        return applied.kind();
    }
}
