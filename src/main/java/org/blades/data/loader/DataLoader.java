package org.blades.data.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.blades.data.ExifLabels;
import org.blades.data.ImageFileException;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.ManipulationLabels;
import org.blades.tensor.Tensor;

// B = batch, H/W = model input height/width, P = prefetched batches

/**
 * Batches of one {@link BatchSampler} stream, decoded and augmented by worker threads ahead of the trainer.
 *
 * <p>How: the loader keeps the plans of the next P batches ({@link LoaderOptions#prefetchBatches()}) and has one
 * task per row of each queued on the workers, oldest batch first; every task writes its row straight into its
 * batch's (B, 3, H, W) buffer. {@link #next()} takes the oldest plan, queues one more, and waits for the oldest
 * plan's rows. So at most P + 1 batches are held, workers run ahead while the trainer computes, and batches come
 * out in the sampler's order.
 *
 * <p>Determinism: a row's content is a function of its plan alone (dataset index, the stream's manipulation seed,
 * and the shuffled order that supplies replacements), so the batches are bit-identical for any number of workers
 * and any scheduling, and a loader built on a sampler resumed from {@link #state()} continues exactly where this
 * one stopped.
 *
 * <p>Failures: a row whose image cannot be used takes the next sample of the epoch's shuffled order (and the one
 * after, if that fails too); the batch lists each skipped image in {@link Batch#errors()}. Any exception of a
 * worker step is caught per sample and handled the same way, so a bad file never stops or hangs the run; only a
 * dataset in which no image at all can be loaded makes {@link #next()} throw.
 *
 * <p>{@link #next()} and {@link #state()} are for one thread (the trainer's). {@link #close()} stops the workers
 * (when the loader owns them) and waits for them to end.
 */
