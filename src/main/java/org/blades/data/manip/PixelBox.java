package org.blades.data.manip;

/**
 * A half-open pixel rectangle {@code [x0, x1) x [y0, y1)}: pixel (x, y) is inside when x0 <= x < x1 and y0 <= y < y1.
 */
public record PixelBox(int x0, int y0, int x1, int y1) {

    public PixelBox {
        if (x1 < x0 || y1 < y0) {
            throw new IllegalArgumentException("PixelBox: x [" + x0 + ", " + x1 + ") y [" + y0 + ", " + y1
                    + ") has a negative size");
        }
    }

    public int width() {
        return x1 - x0;
    }

    public int height() {
        return y1 - y0;
    }

    public boolean contains(int x, int y) {
        return x >= x0 && x < x1 && y >= y0 && y < y1;
    }

    /** Whether the box lies inside an image of the given size. */
    public boolean fitsIn(int height, int width) {
        return x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height;
    }

    /**
     * The box grown by {@code pad} pixels on every side, the growth of each axis cut to what the image border
     * allows on BOTH sides of that axis, so the box keeps its centre: a flip of the grown box then still maps the
     * inner box onto itself.
     */
    public PixelBox grownCentred(int pad, int height, int width) {
        int px = Math.max(0, Math.min(pad, Math.min(x0, width - x1)));
        int py = Math.max(0, Math.min(pad, Math.min(y0, height - y1)));
        return new PixelBox(x0 - px, y0 - py, x1 + px, y1 + py);
    }

    @Override
    public String toString() {
        return "x [" + x0 + ", " + x1 + ") y [" + y0 + ", " + y1 + ")";
    }
}
