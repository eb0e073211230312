package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.blades.embed.ImageEncoder;
import org.blades.nn.Checkpoint;
import org.blades.pretrain.Pretraining;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
