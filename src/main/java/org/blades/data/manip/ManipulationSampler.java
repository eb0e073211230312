package org.blades.data.manip;

import java.util.SplittableRandom;

// G = warp control points per side

/**
 * Draws the manipulation of each training sample from (seed, sample index) alone.
 *
 * <p>Counter-based: sample i gets its own generator seeded with splitmix64(seed XOR i * 0x9E3779B97F4A7C15), so a
 * sample's manipulation does not depend on which samples were drawn before it, in what order or on which thread,
 * and rerunning an epoch reproduces every pixel.
 *
 * <p>Draws, in this fixed order and all of them for every sample (so no parameter shifts when the kind changes):
 * u ~ U[0, 1) (photograph if u &lt; photographicFraction), the manipulation uniformly from the options' list, the eye
 * side (fair coin), the blend strength uniformly from the options' list, the warp scale s ~ U[min, max], and
 * for each interior control point (row-major) dx, dy ~ s N(0, 1); boundary points stay at 0. Normal deviates by
 * Box-Muller from two uniforms each (cosine branch), so the numbers do not depend on the JDK's Gaussian algorithm.
 */
public final class ManipulationSampler {

    /** 2^64 / golden ratio: consecutive indices land far apart in splitmix64's input space. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final ManipulationOptions options;

    public ManipulationSampler(long seed, ManipulationOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("ManipulationSampler: options must not be null");
        }
        this.seed = seed;
        this.options = options;
    }

    public ManipulationSampler(long seed) {
        this(seed, ManipulationOptions.defaults());
    }

    public long seed() {
        return seed;
    }

    public ManipulationOptions options() {
        return options;
    }

    /** The manipulation and all its random parameters for sample {@code index} (>= 0). */
    public ManipulationParams sample(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("ManipulationSampler.sample: index " + index + " is negative");
        }
        SplittableRandom rng = new SplittableRandom(splitmix64(seed ^ (index * GOLDEN_GAMMA)));
        double u = rng.nextDouble();
        Manipulation chosen = options.manipulations().get(rng.nextInt(options.manipulations().size()));
        Manipulation kind = u < options.photographicFraction() ? Manipulation.NONE : chosen;
        EyeSide eye = rng.nextBoolean() ? EyeSide.RIGHT : EyeSide.LEFT;
        double strength = options.blendStrengths().get(rng.nextInt(options.blendStrengths().size()));
        double scale = options.warpScaleMin() + (options.warpScaleMax() - options.warpScaleMin()) * rng.nextDouble();
        int g = options.warpGridPoints();
        double[] offsets = new double[2 * g * g]; // (G, G, 2) as (dx, dy) fractions of (W, H)
        for (int i = 1; i < g - 1; i++) {
            for (int j = 1; j < g - 1; j++) {
                offsets[2 * (i * g + j)] = scale * gaussian(rng);
                offsets[2 * (i * g + j) + 1] = scale * gaussian(rng);
            }
        }
        return new ManipulationParams(index, kind, eye, strength, new WarpGrid(g, offsets));
    }

    /** The splitmix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix. */
    static long splitmix64(long z) {
        z += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One standard normal deviate by Box-Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
