package org.blades.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderBenchTest {

    @Test
    void reportsImagesPerSecondOnTheLastLine(@TempDir Path dir) throws IOException {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 32 * 24; p++) {
                img.setRGB(p % 32, p / 32, rng.nextInt(1 << 24));
            }
            ImageIO.write(img, "png", dir.resolve("i" + i + ".png").toFile());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = LoaderBench.run(new String[] {"--dir", dir.toString(), "--samples", "12", "--size", "48",
            "--batch", "4", "--workers", "2"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        String[] lines = out.strip().split("\n");
        assertThat(lines[lines.length - 1]).matches("RESULT loader_images_per_s=[0-9]+\\.[0-9]");
        assertThat(out).contains("6 images, 0 unreadable", "training needs 5.9 images/s");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(LoaderBench.run(new String[] {"--samples", "0"}, out)).isEqualTo(2);
        assertThat(LoaderBench.run(new String[] {"--dir", "/no/such/dir"}, out)).isEqualTo(2);
        assertThat(LoaderBench.run(new String[] {"--frobnicate", "1"}, out)).isEqualTo(2);
    }
}
