package org.blades.data.manip;

// N = 5 landmarks

/**
 * Landmarks of aligned face crops, for images whose index entry carries no landmarks.
 *
 * <p>FFHQ faces were aligned so that eyes, nose and mouth fall on fixed positions. The 5-point positions at
 * 512 x 512 below are facexlib's FaceRestoreHelper {@code face_template} ("standard 5 landmarks for FFHQ faces with
 * 512 x 512", also used by GFPGAN and CodeFormer to re-align faces into the FFHQ layout); order: image-left eye,
 * image-right eye, nose tip, image-left mouth corner, image-right mouth corner. CelebA-HQ was aligned by the
 * procedure FFHQ's alignment was derived from (Karras et al.), so the same template serves it, approximately.
 */
public final class CanonicalLandmarks {

    /** The template's side length in pixels. */
    public static final int FFHQ_TEMPLATE_SIZE = 512;

    private static final double[] FFHQ_512 = { // (N, 2)
        192.98138, 239.94708,
        318.90277, 240.1936,
        256.63416, 314.01935,
        201.26117, 371.41043,
        313.08905, 371.15118};

    private CanonicalLandmarks() {
    }

    /**
     * The FFHQ template scaled to a square crop of {@code size} pixels (x size / 512; the half-pixel shift between
     * pixel grids of different sizes is below a pixel at any size and left out).
     */
    public static FaceLandmarks ffhq(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("CanonicalLandmarks.ffhq: crop size " + size + " must be >= 1");
        }
        double s = size / (double) FFHQ_TEMPLATE_SIZE;
        double[] xy = new double[FFHQ_512.length]; // (N, 2)
        for (int i = 0; i < xy.length; i++) {
            xy[i] = FFHQ_512[i] * s;
        }
        return FaceLandmarks.fivePoint(xy);
    }
}
