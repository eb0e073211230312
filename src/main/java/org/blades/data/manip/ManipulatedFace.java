package org.blades.data.manip;

import org.blades.data.RgbImage;

// H/W = image height/width

/**
 * One training sample after its manipulation.
 *
 * @param image     the (possibly) manipulated face; the input image itself for {@link Manipulation#NONE}
 * @param params    what was done
 * @param labels    coarse and fine targets
 * @param blendMask (H, W) the blend weight strength x mask of a flip; null for NONE and the global warp
 */
public record ManipulatedFace(RgbImage image, ManipulationParams params, ManipulationLabels labels, float[] blendMask) {

    public Manipulation kind() {
        return params.kind();
    }
}
