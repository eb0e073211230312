package org.blades.data.manip;

import java.util.Arrays;

// G = control points per side

/**
 * The control-point displacements of one piecewise-affine warp.
 *
 * <p>G x G control points sit on a regular grid spanning the image's pixel centres, point (i, j) at
 * x = j (W - 1) / (G - 1), y = i (H - 1) / (G - 1). Point (i, j) moves by (dx W, dy H) pixels with
 * (dx, dy) = offsets[i][j]: displacements are fractions of the image size, so one grid serves any resolution.
 *
 * @param points  G, at least 2
 * @param offsets (G, G, 2) as (dx, dy) fractions of (W, H), row i, column j; not copied
 */
public record WarpGrid(int points, double[] offsets) {

    public WarpGrid {
        if (points < 2) {
            throw new IllegalArgumentException("WarpGrid: " + points + " control points per side, need >= 2");
        }
        if (offsets == null || offsets.length != 2 * points * points) {
            throw new IllegalArgumentException("WarpGrid: offsets must hold (" + points + ", " + points + ", 2) = "
                    + 2 * points * points + " values, got " + (offsets == null ? "null" : offsets.length));
        }
        for (int k = 0; k < offsets.length; k++) {
            if (!Double.isFinite(offsets[k])) {
                throw new IllegalArgumentException("WarpGrid: offset " + k + " is " + offsets[k]);
            }
        }
    }

    /** All points in place: the warp is the identity. */
    public static WarpGrid identity(int points) {
        return new WarpGrid(points, new double[2 * points * points]);
    }

    public double dx(int i, int j) {
        return offsets[2 * (i * points + j)];
    }

    public double dy(int i, int j) {
        return offsets[2 * (i * points + j) + 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarpGrid other && other.points == points && Arrays.equals(other.offsets, offsets);
    }

    @Override
    public int hashCode() {
        return 31 * points + Arrays.hashCode(offsets);
    }

    @Override
    public String toString() {
        return "WarpGrid(" + points + "x" + points + ", " + Arrays.toString(offsets) + ")";
    }
}
