package org.blades.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.blades.testing.ReferenceFile;

// H/W = image height/width

/**
 * Small synthetic image sets for the detection commands' tests, and a runner that captures a command's output.
 * "Photographs" are smooth colour gradients with mild noise, "AI-generated" images are blotchy high-frequency
 * patterns, so even an untrained encoder separates them a little; both are tiny so every test runs in milliseconds.
 */
final class DetectionFixture {
    private DetectionFixture() {
    }

    /** The test images of the decoder tests: a truncated JPEG and a file that is not an image. */
    static final Path BAD_IMAGES = ReferenceFile.projectRoot().resolve("src/test/resources/images");

    /** Arguments that select the tiny portable-init encoder at 32 x 32. */
    static final String[] TINY = {"--preset", "tiny", "--input-size", "32"};

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @FunctionalInterface
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    static Run run(Command command, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = command.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Writes {@code count} images named {@code prefix}0.{ext} ... into {@code dir}.
     *
     * @param format "png" or "jpg"
     * @param photo  smooth (photograph-like) or blotchy (generated-like)
     */
    static void images(Path dir, String prefix, int count, String format, int size, boolean photo, long seed)
            throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            Files.write(dir.resolve(prefix + i + "." + format), encode(image(size, size, photo, seed * 1000 + i), format));
        }
    }

    static BufferedImage image(int w, int h, boolean photo, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double[] base = {rnd.nextDouble(40, 215), rnd.nextDouble(40, 215), rnd.nextDouble(40, 215)};
        double[] slope = {rnd.nextDouble(-2, 2), rnd.nextDouble(-2, 2), rnd.nextDouble(-2, 2)};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double v = photo ? base[c] + slope[c] * (x + y) + rnd.nextDouble(-4, 4)
                            : base[c] + rnd.nextDouble(-90, 90) * (((x / 3 + y / 3) & 1) == 0 ? 1 : -0.5);
                    rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, Math.round(v)));
                }
                bi.setRGB(x, y, rgb);
            }
        }
        return bi;
    }

    static byte[] encode(BufferedImage bi, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(bi, format.equals("jpg") ? "jpeg" : format, bytes)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return bytes.toByteArray();
    }
}
