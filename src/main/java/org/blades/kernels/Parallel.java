package org.blades.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The project's thread pool: a fixed set of daemon workers plus the calling thread.
 *
 * <p>Legend: n = number of tasks, T = thread count (workers + caller).
 *
 * <p>Contract for kernels: {@link #parallelFor} runs {@code body.accept(t)} exactly once for every
 * task index t in [0, n), on some thread, in no particular order, and returns when all have
 * finished (a happens-before edge from every task to the caller). Which thread runs which task is
 * decided at run time by an atomic counter (dynamic claiming balances load when other processes
 * share the cores). Results are therefore independent of T only if every task writes its own
 * disjoint outputs and computes them without reading other tasks' outputs; the GEMM kernels do
 * exactly that: each C element belongs to one task, and its K accumulation order is fixed by the
 * block sizes, never by T, so their output is bit-identical for any thread count.
 *
 * <p>Nested or concurrent use is safe: when the pool is already busy (a task calling
 * parallelFor, or a second caller thread), the inner call runs its tasks inline on the calling
 * thread.
 *
 * <p>Size: {@code -Dblades.threads=N}, else {@link Runtime#availableProcessors()}; changeable with
 * {@link #setThreads(int)}.
 */
public final class Parallel {

    /** System property giving the initial thread count. */
    public static final String PROPERTY = "blades.threads";

    /** Body of {@link #parallelForRange}: processes indices [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static volatile Pool pool = new Pool(initialThreads());

    private Parallel() {}

    private static int initialThreads() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            try {
                int t = Integer.parseInt(prop.trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below, which names the bad value
            }
            throw new IllegalArgumentException("Parallel: -D" + PROPERTY + "=" + prop + " is not a positive integer");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Number of threads that run tasks (workers + the caller); at least 1. */
    public static int threads() {
        return pool.threads;
    }

    /**
     * Resizes the pool. Waits for a call running on the old pool to finish, then stops its
     * workers. Must not be called from inside a task.
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Parallel.setThreads: threads must be >= 1, got " + threads);
        }
        if (threads == pool.threads) {
            return;
        }
        Pool old = pool;
        pool = new Pool(threads);
        // Holding busy forever keeps any caller that still sees the old pool on the inline path,
        // so no job can be published to workers that are exiting.
        while (!old.busy.compareAndSet(false, true)) {
            Thread.yield();
        }
        old.shutdown();
    }

    /**
     * Whether a {@link #parallelFor} called now would run inline because the pool is taken (by the
     * caller's own enclosing parallelFor, or by another thread). Kernels plan their work for one thread
     * then: splitting it into tasks for threads that cannot help only repeats per-task work.
     */
    public static boolean poolBusy() {
        Pool p = pool;
        return p.threads == 1 || p.busy.get();
    }

    /** Runs body(t) for t in [0, n); inline when n <= 1, T == 1 or the pool is busy. */
    public static void parallelFor(int n, IntConsumer body) {
        if (n < 0) {
            throw new IllegalArgumentException("Parallel.parallelFor: n must be >= 0, got " + n);
        }
        Pool p = pool;
        if (n <= 1 || p.threads == 1 || !p.busy.compareAndSet(false, true)) {
            for (int t = 0; t < n; t++) {
                body.accept(t);
            }
            return;
        }
        try {
            p.run(n, body);
        } finally {
            p.busy.set(false);
        }
    }

    /**
     * Splits [0, n) into consecutive chunks of {@code grain} indices (the last may be shorter)
     * and runs body(lo, hi) once per chunk. The chunking depends only on n and grain.
     */
    public static void parallelForRange(int n, int grain, RangeBody body) {
        if (grain < 1) {
            throw new IllegalArgumentException("Parallel.parallelForRange: grain must be >= 1, got " + grain);
        }
        int chunks = (int) (((long) n + grain - 1) / grain);
        parallelFor(chunks, c -> {
            int lo = c * grain;
            body.run(lo, (int) Math.min((long) lo + grain, n));
        });
    }

    /** One parallelFor invocation shared by the caller and the workers. */
    private static final class Job {
        final int n;
        final IntConsumer body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        /** Workers that have not yet finished this job; the last one wakes the caller. */
        final AtomicInteger workersLeft;
        volatile Throwable error;

        Job(int n, IntConsumer body, int workers) {
            this.n = n;
            this.body = body;
            this.caller = Thread.currentThread();
            this.workersLeft = new AtomicInteger(workers);
        }

        void claimAndRun() {
            int t;
            while ((t = next.getAndIncrement()) < n) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    if (error == null) {
                        error = e;
                    }
                    // stop the other threads from claiming more work
                    next.set(n);
                }
            }
        }
    }

    private static final class Pool {
        /** Spin this long before parking: back-to-back kernel phases then skip the park/unpark latency. */
        private static final long SPIN_NANOS = 50_000;

        final int threads;
        final AtomicBoolean busy = new AtomicBoolean();
        private final Thread[] workers; // (T - 1)
        private volatile Job job;
        private volatile long generation;
        private volatile boolean shutdown;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Thread[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                Thread th = new Thread(this::workerLoop, "blades-worker-" + (w + 1));
                th.setDaemon(true);
                workers[w] = th;
                th.start();
            }
        }

        void run(int n, IntConsumer body) {
            Job j = new Job(n, body, workers.length);
            job = j;
            generation = generation + 1; // only the busy-flag holder writes it
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            j.claimAndRun();
            long start = System.nanoTime();
            while (j.workersLeft.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            job = null;
            Throwable e = j.error;
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            if (e instanceof Error) {
                throw (Error) e;
            }
            if (e != null) {
                throw new RuntimeException("Parallel.parallelFor: task failed", e);
            }
        }

        private void workerLoop() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (generation == seen && !shutdown) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                if (shutdown) {
                    return;
                }
                seen = generation;
                Job j = job;
                j.claimAndRun();
                if (j.workersLeft.decrementAndGet() == 0) {
                    LockSupport.unpark(j.caller);
                }
            }
        }

        void shutdown() {
            shutdown = true;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
