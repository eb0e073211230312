package org.blades.pretrain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.blades.tasks.Task;

// N = trace lines (steps), K = 11 tasks

/**
 * The task weights λ over training as an SVG file, written by hand (no plotting library): on the left each λᵢ
 * against the step, on the right the latest λ as bars sorted in descending order, the layout of the paper's
 * Fig. 4, with the primary task's label in bold. Bars and lines share one colour per task, so the bars are also
 * the legend.
 */
public final class LambdaPlot {
    private static final int WIDTH = 980;
    private static final int HEIGHT = 430;
    /** Left panel: the trajectories. */
    private static final int L_X0 = 70;
    private static final int L_X1 = 560;
    private static final int Y0 = 50;
    private static final int Y1 = 380;
    /** Right panel: sorted bars, labels right-aligned at LABEL_X. */
    private static final int LABEL_X = 745;
    private static final int BAR_X1 = 950;
    /** At most this many points per line; longer traces are thinned evenly (first and last step always kept). */
    private static final int MAX_POINTS = 1500;
    /** Tableau 10 plus one: eleven colours that stay apart. */
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf"};

    private LambdaPlot() {
    }

    /** Writes the plot of {@code rows} to {@code file} atomically (temporary file, then a rename). */
    public static void write(Path file, List<TraceFile.LambdaRow> rows, Set<Task> primary, String title)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, svg(rows, primary, title), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The SVG text.
     *
     * @param rows    the trace's λ per step (N rows of K)
     * @param primary the tasks ℓ₁ reads (bold labels)
     */
    public static String svg(List<TraceFile.LambdaRow> rows, Set<Task> primary, String title) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                L_X0, escape(title)));
        if (rows.isEmpty()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no steps yet</text>%n", L_X0, Y0 + 20));
            return s.append("</svg>\n").toString();
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (TraceFile.LambdaRow r : rows) {
            for (double v : r.lambda()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double pad = Math.max(1e-3, (hi - lo) * 0.05);
        lo -= pad;
        hi += pad;
        long firstStep = rows.get(0).step();
        long lastStep = rows.get(rows.size() - 1).step();
        trajectories(s, rows, lo, hi, firstStep, lastStep);
        bars(s, rows.get(rows.size() - 1), primary);
        return s.append("</svg>\n").toString();
    }

    private static void trajectories(StringBuilder s, List<TraceFile.LambdaRow> rows, double lo, double hi,
            long firstStep, long lastStep) {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">λ over training</text>%n",
                L_X0, Y0 - 10));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#444\"/>%n", L_X0, Y0, L_X1 - L_X0, Y1 - Y0));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = yOf(v, lo, hi);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", L_X0, L_X1, y, y, L_X0 - 6, y + 4,
                    tick(v, hi - lo)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\">%d</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n", L_X0, Y1 + 16, firstStep, L_X1,
                Y1 + 16, lastStep, (L_X0 + L_X1) / 2, Y1 + 32));
        int stride = Math.max(1, (rows.size() + MAX_POINTS - 1) / MAX_POINTS);
        for (Task t : Task.values()) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < rows.size(); i++) {
                if (i % stride != 0 && i != rows.size() - 1) {
                    continue;
                }
                TraceFile.LambdaRow r = rows.get(i);
                double x = lastStep == firstStep ? (L_X0 + L_X1) / 2.0
                        : L_X0 + (L_X1 - L_X0) * (double) (r.step() - firstStep) / (lastStep - firstStep);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yOf(r.lambda()[t.lambdaIndex()], lo, hi)));
            }
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                    + "points=\"%s\"><title>%s</title></polyline>%n", COLOURS[t.lambdaIndex()], pts.toString().strip(),
                    label(t)));
        }
    }

    private static void bars(StringBuilder s, TraceFile.LambdaRow last, Set<Task> primary) {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">λ at step %d, sorted "
                + "(cf. Fig. 4)</text>%n", LABEL_X - 140, Y0 - 10, last.step()));
        List<Task> order = new ArrayList<>(List.of(Task.values()));
        order.sort(Comparator.comparingDouble((Task t) -> -last.lambda()[t.lambdaIndex()]));
        double max = 0;
        for (double v : last.lambda()) {
            max = Math.max(max, Math.abs(v));
        }
        double rowHeight = (double) (Y1 - Y0) / order.size();
        for (int i = 0; i < order.size(); i++) {
            Task t = order.get(i);
            double v = last.lambda()[t.lambdaIndex()];
            double y = Y0 + i * rowHeight;
            double w = max == 0 ? 0 : (BAR_X1 - LABEL_X - 60) * Math.abs(v) / max;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\"%s>%s</text>"
                    + "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LABEL_X - 6, y + rowHeight * 0.65,
                    primary.contains(t) ? " font-weight=\"bold\"" : "", label(t), LABEL_X, y + rowHeight * 0.15, w,
                    rowHeight * 0.7, COLOURS[t.lambdaIndex()], LABEL_X + w + 4, y + rowHeight * 0.65,
                    String.format(Locale.ROOT, "%.4f", v)));
        }
    }

    private static double yOf(double v, double lo, double hi) {
        return Y1 - (Y1 - Y0) * (v - lo) / (hi - lo);
    }

    /** Enough decimals to tell the ticks apart. */
    private static String tick(double v, double range) {
        int decimals = (int) Math.max(0, Math.min(6, Math.ceil(-Math.log10(range / 4)) + 1));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** "exposure time" for EXPOSURE_TIME. */
    private static String label(Task t) {
        return t.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
