package org.blades.data.manip;

import java.util.EnumSet;
import java.util.List;

/**
 * What the sampler draws and how the manipulations are done.
 *
 * @param photographicFraction share of samples left unmanipulated (the paper: 50 %)
 * @param manipulations        the manipulations the remaining samples are spread evenly over (no NONE, no repeats)
 * @param mouthVerticalAxis    the flip of {@link Manipulation#MOUTH_VFLIP}: VERTICAL as the paper says; the authors'
 *                             code uses BOTH (cv2.flip code -1, a 180-degree rotation)
 * @param noseAxis             the flip of {@link Manipulation#NOSE_FLIP}: BOTH, as the authors' nose_flip_func
 *                             (a left-right mirror alone barely changes a nose, which is nearly symmetric)
 * @param featherFraction      the blend mask's Gaussian sigma as a fraction of the region box's shorter side
 * @param blendStrengths       the flip's blend weight is drawn uniformly from this list (the code: 0.75, 1, 1, 1)
 * @param warpScaleMin         the warp's displacement scale is drawn uniformly from [min, max] (0.04-0.05, from the
 *                             code's imgaug PiecewiseAffine(scale=(0.04, 0.05)))
 * @param warpScaleMax         see warpScaleMin
 * @param warpGridPoints       control points per side of the warp grid, boundary included (at least 3, so that an
 *                             interior point exists)
 * @param regions              the region boxes around the landmarks
 */
public record ManipulationOptions(double photographicFraction, List<Manipulation> manipulations,
                                  FlipAxis mouthVerticalAxis, FlipAxis noseAxis, double featherFraction,
                                  List<Double> blendStrengths, double warpScaleMin, double warpScaleMax,
                                  int warpGridPoints, RegionOptions regions) {

    public ManipulationOptions {
        if (!(photographicFraction >= 0 && photographicFraction <= 1)) {
            throw new IllegalArgumentException("ManipulationOptions: photographicFraction " + photographicFraction
                    + " must be in [0, 1]");
        }
        if (manipulations == null || manipulations.isEmpty()) {
            throw new IllegalArgumentException("ManipulationOptions: the list of manipulations is empty");
        }
        manipulations = List.copyOf(manipulations);
        if (manipulations.contains(Manipulation.NONE)
                || EnumSet.copyOf(manipulations).size() != manipulations.size()) {
            throw new IllegalArgumentException("ManipulationOptions: manipulations " + manipulations
                    + " must be distinct and must not contain NONE (photographs come from photographicFraction)");
        }
        if (mouthVerticalAxis == null || noseAxis == null || regions == null) {
            throw new IllegalArgumentException("ManipulationOptions: flip axes and region options must not be null");
        }
        if (!(featherFraction > 0) || Double.isInfinite(featherFraction)) {
            throw new IllegalArgumentException("ManipulationOptions: featherFraction " + featherFraction + " must be > 0");
        }
        if (blendStrengths == null || blendStrengths.isEmpty()) {
            throw new IllegalArgumentException("ManipulationOptions: the list of blend strengths is empty");
        }
        blendStrengths = List.copyOf(blendStrengths);
        for (double s : blendStrengths) {
            if (!(s > 0 && s <= 1)) {
                throw new IllegalArgumentException("ManipulationOptions: blend strength " + s + " must be in (0, 1]");
            }
        }
        if (!(warpScaleMin >= 0 && warpScaleMax >= warpScaleMin) || Double.isInfinite(warpScaleMax)) {
            throw new IllegalArgumentException("ManipulationOptions: warp scale range [" + warpScaleMin + ", "
                    + warpScaleMax + "] must satisfy 0 <= min <= max < inf");
        }
        if (warpGridPoints < 3) {
            throw new IllegalArgumentException("ManipulationOptions: warpGridPoints " + warpGridPoints
                    + " must be >= 3 (the boundary points stay fixed, so a smaller grid cannot move anything)");
        }
    }

    /**
     * Ours: 50 % photographs, the other half evenly over all five manipulations (10 % each), the paper's vertical
     * mouth flip, sigma = 1/8 of the region's shorter side, full-strength blend, warp scale 0.04-0.05 on 5 x 5 points.
     */
    public static ManipulationOptions defaults() {
        return new ManipulationOptions(0.5,
                List.of(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP, Manipulation.MOUTH_VFLIP,
                        Manipulation.NOSE_FLIP, Manipulation.GLOBAL_WARP),
                FlipAxis.VERTICAL, FlipAxis.BOTH, 1.0 / 8.0, List.of(1.0), 0.04, 0.05, 5, RegionOptions.defaults());
    }

    /**
     * As close to the authors' code as this package goes: no nose flip (12.5 % for each of the other four), the
     * "vertical" mouth flip as a 180-degree rotation, blend strengths 0.75, 1, 1, 1. Still ours: the blend mask
     * shape (see {@link FeatheredFlip}) and the warp's fixed boundary (see {@link PiecewiseAffineWarp}).
     */
    public static ManipulationOptions authorsCode() {
        return new ManipulationOptions(0.5,
                List.of(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP, Manipulation.MOUTH_VFLIP,
                        Manipulation.GLOBAL_WARP),
                FlipAxis.BOTH, FlipAxis.BOTH, 1.0 / 8.0, List.of(0.75, 1.0, 1.0, 1.0), 0.04, 0.05, 5,
                RegionOptions.defaults());
    }
}