public final class DataLoader implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();
    /** Long enough for a decode in progress to finish; the threads are daemons, so a stuck one cannot block exit. */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final FaceDataset dataset;
    private final BatchSampler sampler;
    private final ExecutorService workers;
    private final List<Thread> ownedThreads; // the owned pool's threads; null on a shared pool
    private final int prefetch;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private SamplerState delivered;
    private volatile boolean closed;

    /** A planned batch: its buffer and one future per row. */
    private record Pending(BatchPlan plan, float[] images, List<Future<Row>> rows) { // images: (B, 3, H, W)
    }

    /** What a row task reports; {@code exif} is null (and {@code index} -1) when no candidate could be loaded. */
    private record Row(int index, String path, ExifLabels exif, Manipulation manipulation, List<SampleError> errors) {
    }

    /** A loader with its own {@link LoaderOptions#workers()} threads. */
    public DataLoader(FaceDataset dataset, BatchSampler sampler, LoaderOptions options) {
        this(dataset, sampler, options, null, new ArrayList<>());
    }

    /**
     * A loader on a shared pool (e.g. the inner and the outer stream on the same threads, see
     * {@link #newWorkerPool}); {@link #close()} leaves the pool running, its owner shuts it down.
     * {@link LoaderOptions#workers()} is not used.
     */
    public DataLoader(FaceDataset dataset, BatchSampler sampler, LoaderOptions options, ExecutorService sharedWorkers) {
        this(dataset, sampler, options, requirePool(sharedWorkers), null);
    }

    /** {@code owned} collects the threads of the loader's own pool (so close() can join them); null if shared. */
    private DataLoader(FaceDataset dataset, BatchSampler sampler, LoaderOptions options, ExecutorService shared,
            List<Thread> owned) {
        if (dataset == null || sampler == null || options == null) {
            throw new IllegalArgumentException("DataLoader: dataset, sampler and options must not be null");
        }
        if (sampler.datasetSize() != dataset.size()) {
            throw new IllegalArgumentException("DataLoader: the sampler draws from " + sampler.datasetSize()
                    + " images but the dataset has " + dataset.size());
        }
        this.dataset = dataset;
        this.sampler = sampler;
        this.workers = shared != null ? shared : newWorkerPool(options.workers(), owned);
        this.ownedThreads = owned;
        this.prefetch = options.prefetchBatches();
        this.delivered = sampler.state();
        try {
            for (int i = 0; i < prefetch; i++) {
                plan();
            }
        } catch (RuntimeException e) {
            close(); // a rejected submission (a shut-down shared pool) must not leak an owned pool
            throw e;
        }
    }

    /**
     * A fixed pool of daemon threads named blades-loader-K-I, with an unbounded FIFO queue (bounded in practice by
     * the loaders' prefetch), for loaders to share.
     */
    public static ExecutorService newWorkerPool(int threads) {
        return newWorkerPool(threads, null);
    }

    private static ExecutorService newWorkerPool(int threads, List<Thread> created) {
        if (threads < 1) {
            throw new IllegalArgumentException("DataLoader.newWorkerPool: threads " + threads + " must be >= 1");
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "blades-loader-" + pool + "-" + count.incrementAndGet());
            t.setDaemon(true);
            if (created != null) {
                synchronized (created) {
                    created.add(t);
                }
            }
            return t;
        };
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }

    private static ExecutorService requirePool(ExecutorService pool) {
        if (pool == null) {
            throw new IllegalArgumentException("DataLoader: the shared worker pool must not be null");
        }
        return pool;
    }

    public FaceDataset dataset() {
        return dataset;
    }

    /**
     * The sampler state after the last batch {@link #next()} returned (the start state before the first): what a
     * checkpoint stores. Prefetched batches do not count; a resumed run decodes them again.
     */
    public SamplerState state() {
        return delivered;
    }

    /** The next batch in the sampler's order; blocks until its rows are decoded. */
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("DataLoader: next() after close()");
        }
        Pending p = pending.removeFirst();
        plan();
        int b = p.plan().size();
        List<String> paths = new ArrayList<>(b);
        List<ExifLabels> exif = new ArrayList<>(b);
        List<ManipulationLabels> targets = new ArrayList<>(b);
        List<Manipulation> kinds = new ArrayList<>(b);
        List<SampleError> errors = new ArrayList<>();
        int[] indices = new int[b]; // (B)
        for (int r = 0; r < b; r++) {
            Row row = await(p.rows().get(r), p.plan(), r);
            errors.addAll(row.errors());
            if (row.exif() == null) {
                throw new IllegalStateException("DataLoader: no image of the dataset could be loaded for row " + r
                        + " of epoch " + p.plan().epoch() + " (all " + row.errors().size() + " tried failed); first "
                        + "error: " + row.errors().get(0).error());
            }
            indices[r] = row.index();
            paths.add(row.path());
            exif.add(row.exif());
            targets.add(row.manipulation().labels());
            kinds.add(row.manipulation());
        }
        int h = dataset.options().input().height();
        int w = dataset.options().input().width();
        delivered = p.plan().after();
        return new Batch(Tensor.of(p.images(), b, 3, h, w), new BatchLabels(exif, targets), indices, paths, kinds,
                p.plan(), errors);
    }

    private Row await(Future<Row> f, BatchPlan plan, int row) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("DataLoader: interrupted while waiting for row " + row + " of epoch "
                    + plan.epoch(), e);
        } catch (CancellationException e) {
            throw new IllegalStateException("DataLoader: closed while waiting for a batch", e);
        } catch (ExecutionException e) {
            // fill() catches everything per attempt; reaching this is a bug, still reported without hanging.
            throw new IllegalStateException("DataLoader: row " + row + " of epoch " + plan.epoch() + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /** Queues the sampler's next batch on the workers, one task per row. */
    private void plan() {
        BatchPlan plan = sampler.next();
        int per = 3 * dataset.options().input().height() * dataset.options().input().width();
        float[] images = new float[plan.size() * per]; // (B, 3, H, W)
        int[] indices = plan.indices();
        List<Future<Row>> rows = new ArrayList<>(indices.length);
        for (int r = 0; r < indices.length; r++) {
            int row = r;
            rows.add(workers.submit(() -> fill(plan, row, indices[row], images, per)));
        }
        pending.addLast(new Pending(plan, images, rows));
    }

    /**
     * Loads the row's sample into its slice of the buffer, trying replacements in the epoch's order until one
     * loads. Never throws: every failure becomes a {@link SampleError}.
     */
    private Row fill(BatchPlan plan, int row, int first, float[] images, int per) {
        List<SampleError> failed = new ArrayList<>();
        int n = plan.datasetSize();
        for (int attempt = 0; attempt < n && !closed; attempt++) {
            int index = attempt == 0 ? first : plan.replacement(row, attempt);
            String error;
            try {
                Sample s = dataset.load(index, plan.manipulationSeed());
                System.arraycopy(s.image().f32(), 0, images, row * per, per);
                List<SampleError> errors = new ArrayList<>(failed.size());
                for (SampleError e : failed) {
                    errors.add(new SampleError(e.row(), e.index(), e.path(), e.error(), index));
                }
                return new Row(index, s.path(), s.exif(), s.manipulation(), errors);
            } catch (ImageFileException e) {
                error = e.getMessage();
            } catch (Throwable t) { // any step's bug must become this sample's error, not a dead batch
                error = dataset.entry(index).path() + ": internal error: " + t;
            }
            failed.add(new SampleError(row, index, dataset.entry(index).path(), error, -1));
        }
        return new Row(-1, null, null, null, failed);
    }

    /**
     * Cancels this loader's queued rows and, when it owns its workers, stops them and waits until every worker
     * thread has ended. Idempotent. A shared pool keeps running.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pending p : pending) {
            for (Future<Row> f : p.rows()) {
                f.cancel(false);
            }
        }
        pending.clear();
        if (ownedThreads != null) {
            // shutdown, not shutdownNow: an interrupt would abort a file read mid-way (ClosedByInterruptException)
            // and make a good file look broken; the rows left run to their end in milliseconds, and the queued ones
            // are cancelled above.
            workers.shutdown();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
                List<Thread> threads;
                synchronized (ownedThreads) {
                    threads = List.copyOf(ownedThreads);
                }
                // Joined, not only awaited: a terminated pool's last thread may still be finishing its exit.
                for (Thread t : threads) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    if (t.isAlive()) {
                        throw new IllegalStateException("DataLoader: worker " + t.getName() + " still running "
                                + CLOSE_WAIT_SECONDS + " s after close()");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
