package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The executable's contract for every subcommand: --help prints the usage on stdout with exit code 0; a wrong flag
 * or a missing input file gives one line on stderr (no stack trace), exit code 2 for the flag and non-zero for the
 * file.
 */
class MainUsageTest {
    static final List<String> COMMANDS = List.of("index", "pretrain", "embed", "fit-gmm", "fit-mlp", "scan",
            "evaluate", "gradcheck", "bench", "demo");

    @TempDir
    Path tmp;

    @Test
    void everyCommandIsRegistered() {
        DetectionFixture.Run r = DetectionFixture.run(Main::run, "--help");
        assertThat(r.code()).isZero();
        for (String c : COMMANDS) {
            assertThat(r.out()).as(c).containsPattern("(?m)^  " + c + " ");
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpPrintsTheUsageWithExitCodeZero(String command) {
        DetectionFixture.Run r = DetectionFixture.run(Main::run, command, "--help");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("usage: blades " + command);
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void aWrongFlagIsOneLineWithExitCodeTwo(String command) {
        DetectionFixture.Run r = DetectionFixture.run(Main::run, command, "--no-such-flag", "1");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err().strip().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains("--no-such-flag").doesNotContain("\tat ");
    }

    static List<String> commands() {
        return COMMANDS;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "index /no/such/folder --out OUT/index.jsonl",
        "pretrain --index /no/such/index.jsonl --preset tiny --out OUT/run",
        "embed /no/such/image.jpg --preset tiny --out OUT/f.safetensors",
        "fit-gmm --features /no/such/features.safetensors --out OUT/det.safetensors",
        "fit-mlp --real /no/such/a.safetensors --fake /no/such/b.safetensors --out OUT/mlp.safetensors",
        "scan /no/such/image.jpg --detector /no/such/det.safetensors --preset tiny",
        "evaluate --real /no/such/real --fake x=/no/such/fake --detector /no/such/det.safetensors --preset tiny "
            + "--out OUT/eval"})
    void aMissingFileIsOneLineNamingIt(String line) {
        String[] args = line.replace("OUT", tmp.toString()).split(" ");
        DetectionFixture.Run r = DetectionFixture.run(Main::run, args);
        assertThat(r.code()).as(r.toString()).isIn(1, 2);
        assertThat(r.err().strip().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains("/no/such/").doesNotContain("\tat ", "Exception:");
    }
}
