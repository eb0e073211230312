package org.blades.data.loader;

/**
 * How a {@link DataLoader} runs.
 *
 * @param workers         threads that decode and augment (ignored when the loader is given a shared pool)
 * @param prefetchBatches batches decoded ahead of the one the trainer is waiting for; bounds the memory held
 *                        (each batch is B x 3 x H x W floats: 29 MB at B = 48, 224 px)
 */
public record LoaderOptions(int workers, int prefetchBatches) {

    public LoaderOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("LoaderOptions: workers " + workers + " must be >= 1");
        }
        if (prefetchBatches < 1) {
            throw new IllegalArgumentException("LoaderOptions: prefetchBatches " + prefetchBatches + " must be >= 1");
        }
    }

    /** One worker per core, two batches ahead. */
    public static LoaderOptions defaults() {
        return new LoaderOptions(Runtime.getRuntime().availableProcessors(), 2);
    }

    public LoaderOptions withWorkers(int n) {
        return new LoaderOptions(n, prefetchBatches);
    }

    public LoaderOptions withPrefetch(int batches) {
        return new LoaderOptions(workers, batches);
    }
}
