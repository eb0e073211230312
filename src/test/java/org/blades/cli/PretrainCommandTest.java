package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.blades.data.loader.SamplerOptions;
import org.blades.embed.ImageEncoder;
import org.blades.io.Json;
import org.blades.nn.Checkpoint;
import org.blades.pretrain.BladesPreset;
import org.blades.pretrain.PretrainOptions;
import org.blades.pretrain.Pretraining;
import org.blades.pretrain.PrimaryTask;
import org.blades.pretrain.RunConfig;
import org.blades.tasks.LossOptions;
import org.blades.tasks.OrdinalLoss;
import org.blades.tasks.Task;
import org.blades.tasks.ThurstoneVariant;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** blades pretrain end to end on four photographs: a run in two parts, the files it leaves, and usage errors. */
class PretrainCommandTest {
    private static final Path SAMPLES = ReferenceFile.projectRoot().resolveSibling("shared").resolve("data/samples");

    @TempDir
    static Path dir;
    static Path index;

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PretrainCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void indexFourPhotographs() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : List.of("Canon_EOS_20D_1.jpg", "Canon_EOS_5D.jpg", "Apple_iPhone_4S.jpg",
                "Canon_IXUS_400.jpg")) {
            Files.copy(SAMPLES.resolve(name), images.resolve(name));
        }
        index = dir.resolve("index.jsonl");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertThat(IndexCommand.run(new String[] {images.toString(), "--out", index.toString()}, quiet, quiet))
                .isZero();
    }

    @Test
    void aRunStoppedByMaxStepsResumesToTheEndAndLeavesItsFiles() throws IOException {
        Path runDir = dir.resolve("run");
        Result first = run("--index", index.toString(), "--preset", "tiny", "--out", runDir.toString(), "--batch", "2",
                "--epochs", "2", "--workers", "2", "--max-steps", "2", "--tasks", "exif,coarse", "--primary", "coarse");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("stopped at step 2 of 4");
        assertThat(first.err()).contains("pretrain [").contains("img/s").contains("ETA");
        assertThat(Files.readAllLines(runDir.resolve(Pretraining.TRACE))).hasSize(3);
        assertThat(Files.exists(runDir.resolve(Pretraining.ENCODER))).isFalse();

        Result second = run("--resume", "--out", runDir.toString(), "--workers", "2");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("finished at step 4 of 4").contains("lambda (sorted): ").contains("fine 0.00000");
        List<String> trace = Files.readAllLines(runDir.resolve(Pretraining.TRACE));
        assertThat(trace).hasSize(5);
        assertThat(trace.get(4)).startsWith("4,1,");
        // FINE is left out (λ 0, loss not computed): its loss column is empty
        assertThat(trace.get(1).split(",", -1)[17]).isEmpty();
        assertThat(Files.readString(runDir.resolve(Pretraining.PLOT))).startsWith("<svg").contains("polyline");
        assertThat(Checkpoint.read(runDir.resolve(Pretraining.CHECKPOINT)).metadata().get("step")).isEqualTo(4L);
        ImageEncoder encoder = ImageEncoder.load(runDir);
        assertThat(encoder.dimensions()).isEqualTo(64);
        assertThat(encoder.inputSizeHint()).isEqualTo(64);
    }

    @Test
    void usageMistakesAreOneLineWithExitCodeTwo() {
        Result resumeWithConfig = run("--resume", "--out", dir.resolve("x").toString(), "--epochs", "3");
        assertThat(resumeWithConfig.code()).isEqualTo(2);
        assertThat(resumeWithConfig.err()).contains("drop --epochs");
        Result noIndex = run("--out", dir.resolve("y").toString());
        assertThat(noIndex.code()).isEqualTo(2);
        assertThat(noIndex.err()).contains("--index FILE is required");
        Result badTask = run("--index", index.toString(), "--out", dir.resolve("z").toString(), "--tasks", "iso,nose");
        assertThat(badTask.code()).isEqualTo(2);
        assertThat(badTask.err()).contains("unknown task 'nose'");
        assertThat(run("--help").out()).contains("--freeze-text");
    }

    @Test
    void helpPrintsTheUsageOnStdoutWhereverItStands() {
        String[][] invocations = {{"--help"}, {"-h"}, {"--index", index.toString(), "--epochs", "0", "-h"}};
        for (String[] args : invocations) {
            Result r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).isEqualTo(PretrainCommand.USAGE + "\n");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void everyConfigurationOptionReachesTheStoredConfiguration() throws IOException {
        Path runDir = dir.resolve("configured");
        Path images = dir.resolve("images");
        Result r = run("--index", index.toString(), "--root", images.toString(), "--preset", "tiny", "--input-size",
                "32", "--init-seed", "5", "--epochs", "1", "--batch", "2", "--seed", "3", "--lr", "1e-4",
                "--weight-decay", "0", "--lambda-lr=1e-3", "--fd-scale", "0.02", "--no-bilevel", "--primary", "equal",
                "--freeze-text", "--focal-gamma", "0", "--ordinal", "levels", "--thurstone", "code", "--tasks",
                "ordinal,coarse", "--out", runDir.toString(), "--max-steps", "1", "--checkpoint-every", "1",
                "--workers", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("stopped at step 1 of 2");

        PretrainOptions paper = PretrainOptions.paper();
        Set<Task> tasks = EnumSet.of(Task.COARSE);
        tasks.addAll(Task.ofKind(Task.Kind.ORDINAL));
        PretrainOptions options = paper.withEpochs(1)
                .withInner(paper.inner().withLr(1e-4).withWeightDecay(0)).withOuter(paper.outer().withLr(1e-3))
                .withFdScale(0.02).withBilevel(false).withPrimary(PrimaryTask.EQUAL).withTrainText(false)
                .withLosses(new LossOptions(0, OrdinalLoss.LEVEL_CLASSIFICATION, ThurstoneVariant.ORIGINAL_CODE))
                .withTasks(tasks);
        RunConfig expected = new RunConfig(index.toString(), images.toString(), BladesPreset.tiny().withInputSize(32),
                options, SamplerOptions.defaults().withBatchSize(2).withSeed(3), 5, null, null);
        Path stored = runDir.resolve(Pretraining.CONFIG);
        assertThat(RunConfig.fromJson(Json.parseObject(Files.readString(stored), stored.toString())))
                .isEqualTo(expected);
    }

    /**
     * A command line (INDEX, IMAGES and TMP stand for the fixture's paths) and the one line pretrain prints for it
     * between "pretrain: " and " (see blades pretrain --help)".
     */
    static Stream<Arguments> badUsage() {
        String newRun = "--index INDEX --out TMP/bad ";
        return Stream.of(
                Arguments.of(newRun + "--preset huge", "--preset expects paper or tiny, got 'huge'"),
                Arguments.of(newRun + "--input-size 0", "--input-size expects an integer in [1, 4096], got '0'"),
                Arguments.of(newRun + "--epochs 0", "--epochs expects an integer in [1, 1000000], got '0'"),
                Arguments.of(newRun + "--epochs", "--epochs needs a value"),
                Arguments.of(newRun + "--batch x", "--batch expects an integer in [1, 1000000], got 'x'"),
                Arguments.of(newRun + "--seed 1.5", "--seed expects an integer, got '1.5'"),
                Arguments.of(newRun + "--init-seed abc", "--init-seed expects an integer, got 'abc'"),
                Arguments.of(newRun + "--lr 2", "--lr expects a number in [0, 1], got '2'"),
                Arguments.of(newRun + "--weight-decay -1", "--weight-decay expects a number in [0, 1], got '-1'"),
                Arguments.of(newRun + "--lambda-lr fast", "--lambda-lr expects a number in [0, 1], got 'fast'"),
                Arguments.of(newRun + "--fd-scale 0", "--fd-scale expects a number in (0, 1], got '0'"),
                Arguments.of(newRun + "--focal-gamma 101", "--focal-gamma expects a number in [0, 100], got '101'"),
                Arguments.of(newRun + "--primary both", "--primary expects coarse, equal or fine, got 'both'"),
                Arguments.of(newRun + "--ordinal pairs", "--ordinal expects levels or ranking, got 'pairs'"),
                Arguments.of(newRun + "--thurstone exact", "--thurstone expects code or paper, got 'exact'"),
                Arguments.of(newRun + "--tasks ,", "--tasks: no task given"),
                Arguments.of(newRun + "--no-bilevel=yes", "--no-bilevel takes no value, got '--no-bilevel=yes'"),
                Arguments.of(newRun + "--freeze-text=1", "--freeze-text takes no value, got '--freeze-text=1'"),
                Arguments.of(newRun + "--vision-weights TMP/none.safetensors",
                        "--vision-weights TMP/none.safetensors: no such file"),
                Arguments.of(newRun + "--text-weights IMAGES", "--text-weights IMAGES is a folder, not a file"),
                Arguments.of(newRun + "--root TMP/none", "--root TMP/none: no such folder"),
                Arguments.of(newRun + "--root INDEX", "--root INDEX is a file, not a folder"),
                Arguments.of("--index TMP/none.jsonl --out TMP/bad", "--index TMP/none.jsonl: no such file"),
                Arguments.of("--index INDEX", "--out RUN_DIR is required"),
                Arguments.of("--index INDEX --out", "--out needs a value"),
                Arguments.of(newRun + "--max-steps 0", "--max-steps expects a positive integer, got '0'"),
                Arguments.of(newRun + "--checkpoint-every 1e3",
                        "--checkpoint-every expects a positive integer, got '1e3'"),
                Arguments.of(newRun + "--workers 0", "--workers expects an integer in [1, 256], got '0'"),
                Arguments.of(newRun + "--resume=yes", "--resume takes no value, got '--resume=yes'"),
                Arguments.of(newRun + "--lr 1e-4 --lr 1e-5", "--lr given 2 times ('1e-4', '1e-5')"),
                Arguments.of(newRun + "--learning-rate 1e-4", "unknown option '--learning-rate'"),
                Arguments.of(newRun + "extra", "unexpected argument 'extra'"),
                Arguments.of("--out TMP/bad --tasks iso", "--index FILE is required for a new run"),
                Arguments.of("--resume --out TMP/bad --preset tiny --no-bilevel",
                        "--resume continues with the run's stored configuration; drop --no-bilevel, --preset"));
    }

    @ParameterizedTest
    @MethodSource("badUsage")
    void eachOptionRejectsABadValueWithOneLineAndExitTwo(String line, String message) {
        Result r = run(paths(line).split(" "));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("pretrain: " + paths(message) + " (see blades pretrain --help)\n");
        assertThat(dir.resolve("bad")).doesNotExist();
    }

    private static String paths(String text) {
        return text.replace("INDEX", index.toString()).replace("IMAGES", dir.resolve("images").toString())
                .replace("TMP", dir.toString());
    }
}
