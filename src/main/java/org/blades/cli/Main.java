package org.blades.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.blades.bench.BilevelBench;
import org.blades.bench.GemmBench;
import org.blades.bench.GmmBench;
import org.blades.bench.LoaderBench;
import org.blades.bench.OpenClBench;
import org.blades.bench.ResNetBench;
import org.blades.bench.TextBench;
import org.blades.kernels.VectorSupport;

/**
 * The {@code blades} executable: one subcommand per job. Results go to stdout, logs and progress to stderr.
 * Exit codes: 0 success, 1 failure, 2 bad usage.
 */
public final class Main {
    private Main() {
    }

    /** A subcommand: its one-line description and its entry point. */
    private record Command(String summary, Runner runner) {
    }

    @FunctionalInterface
    private interface Runner {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    private static Map<String, Command> commands() {
        Map<String, Command> c = new LinkedHashMap<>();
        c.put("demo", new Command("the whole method on the bundled photographs in minutes: demo [--out DIR]",
                DemoCommand::run));
        c.put("index", new Command("index a folder of images (EXIF, labels, hashes): index DIR --out FILE",
                IndexCommand::run));
        c.put("pretrain", new Command(
                "bi-level pretraining of the encoders: pretrain --index FILE --preset tiny|paper --out RUN_DIR",
                PretrainCommand::run));
        c.put("embed", new Command("frozen-encoder features of images, cached: embed INPUT... --out FEATURES",
                EmbedCommand::run));
        c.put("fit-gmm", new Command("fit the one-class detector on photographs' features: fit-gmm --features F --out DET",
                FitGmmCommand::run));
        c.put("fit-mlp", new Command("train the binary detector: fit-mlp --real F --fake F --out MLP",
                FitMlpCommand::run));
        c.put("scan", new Command("decide for each image whether it is AI-generated: scan PATH... --detector DET",
                ScanCommand::run));
        c.put("evaluate", new Command("metrics, curves and an HTML report per generator: evaluate --real P --fake N=P",
                EvaluateCommand::run));
        c.put("bench", new Command("run a benchmark: bench gemm|loader|gmm|bilevel|opencl|resnet50|text", Main::bench));
        c.put("gradcheck", new Command("check every op's gradient against central differences in float64",
                GradCheckCommand::run));
        return c;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(args.length == 0 ? err : out, commands);
            return args.length == 0 ? 2 : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("blades: unknown command '" + args[0] + "' (commands: " + String.join(", ", commands.keySet())
                    + "; see blades --help)");
            return 2;
        }
        try {
            return command.runner.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (UsageException e) {
            err.println("blades " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("blades " + args[0] + ": " + e);
            return 1;
        }
    }

    private static void usage(PrintStream out, Map<String, Command> commands) {
        out.println("usage: blades <command> [options]   (blades <command> --help for its options)");
        out.println();
        for (Map.Entry<String, Command> e : commands.entrySet()) {
            out.printf("  %-10s %s%n", e.getKey(), e.getValue().summary);
        }
        out.println();
        out.println("kernels: " + VectorSupport.describe());
    }

    private static int bench(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help")) {
            (args.length == 0 ? err : out).println("usage: blades bench gemm|loader|gmm|bilevel|opencl|resnet50|text [options]\n"
                    + "  gemm    SGEMM GFLOP/s at 256^3, 1024^3, 2048^3 and ResNet-50's convolution shapes\n"
                    + "          [--threads N]; last line: RESULT gemm_1024_gflops=<value>\n"
                    + "  loader  decoded+augmented images/s at 224 px [--dir DIR --workers N --samples N];\n"
                    + "          last line: RESULT loader_images_per_s=<value>\n"
                    + "  gmm     10-component full-covariance EM on 25,000 x 768 against scikit-learn's time;\n"
                    + "          last line: RESULT gmm_fit_ratio_vs_sklearn=<value>\n"
                    + "  bilevel cost of one bi-level step against a plain weighted-loss step [--preset tiny|paper];\n"
                    + "          last line: RESULT bilevel_step_ratio=<value>\n"
                    + "  opencl  GFLOP/s per OpenCL kernel on the first (or --device opencl:N) device;\n"
                    + "          last line: RESULT opencl_sgemm_1024_gflops=<value>\n"
                    + "  resnet50 ResNet-50 inference (batch 1, 8) and training (batch 8) ms/image [--memory | --layers\n"
                    + "          (each convolution alone)];\n"
                    + "          last line: RESULT resnet50_infer_b1_ms=<v> resnet50_train_b8_ms=<v>\n"
                    + "  text    clip-rn50 text forward+backward on the 50 prompts;\n"
                    + "          last line: RESULT clip_text_fwd_bwd_ms=<value>");
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "gemm" -> GemmBench.run(rest, out);
            case "loader" -> LoaderBench.run(rest, out);
            case "gmm" -> GmmBench.run(rest, out);
            case "bilevel" -> BilevelBench.run(rest, out);
            case "opencl" -> OpenClBench.run(rest, out);
            case "resnet50" -> ResNetBench.run(rest, out);
            case "text" -> TextBench.run(rest, out);
            default -> throw new UsageException("unknown benchmark '" + args[0]
                    + "' (benchmarks: gemm, loader, gmm, bilevel, opencl, resnet50, text)");
        };
    }
}
