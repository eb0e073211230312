package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.blades.gradcheck.OpCase;
import org.blades.gradcheck.WrongOps;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code blades gradcheck} subcommand: table content and exit codes 0 (pass), 1 (fail), 2 (usage). */
class GradCheckCommandTest {

    /** What one invocation printed and returned. */
    private record Result(int code, String out, String err) {
    }

    private static Result run(List<OpCase> cases, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = cases == null ? GradCheckCommand.run(args, o, e) : GradCheckCommand.run(args, cases, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Tensor x() {
        double[] v = {0.5, -1.2, 0.9, 1.7, -0.4, 2.1}; // away from 0, so every element's error shows
        return Tensor.of(v, 2, 3).requiresGrad(true).named("x");
    }

    private static final OpCase GOOD = new OpCase("square right", () -> List.of(x()), in -> in.get(0).pow(2.0));
    private static final OpCase BROKEN = new OpCase("square wrong at one element", () -> List.of(x()),
            in -> WrongOps.squareWrongAt(in.get(0), 4));
    private static final OpCase THROWS = new OpCase("shape bug", () -> List.of(x()),
            in -> in.get(0).matmul(Tensor.zeros(DType.F64, 2, 3)));

    @Test
    void filteredRegistryRunPrintsTheTableAndExitsZero() {
        Result r = run(null, "--filter", "matmul");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("thresholds: eps 1.00e-06, fail where rel err > 1.00e-06 and abs err > 1.00e-08")
                .containsPattern("case\\s+elements\\s+max abs err\\s+max rel err\\s+result")
                .containsPattern("matmul \\(3, 4\\) @ \\(4, 5\\)\\s+32\\s+\\S+\\s+\\S+\\s+PASS")
                .contains("PASS: ").doesNotContain("FAIL").doesNotContain("logsumexp");
        assertThat(r.out().lines().filter(l -> l.startsWith("matmul")).count()).isGreaterThan(5);
    }

    @Test
    void optionsReachTheCheckAndArePrinted() {
        Result r = run(null, "--filter", "sum all", "--eps", "1e-5", "--rtol", "1e-3", "--atol=1e-7",
                "--max-elements", "5", "--seed", "7");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("eps 1.00e-05, fail where rel err > 1.00e-03 and abs err > 1.00e-07")
                .contains("elements per tensor <= 5, seed 7")
                .containsPattern("sum all of \\(3, 4, 5\\)\\s+5\\s");
    }

    @Test
    void aFailingCaseGivesExitOneAndItsTable() {
        Result r = run(List.of(GOOD, BROKEN));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).containsPattern("square right\\s+6\\s+\\S+\\s+\\S+\\s+PASS")
                .containsPattern("square wrong at one element\\s+6\\s+\\S+\\s+\\S+\\s+FAIL")
                .contains("gradcheck square wrong at one element: FAIL, 1 of 6 elements fail")
                .containsPattern("x\\s+\\[1, 1\\].*FAIL")
                .contains("FAIL: 2 cases, 1 passed, 1 failed");
    }

    @Test
    void aCaseThatThrowsIsAnErrorRowAndTheOthersStillRun() {
        Result r = run(List.of(THROWS, GOOD));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).containsPattern("shape bug\\s+-\\s+-\\s+-\\s+ERROR")
                .contains("gradcheck shape bug: ERROR java.lang.IllegalArgumentException: matmul")
                .containsPattern("square right\\s+6\\s+\\S+\\s+\\S+\\s+PASS");
    }

    @Test
    void badUsageIsOneLineOnStderrAndExitTwo() {
        String[][] bad = {
            {"--bogus"}, {"--eps"}, {"--eps", "abc"}, {"--eps", "-1"}, {"--max-elements", "2.5"},
            {"--rtol", "-0.1"}, {"--filter", "no case has this name"}, {"extra"},
        };
        for (String[] args : bad) {
            Result r = run(List.of(GOOD), args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).startsWith("gradcheck: ");
        }
        assertThat(run(List.of(GOOD), "--eps", "abc").err())
                .contains("--eps expects a positive finite number, got 'abc'");
        assertThat(run(List.of(GOOD), "--bogus").err()).contains("unknown option '--bogus'");
    }

    /** args, then the one line gradcheck prints for them between "gradcheck: " and " (see blades gradcheck --help)". */
    static Stream<Arguments> badUsage() {
        return Stream.of(
                Arguments.of(new String[] {"--eps", "0"}, "--eps expects a positive finite number, got '0'"),
                Arguments.of(new String[] {"--eps=Infinity"}, "--eps expects a positive finite number, got 'Infinity'"),
                Arguments.of(new String[] {"--eps"}, "--eps needs a value"),
                Arguments.of(new String[] {"--rtol", "NaN"}, "--rtol expects a number >= 0, got 'NaN'"),
                Arguments.of(new String[] {"--atol", "tiny"}, "--atol expects a number >= 0, got 'tiny'"),
                Arguments.of(new String[] {"--atol", "-1e-9"}, "--atol expects a number >= 0, got '-1e-9'"),
                Arguments.of(new String[] {"--atol"}, "--atol needs a value"),
                Arguments.of(new String[] {"--max-elements", "-1"},
                        "--max-elements expects an integer in [0, 2147483647], got '-1'"),
                Arguments.of(new String[] {"--max-elements", "3000000000"},
                        "--max-elements expects an integer in [0, 2147483647], got '3000000000'"),
                Arguments.of(new String[] {"--seed", "1.5"}, "--seed expects an integer, got '1.5'"),
                Arguments.of(new String[] {"--seed"}, "--seed needs a value"),
                Arguments.of(new String[] {"--filter"}, "--filter needs a value"),
                Arguments.of(new String[] {"--filter", "nothing"}, "no case name contains 'nothing'"),
                Arguments.of(new String[] {"--eps", "1e-5", "--eps", "1e-4"}, "--eps given 2 times ('1e-5', '1e-4')"),
                Arguments.of(new String[] {"-x"}, "unknown option '-x'"),
                Arguments.of(new String[] {"--", "--eps"}, "unexpected argument '--eps'"));
    }

    @ParameterizedTest
    @MethodSource("badUsage")
    void eachOptionRejectsABadValueWithOneLineAndExitTwo(String[] args, String message) {
        Result r = run(List.of(GOOD), args);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("gradcheck: " + message + " (see blades gradcheck --help)\n");
    }

    @Test
    void theEdgesOfEachRangeAreAccepted() {
        Result r = run(List.of(GOOD), "--eps=1e-4", "--rtol", "Infinity", "--atol", "0", "--max-elements", "0",
                "--seed", "-3", "--filter", "");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("eps 1.00e-04, fail where rel err > Infinity and abs err > 0.00e+00")
                .contains("elements per tensor all, seed -3").contains("PASS: 1 cases, 1 passed, 0 failed");
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Result r = run(List.of(GOOD), "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("usage: blades gradcheck").contains("--max-elements N").contains("Exit code");
        Result shortForm = run(List.of(BROKEN), "--filter", "square", "-h");
        assertThat(shortForm.code()).isZero();
        assertThat(shortForm.out()).isEqualTo(GradCheckCommand.USAGE + "\n");
        assertThat(shortForm.err()).isEmpty();
    }
}
