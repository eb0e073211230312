package org.blades.data.manip;

import java.util.Arrays;

// N = landmark count (5 or 68)

/**
 * Facial landmarks in pixel coordinates of the image they belong to: x = column, y = row, pixel centres at integers.
 *
 * <p>Layouts. {@link Layout#FIVE_POINT}: image-left eye centre, image-right eye centre, nose tip, image-left mouth
 * corner, image-right mouth corner (the RetinaFace / FFHQ-template order). {@link Layout#IBUG_68}: the iBUG 300-W
 * 68-point layout (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67), as produced by dlib and the
 * face-alignment network the authors used.
 *
 * @param layout which of the two layouts {@code xy} holds
 * @param xy     (N, 2) as x0, y0, x1, y1, ...; not copied, callers must not modify it
 */
public record FaceLandmarks(Layout layout, double[] xy) {

    /** The two supported landmark layouts. */
    public enum Layout {
        FIVE_POINT(5), IBUG_68(68);

        private final int count;

        Layout(int count) {
            this.count = count;
        }

        public int count() {
            return count;
        }
    }

    private static final String[] FIVE_POINT_NAMES = {
        "image-left eye centre", "image-right eye centre", "nose tip", "image-left mouth corner",
        "image-right mouth corner"};

    public FaceLandmarks {
        if (layout == null || xy == null) {
            throw new IllegalArgumentException("FaceLandmarks: layout and coordinates must not be null");
        }
        if (xy.length != 2 * layout.count()) {
            throw new IllegalArgumentException("FaceLandmarks: the " + layout + " layout needs " + 2 * layout.count()
                    + " coordinates (" + layout.count() + " points x, y) but got " + xy.length);
        }
    }

    /** Picks the layout from the number of coordinates: 10 (5-point) or 136 (68-point). */
    public static FaceLandmarks of(double[] xy) {
        if (xy == null) {
            throw new IllegalArgumentException("FaceLandmarks: coordinates are null");
        }
        for (Layout layout : Layout.values()) {
            if (xy.length == 2 * layout.count()) {
                return new FaceLandmarks(layout, xy);
            }
        }
        throw new IllegalArgumentException("FaceLandmarks: " + xy.length + " coordinates match no layout (10 for 5 points, "
                + "136 for the iBUG 68 points)");
    }

    public static FaceLandmarks fivePoint(double... xy) {
        return new FaceLandmarks(Layout.FIVE_POINT, xy);
    }

    public static FaceLandmarks ibug68(double[] xy) {
        return new FaceLandmarks(Layout.IBUG_68, xy);
    }

    public int count() {
        return layout.count();
    }

    public double x(int i) {
        return xy[2 * i];
    }

    public double y(int i) {
        return xy[2 * i + 1];
    }

    public FaceKeyPoints.Point point(int i) {
        return new FaceKeyPoints.Point(x(i), y(i));
    }

    /** How error messages name point {@code i}. */
    public String pointName(int i) {
        return layout == Layout.FIVE_POINT ? "'" + FIVE_POINT_NAMES[i] + "' (5-point index " + i + ")"
                : "iBUG 68-point index " + i;
    }

    /**
     * The landmarks after the image was cropped and resized: x' = scaleX * x + shiftX, y' = scaleY * y + shiftY
     * (a crop at (cx, cy) resized by s is scale s, shift -s*cx, -s*cy).
     */
    public FaceLandmarks mapped(double scaleX, double scaleY, double shiftX, double shiftY) {
        double[] out = new double[xy.length]; // (N, 2)
        for (int i = 0; i < count(); i++) {
            out[2 * i] = scaleX * xy[2 * i] + shiftX;
            out[2 * i + 1] = scaleY * xy[2 * i + 1] + shiftY;
        }
        return new FaceLandmarks(layout, out);
    }

    /**
     * The key points the regions are built from.
     *
     * <p>68 points, as the authors' code: eye centres = midpoints of the corners 36/39 and 42/45, nose = point 33
     * (the centre of the nose base in iBUG terms), mouth corners 48 and 54; the eye corners are the landmarks.
     * 5 points carry no eye corners: they are placed on the line through both eye centres, each eye
     * {@code fivePointEyeWidth} x the inter-ocular distance wide and centred on its eye centre.
     *
     * @param fivePointEyeWidth eye width as a fraction of the inter-ocular distance, used only for 5 points
     */
    public FaceKeyPoints keyPoints(double fivePointEyeWidth) {
        if (layout == Layout.IBUG_68) {
            FaceKeyPoints.Point lo = point(36);
            FaceKeyPoints.Point li = point(39);
            FaceKeyPoints.Point ri = point(42);
            FaceKeyPoints.Point ro = point(45);
            return new FaceKeyPoints(lo.midpoint(li), ri.midpoint(ro), point(33), point(48), point(54), lo, li, ri, ro);
        }
        FaceKeyPoints.Point left = point(0);
        FaceKeyPoints.Point right = point(1);
        double dx = right.x() - left.x();
        double dy = right.y() - left.y();
        double d = Math.sqrt(dx * dx + dy * dy);
        if (!(d > 0)) {
            throw new IllegalArgumentException("face landmarks: the eye centres " + left + " and " + right
                    + " coincide, so the eye corners of the 5-point layout cannot be placed");
        }
        // the unit vector (dx, dy) / d times half an eye width, written as one product per coordinate
        double half = 0.5 * fivePointEyeWidth * d;
        double ux = dx / d;
        double uy = dy / d;
        return new FaceKeyPoints(left, right, point(2), point(3), point(4),
                new FaceKeyPoints.Point(left.x() - half * ux, left.y() - half * uy),
                new FaceKeyPoints.Point(left.x() + half * ux, left.y() + half * uy),
                new FaceKeyPoints.Point(right.x() - half * ux, right.y() - half * uy),
                new FaceKeyPoints.Point(right.x() + half * ux, right.y() + half * uy));
    }

    /** Indices of the landmarks {@link #keyPoints} reads: these must lie in the image, the others may not. */
    int[] usedIndices() {
        return layout == Layout.IBUG_68 ? new int[] {36, 39, 42, 45, 33, 48, 54} : new int[] {0, 1, 2, 3, 4};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaceLandmarks other && other.layout == layout && Arrays.equals(other.xy, xy);
    }

    @Override
    public int hashCode() {
        return 31 * layout.hashCode() + Arrays.hashCode(xy);
    }

    @Override
    public String toString() {
        return "FaceLandmarks(" + layout + ", " + Arrays.toString(xy) + ")";
    }
}
