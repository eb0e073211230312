package org.blades.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's contract: every index exactly once, joins before returning, nesting runs inline, errors surface.
 *
 * <p>Legend: n = number of tasks, grain = indices per chunk of {@link Parallel#parallelForRange}.
 */
class ParallelTest {

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @Test
    void runsEveryIndexExactlyOnce() {
        for (int threads : new int[] {1, 2, 4}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 7, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.parallelFor(n, hits::incrementAndGet);
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("threads=%d n=%d index %d", threads, n, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void rangesCoverEachIndexOnceInGrainSizedChunks() {
        Parallel.setThreads(2);
        int n = 103;
        int grain = 10;
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Set<Integer> chunkStarts = ConcurrentHashMap.newKeySet();
        Parallel.parallelForRange(n, grain, (lo, hi) -> {
            chunkStarts.add(lo);
            assertThat(hi - lo).isBetween(1, grain);
            for (int i = lo; i < hi; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).isEqualTo(1);
        }
        assertThat(chunkStarts).hasSize(11);
    }

    @Test
    void usesMoreThanOneThreadWhenAsked() {
        Parallel.setThreads(2);
        Set<String> names = ConcurrentHashMap.newKeySet();
        // tasks that wait for a second thread to show up; bounded so the test cannot hang
        Parallel.parallelFor(64, t -> {
            names.add(Thread.currentThread().getName());
            long deadline = System.nanoTime() + 200_000_000L;
            while (names.size() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        });
        assertThat(names).hasSize(2);
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(8 * 8);
        Parallel.parallelFor(8, i -> Parallel.parallelFor(8, j -> hits.incrementAndGet(i * 8 + j)));
        for (int i = 0; i < 64; i++) {
            assertThat(hits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void taskExceptionReachesTheCaller() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.parallelFor(100, t -> {
            if (t == 37) {
                throw new IllegalStateException("task 37 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 37 failed");
        // the pool is still usable afterwards
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        Parallel.parallelFor(10, hits::incrementAndGet);
        assertThat(hits.get(9)).isEqualTo(1);
    }

    @Test
    void rejectsBadSizes() {
        assertThatThrownBy(() -> Parallel.setThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads must be >= 1");
        assertThatThrownBy(() -> Parallel.parallelForRange(10, 0, (lo, hi) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grain");
    }

    @Test
    void workersAreDaemons() {
        Parallel.setThreads(3);
        Parallel.parallelFor(16, t -> { });
        boolean anyWorker = false;
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().startsWith("blades-worker-") && th.isAlive()) {
                anyWorker = true;
                assertThat(th.isDaemon()).as(th.getName()).isTrue();
            }
        }
        assertThat(anyWorker).isTrue();
    }
}
