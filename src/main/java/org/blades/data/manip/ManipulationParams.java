package org.blades.data.manip;

/**
 * Everything random about one sample's manipulation, fixed: applying the same parameters to the same image gives
 * the same pixels. Made by {@link ManipulationSampler#sample(long)}, or by hand in tests.
 *
 * @param index         the sample index it was drawn for (-1 when made by hand)
 * @param kind          the manipulation
 * @param eye           which eye {@link Manipulation#EYE_HFLIP} mirrors
 * @param blendStrength the feathered mask's peak weight for the flips, in (0, 1]
 * @param warp          the control-point displacements for {@link Manipulation#GLOBAL_WARP}
 */
public record ManipulationParams(long index, Manipulation kind, EyeSide eye, double blendStrength, WarpGrid warp) {

    public ManipulationParams {
        if (kind == null || eye == null || warp == null) {
            throw new IllegalArgumentException("ManipulationParams: kind, eye and warp must not be null");
        }
        if (!(blendStrength > 0 && blendStrength <= 1)) {
            throw new IllegalArgumentException("ManipulationParams: blend strength " + blendStrength + " must be in (0, 1]");
        }
    }

    /** Fixed parameters for tests and tools: full-strength blend, identity warp grid of 5 x 5 points. */
    public static ManipulationParams of(Manipulation kind, EyeSide eye) {
        return new ManipulationParams(-1, kind, eye, 1.0, WarpGrid.identity(5));
    }
}
