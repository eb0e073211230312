package org.blades.opencl;

import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared by the OpenCL tests: the device (or a JUnit skip naming what is missing, the only allowed skip) and
 * seeded random data.
 */
final class OpenClTestSupport {

    private OpenClTestSupport() {
    }

    /** opencl:0's kernels; skips the calling test, with the reason, when the machine has no OpenCL device. */
    static OpenClKernels kernels() {
        Optional<String> reason = OpenClDevice.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "no OpenCL device: " + reason.orElseThrow());
        return OpenClDevice.open("opencl:0").kernels();
    }

    /** Uniform floats in [lo, hi). */
    static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] v = new float[n]; // (n)
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(lo, hi);
        }
        return v;
    }

    static double[] widen(float[] v) {
        double[] d = new double[v.length]; // (n)
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static float[] narrow(double[] v) {
        float[] f = new float[v.length]; // (n)
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
