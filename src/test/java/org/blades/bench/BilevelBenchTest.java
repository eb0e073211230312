package org.blades.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench's output format on a minimal tiny run (no timing is asserted). */
class BilevelBenchTest {

    private static String run(int expectedCode, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = BilevelBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(expectedCode);
        return text;
    }

    @Test
    void reportsTheRatioAndImagesPerSecondWithTheResultLineLast() {
        String text = run(0, "--preset", "tiny", "--batch", "2", "--iters", "1", "--warmup", "0");
        assertThat(text).contains("tiny: batch 2:").contains("images/s").contains("bi-level / plain = ");
        String[] lines = text.strip().split("\n");
        assertThat(lines[lines.length - 1]).matches("RESULT bilevel_step_ratio=\\d+\\.\\d{3}");
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertThat(run(2, "--preset", "huge")).contains("unknown preset");
        assertThat(run(2, "--batch", "0")).contains("positive integer");
        assertThat(run(2, "--iters")).contains("usage");
    }
}
