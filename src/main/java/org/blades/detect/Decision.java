package org.blades.detect;

/**
 * The one-class detector's verdict on one image.
 *
 * @param score     log-likelihood of the image's features under the photographs' GMM
 * @param pValue    empirical p-value among the M calibration photographs, {@code (1 + #{calibration scores <= score})
 *                  / (M + 1)}: the chance that a photograph scores this low or lower. Small means unlike the
 *                  photographs; for a photograph exchangeable with the calibration set, P(pValue <= a) <= a
 * @param generated true when flagged as AI-generated: score below the detector's threshold
 */
public record Decision(double score, double pValue, boolean generated) {
}
