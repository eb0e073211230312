package org.blades.data.loader;

/**
 * Derives the seed of one random stream from the run's seed, so that every random decision of the loader is a pure
 * function of (run seed, purpose, stream, epoch) and never of the order in which threads or batches ran.
 *
 * <p>Each component is folded in by one splitmix64 round (Steele, Lea, Flood 2014), a bijective 64-bit mix:
 * nearby inputs (epoch 3 and 4, the inner and the outer stream) land on unrelated seeds, which a plain
 * {@code seed + epoch} would not give for generators whose streams overlap for nearby seeds.
 */
final class Seeds {

    /** 2^64 / golden ratio, splitmix64's increment. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** What a derived seed is used for; distinct purposes of the same stream and epoch never share a seed. */
    enum Purpose {
        SHUFFLE(0x5348554646L),
        MANIPULATION(0x4D414E4950L);

        private final long tag;

        Purpose(long tag) {
            this.tag = tag;
        }
    }

    private Seeds() {
    }

    /** The seed of (purpose, stream, epoch) under the run's seed. */
    static long derive(long seed, Purpose purpose, BatchSampler.Stream stream, long epoch) {
        long z = mix(seed);
        z = mix(z ^ purpose.tag);
        z = mix(z ^ (stream.ordinal() + 1L) * GOLDEN_GAMMA);
        return mix(z ^ epoch);
    }

    /** One splitmix64 step: add the gamma, then the finaliser. */
    static long mix(long z) {
        z += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
