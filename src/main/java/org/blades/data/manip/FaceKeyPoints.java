package org.blades.data.manip;

import java.util.Locale;

/**
 * The points the face regions are built from (see {@link FaceLandmarks#keyPoints}). "Left" and "right" are image
 * sides, not the subject's: the image-left eye is the subject's right eye.
 */
public record FaceKeyPoints(Point leftEye, Point rightEye, Point nose, Point mouthLeft, Point mouthRight,
                            Point leftEyeOuter, Point leftEyeInner, Point rightEyeInner, Point rightEyeOuter) {

    /** A point in pixel coordinates, x = column, y = row. */
    public record Point(double x, double y) {

        public Point midpoint(Point o) {
            return new Point((x + o.x) / 2, (y + o.y) / 2);
        }

        public double distance(Point o) {
            double dx = o.x - x;
            double dy = o.y - y;
            return Math.sqrt(dx * dx + dy * dy);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "(%.2f, %.2f)", x, y);
        }
    }

    /** The distance between the eye centres, the face's scale. */
    public double interOcular() {
        return leftEye.distance(rightEye);
    }
}
