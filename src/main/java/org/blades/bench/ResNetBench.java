package org.blades.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blades.kernels.Parallel;
import org.blades.kernels.VectorSupport;
import org.blades.models.vision.ResNet;
import org.blades.models.vision.ResNetConfig;
import org.blades.models.vision.ResNetInference;
import org.blades.nn.PortableInit;
import org.blades.tensor.Autograd;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;

// N = batch, S = input height = width (224), D = output features (768)

/**
 * {@code blades bench resnet50}: ResNet-50 (fc = Linear(2048, 768), float32, portable weights) on seeded
 * standard-normal (N, 3, S, S) inputs, timed as reference-data/bench_models_torch.py times PyTorch:
 * <ul>
 *   <li>inference: evaluation mode under {@link Autograd#noGrad()} (every conv + batch norm (+ ReLU) fused),
 *       at each batch of {@code --batch} (default 1 and 8);</li>
 *   <li>inference, frozen: the same through {@link ResNetInference} (weights prepared once, activation buffers
 *       reused; the script times torch.jit.freeze + optimize_for_inference as its counterpart);</li>
 *   <li>training: {@code zeroGrad}, forward in training mode (batch statistics), loss = out.sum(), backward, at
 *       {@code --train-batch} (default 8).</li>
 * </ul>
 * Each mode runs {@code --warmup} untimed iterations, then {@code --iters} timed ones; the table gives
 * milliseconds per image (iteration time / N), median and best. The last line is
 * {@code RESULT resnet50_infer_b1_ms=<v> resnet50_train_b8_ms=<v>} (medians; inference is the frozen path, the
 * one the detection stage runs).
 *
 * <p>{@code --layers}: instead, each distinct convolution of ResNet-50 at 224 px alone ({@link Conv#conv2d},
 * inference, no epilogue) at the first {@code --batch}: milliseconds per call, GFLOP/s, and the sum over the
 * model's 53 convolutions. Last line {@code RESULT resnet50_convs_b<N>_ms=<v>}; the same table for PyTorch is
 * {@code bench_models_torch.py --modes layers}.
 *
 * <p>{@code --memory}: instead of timing, the heap one training step at {@code --memory-batch} (default 48)
 * needs; run it with a heap of at least 4.8 GiB (e.g. {@code -Xmx5g}, see {@link #memory}). Last line
 * {@code RESULT resnet50_train_b48_live_mib=<v> resnet50_train_b48_peak_heap_mib=<v>}.
 */
public final class ResNetBench {
    private static final long INPUT_SEED = 1234;
    private static final long WEIGHT_SEED = 2024;

    private ResNetBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** The parsed command line. */
    private record Options(int threads, int iters, int warmup, List<Integer> batches, int trainBatch, int size,
                           boolean memory, int memoryBatch, boolean layers) {
    }

    private static final String USAGE = "usage: bench resnet50 [--threads N (2)] [--iters N (10)] [--warmup N (3)]"
            + " [--batch 1,8] [--train-batch 8] [--size 224] [--layers] | --memory [--memory-batch 48] [--threads N]";

    /**
     * ResNet-50's convolutions at 224 px as torchvision builds them: {C, H, O, kernel, stride, count}, input (C, H,
     * H), padding kernel / 2, count = how many of the model's 53 have that shape (downsample projections
     * included).
     */
    private static final int[][] RESNET50_CONVS = {
        {3, 224, 64, 7, 2, 1},
        {64, 56, 64, 1, 1, 1}, {64, 56, 64, 3, 1, 3}, {64, 56, 256, 1, 1, 4}, {256, 56, 64, 1, 1, 2},
        {256, 56, 128, 1, 1, 1}, {128, 56, 128, 3, 2, 1}, {256, 56, 512, 1, 2, 1}, {128, 28, 512, 1, 1, 4},
        {512, 28, 128, 1, 1, 3}, {128, 28, 128, 3, 1, 3},
        {512, 28, 256, 1, 1, 1}, {256, 28, 256, 3, 2, 1}, {512, 28, 1024, 1, 2, 1}, {256, 14, 1024, 1, 1, 6},
        {1024, 14, 256, 1, 1, 5}, {256, 14, 256, 3, 1, 5},
        {1024, 14, 512, 1, 1, 1}, {512, 14, 512, 3, 2, 1}, {1024, 14, 2048, 1, 2, 1}, {512, 7, 2048, 1, 1, 3},
        {2048, 7, 512, 1, 1, 2}, {512, 7, 512, 3, 1, 2},
    };

