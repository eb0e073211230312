package org.blades.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.blades.kernels.ConvGeometry;
import org.blades.opencl.AdamOptions;
import org.blades.opencl.BatchNormParams;
import org.blades.opencl.BinaryOp;
import org.blades.opencl.DeviceBuffer;
import org.blades.opencl.OpenClDevice;
import org.blades.opencl.OpenClKernels;
import org.blades.opencl.OpenClKernels.MatrixArg;
import org.blades.opencl.OpenClUnavailableException;
import org.blades.opencl.UnaryOp;
import org.blades.opencl.View;

// M, N, K = GEMM dimensions; B = batch; C/O = input/output channels; H/W = image size; n = elements.

/**
 * Throughput of the OpenCL kernels on one device (PoCL on a CPU, or a GPU): GFLOP/s per kernel (the GEMM and
 * convolution count 2*M*N*K; elementwise kernels count one flop per element and are better read as GB/s, the
 * bytes their operands move), at square sizes, ResNet-50 convolution shapes and attention / transformer shapes.
 *
 * <p>Timing: each call is synchronous (the binding waits for the kernel and the read-backs), so wall time per call
 * is the kernels plus the binding's per-launch cost and, on a discrete GPU, the transfers of every operand (see
 * DeviceBuffer). The "kernel" columns count only the kernels' execution, from OpenCL's event profiling: what a
 * binding with device-resident buffers would approach. Warm-up (at least 3 calls and 0.3 s, which also pays the
 * driver's per-kernel compile) then {@code --reps} repetitions of at least 50 ms each; the median is reported.
 * Options: {@code --device opencl[:N]} (default opencl:0), {@code --reps N} (default 5), {@code --quick} (smaller
 * shapes, for a smoke run). ResNet-50 forward / forward+backward times need the device-resident tensor backend and
 * print as n/a until it exists. The last line is {@code RESULT opencl_sgemm_1024_gflops=<value>}.
 */
public final class OpenClBench {

    private static final long WARMUP_NANOS = 300_000_000L;
    private static final long REP_MIN_NANOS = 50_000_000L;

