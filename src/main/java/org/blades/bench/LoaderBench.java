package org.blades.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.blades.data.FaceAnnotation;
import org.blades.data.ImageIndex;
import org.blades.data.IndexBuilder;
import org.blades.data.loader.Batch;
import org.blades.data.loader.BatchSampler;
import org.blades.data.loader.DataLoader;
import org.blades.data.loader.FaceDataset;
import org.blades.data.loader.LoaderOptions;
import org.blades.data.loader.Sample;
import org.blades.data.loader.SampleOptions;
import org.blades.data.loader.SamplerOptions;
import org.blades.data.manip.Manipulation;

/**
 * Training-loader throughput: decoded + cropped + resized + manipulated + normalised images per second through
 * {@link DataLoader} at the model input size, with the trainer consuming batches as fast as they come.
 *
 * <p>Over a folder of images ({@code --dir}, default {@code ../shared/data/samples}, the 194 bundled demo
 * photographs, up to 384 px), indexed in memory first (not timed). A warm-up pass lets C2 compile
 * the decoder and the manipulations; the timed pass then starts a fresh loader (nothing in flight) and takes
 * {@code --samples} images. A second measurement loads samples one by one on the calling thread and reports the
 * thread's CPU milliseconds per image, overall and per manipulation: what the loader takes away from training on
 * the same cores.
 *
 * <p>Options: {@code --dir DIR --landmarks FILE (an FDF-style side file, as for blades index: face boxes and
 * landmarks) --samples N (384) --size PX (224) --batch B (16) --workers N (cores) --prefetch P (2) --seed S (42)}.
 * The last line is {@code RESULT loader_images_per_s=<value>}.
 */
public final class LoaderBench {

    /** The training cost: one ResNet-50 training step takes about 170 ms per image on 2 cores. */
    private static final double TRAIN_MS_PER_IMAGE = 170.0;