    /** Runs the benchmark; returns a process exit code (0 on success, 2 on bad arguments). */
    public static int run(String[] args, PrintStream out) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        Parallel.setThreads(o.threads());
        out.printf("ResNetBench: resnet50 (fc 2048 -> 768) float32, %dx%d inputs, threads=%d, %s, java %s,"
                        + " max heap %d MiB, load average %.2f at start%n", o.size(), o.size(), Parallel.threads(),
                VectorSupport.describe(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, BenchTiming.loadAverage());
        if (o.layers()) {
            return layers(o, out);
        }
        ResNet model = new ResNet(DType.F32, ResNetConfig.resnet50());
        PortableInit.init(model, WEIGHT_SEED);
        return o.memory() ? memory(model, o, out) : timing(model, o, out);
    }

    private static Options parse(String[] args) {
        int threads = 2;
        int iters = 10;
        int warmup = 3;
        List<Integer> batches = List.of(1, 8);
        int trainBatch = 8;
        int size = 224;
        boolean memory = false;
        boolean layers = false;
        int memoryBatch = 48;
        String b = "ResNetBench";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--memory")) {
                memory = true;
                continue;
            }
            if (a.equals("--layers")) {
                layers = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(b + ": " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--threads" -> threads = BenchTiming.positive(b, a, v);
                case "--iters" -> iters = BenchTiming.positive(b, a, v);
                case "--warmup" -> warmup = BenchTiming.nonNegative(b, a, v);
                case "--batch" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String s : v.split(",")) {
                        list.add(BenchTiming.positive(b, a, s.trim()));
                    }
                    batches = List.copyOf(list);
                }
                case "--train-batch" -> trainBatch = BenchTiming.positive(b, a, v);
                case "--size" -> size = BenchTiming.positive(b, a, v);
                case "--memory-batch" -> memoryBatch = BenchTiming.positive(b, a, v);
                default -> throw new IllegalArgumentException(b + ": unknown option '" + a + "'");
            }
        }
        if (size < 32) {
            // five stride-2 steps; training batch norm at layer4 needs more than one value per channel
            throw new IllegalArgumentException(b + ": --size must be >= 32, got " + size);
        }
        if (memory && layers) {
            throw new IllegalArgumentException(b + ": --memory and --layers are separate runs");
        }
        return new Options(threads, iters, warmup, batches, trainBatch, size, memory, memoryBatch, layers);
    }

    private static Tensor input(int batch, int size) {
        return Tensor.randn(DType.F32, INPUT_SEED, batch, 3, size, size); // (N, 3, S, S)
    }

    /** One training iteration: forward in training mode, backward of out.sum(), gradients zeroed. */
    private static void trainStep(ResNet model, Tensor x) {
        model.zeroGrad();
        model.forward(x).sum().backward(); // forward (N, D)
    }

    private static int timing(ResNet model, Options o, PrintStream out) {
        out.printf("warm-up %d, median of %d iterations%n", o.warmup(), o.iters());
        BenchTiming.header(out, "ms/image");
        double inferB1 = Double.NaN;
        model.train(false);
        for (int n : o.batches()) {
            Tensor x = input(n, o.size()); // (N, 3, S, S)
            double[] s = BenchTiming.time(() -> {
                try (var scope = Autograd.noGrad()) {
                    model.forward(x); // (N, D)
                }
            }, o.warmup(), o.iters());
            BenchTiming.row(out, "resnet50 inference", n, s, n);
        }
        ResNetInference frozen = new ResNetInference(model);
        for (int n : o.batches()) {
            Tensor x = input(n, o.size()); // (N, 3, S, S)
            double[] s = BenchTiming.time(() -> frozen.forward(x), o.warmup(), o.iters()); // (N, D)
            double ms = BenchTiming.row(out, "resnet50 inference, frozen", n, s, n);
            if (n == 1) {
                inferB1 = ms;
            }
        }
        frozen.releaseBuffers();
        model.train(true);
        Tensor x = input(o.trainBatch(), o.size()); // (N, 3, S, S)
        double[] s = BenchTiming.time(() -> trainStep(model, x), o.warmup(), o.iters());
        double train = BenchTiming.row(out, "resnet50 training fwd+bwd", o.trainBatch(), s, o.trainBatch());
        out.printf("load average %.2f at end%n", BenchTiming.loadAverage());
        out.printf("RESULT resnet50_infer_b1_ms=%.1f resnet50_train_b%d_ms=%.1f%n", inferB1, o.trainBatch(), train);
        return 0;
    }

    /**
     * Each distinct convolution alone. The warm-up runs every shape in turn (at least {@code --warmup} rounds and
     * {@link BenchTiming#WARMUP_SECONDS}): each shape reaches its own code paths (im2col, grouped, Winograd), all
     * of which C2 must have compiled before any is timed.
     */
    private static int layers(Options o, PrintStream out) {
        int n = o.batches().get(0);
        out.printf("warm-up %d rounds over all shapes, median of %d iterations; inference conv2d, no epilogue%n",
                o.warmup(), o.iters());
        out.printf("%-34s %5s %8s %14s %14s %8s%n", "convolution", "batch", "count", "ms median", "ms best",
                "GFLOP/s");
        Runnable[] steps = new Runnable[RESNET50_CONVS.length];
        for (int i = 0; i < steps.length; i++) {
            int[] l = RESNET50_CONVS[i];
            int c = l[0], h = l[1], oc = l[2], k = l[3];
            Tensor x = Tensor.randn(DType.F32, INPUT_SEED, n, c, h, h); // (N, C, H, H)
            Tensor w = Tensor.randn(DType.F32, WEIGHT_SEED, oc, c, k, k)
                    .mul(1.0 / Math.sqrt(c * k * k)); // (O, C, k, k)
            Conv2dOptions opts = Conv2dOptions.of(l[4], k / 2);
            steps[i] = () -> {
                try (var scope = Autograd.noGrad()) {
                    Conv.conv2d(x, w, null, opts); // (N, O, OH, OH)
                }
            };
        }
        BenchTiming.time(() -> {
            for (Runnable step : steps) {
                step.run();
            }
        }, o.warmup(), 0);
        double total = 0;
        for (int i = 0; i < steps.length; i++) {
            int[] l = RESNET50_CONVS[i];
            int c = l[0], h = l[1], oc = l[2], k = l[3], stride = l[4], count = l[5];
            double[] s = BenchTiming.time(steps[i], 0, o.iters());
            double ms = BenchTiming.median(s) * 1e3;
            int oh = (h + 2 * (k / 2) - k) / stride + 1;
            double flops = 2.0 * n * oc * c * k * k * oh * oh;
            out.printf("%-34s %5d %8d %14.3f %14.3f %8.1f%n",
                    String.format("%d->%d %dx%d/%d @%d", c, oc, k, k, stride, h), n, count, ms,
                    BenchTiming.min(s) * 1e3, flops / (ms * 1e6));
            total += count * ms;
        }
        out.printf("sum over the 53 convolutions: %.1f ms per batch, %.1f ms per image%n", total, total / n);
        out.printf("RESULT resnet50_convs_b%d_ms=%.1f%n", n, total);
        return 0;
    }

    /**
     * The heap one training step needs. One untimed step first (so the parameter gradients exist, as in a
     * training loop, and the code is compiled), then a full GC and the heap pools' peaks are reset; the
     * measured step reports
     * <ul>
     *   <li>live: heap in use after a full GC at the end of the forward pass, when the tape holds every saved
     *       activation (the step's high-water mark of reachable data, plus the weights, gradients and input);</li>
     *   <li>peak heap: the sum of the heap pools' peak usage over the step, an upper bound that also counts
     *       garbage the collector had not reclaimed yet, so it grows with the heap the JVM may use: with a large
     *       -Xmx the collector lets gigabytes of freed activations wait;</li>
     *   <li>the process's peak resident set (VmHWM), comparable to PyTorch's ru_maxrss, but it includes the
     *       JVM and whatever heap the collector chose to commit.</li>
     * </ul>
     * The budget question ("does training at batch 48 fit in B MiB of heap?") is answered directly by running
     * this mode with {@code -Xmx<B>m}: it completes or fails with OutOfMemoryError.
     */
    private static int memory(ResNet model, Options o, PrintStream out) {
        int n = o.memoryBatch();
        model.train(true);
        Tensor x = input(n, o.size()); // (N, 3, S, S)
        long t0 = System.nanoTime();
        trainStep(model, x);
        out.printf("first training step at batch %d: %.1f s%n", n, (System.nanoTime() - t0) * 1e-9);
        List<MemoryPoolMXBean> pools = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                pools.add(p);
            }
        }
        System.gc();
        long base = usedHeap();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        t0 = System.nanoTime();
        model.zeroGrad();
        Tensor loss = model.forward(x).sum(); // ()
        System.gc();
        long live = usedHeap();
        loss.backward();
        double seconds = (System.nanoTime() - t0) * 1e-9;
        long peak = 0;
        for (MemoryPoolMXBean p : pools) {
            peak += p.getPeakUsage().getUsed();
        }
        long hwm = residentHighWaterMark();
        out.printf("measured step at batch %d: %.1f s (including one full GC)%n", n, seconds);
        out.printf("heap after GC before the step (weights, gradients, input): %d MiB%n", base >> 20);
        out.printf("live heap after GC at the end of the forward pass:          %d MiB%n", live >> 20);
        out.printf("peak heap over the step (sum of heap pools' peaks):          %d MiB%n", peak >> 20);
        out.printf("process peak resident set (VmHWM):                           %s%n",
                hwm < 0 ? "n/a" : (hwm >> 20) + " MiB");
        out.printf("RESULT resnet50_train_b%d_live_mib=%d resnet50_train_b%d_peak_heap_mib=%d%n", n, live >> 20, n,
                peak >> 20);
        return 0;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Peak resident set of this process in bytes from /proc/self/status, or -1 where there is none. */
    private static long residentHighWaterMark() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
