package org.blades.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.blades.data.ImageIndex;
import org.blades.data.IndexBuilder;
import org.blades.data.loader.LoaderOptions;
import org.blades.data.loader.SamplerOptions;
import org.blades.nn.Checkpoint;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny-preset run over six camera photographs (../shared/data/samples, real EXIF), batch 2, two epochs of three
 * steps: six steps uninterrupted against the same run stopped and resumed. Trace, λ, weights, batch-norm statistics
 * and optimiser moments must agree bit for bit.
 */
class PretrainingResumeTest {
    private static final Path SAMPLES = ReferenceFile.projectRoot().resolveSibling("shared").resolve("data/samples");
    private static final List<String> IMAGES = List.of("Canon_EOS_20D_1.jpg", "Canon_EOS_5D.jpg",
            "Apple_iPhone_4S.jpg", "Canon_IXUS_400.jpg", "Canon_PowerShot_A40.jpg", "Canon_EOS_350D.jpg");
    private static final LoaderOptions LOADING = new LoaderOptions(2, 1);
    private static final int STEPS = 6;

    @TempDir
    static Path dir;
    static RunConfig config;
    static Path uninterrupted;

    @BeforeAll
    static void runUninterrupted() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : IMAGES) {
            Files.copy(SAMPLES.resolve(name), images.resolve(name));
        }
        ImageIndex index = IndexBuilder.build(images, images.toString(), IndexBuilder.Options.defaults(), null,
                (done, total, bad) -> { }).index();
        Path indexFile = dir.resolve("index.jsonl");
        index.write(indexFile);
        config = new RunConfig(indexFile.toString(), images.toString(), BladesPreset.tiny(),
                PretrainOptions.paper().withEpochs(2), new SamplerOptions(42, 2, SamplerOptions.LastBatch.DROP), 7,
                null, null);
        uninterrupted = dir.resolve("uninterrupted");
        try (Pretraining run = Pretraining.start(config, uninterrupted, LOADING)) {
            assertThat(run.totalSteps()).isEqualTo(STEPS);
            assertThat(run.run(Long.MAX_VALUE, 100, () -> false, (s, e, t) -> { })).isEqualTo(STEPS);
        }
    }

    @Test
    void stopAndResumeGivesTheNumbersOfAnUninterruptedRun() throws IOException {
        Path resumed = dir.resolve("stopped");
        AtomicBoolean stop = new AtomicBoolean();
        try (Pretraining run = Pretraining.start(config, resumed, LOADING)) {
            // a stop request (what Ctrl-C raises) after step 3: the step ends, a checkpoint follows
            run.run(Long.MAX_VALUE, 100, stop::get, (s, e, t) -> stop.set(s == 3));
            assertThat(run.step()).isEqualTo(3);
        }
        assertThat(Checkpoint.read(resumed.resolve(Pretraining.CHECKPOINT)).metadata().get("step")).isEqualTo(3L);
        try (Pretraining run = Pretraining.resume(resumed, LOADING)) {
            assertThat(run.step()).isEqualTo(3);
            run.run(Long.MAX_VALUE, 100, () -> false, (s, e, t) -> { });
        }
        assertSameRun(resumed, uninterrupted);
    }

    @Test
    void linesWrittenAfterTheLastCheckpointAreNotDuplicatedOnResume() throws IOException {
        Path crashed = dir.resolve("crashed");
        try (Pretraining run = Pretraining.start(config, crashed, LOADING)) {
            run.run(4, 2, () -> false, (s, e, t) -> { });
        }
        // a run killed during step 5 has appended that step's line but never checkpointed it
        Path trace = crashed.resolve(Pretraining.TRACE);
        List<String> lines = Files.readAllLines(uninterrupted.resolve(Pretraining.TRACE), StandardCharsets.UTF_8);
        Files.writeString(trace, lines.get(5) + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        try (Pretraining run = Pretraining.resume(crashed, LOADING)) {
            assertThat(run.step()).isEqualTo(4);
            run.run(Long.MAX_VALUE, 2, () -> false, (s, e, t) -> { });
        }
        assertSameRun(crashed, uninterrupted);
    }

    private static void assertSameRun(Path actual, Path expected) throws IOException {
        assertThat(Files.readAllLines(actual.resolve(Pretraining.TRACE)))
                .isEqualTo(Files.readAllLines(expected.resolve(Pretraining.TRACE)))
                .hasSize(STEPS + 1);
        Checkpoint a = Checkpoint.read(actual.resolve(Pretraining.CHECKPOINT));
        Checkpoint e = Checkpoint.read(expected.resolve(Pretraining.CHECKPOINT));
        assertThat(a.metadata().get("step")).isEqualTo((long) STEPS);
        assertThat(a.model().keys()).containsExactlyElementsOf(e.model().keys());
        for (String key : e.model().keys()) {
            assertBitEqual("model." + key, a.model().get(key), e.model().get(key));
        }
        assertThat(a.extras().keySet()).containsExactlyElementsOf(e.extras().keySet());
        for (Map.Entry<String, Tensor> x : e.extras().entrySet()) {
            assertBitEqual(x.getKey(), a.extra(x.getKey()), x.getValue());
        }
        assertThat(a.metadata().get("samplers")).isEqualTo(e.metadata().get("samplers"));
        assertThat(a.metadata().get("optimizer_steps")).isEqualTo(e.metadata().get("optimizer_steps"));
        assertThat(Files.readString(actual.resolve(Pretraining.PLOT)))
                .isEqualTo(Files.readString(expected.resolve(Pretraining.PLOT)));
        assertThat(Files.exists(actual.resolve(Pretraining.ENCODER))).isTrue();
    }

    private static void assertBitEqual(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        assertThat(actual.dtype()).as(what).isEqualTo(expected.dtype());
        double[] av = actual.toDoubleArray();
        double[] ev = expected.toDoubleArray();
        for (int i = 0; i < ev.length; i++) {
            if (Double.doubleToRawLongBits(av[i]) != Double.doubleToRawLongBits(ev[i])) {
                throw new AssertionError(what + "[" + i + "]: " + av[i] + " differs from the uninterrupted run's "
                        + ev[i]);
            }
        }
    }
}
