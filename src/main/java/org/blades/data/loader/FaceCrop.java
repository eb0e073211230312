package org.blades.data.loader;

import org.blades.data.RgbImage;
import org.blades.data.manip.FaceLandmarks;

// H/W = image height/width, CH/CW = crop height/width, OH/OW = model input height/width

/**
 * The training crop around a face box: the authors' {@code bbox_crop_pil2cvt2pil} (AIGFD_BLO), in integer pixels.
 *
 * <pre>
 *   l, t, r, b = round(box)                      (round half to even, as Python's round)
 *   size       = int(max(r - l, b - t) * scale)  (scale 1.3)
 *   cx, cy     = (l + r) // 2, (t + b) // 2
 *   x0, y0     = max(cx - size // 2, 0), max(cy - size // 2, 0)
 *   crop       = columns [x0, x0 + min(W - x0, size)), rows [y0, y0 + min(H - y0, size))
 * </pre>
 *
 * The crop is square unless it meets the right or bottom border, where it is cut; at the left or top border it is
 * shifted inwards instead (x0 clamped to 0, width kept). A crop that is not square is later squashed to the input
 * size, like the whole images. The authors scale FDF's relative boxes by the image height for both axes (FDF's
 * crops are square); {@link FaceDataset} scales x by the width and y by the height, the same on square images.
 *
 * @param x0     first column
 * @param y0     first row
 * @param width  CW, at least 1
 * @param height CH, at least 1
 */
public record FaceCrop(int x0, int y0, int width, int height) {

    public FaceCrop {
        if (x0 < 0 || y0 < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("FaceCrop: x0 " + x0 + ", y0 " + y0 + ", size " + width + "x" + height
                    + " is not a crop (need x0, y0 >= 0 and a size of at least 1x1)");
        }
    }

    /**
     * The crop around the box (left, top, right, bottom) in pixels of an image of W x H, or null when nothing of
     * it lies in the image (an empty or inverted box, or a box beyond the right or bottom border).
     */
    public static FaceCrop around(double left, double top, double right, double bottom, int imageWidth,
            int imageHeight, double scale) {
        if (!(Double.isFinite(left) && Double.isFinite(top) && Double.isFinite(right) && Double.isFinite(bottom))) {
            return null;
        }
        long l = (long) Math.rint(left);
        long t = (long) Math.rint(top);
        long r = (long) Math.rint(right);
        long b = (long) Math.rint(bottom);
        long size = (long) (Math.max(r - l, b - t) * scale); // int() in Python truncates toward zero
        if (size < 1) {
            return null;
        }
        long cx = Math.floorDiv(l + r, 2);
        long cy = Math.floorDiv(t + b, 2);
        long x0 = Math.max(cx - Math.floorDiv(size, 2), 0);
        long y0 = Math.max(cy - Math.floorDiv(size, 2), 0);
        long w = Math.min(imageWidth - x0, size);
        long h = Math.min(imageHeight - y0, size);
        if (w < 1 || h < 1) {
            return null;
        }
        return new FaceCrop((int) x0, (int) y0, (int) w, (int) h);
    }

    /** The cropped pixels (3, CH, CW) of an image (3, H, W) that contains the crop. */
    public RgbImage apply(RgbImage image) {
        if (x0 + width > image.width() || y0 + height > image.height()) {
            throw new IllegalArgumentException("FaceCrop: " + this + " exceeds the " + image.width() + "x"
                    + image.height() + " image");
        }
        float[] src = image.data(); // (3, H, W)
        float[] dst = new float[3 * height * width]; // (3, CH, CW)
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(src, (c * image.height() + y0 + y) * image.width() + x0, dst, (c * height + y) * width,
                        width);
            }
        }
        return new RgbImage(dst, height, width);
    }

    /**
     * Landmarks of the source image moved into the crop after it is resized to OH x OW. Pixel centres sit at
     * integers in both grids, and resizing maps output centre i to input coordinate (i + 0.5) * CW / OW - 0.5, so
     * x' = (x - x0 + 0.5) * OW / CW - 0.5 (rows alike).
     */
    public FaceLandmarks map(FaceLandmarks landmarks, int outHeight, int outWidth) {
        double sx = outWidth / (double) width;
        double sy = outHeight / (double) height;
        return landmarks.mapped(sx, sy, (0.5 - x0) * sx - 0.5, (0.5 - y0) * sy - 0.5);
    }
}