    private LoaderBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the benchmark; returns a process exit code (0 success, 1 failure, 2 bad arguments). */
    public static int run(String[] args, PrintStream out) {
        String dir = "../shared/data/samples";
        String landmarks = null;
        int samples = 384;
        int size = 224;
        int batch = 16;
        int workers = Runtime.getRuntime().availableProcessors();
        int prefetch = 2;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length || !a.startsWith("--")) {
                out.println(usage());
                return 2;
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--dir" -> dir = v;
                    case "--landmarks" -> landmarks = v;
                    case "--samples" -> samples = positive(a, v);
                    case "--size" -> size = positive(a, v);
                    case "--batch" -> batch = positive(a, v);
                    case "--workers" -> workers = positive(a, v);
                    case "--prefetch" -> prefetch = positive(a, v);
                    case "--seed" -> seed = Long.parseLong(v);
                    default -> {
                        out.println("LoaderBench: unknown option " + a + "\n" + usage());
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                String what = a.equals("--seed") ? "an integer" : "a positive integer";
                out.println("LoaderBench: " + a + " expects " + what + ", got '" + v + "'");
                return 2;
            }
        }
        Path root = Path.of(dir);
        if (!Files.isDirectory(root)) {
            out.println("LoaderBench: " + root.toAbsolutePath().normalize() + " is not a directory (run from the "
                    + "project root, where ../shared/data/samples holds the demo photographs, or pass --dir DIR)");
            return 2;
        }
        try {
            Map<String, FaceAnnotation> faces = landmarks == null ? Map.of()
                    : FaceAnnotation.readSideFile(Path.of(landmarks));
            return bench(root, faces, samples, size, batch, workers, prefetch, seed, out);
        } catch (IOException | RuntimeException e) {
            out.println("LoaderBench: " + e);
            return 1;
        }
    }

    private static int bench(Path root, Map<String, FaceAnnotation> faces, int samples, int size, int batch,
            int workers, int prefetch, long seed, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        IndexBuilder.Options defaults = IndexBuilder.Options.defaults();
        IndexBuilder.Options indexing = new IndexBuilder.Options(defaults.labels(), defaults.decode(), workers, null,
                null, faces);
        ImageIndex index = IndexBuilder.build(root, root.toString(), indexing, null, (done, total, bad) -> { }).index();
        out.printf(Locale.ROOT, "LoaderBench: indexed %s in %.1f s: %d images, %d unreadable (not timed)%n", root,
                (System.nanoTime() - t0) / 1e9, index.summary().images(), index.summary().unreadable());
        FaceDataset dataset = new FaceDataset(index, root, SampleOptions.defaults().withSize(size, size));
        out.println("dataset: " + dataset.describe());
        SamplerOptions sampling = new SamplerOptions(seed, Math.min(batch, dataset.size()),
                SamplerOptions.LastBatch.DROP);
        LoaderOptions loading = new LoaderOptions(workers, prefetch);
        out.printf(Locale.ROOT, "loader: %d workers, %d batches of %d prefetched, %d px, java %s, %d cores%n", workers,
                prefetch, sampling.batchSize(), size, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());

        // Warm-up: about as many images as the timed pass, so the timed pass runs compiled code.
        drain(dataset, BatchSampler.inner(dataset.size(), sampling.withSeed(seed + 1)), loading, samples);

        long start = System.nanoTime();
        int[] counts = drain(dataset, BatchSampler.inner(dataset.size(), sampling), loading, samples);
        double seconds = (System.nanoTime() - start) / 1e9;
        double perSecond = counts[0] / seconds;
        out.printf(Locale.ROOT, "timed: %d images in %d batches, %.2f s: %.1f images/s (%d unusable images replaced)%n",
                counts[0], counts[1], seconds, perSecond, counts[2]);

        double cpuMs = serial(dataset, Math.min(samples, 2 * dataset.size()), seed, out);
        double needed = 1000.0 / TRAIN_MS_PER_IMAGE;
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "training needs %.1f images/s (ResNet-50 step ~%.0f ms/image): the loader delivers "
                + "%.0fx that; at training speed it takes %.1f%% of the %d cores (%.1f ms CPU per image)%n", needed,
                TRAIN_MS_PER_IMAGE, perSecond / needed, 100.0 * cpuMs * needed / 1000.0 / cores, cores, cpuMs);
        out.printf(Locale.ROOT, "RESULT loader_images_per_s=%.1f%n", perSecond);
        return 0;
    }

    /** Takes batches until {@code samples} images came; returns (images, batches, replaced images). */
    private static int[] drain(FaceDataset dataset, BatchSampler sampler, LoaderOptions options, int samples) {
        int images = 0;
        int batches = 0;
        int replaced = 0;
        try (DataLoader loader = new DataLoader(dataset, sampler, options)) {
            while (images < samples) {
                Batch b = loader.next();
                images += b.size();
                batches++;
                replaced += b.errors().size();
            }
        }
        return new int[] {images, batches, replaced};
    }

    /** Mean CPU milliseconds per sample on this thread (wall time where CPU time is unsupported), printed by kind. */
    private static double serial(FaceDataset dataset, int n, long seed, PrintStream out) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        boolean cpuTime = cpu.isCurrentThreadCpuTimeSupported();
        Map<Manipulation, double[]> byKind = new EnumMap<>(Manipulation.class); // kind -> (count, total ms)
        double total = 0;
        int ok = 0;
        for (int i = 0; i < n; i++) {
            long t = cpuTime ? cpu.getCurrentThreadCpuTime() : System.nanoTime();
            Sample s;
            try {
                s = dataset.load(i % dataset.size(), seed + i / dataset.size());
            } catch (IOException e) {
                continue;
            }
            double ms = ((cpuTime ? cpu.getCurrentThreadCpuTime() : System.nanoTime()) - t) / 1e6;
            total += ms;
            ok++;
            double[] c = byKind.computeIfAbsent(s.manipulation(), k -> new double[2]);
            c[0]++;
            c[1] += ms;
        }
        StringBuilder sb = new StringBuilder();
        byKind.forEach((k, c) -> sb.append(String.format(Locale.ROOT, " %s %.1f (%d)", k, c[1] / c[0], (int) c[0])));
        double mean = total / Math.max(ok, 1);
        out.printf(Locale.ROOT, "one thread: %.1f ms %s per image over %d; by manipulation (ms, count):%s%n", mean,
                cpuTime ? "CPU" : "wall", ok, sb);
        return mean;
    }

    private static int positive(String option, String value) {
        int v = Integer.parseInt(value);
        if (v <= 0) {
            throw new NumberFormatException(option);
        }
        return v;
    }

    private static String usage() {
        return "usage: LoaderBench [--dir DIR] [--landmarks FILE] [--samples N] [--size PX] [--batch B] [--workers N]"
                + " [--prefetch P] [--seed S]";
    }
}