    private OpenClBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the benchmark; returns 0 on success, 1 when OpenCL is unavailable, 2 on bad arguments. */
    public static int run(String[] args, PrintStream out) {
        String spec = "opencl:0";
        int reps = 5;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--device", "--reps" -> {
                    if (i + 1 >= args.length) {
                        out.println("OpenClBench: " + args[i] + " needs a value");
                        return 2;
                    }
                    String v = args[++i];
                    if (args[i - 1].equals("--device")) {
                        spec = v;
                    } else {
                        try {
                            reps = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            reps = -1;
                        }
                        if (reps < 1) {
                            out.println("OpenClBench: --reps expects an integer >= 1, got " + v);
                            return 2;
                        }
                    }
                }
                default -> {
                    out.println("usage: OpenClBench [--device opencl[:N]] [--reps N] [--quick]");
                    return 2;
                }
            }
        }
        OpenClKernels k;
        try {
            k = OpenClDevice.open(spec).kernels();
        } catch (OpenClUnavailableException | IllegalArgumentException e) {
            out.println("OpenClBench: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        out.println("OpenClBench: " + k.device().info().describe());
        out.println("  " + k.programReport() + ", java " + System.getProperty("java.version") + ", median of " + reps
                + " reps");
        out.printf(Locale.ROOT, "%-44s %9s %9s %9s %9s %9s%n", "kernel", "ms/call", "GFLOP/s", "GB/s",
                "kernel ms", "kernel GF");
        Bench b = new Bench(k, out, reps);
        double gflops1024 = b.gemmSquares(quick);
        b.gemmResnetAndAttention(quick);
        b.convolutions(quick);
        b.memoryBound(quick);
        out.printf(Locale.ROOT, "%-44s %s%n", "resnet50 forward (batch 1)", "n/a (backend switch pending)");
        out.printf(Locale.ROOT, "%-44s %s%n", "resnet50 forward+backward (batch 1)", "n/a (backend switch pending)");
        k.releaseScratch();
        out.printf(Locale.ROOT, "RESULT opencl_sgemm_1024_gflops=%.1f%n", gflops1024);
        return 0;
    }

    /** One device's measurements; owns the buffers of the kernel under test. */
    private static final class Bench {
        private final OpenClKernels k;
        private final OpenClDevice d;
        private final PrintStream out;
        private final int reps;
        private final SplittableRandom rng = new SplittableRandom(42);
        private final List<DeviceBuffer> live = new ArrayList<>();

        Bench(OpenClKernels k, PrintStream out, int reps) {
            this.k = k;
            this.d = k.device();
            this.out = out;
            this.reps = reps;
        }

        double gemmSquares(boolean quick) {
            double at1024 = Double.NaN;
            for (int n : quick ? new int[] {256, 1024} : new int[] {256, 1024, 2048}) {
                double g = gemm("sgemm square " + n, n, n, n, 1, false, false);
                if (n == 1024) {
                    at1024 = g;
                }
            }
            if (!quick) {
                gemm("sgemm 1024 A^T (dW-style)", 1024, 1024, 1024, 1, true, false);
                gemm("sgemm 1024 B^T (linear-style)", 1024, 1024, 1024, 1, false, true);
            }
            return at1024;
        }

        void gemmResnetAndAttention(boolean quick) {
            // ResNet-50's conv GEMMs at batch 1 (W (O, K) @ cols (K, OH*OW)), the heaviest kinds
            gemm("resnet l1 3x3 64->64 @56", 64, 3136, 576, 1, false, false);
            gemm("resnet l3 1x1 1024->256 @14", 256, 196, 1024, 1, false, false);
            if (!quick) {
                gemm("resnet l4 3x3 512->512 @7", 512, 49, 4608, 1, false, false);
            }
            // text encoder (77 tokens, 512 wide, 8 heads of 64): Q K^T per head, and the MLP's first linear layer
            gemm("attention QK^T 8 heads 77x77x64 (batched)", 77, 77, 64, 8, false, true);
            gemm("mlp 77x2048x512 (x W^T)", 77, 2048, 512, 1, false, true);
        }

        void convolutions(boolean quick) {
            int batch = quick ? 1 : 4;
            ConvGeometry g = new ConvGeometry(64, 56, 56, 3, 3, 1, 1, 1, 1);
            DeviceBuffer x = random(batch * g.imageSize());
            DeviceBuffer w = random(64 * g.colRows());
            DeviceBuffer y = alloc(batch * 64 * g.colCols());
            double flops = 2.0 * 64 * g.colRows() * g.colCols() * batch;
            report(String.format(Locale.ROOT, "conv2d 3x3 64->64 @56 B%d (im2col+gemm)", batch), flops,
                    4.0 * (x.length() + w.length() + y.length()), () -> k.conv2d(x, batch, g, w, 64, null, y));
            DeviceBuffer dw = alloc(w.length());
            DeviceBuffer dx = alloc(x.length());
            report("conv2d backward same, dx + dW", 2 * flops,
                    4.0 * (2 * x.length() + 2 * w.length() + y.length()),
                    () -> k.conv2dBackward(x, batch, g, w, 64, y, dx, dw, null));
            free();
        }

        void memoryBound(boolean quick) {
            int n = quick ? 1 << 20 : 1 << 22;
            DeviceBuffer a = random(n);
            DeviceBuffer b = random(n);
            DeviceBuffer c = alloc(n);
            report("binary add " + n, n, 12.0 * n, () -> k.binary(BinaryOp.ADD, View.dense(a, n), View.dense(b, n), c));
            report("unary gelu " + n, 20.0 * n, 8.0 * n, () -> k.unary(UnaryOp.GELU_TANH, a, c, n));
            report("reduce sum " + n, n, 4.0 * n, () -> k.reduceSum(a, 1, n, 1, 1f, c));
            int bnB = quick ? 2 : 8;
            DeviceBuffer bx = random(bnB * 64 * 56 * 56);
            DeviceBuffer by = alloc(bx.length());
            BatchNormParams p = new BatchNormParams(random(64), random(64), alloc(64), random(64), 0.1f, 1e-5f);
            DeviceBuffer mean = alloc(64);
            DeviceBuffer inv = alloc(64);
            report("batchnorm train (" + bnB + ", 64, 56, 56)", 8.0 * bx.length(), 4.0 * 3 * bx.length(),
                    () -> k.batchNorm(BatchNormParams.Mode.TRAIN, bx, bnB, 64, 56 * 56, p, by, mean, inv));
            DeviceBuffer lx = random(8 * 77 * 512);
            DeviceBuffer ly = alloc(lx.length());
            DeviceBuffer lm = alloc(8 * 77);
            DeviceBuffer lr = alloc(8 * 77);
            DeviceBuffer lw = random(512);
            DeviceBuffer lb = random(512);
            report("layernorm (8*77, 512)", 8.0 * lx.length(), 4.0 * 3 * lx.length(),
                    () -> k.layerNorm(lx, lw, lb, ly, lm, lr, 8 * 77, 512, 1e-5f));
            DeviceBuffer s = random(8 * 8 * 77 * 77);
            DeviceBuffer sp = alloc(s.length());
            report("attention softmax causal (64, 77, 77)", 5.0 * s.length(), 8.0 * s.length(),
                    () -> k.attentionSoftmax(s, sp, 64, 77, 77, 0.125f, true));
            int params = quick ? 1 << 20 : 25_557_032; // ResNet-50's parameter count
            DeviceBuffer w = random(params);
            DeviceBuffer g = random(params);
            DeviceBuffer m = alloc(params);
            DeviceBuffer v = alloc(params);
            AdamOptions o = AdamOptions.adamW(1e-3f, 0.01f);
            report("adamW step " + params + " params", 12.0 * params, 4.0 * 7 * params,
                    () -> k.adamStep(o, 1, w, g, m, v, params));
            free();
        }

        private double gemm(String name, int m, int n, int kk, int batch, boolean transA, boolean transB) {
            DeviceBuffer a = random(m * kk * batch);
            DeviceBuffer b = random(kk * n * batch);
            DeviceBuffer c = alloc(m * n * batch);
            MatrixArg ma = new MatrixArg(a, 0, transA ? m : kk, m * kk);
            MatrixArg mb = new MatrixArg(b, 0, transB ? kk : n, kk * n);
            MatrixArg mc = new MatrixArg(c, 0, n, m * n);
            double bytes = 4.0 * batch * ((double) m * kk + (double) kk * n + (double) m * n);
            double g = report(name, 2.0 * m * n * kk * batch, bytes,
                    () -> k.sgemmBatched(transA, transB, m, n, kk, batch, 1f, ma, mb, 0f, mc));
            free();
            return g;
        }

        /**
         * Prints ms/call, GFLOP/s and GB/s of the median repetition, and the kernels' own time per call and
         * GFLOP/s over all repetitions; returns the wall-time GFLOP/s.
         */
        private double report(String name, double flops, double bytes, Runnable call) {
            long warmStart = System.nanoTime();
            long calls = 0;
            while (System.nanoTime() - warmStart < WARMUP_NANOS || calls < 3) {
                call.run();
                calls++;
            }
            double nanosPerCall = (double) (System.nanoTime() - warmStart) / calls;
            int perRep = (int) Math.max(1, Math.ceil(REP_MIN_NANOS / nanosPerCall));
            double[] seconds = new double[reps];
            k.profileKernels(true);
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < perRep; i++) {
                    call.run();
                }
                seconds[r] = (System.nanoTime() - t0) / 1e9 / perRep;
            }
            double kernelSeconds = k.kernelNanos() / 1e9 / ((long) reps * perRep);
            k.profileKernels(false);
            Arrays.sort(seconds);
            double s = seconds[reps / 2];
            out.printf(Locale.ROOT, "%-44s %9.3f %9.1f %9.1f %9.3f %9.1f%n", name, s * 1e3, flops / s / 1e9,
                    bytes / s / 1e9, kernelSeconds * 1e3, flops / kernelSeconds / 1e9);
            return flops / s / 1e9;
        }

        private DeviceBuffer random(int n) {
            float[] v = new float[n]; // (n)
            for (int i = 0; i < n; i++) {
                v[i] = (float) rng.nextDouble(-1, 1);
            }
            DeviceBuffer b = d.upload(v);
            live.add(b);
            return b;
        }

        private DeviceBuffer alloc(int n) {
            DeviceBuffer b = d.allocate(n);
            live.add(b);
            return b;
        }

        private void free() {
            live.forEach(DeviceBuffer::close);
            live.clear();
        }
    }
}
