package org.blades.detect;

/**
 * Calibration of the one-class detector.
 *
 * @param falseAlarmRate the share of calibration photographs the threshold may flag as AI-generated; the
 *                       threshold is the {@code floor(rate * M)}-th smallest of their M log-likelihoods (0-based),
 *                       the authors' {@code sorted(ll)[int(0.05 * N)]}. In [0, 1).
 */
public record OneClassOptions(double falseAlarmRate) {

    public OneClassOptions {
        if (!(falseAlarmRate >= 0 && falseAlarmRate < 1)) {
            throw new IllegalArgumentException("OneClassOptions: falseAlarmRate must be in [0, 1), got " + falseAlarmRate);
        }
    }

    /** The paper's 5 % false-alarm rate. */
    public static OneClassOptions defaults() {
        return new OneClassOptions(0.05);
    }
}
