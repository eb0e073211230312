package org.blades.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Only the argument handling: a real run builds ResNet-50 and takes tens of seconds (it is a benchmark). */
class ResNetBenchTest {

    @Test
    void badArgumentsAreUsageErrors() {
        for (String[] args : new String[][] {{"--memory", "--layers"}, {"--size", "16"}, {"--iters", "0"},
            {"--batch"}, {"--depth", "3"}}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int rc = ResNetBench.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(rc).as(String.join(" ", args)).isEqualTo(2);
            assertThat(out).as(String.join(" ", args)).startsWith("ResNetBench: ").contains("usage: bench resnet50");
        }
    }
}
