package org.blades.data.loader;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.blades.data.FaceAnnotation;
import org.blades.data.ImageIndex;
import org.blades.data.IndexBuilder;
import org.blades.data.manip.Manipulation;
import org.blades.data.manip.ManipulationOptions;
import org.blades.testing.ReferenceFile;

// H/W = image height/width

/** Small image folders and their indexes for the loader tests. */
final class LoaderFixture {

    /** ../shared/data/samples: camera photographs with real EXIF. */
    static final Path SAMPLES = ReferenceFile.projectRoot().resolveSibling("shared").resolve("data/samples");

    private LoaderFixture() {
    }

    /** Writes {@code count} PNGs of seeded noise, img00.png, img01.png, ... (PNG: no EXIF, so every tag is missing). */
    static void noisePngs(Path dir, int count, int width, int height, long seed) throws IOException {
        for (int i = 0; i < count; i++) {
            noisePng(dir.resolve(String.format("img%02d.png", i)), width, height, seed + i);
        }
    }

    static void noisePng(Path file, int width, int height, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rng.nextInt(1 << 24));
            }
        }
        write(img, file);
    }

    /** A blue W x H picture with a red rectangle [x0, x1) x [y0, y1): the "face". */
    static void redSquare(Path file, int width, int height, int x0, int y0, int x1, int y1) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean face = x >= x0 && x < x1 && y >= y0 && y < y1;
                img.setRGB(x, y, face ? 0xFF0000 : 0x0000FF);
            }
        }
        write(img, file);
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    /** Indexes {@code dir} (tertiles fitted on it) with the given face annotations by image id. */
    static ImageIndex index(Path dir, Map<String, FaceAnnotation> faces) throws IOException {
        IndexBuilder.Options o = new IndexBuilder.Options(IndexBuilder.Options.defaults().labels(),
                IndexBuilder.Options.defaults().decode(), 2, null, null, faces);
        return IndexBuilder.build(dir, dir.toString(), o, null, (done, total, bad) -> { }).index();
    }

    static void copySample(String name, Path dir) throws IOException {
        Files.copy(SAMPLES.resolve(name), dir.resolve(name));
    }

    /** The default options with every sample left a photograph. */
    static ManipulationOptions noManipulation() {
        ManipulationOptions d = ManipulationOptions.defaults();
        return new ManipulationOptions(1.0, d.manipulations(), d.mouthVerticalAxis(), d.noseAxis(), d.featherFraction(),
                d.blendStrengths(), d.warpScaleMin(), d.warpScaleMax(), d.warpGridPoints(), d.regions());
    }

    /** Only region flips (no photographs, no warp): every sample needs its regions. */
    static ManipulationOptions onlyFlips() {
        ManipulationOptions d = ManipulationOptions.defaults();
        return new ManipulationOptions(0.0, List.of(Manipulation.EYE_HFLIP, Manipulation.MOUTH_HFLIP),
                d.mouthVerticalAxis(), d.noseAxis(), d.featherFraction(), d.blendStrengths(), d.warpScaleMin(),
                d.warpScaleMax(), d.warpGridPoints(), d.regions());
    }

    /** Live loader worker threads. */
    static List<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("blades-loader-")).toList();
    }
}
