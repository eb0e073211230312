package org.blades.pretrain;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.blades.bilevel.StepTrace;
import org.blades.tasks.Task;

// K = 11 tasks

/**
 * The per-step trace of a pretraining run, trace.csv: one header line, then one line per bi-level iteration,
 * appended and flushed as soon as the step ends, so a killed run keeps every finished step.
 *
 * <pre>
 * step,epoch,lr,weighted_loss,outer_loss,v_norm,epsilon,loss.iso,...,loss.fine,lambda.iso,...,lambda.fine,hyper.iso,...,hyper.fine
 * </pre>
 * {@code step} counts from 1; {@code lr} is α of the step; {@code lambda.*} is λ after the step's Adam update;
 * {@code hyper.*} the hypergradient as applied (0 for λᵢ that may not move); {@code loss.*} the task losses F(θ)
 * on the step's training batch before the update, empty for tasks that are not computed. Numbers are written in
 * Java's shortest round-trip form, so a line is a function of the step's numbers alone and two runs that compute
 * the same numbers write identical files. Missing quantities (bi-level off: no ℓ₁, v, ε) are "nan".
 */
public final class TraceFile implements AutoCloseable {
    /** The task columns' names: the task in lower case ("exposure_time"). */
    private static final List<String> TASK_KEYS;

    static {
        List<String> k = new ArrayList<>();
        for (Task t : Task.values()) {
            k.add(t.name().toLowerCase(Locale.ROOT));
        }
        TASK_KEYS = List.copyOf(k);
    }

    private final BufferedWriter out;
    private final Set<Task> computed;

    private TraceFile(BufferedWriter out, Set<Task> computed) {
        this.out = out;
        this.computed = computed;
    }

    /** The header line. */
    public static String header() {
        List<String> cols = new ArrayList<>(List.of("step", "epoch", "lr", "weighted_loss", "outer_loss", "v_norm",
                "epsilon"));
        for (String prefix : List.of("loss.", "lambda.", "hyper.")) {
            for (String k : TASK_KEYS) {
                cols.add(prefix + k);
            }
        }
        return String.join(",", cols);
    }

    /** A new trace (an existing file is replaced) with its header. */
    public static TraceFile create(Path file, Set<Task> computed) throws IOException {
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        w.write(header());
        w.newLine();
        w.flush();
        return new TraceFile(w, computed);
    }

    /**
     * Continues a run's trace after its checkpoint at step {@code step}: lines of later steps (written after the
     * checkpoint by the interrupted run) are cut, atomically, so the resumed run appends each step exactly once.
     */
    public static TraceFile resume(Path file, long step, Set<Task> computed) throws IOException {
        List<String> kept = new ArrayList<>();
        kept.add(header());
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(header())) {
                throw new IOException(file + ": not a pretraining trace (unexpected header)");
            }
            for (String line : lines.subList(1, lines.size())) {
                int comma = line.indexOf(',');
                if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= step) {
                    kept.add(line);
                }
            }
        }
        if (kept.size() - 1 != step) {
            throw new IOException(file + ": holds " + (kept.size() - 1) + " of the checkpoint's " + step + " steps");
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new TraceFile(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND),
                computed);
    }

    /** Appends step {@code step} (1-based) and flushes. */
    public void append(long step, long epoch, StepTrace t) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(step).append(',').append(epoch);
        for (double v : new double[] {t.innerLr(), t.weightedLoss(), t.outerLoss(), t.vNorm(), t.epsilon()}) {
            sb.append(',').append(number(v));
        }
        for (Task task : Task.values()) {
            sb.append(',').append(computed.contains(task) ? number(t.taskLosses()[task.lambdaIndex()]) : "");
        }
        for (double v : t.lambdaAfter()) {
            sb.append(',').append(number(v));
        }
        for (double v : t.hypergradient()) {
            sb.append(',').append(number(v));
        }
        out.write(sb.toString());
        out.newLine();
        out.flush();
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "nan" : Double.toString(v);
    }

    /** One line of a trace, parsed: the step and λ after it (K). */
    public record LambdaRow(long step, double[] lambda) {
    }

    /** The λ columns of every line of a trace, in order. */
    public static List<LambdaRow> readLambda(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> cols = List.of(header().split(","));
        int first = cols.indexOf("lambda." + TASK_KEYS.get(0));
        List<LambdaRow> rows = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",", -1);
            double[] lambda = new double[Task.COUNT]; // (K)
            for (int i = 0; i < Task.COUNT; i++) {
                lambda[i] = Double.parseDouble(f[first + i]);
            }
            rows.add(new LambdaRow(Long.parseLong(f[0]), lambda));
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
