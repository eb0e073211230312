package org.blades.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.blades.data.ExifTag;
import org.blades.data.ImageIndex;
import org.blades.data.manip.Manipulation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// B = batch, N = dataset size, H/W = input height/width

class DataLoaderTest {

    private static final int SIZE = 48;
    private static final String CANON = "Canon_EOS-1DS_after_Noise_Ninja.jpg";
    private static final SamplerOptions SAMPLING = new SamplerOptions(42, 8, SamplerOptions.LastBatch.DROP);

    @TempDir
    static Path dir;
    static FaceDataset dataset; // N = 25: 24 noise PNGs without EXIF and one camera JPEG

    @BeforeAll
    static void images() throws IOException {
        LoaderFixture.noisePngs(dir, 24, 40, 32, 100);
        LoaderFixture.copySample(CANON, dir);
        dataset = new FaceDataset(LoaderFixture.index(dir, Map.of()), dir,
                SampleOptions.defaults().withSize(SIZE, SIZE));
    }

    private static List<Batch> take(DataLoader loader, int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(loader.next());
        }
        return out;
    }

    private static List<Batch> run(BatchSampler sampler, LoaderOptions options, int n) {
        try (DataLoader loader = new DataLoader(dataset, sampler, options)) {
            return take(loader, n);
        }
    }

    private static void assertSameBatches(List<Batch> actual, List<Batch> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Batch a = actual.get(i);
            Batch e = expected.get(i);
            assertThat(a.indices()).as("batch %d indices", i).isEqualTo(e.indices());
            assertThat(a.images().shape()).isEqualTo(e.images().shape());
            assertThat(Arrays.equals(a.images().f32(), e.images().f32())).as("batch %d pixels", i).isTrue();
            assertThat(a.labels()).as("batch %d labels", i).isEqualTo(e.labels());
            assertThat(a.manipulations()).isEqualTo(e.manipulations());
            assertThat(a.epoch()).isEqualTo(e.epoch());
            assertThat(a.after()).isEqualTo(e.after());
        }
    }

    @Test
    void oneAndThreeWorkersGiveIdenticalBatches() {
        // 7 batches of 8 from 25 images: three epochs (3 batches each, one image dropped per epoch)
        List<Batch> one = run(BatchSampler.inner(dataset.size(), SAMPLING), new LoaderOptions(1, 1), 7);
        List<Batch> three = run(BatchSampler.inner(dataset.size(), SAMPLING), new LoaderOptions(3, 4), 7);
        assertSameBatches(three, one);
        assertThat(one.get(0).images().shape()).containsExactly(8, 3, SIZE, SIZE);
        assertThat(one.get(2).endsEpoch()).isTrue();
        assertThat(one.get(3).epoch()).isEqualTo(1);
        assertThat(one.stream().flatMap(b -> b.manipulations().stream()).distinct().count())
                .as("the batches are manipulated").isGreaterThan(2);
    }

    @Test
    void aResumedLoaderContinuesLikeAnUninterruptedOne() {
        List<Batch> straight = run(BatchSampler.inner(dataset.size(), SAMPLING), LoaderOptions.defaults(), 7);
        SamplerState saved;
        try (DataLoader first = new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                new LoaderOptions(2, 3))) {
            take(first, 4);
            saved = first.state(); // with 3 more batches prefetched, which must not count
        }
        assertThat(saved).isEqualTo(straight.get(3).after());
        List<Batch> rest = run(new BatchSampler(dataset.size(), SAMPLING, BatchSampler.Stream.INNER, saved),
                new LoaderOptions(2, 2), 3);
        assertSameBatches(rest, straight.subList(4, 7));
    }

    @Test
    void innerAndOuterStreamsShareAPoolButNotTheirBatches() throws InterruptedException {
        List<Batch> inner = run(BatchSampler.inner(dataset.size(), SAMPLING), new LoaderOptions(2, 2), 3);
        List<Batch> outer = run(BatchSampler.outer(dataset.size(), SAMPLING), new LoaderOptions(2, 2), 3);
        ExecutorService pool = DataLoader.newWorkerPool(2);
        try (DataLoader in = new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                LoaderOptions.defaults(), pool);
             DataLoader out = new DataLoader(dataset, BatchSampler.outer(dataset.size(), SAMPLING),
                     LoaderOptions.defaults(), pool)) {
            List<Batch> sharedInner = new ArrayList<>();
            List<Batch> sharedOuter = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sharedInner.add(in.next());
                sharedOuter.add(out.next());
            }
            assertSameBatches(sharedInner, inner);
            assertSameBatches(sharedOuter, outer);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(outer.get(0).indices()).isNotEqualTo(inner.get(0).indices());
        assertThat(outer.get(0).plan().stream()).isEqualTo(BatchSampler.Stream.OUTER);
    }

    @Test
    void missingExifIsMaskedAndPresentExifIsLabelled() {
        SamplerOptions all = new SamplerOptions(1, dataset.size(), SamplerOptions.LastBatch.KEEP);
        Batch b = run(BatchSampler.inner(dataset.size(), all), new LoaderOptions(2, 1), 1).get(0);
        BatchLabels l = b.labels();
        int canon = b.paths().indexOf(CANON);
        int png = b.paths().indexOf("img00.png");
        assertThat(canon).isNotNegative();
        assertThat(l.valid(ExifTag.MAKE)[canon]).isTrue();
        assertThat(l.classIds(ExifTag.MAKE)[canon]).isEqualTo(ExifTag.MAKE.classes().indexOf("Canon"));
        assertThat(l.rankValid(ExifTag.ISO)[canon]).isTrue();
        assertThat(l.rankValues(ExifTag.ISO)[canon])
                .isEqualTo(dataset.labels(b.indices()[canon]).rankValue(ExifTag.ISO));
        for (ExifTag t : ExifTag.values()) {
            assertThat(l.valid(t)[png]).as(t.key()).isFalse();
            assertThat(l.classIds(t)[png]).as(t.key()).isEqualTo(-1);
            if (t.isOrdinal()) {
                assertThat(l.rankValid(t)[png]).isFalse();
                assertThat(l.rankValues(t)[png]).isNaN();
            }
        }
        assertThatThrownBy(() -> l.rankValues(ExifTag.MAKE)).hasMessageContaining("categorical");
    }

    @Test
    void aboutHalfOfTheSamplesAreManipulatedAndTheLabelsSayWhich() {
        SamplerOptions all = new SamplerOptions(3, dataset.size(), SamplerOptions.LastBatch.KEEP);
        int manipulated = 0;
        int total = 0;
        for (Batch b : run(BatchSampler.inner(dataset.size(), all), new LoaderOptions(2, 2), 16)) {
            int[] coarse = b.labels().coarse();
            float[] fine = b.labels().fine(); // (B, 3)
            for (int r = 0; r < b.size(); r++) {
                Manipulation m = b.manipulations().get(r);
                assertThat(coarse[r]).isEqualTo(m.labels().coarseClass());
                assertThat(Arrays.copyOfRange(fine, 3 * r, 3 * r + 3)).isEqualTo(m.labels().fineTargets());
                manipulated += coarse[r];
                total++;
            }
        }
        assertThat(total).isEqualTo(400);
        // binomial(400, 0.5): standard deviation 10 samples; bounds at 3.2 of them
        assertThat(manipulated).isBetween(168, 232);
    }

    @Test
    void brokenFilesAreReplacedByTheNextSampleAndReported(@TempDir Path broken) throws IOException {
        LoaderFixture.noisePngs(broken, 10, 24, 20, 500);
        ImageIndex index = LoaderFixture.index(broken, Map.of());
        // broken after indexing: img03 truncated (undecodable for good), img05 turned into a folder (a read error)
        Path truncated = broken.resolve("img03.png");
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Files.delete(broken.resolve("img05.png"));
        Files.createDirectory(broken.resolve("img05.png"));
        FaceDataset d = new FaceDataset(index, broken, SampleOptions.defaults().withSize(SIZE, SIZE));
        Set<Integer> bad = Set.of(3, 5);
        assertThat(d.entry(3).path()).isEqualTo("img03.png");
        assertThat(d.entry(5).path()).isEqualTo("img05.png");
        SamplerOptions o = new SamplerOptions(5, 4, SamplerOptions.LastBatch.KEEP);
        int per = 3 * SIZE * SIZE;
        Map<Long, Set<String>> reported = new HashMap<>(); // epoch -> paths reported
        try (DataLoader loader = new DataLoader(d, BatchSampler.inner(d.size(), o), new LoaderOptions(2, 2))) {
            for (int i = 0; i < 6; i++) { // two epochs of 4 + 4 + 2
                Batch b = loader.next();
                assertThat(b.size()).isEqualTo(i % 3 == 2 ? 2 : 4);
                int[] order = BatchSampler.inner(d.size(), o).order(b.epoch());
                for (int r = 0; r < b.size(); r++) {
                    assertThat(bad).doesNotContain(b.indices()[r]);
                }
                for (SampleError e : b.errors()) {
                    assertThat(bad).contains(e.index());
                    assertThat(e.error()).contains(e.path());
                    reported.computeIfAbsent(b.epoch(), k -> new TreeSet<>()).add(e.path());
                    // the replacement is the first usable sample after the row's position in the epoch's order
                    int k = b.plan().startPosition() + e.row() + 1;
                    while (bad.contains(order[k % d.size()])) {
                        k++;
                    }
                    assertThat(e.replacement()).isEqualTo(order[k % d.size()]);
                    assertThat(b.indices()[e.row()]).isEqualTo(e.replacement());
                    // and the row holds exactly the replacement's sample of this stream and epoch
                    float[] row = Arrays.copyOfRange(b.images().f32(), e.row() * per, (e.row() + 1) * per);
                    assertThat(row).isEqualTo(d.load(e.replacement(), b.plan().manipulationSeed()).image().f32());
                }
            }
        }
        assertThat(reported).containsOnlyKeys(0L, 1L);
        assertThat(reported.values()).allSatisfy(paths -> assertThat(paths).containsExactly("img03.png", "img05.png"));
        // the truncated file is known for good; the read error is retried every time
        assertThat(d.unusable()).containsOnlyKeys("img03.png");
    }

    @Test
    void closeStopsEveryWorkerEvenWithBatchesInFlight() {
        List<Thread> before = LoaderFixture.loaderThreads(); // empty unless another test's pool is still ending
        DataLoader busy = new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                new LoaderOptions(3, 4));
        assertThat(LoaderFixture.loaderThreads()).hasSizeGreaterThan(before.size());
        busy.close(); // nothing taken, four batches queued
        assertThat(before).containsAll(LoaderFixture.loaderThreads());
        DataLoader used = new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                new LoaderOptions(2, 2));
        used.next();
        used.close();
        used.close();
        assertThat(before).containsAll(LoaderFixture.loaderThreads());
        assertThatThrownBy(used::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("after close");
    }

    @Test
    void aSharedPoolOutlivesItsLoaders() throws InterruptedException {
        ExecutorService pool = DataLoader.newWorkerPool(2);
        try (DataLoader loader = new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                LoaderOptions.defaults(), pool)) {
            loader.next();
        }
        assertThat(pool.isShutdown()).isFalse();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> new DataLoader(dataset, BatchSampler.inner(dataset.size(), SAMPLING),
                LoaderOptions.defaults(), pool)).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }
}
