package org.blades.data.manip;

import org.blades.data.RgbImage;

// C = 3 colour channels, H/W = image height/width, G = control points per side

/**
 * Fig. 2(d), the global "affine transformation": a piecewise-affine warp of the whole image.
 *
 * <p>The G x G control points of a {@link WarpGrid} sit on a regular grid over the pixel centres; each grid cell is
 * cut into two triangles along its top-left to bottom-right diagonal (a fixed triangulation: Delaunay is ambiguous
 * on a square grid). An output pixel p lies in one triangle of the REGULAR grid; the affine map taking that triangle
 * onto the same triangle of DISPLACED control points gives the input position sampled for p, bilinearly, with
 * positions beyond the image clamped to its edge. This is the inverse-map semantics of scikit-image's
 * {@code warp(image, PiecewiseAffineTransform)} as imgaug's PiecewiseAffine uses it in the authors' code.
 *
 * <p>Deviation from imgaug: its grid spans the image edge to edge and moves the boundary points too, filling what
 * they uncover with black; here the sampler moves interior points only, so the border stays in place and no black
 * wedges appear (a cue that would have nothing to do with faces).
 */
public final class PiecewiseAffineWarp {

    private static final int CHANNELS = 3;

    private PiecewiseAffineWarp() {
    }

    /** The warped image; the identity grid returns the input pixels (up to rounding of the sample positions). */
    public static RgbImage warp(RgbImage image, WarpGrid grid) {
        int h = image.height();
        int w = image.width();
        if (h < 2 || w < 2) {
            throw new IllegalArgumentException("piecewise-affine warp: the " + h + "x" + w
                    + " image needs at least 2 pixels per side");
        }
        int g = grid.points();
        double[] gx = new double[g]; // (G,) regular x of column j
        double[] gy = new double[g]; // (G,) regular y of row i
        for (int k = 0; k < g; k++) {
            gx[k] = k * (w - 1.0) / (g - 1);
            gy[k] = k * (h - 1.0) / (g - 1);
        }
        double[] px = new double[g * g]; // (G, G) displaced x
        double[] py = new double[g * g]; // (G, G) displaced y
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                px[i * g + j] = gx[j] + grid.dx(i, j) * w;
                py[i * g + j] = gy[i] + grid.dy(i, j) * h;
            }
        }
        // the cell and in-cell coordinate of every column and row, computed once per axis
        int[] col = new int[w];        // (W,) grid column j with gx[j] <= x <= gx[j + 1]
        double[] uOf = new double[w];  // (W,) (x - gx[j]) / (gx[j + 1] - gx[j])
        for (int x = 0; x < w; x++) {
            col[x] = cell(x, w, g);
            uOf[x] = (x - gx[col[x]]) / (gx[col[x] + 1] - gx[col[x]]);
        }
        float[] src = image.data();         // (C, H, W)
        float[] out = new float[src.length]; // (C, H, W)
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            int i = cell(y, h, g);
            double v = (y - gy[i]) / (gy[i + 1] - gy[i]);
            for (int x = 0; x < w; x++) {
                int j = col[x];
                double u = uOf[x];
                int a = i * g + j; // top-left corner; b = a + 1 top-right, c = a + g bottom-left, d = a + g + 1
                int b = a + 1;
                int c = a + g;
                int d = a + g + 1;
                double sx;
                double sy;
                // In cell coordinates (u, v) in [0, 1]^2 the regular triangles are right triangles, so the affine map
                // onto the displaced triangle is the corner it starts from plus u and v times two displaced edges.
                if (u >= v) { // triangle (a, b, d), above the diagonal
                    sx = px[a] + u * (px[b] - px[a]) + v * (px[d] - px[b]);
                    sy = py[a] + u * (py[b] - py[a]) + v * (py[d] - py[b]);
                } else {      // triangle (a, d, c), below it
                    sx = px[a] + u * (px[d] - px[c]) + v * (px[c] - px[a]);
                    sy = py[a] + u * (py[d] - py[c]) + v * (py[c] - py[a]);
                }
                sampleBilinear(src, h, w, sx, sy, out, y * w + x, plane);
            }
        }
        return new RgbImage(out, h, w);
    }

    /** The grid interval [k, k + 1] holding coordinate p of an axis with {@code size} pixels. */
    private static int cell(int p, int size, int g) {
        return Math.min((int) Math.floor(p * (g - 1) / (size - 1.0)), g - 2);
    }

    /** Writes the bilinear sample at (sx, sy), clamped to the image, of all channels to out[c * plane + at]. */
    private static void sampleBilinear(float[] src, int h, int w, double sx, double sy, float[] out, int at, int plane) {
        double cx = Math.min(Math.max(sx, 0), w - 1);
        double cy = Math.min(Math.max(sy, 0), h - 1);
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double fx = cx - x0;
        double fy = cy - y0;
        for (int c = 0; c < CHANNELS; c++) {
            int base = c * plane;
            double top = (1 - fx) * src[base + y0 * w + x0] + fx * src[base + y0 * w + x1];
            double bottom = (1 - fx) * src[base + y1 * w + x0] + fx * src[base + y1 * w + x1];
            out[base + at] = (float) ((1 - fy) * top + fy * bottom);
        }
    }
}
