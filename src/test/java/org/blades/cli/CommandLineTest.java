package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared parser's value readers: what they accept, and the one line they give for what they do not. */
class CommandLineTest {
    @TempDir
    Path tmp;

    private static CommandLine parse(String... args) {
        return CommandLine.parse(args, Set.of("--n", "--x", "--mode", "--file", "--dir"), Set.of("--dry", "--fast"));
    }

    /** The message of the UsageException that reading {@code args} with {@code read} throws. */
    private static String problem(Consumer<CommandLine> read, String... args) {
        try {
            read.accept(parse(args));
        } catch (UsageException e) {
            return e.getMessage();
        }
        throw new AssertionError("no UsageException for " + String.join(" ", args));
    }

    @Test
    void integersNameTheirRangeForBadTextAndOutOfRangeValues() {
        assertThat(parse("--n", "7").longValue("--n", 1, 1, Long.MAX_VALUE)).isEqualTo(7);
        assertThat(parse().longValue("--n", 3, 1, Long.MAX_VALUE)).isEqualTo(3);
        assertThat(problem(cl -> cl.longValue("--n", 1, 1, Long.MAX_VALUE), "--n", "0"))
                .isEqualTo("--n expects a positive integer, got '0'");
        assertThat(problem(cl -> cl.longValue("--n", 1, 1, Long.MAX_VALUE), "--n", "x"))
                .isEqualTo("--n expects a positive integer, got 'x'");
        assertThat(problem(cl -> cl.longValue("--n", 0, -2, Long.MAX_VALUE), "--n", "-3"))
                .isEqualTo("--n expects an integer >= -2, got '-3'");
        assertThat(problem(cl -> cl.integer("--n", 1, 1, 256), "--n", "257"))
                .isEqualTo("--n expects an integer in [1, 256], got '257'");
        assertThat(problem(cl -> cl.longValue("--n", 0), "--n", "1.5")).isEqualTo("--n expects an integer, got '1.5'");
    }

    @Test
    void numbersNameTheirRangeWithOpenAndUnboundedEnds() {
        assertThat(parse("--x", "Infinity").number("--x", 0, 0, Double.POSITIVE_INFINITY, false)).isInfinite();
        assertThat(problem(cl -> cl.number("--x", 1, Double.MIN_VALUE, Double.MAX_VALUE, false), "--x", "0"))
                .isEqualTo("--x expects a positive finite number, got '0'");
        assertThat(problem(cl -> cl.number("--x", 1, Double.MIN_VALUE, Double.POSITIVE_INFINITY, false), "--x", "-1"))
                .isEqualTo("--x expects a positive number, got '-1'");
        assertThat(problem(cl -> cl.number("--x", 1, 0, Double.MAX_VALUE, false), "--x", "Infinity"))
                .isEqualTo("--x expects a finite number >= 0, got 'Infinity'");
        assertThat(problem(cl -> cl.number("--x", 1, 0.5, 1, true), "--x", "1"))
                .isEqualTo("--x expects a number in [0.5, 1), got '1'");
        assertThat(problem(cl -> cl.number("--x", 1, Double.MIN_VALUE, 10, false), "--x", "ten"))
                .isEqualTo("--x expects a number in (0, 10], got 'ten'");
    }

    @Test
    void aChoiceListsItsWordsInOrder() {
        Map<String, Integer> words = Map.of("one", 1, "two", 2, "three", 3);
        assertThat(parse("--mode", "two").choice("--mode", 0, words)).isEqualTo(2);
        assertThat(parse().choice("--mode", 0, words)).isZero();
        assertThat(problem(cl -> cl.choice("--mode", 0, words), "--mode", "four"))
                .isEqualTo("--mode expects one, three or two, got 'four'");
        assertThat(problem(cl -> cl.choice("--mode", 0, Map.of("on", 1)), "--mode", "off"))
                .isEqualTo("--mode expects on, got 'off'");
    }

    @Test
    void filesAndFoldersMustExistAndBeOfTheirKind() throws IOException {
        Path file = Files.writeString(tmp.resolve("a.txt"), "a");
        Path none = tmp.resolve("none");
        assertThat(parse("--file", file.toString()).file("--file")).isEqualTo(file);
        assertThat(parse("--dir", tmp.toString()).folder("--dir")).isEqualTo(tmp);
        assertThat(parse().file("--file")).isNull();
        assertThat(parse().folder("--dir")).isNull();
        assertThat(problem(cl -> cl.file("--file"), "--file", tmp.toString()))
                .isEqualTo("--file " + tmp + " is a folder, not a file");
        assertThat(problem(cl -> cl.file("--file"), "--file", none.toString()))
                .isEqualTo("--file " + none + ": no such file");
        assertThat(problem(cl -> cl.folder("--dir"), "--dir", file.toString()))
                .isEqualTo("--dir " + file + " is a file, not a folder");
        assertThat(problem(cl -> cl.folder("--dir"), "--dir", none.toString()))
                .isEqualTo("--dir " + none + ": no such folder");
    }

    @Test
    void givenListsEachOptionOnceInOrderAndPositionalsCanBeRefused() {
        CommandLine cl = parse("--fast", "--n=1", "--fast", "--dry", "--", "--x");
        assertThat(cl.given()).containsExactly("--fast", "--n", "--dry");
        assertThat(cl.positional()).containsExactly("--x");
        assertThat(problem(CommandLine::noPositional, "--dry", "extra")).isEqualTo("unexpected argument 'extra'");
        assertThat(parse("--help").given()).isEmpty();
    }
}
