package org.blades.data.manip;

/** How a region is flipped; the OpenCV {@code cv2.flip} code in brackets. */
public enum FlipAxis {
    /** Mirror left-right (1). */
    HORIZONTAL,
    /** Mirror top-bottom (0). */
    VERTICAL,
    /** Both, i.e. a 180-degree rotation (-1). */
    BOTH
}
