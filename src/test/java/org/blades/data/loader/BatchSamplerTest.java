package org.blades.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

// N = dataset size, B = batch size

class BatchSamplerTest {

    private static final SamplerOptions OPTIONS = new SamplerOptions(42, 8, SamplerOptions.LastBatch.DROP);

    @Test
    void everyEpochIsAPermutationThatDiffersFromTheLastAndIsReproducible() {
        BatchSampler a = BatchSampler.inner(1000, OPTIONS);
        BatchSampler b = BatchSampler.inner(1000, OPTIONS);
        int[] sorted = new int[1000]; // (N)
        Arrays.setAll(sorted, i -> i);
        for (long e = 0; e < 3; e++) {
            int[] order = a.order(e);
            int[] copy = order.clone();
            Arrays.sort(copy);
            assertThat(copy).as("epoch %d visits every index once", e).isEqualTo(sorted);
            assertThat(order).as("same seed, same epoch").isEqualTo(b.order(e));
            assertThat(order).as("shuffled").isNotEqualTo(sorted);
        }
        assertThat(a.order(0)).isNotEqualTo(a.order(1));
        assertThat(a.order(1)).isNotEqualTo(a.order(2));
        assertThat(BatchSampler.inner(1000, OPTIONS.withSeed(43)).order(0)).isNotEqualTo(a.order(0));
    }

    @Test
    void batchesWalkTheEpochOrderAndDropTheLeftovers() {
        BatchSampler s = BatchSampler.inner(20, OPTIONS); // 20 = 2 x 8 + 4 left over
        assertThat(s.batchesPerEpoch()).isEqualTo(2);
        int[] order0 = s.order(0);
        BatchPlan p0 = s.next();
        BatchPlan p1 = s.next();
        BatchPlan p2 = s.next();
        assertThat(p0.indices()).isEqualTo(Arrays.copyOfRange(order0, 0, 8));
        assertThat(p1.indices()).isEqualTo(Arrays.copyOfRange(order0, 8, 16));
        assertThat(p1.endsEpoch()).isTrue();
        assertThat(p0.endsEpoch()).isFalse();
        assertThat(p2.epoch()).isEqualTo(1);
        assertThat(p2.indices()).isEqualTo(Arrays.copyOfRange(s.order(1), 0, 8));
        assertThat(p1.after()).isEqualTo(new SamplerState(0, 16));
        assertThat(p2.manipulationSeed()).as("manipulations are redrawn every epoch")
                .isNotEqualTo(p0.manipulationSeed());
        assertThat(p1.manipulationSeed()).isEqualTo(p0.manipulationSeed());
    }

    @Test
    void keepMakesOneShortBatchAtTheEndOfEachEpoch() {
        BatchSampler s = BatchSampler.inner(20, OPTIONS.withLastBatch(SamplerOptions.LastBatch.KEEP));
        assertThat(s.batchesPerEpoch()).isEqualTo(3);
        List<Integer> sizes = new ArrayList<>();
        List<Boolean> ends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            BatchPlan p = s.next();
            sizes.add(p.size());
            ends.add(p.endsEpoch());
        }
        assertThat(sizes).containsExactly(8, 8, 4, 8, 8, 4);
        assertThat(ends).containsExactly(false, false, true, false, false, true);
    }

    @Test
    void theOuterStreamIsIndependentOfTheInner() {
        int n = 1000;
        BatchSampler inner = BatchSampler.inner(n, OPTIONS);
        BatchSampler outer = BatchSampler.outer(n, OPTIONS);
        int[] in = inner.order(0);
        int[] out = outer.order(0);
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += in[i] == out[i] ? 1 : 0;
        }
        // Two independent uniform permutations agree at Poisson(1) positions; 10 is beyond 1 - 1e-7.
        assertThat(same).isLessThan(10);
        BatchPlan firstInner = inner.next();
        BatchPlan firstOuter = outer.next();
        assertThat(firstOuter.manipulationSeed()).isNotEqualTo(firstInner.manipulationSeed());
        assertThat(firstOuter.stream()).isEqualTo(BatchSampler.Stream.OUTER);

        // Drawing from the inner stream never shifts the outer one.
        BatchSampler lone = BatchSampler.outer(n, OPTIONS);
        lone.next();
        for (int i = 0; i < 5; i++) {
            inner.next();
        }
        assertThat(outer.next().indices()).isEqualTo(lone.next().indices());
    }

    @Test
    void aResumedSamplerContinuesExactly() {
        for (SamplerOptions.LastBatch last : SamplerOptions.LastBatch.values()) {
            SamplerOptions o = OPTIONS.withLastBatch(last);
            BatchSampler straight = BatchSampler.inner(21, o);
            List<BatchPlan> all = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                all.add(straight.next());
            }
            for (int stop = 1; stop < 8; stop++) {
                BatchSampler resumed = new BatchSampler(21, o, BatchSampler.Stream.INNER, all.get(stop - 1).after());
                for (int i = stop; i < 9; i++) {
                    BatchPlan p = resumed.next();
                    assertThat(p.indices()).as("%s, resumed after %d, batch %d", last, stop, i)
                            .isEqualTo(all.get(i).indices());
                    assertThat(p.epoch()).isEqualTo(all.get(i).epoch());
                    assertThat(p.manipulationSeed()).isEqualTo(all.get(i).manipulationSeed());
                }
            }
        }
    }

    @Test
    void replacementsComeFromTheNextPositionsOfTheEpochOrder() {
        BatchSampler s = BatchSampler.inner(20, OPTIONS);
        s.next();
        BatchPlan p = s.next(); // positions 8..15
        int[] order = s.order(0);
        assertThat(p.replacement(0, 1)).isEqualTo(order[9]);
        assertThat(p.replacement(7, 1)).isEqualTo(order[16]);
        assertThat(p.replacement(7, 5)).as("wraps around the epoch").isEqualTo(order[0]);
    }

    @Test
    void impossibleSettingsAreRejected() {
        assertThatThrownBy(() -> BatchSampler.inner(5, OPTIONS)).hasMessageContaining("batch size 8 is larger");
        assertThatThrownBy(() -> new BatchSampler(20, OPTIONS, BatchSampler.Stream.INNER, new SamplerState(0, 21)))
                .hasMessageContaining("resume position 21");
        assertThatThrownBy(() -> new SamplerOptions(1, 0, SamplerOptions.LastBatch.DROP)).hasMessageContaining("batch");
        BatchSampler keep = BatchSampler.inner(5, OPTIONS.withLastBatch(SamplerOptions.LastBatch.KEEP));
        assertThat(keep.next().size()).isEqualTo(5);
    }
}
