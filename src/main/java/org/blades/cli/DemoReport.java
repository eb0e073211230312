package org.blades.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.blades.data.RgbImage;
import org.blades.pretrain.Pretraining;
import org.blades.report.Html;
import org.blades.report.LineChart;
import org.blades.tasks.Task;

// K = 11 tasks, H/W = image height/width

/**
 * The demo's self-contained HTML report: what the numbers mean, the run's settings and timings, the surrogate
 * task's table and ROC curves, the λ plot and a summary of the trace, examples of the manipulations, the files
 * and the photographs' attribution. XHTML-compatible like every report of {@link Html}.
 */
final class DemoReport {
    private DemoReport() {
    }

    static void write(Path dir, DemoCommand.Result r) throws IOException {
        AtomicFiles.write(dir.resolve(DemoCommand.REPORT), html(dir, r));
    }

    static String rocSvgFile(List<DemoEvaluation.Row> rows) {
        return LineChart.svgFile(rocOptions(), rocSeries(rows));
    }

    private static LineChart.Options rocOptions() {
        return new LineChart.Options("ROC, pretrained encoder (positive: photographs)", "false-positive rate",
                "true-positive rate", true, LineChart.Corner.LOWER_RIGHT);
    }

    private static List<LineChart.Series> rocSeries(List<DemoEvaluation.Row> rows) {
        List<LineChart.Series> s = new ArrayList<>();
        for (DemoEvaluation.Row row : rows) {
            if (row.roc() != null) {
                s.add(new LineChart.Series(row.name(), row.roc().fpr(), row.roc().tpr(), false));
            }
        }
        return s;
    }

    private static String html(Path dir, DemoCommand.Result r) throws IOException {
        DemoCommand.Options o = r.options();
        Path runDir = dir.resolve(DemoCommand.RUN);
        StringBuilder b = new StringBuilder();
        b.append("<h1>BLADES demo</h1>\n");
        b.append("<div class=\"warn\"><p><b>Not a measure of detection quality.</b></p><pre>")
                .append(Html.escape(DemoCommand.REAL_QUALITY)).append("</pre></div>\n");

        b.append("<h2>Run</h2>\n<table>\n");
        row(b, "photographs", String.format(Locale.ROOT, "%d bundled camera photographs: %d held in (index, "
                + "pretraining, detector), %d held out (evaluation); split by content with seed %d, see "
                + "photos/split.tsv", r.photographs(), r.heldIn(), r.heldOut(), o.seed()));
        row(b, "pretraining", String.format(Locale.ROOT, "tiny preset (ResNet width 8, blocks [1, 1, 1, 1], 2-layer "
                + "text tower, D = 64, 64 x 64 inputs); %d bi-level steps of %d images (%d epochs of %d steps, the "
                + "cosine schedule over %d epochs); AdamW α %s, Adam on λ β %s; otherwise the paper's settings",
                o.steps(), o.batch(), r.epochs(), r.stepsPerEpoch(), r.epochs(), number(o.lr()), number(o.lambdaLr())));
        row(b, "detector", r.detectorSummary() + String.format(Locale.ROOT, "; EM with reg_covar %s, seed %d",
                number(o.gmm().regCovar()), o.gmm().seed()));
        row(b, "threads", Integer.toString(o.threads()));
        List<String> times = new ArrayList<>();
        for (Map.Entry<String, Double> e : r.seconds().entrySet()) {
            times.add(e.getKey() + " " + duration(e.getValue()));
        }
        row(b, "time", String.join(", ", times));
        b.append("</table>\n");

        b.append("<h2>Surrogate task (%)</h2>\n<p>Each held-out photograph against its manipulated versions: the "
                + "eye, mouth and nose flips and the global warp of the paper's Fig. 2, on the canonical (FFHQ "
                + "template) face regions of the 64 x 64 input, as in pretraining. Photographs are the positive "
                + "class, ranked by the detector's log-likelihood (AUC, AP); Acc is at the detector's threshold (5 % "
                + "false alarms on the held-in photographs); TPR: photographs kept, TNR: manipulations caught. The "
                + "untrained encoder has the pretrained one's initial weights and its own GMM fitted the same way: "
                + "the difference is what the bi-level pretraining learned.</p>\n");
        b.append("<table>\n<tr><th class=\"l\" rowspan=\"2\">manipulation</th><th rowspan=\"2\">photographs</th>"
                + "<th rowspan=\"2\">manipulated</th><th colspan=\"5\">pretrained encoder</th>"
                + "<th colspan=\"3\">untrained encoder</th></tr>\n<tr><th>Acc</th><th>AUC</th><th>AP</th><th>TPR</th>"
                + "<th>TNR</th><th>Acc</th><th>AUC</th><th>AP</th></tr>\n");
        for (int i = 0; i < r.pretrained().size(); i++) {
            DemoEvaluation.Row p = r.pretrained().get(i);
            DemoEvaluation.Row u = r.untrained().get(i);
            b.append(p.roc() == null ? "<tr class=\"mean\">" : "<tr>").append("<td class=\"l\">")
                    .append(Html.escape(p.name())).append("</td><td>").append(p.photographs()).append("</td><td>")
                    .append(p.manipulated()).append("</td>");
            for (double v : new double[] {p.accuracy(), p.auc(), p.ap(), p.tpr(), p.tnr(), u.accuracy(), u.auc(),
                u.ap()}) {
                b.append(String.format(Locale.ROOT, "<td>%.2f</td>", 100 * v));
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n<div class=\"charts\">\n").append(LineChart.svg(rocOptions(), rocSeries(r.pretrained())))
                .append("</div>\n");

        b.append("<h2>Pretraining</h2>\n<p>The task weights λ over the run (")
                .append(link(DemoCommand.RUN + "/" + Pretraining.PLOT)).append("), one line per step in ")
                .append(link(DemoCommand.RUN + "/" + Pretraining.TRACE)).append(".</p>\n");
        Path plot = runDir.resolve(Pretraining.PLOT);
        if (Files.isRegularFile(plot)) {
            b.append("<div>").append(stripXmlDeclaration(Files.readString(plot, StandardCharsets.UTF_8)))
                    .append("</div>\n");
        }
        b.append(traceSummary(runDir.resolve(Pretraining.TRACE)));
        b.append("<table>\n<tr><th class=\"l\">task</th><th>λ after the run</th></tr>\n");
        List<Task> order = new ArrayList<>(List.of(Task.values()));
        order.sort((x, y) -> Double.compare(r.lambda()[y.lambdaIndex()], r.lambda()[x.lambdaIndex()]));
        for (Task t : order) {
            b.append("<tr><td class=\"l\">").append(t.name().toLowerCase(Locale.ROOT)).append("</td>")
                    .append(String.format(Locale.ROOT, "<td>%.4f</td></tr>%n", r.lambda()[t.lambdaIndex()]));
        }
        b.append("</table>\n");

        b.append("<h2>Examples</h2>\n<p>Held-out photographs as the encoder sees them (64 x 64, shown larger) and "
                + "their manipulated versions (close faces first, if any is held out).</p>\n<table>\n<tr><th class=\"l\">file</th><th>photograph</th>");
        for (var kind : DemoEvaluation.KINDS) {
            b.append("<th>").append(Html.escape(DemoEvaluation.label(kind))).append("</th>");
        }
        b.append("</tr>\n");
        DemoEvaluation.Inputs ex = r.heldOutInputs();
        for (int i : r.examples()) {
            b.append("<tr><td class=\"l mono\">").append(Html.escape(ex.names().get(i))).append("</td>");
            for (RgbImage img : ex.pixels().get(i)) {
                b.append("<td><img class=\"px\" width=\"128\" height=\"128\" alt=\"\" src=\"data:image/png;base64,")
                        .append(png(img)).append("\"/></td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");

        b.append("<h2>Files</h2>\n<ul>\n");
        file(b, DemoCommand.RUN + "/", "the pretraining run: config.json, trace.csv, lambda.svg, checkpoint.safetensors "
                + "(resumable with blades pretrain --resume), visual.safetensors (the image encoder)");
        file(b, DemoCommand.DETECTOR, "the one-class detector (blades scan / evaluate with --encoder "
                + DemoCommand.RUN + ")");
        file(b, DemoCommand.FEATURES, "the held-in photographs' features (blades embed's format)");
        file(b, DemoCommand.SURROGATE + "/metrics.csv", "the table above at full precision");
        file(b, DemoCommand.SURROGATE + "/scores.csv", "every held-out input's log-likelihood and verdict");
        file(b, DemoCommand.SURROGATE + "/roc.svg", "the ROC curves");
        file(b, DemoCommand.INDEX, "the held-in photographs' index (EXIF values, labels, tertile cuts)");
        file(b, DemoCommand.UNTRAINED + "/" + Pretraining.ENCODER, "the untrained encoder (the run's step 0)");
        file(b, DemoCommand.PHOTOS + "/", "the photographs, split.tsv and ATTRIBUTION.md");
        b.append("</ul>\n");

        b.append("<h2>Photographs</h2>\n<p>The bundled photographs come from the metadata-extractor-images "
                + "collection by Drew Noakes and contributors (https://github.com/drewnoakes/metadata-extractor-images),"
                + " whose README says: &quot;You are free to use these however you wish.&quot; They were "
                + "downscaled to at most 384 px with their EXIF kept. See ")
                .append(link(DemoCommand.PHOTOS + "/" + DemoSamples.ATTRIBUTION)).append(".</p>\n");
        return Html.page("BLADES demo", b.toString()).replace("</style>", PIXELATED + "</style>");
    }

    /** Scales the 64-px examples up without blurring them. */
    private static final String PIXELATED = "img.px { image-rendering: pixelated; }\n";

    private static void row(StringBuilder b, String key, String value) {
        b.append("<tr><th class=\"l\">").append(Html.escape(key)).append("</th><td class=\"l\">")
                .append(Html.escape(value)).append("</td></tr>\n");
    }

    private static void file(StringBuilder b, String path, String what) {
        b.append("<li>").append(link(path)).append(": ").append(Html.escape(what)).append("</li>\n");
    }

    private static String link(String relative) {
        String e = Html.escape(relative);
        return "<a class=\"mono\" href=\"" + e + "\">" + e + "</a>";
    }

    /**
     * Losses of the first and last tenth of the steps: the weighted inner loss, the outer loss and each task's loss
     * on its training batch, as a table; empty when the trace cannot be read.
     */
    private static String traceSummary(Path trace) throws IOException {
        if (!Files.isRegularFile(trace)) {
            return "";
        }
        List<String> lines = Files.readAllLines(trace, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            return "";
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> columns = new ArrayList<>(List.of("weighted_loss", "outer_loss"));
        for (Task t : Task.values()) {
            columns.add("loss." + t.name().toLowerCase(Locale.ROOT));
        }
        int n = lines.size() - 1;
        int tenth = Math.max(1, n / 10);
        StringBuilder b = new StringBuilder("<p>Losses on the training batches, early and late in the run: "
                + "falling EXIF task losses show the encoder learning (on 145 photographs, partly by heart); a coarse "
                + "loss that stays near its chance level (about 0.29) shows it has not learned to see the "
                + "manipulations, which is what the surrogate task's AUC near 50 % says too.</p>\n");
        b.append("<table>\n<tr><th class=\"l\">loss (mean over steps)</th>");
        b.append(String.format(Locale.ROOT, "<th>steps 1-%d</th><th>steps %d-%d</th></tr>%n", tenth, n - tenth + 1, n));
        for (String c : columns) {
            int col = header.indexOf(c);
            if (col < 0) {
                continue;
            }
            b.append("<tr><td class=\"l\">").append(Html.escape(c)).append("</td>");
            for (int from : new int[] {1, n - tenth + 1}) {
                double sum = 0;
                int count = 0;
                for (int i = from; i < from + tenth; i++) {
                    String[] f = lines.get(i).split(",", -1);
                    if (col < f.length && !f[col].isEmpty() && !f[col].equals("nan")) {
                        sum += Double.parseDouble(f[col]);
                        count++;
                    }
                }
                b.append(count == 0 ? "<td>-</td>" : String.format(Locale.ROOT, "<td>%.4f</td>", sum / count));
            }
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static String stripXmlDeclaration(String svg) {
        String s = svg.strip();
        return s.startsWith("<?xml") ? s.substring(s.indexOf("?>") + 2).strip() + "\n" : s + "\n";
    }

    /** An image in [0, 1] (3, H, W) as base64 PNG (8 bits per channel, rounded). */
    static String png(RgbImage img) throws IOException {
        int h = img.height();
        int w = img.width();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    int v = Math.round(255 * Math.max(0f, Math.min(1f, img.at(c, y, x))));
                    rgb = (rgb << 8) | v;
                }
                bi.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(bi, "png", bytes)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** A setting as Java's shortest decimal, exponents in lower case: 0.001, 1e-6, 3.5e-4. */
    private static String number(double v) {
        return Double.toString(v).replace(".0E", "e").replace("E", "e");
    }

    /** "1m05s", "12.3 s". */
    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
