package org.blades.report;

import java.util.List;
import java.util.Locale;

// P = points of a series, S = series

/**
 * A line chart on the unit square as a standalone SVG element (ROC and precision-recall curves): grid, ticks every
 * 0.2, axis labels, title, one coloured polyline per series and a legend. Written by hand so reports need no
 * plotting library; coordinates are rounded to 0.01 px and points closer than a quarter pixel to the previous drawn
 * one are dropped, so curves of many thousands of points stay small without visible change.
 */
public final class LineChart {
    private LineChart() {
    }

    private static final int WIDTH = 460;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;
    /** matplotlib's tab10: distinguishable, and what readers of such plots are used to. */
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    /** Where the legend box sits inside the plot area. */
    public enum Corner {
        LOWER_RIGHT,
        LOWER_LEFT
    }

    /**
     * @param x     (P) in [0, 1]
     * @param y     (P) in [0, 1]
     * @param steps draw a step from each point to the next (horizontal first, matplotlib's "steps-post"), as a
     *              precision-recall curve is read; else straight segments
     */
    public record Series(String name, double[] x, double[] y, boolean steps) {
        public Series {
            if (name == null || x.length != y.length || x.length == 0) {
                throw new IllegalArgumentException("LineChart.Series: need a name and as many x as y values (>= 1), got "
                        + x.length + " and " + y.length);
            }
        }
    }

    /**
     * @param diagonal draw the dashed chance line from (0, 0) to (1, 1)
     */
    public record Options(String title, String xLabel, String yLabel, boolean diagonal, Corner legend) {
    }

    /** The chart as an {@code <svg>} element with the SVG namespace (no XML declaration: it is also inlined in HTML). */
    public static String svg(Options options, List<Series> series) {
        double pw = WIDTH - LEFT - RIGHT;
        double ph = HEIGHT - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append("<title>").append(Html.escape(options.title())).append("</title>\n");
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
                WIDTH, HEIGHT));
        for (int i = 0; i <= 5; i++) {
            double v = i / 5.0;
            double gx = LEFT + v * pw;
            double gy = TOP + (1 - v) * ph;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>%n",
                    gx, TOP, gx, TOP + ph));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT, gy, LEFT + pw, gy));
            String label = i == 0 ? "0" : i == 5 ? "1" : String.format(Locale.ROOT, "%.1f", v);
            sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>%n",
                    gx, TOP + ph + 16, label));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, gy + 4, label));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
                + "stroke=\"#444\"/>%n", LEFT, TOP, pw, ph));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"14\">%s</text>%n",
                LEFT + pw / 2, TOP - 14, Html.escape(options.title())));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + pw / 2, HEIGHT - 14, Html.escape(options.xLabel())));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.2f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.2f)\">%s</text>%n", TOP + ph / 2, TOP + ph / 2, Html.escape(options.yLabel())));
        if (options.diagonal()) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%d\" stroke=\"#999\" "
                    + "stroke-dasharray=\"4 4\"/>%n", LEFT, TOP + ph, LEFT + pw, TOP));
        }
        for (int s = 0; s < series.size(); s++) {
            sb.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(COLOURS[s % COLOURS.length])
                    .append("\" points=\"").append(points(series.get(s), pw, ph)).append("\"/>\n");
        }
        legend(sb, options.legend(), series, pw, ph);
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** The standalone file form: XML declaration, then {@link #svg}. */
    public static String svgFile(Options options, List<Series> series) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg(options, series);
    }

    private static String points(Series s, double pw, double ph) {
        StringBuilder sb = new StringBuilder();
        double[] last = {Double.NaN, Double.NaN}; // (2) the last drawn point in pixels
        int n = s.x().length;
        for (int i = 0; i < n; i++) {
            double px = LEFT + clamp(s.x()[i]) * pw;
            double py = TOP + (1 - clamp(s.y()[i])) * ph;
            if (s.steps() && i > 0) {
                // steps-post: keep the previous y up to this x, then jump
                add(sb, last, px, TOP + (1 - clamp(s.y()[i - 1])) * ph, false);
            }
            add(sb, last, px, py, i == n - 1);
        }
        return sb.toString().strip();
    }

    private static void add(StringBuilder sb, double[] last, double px, double py, boolean force) {
        if (!force && Math.abs(px - last[0]) < 0.25 && Math.abs(py - last[1]) < 0.25) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%.2f,%.2f ", px, py));
        last[0] = px;
        last[1] = py;
    }

    private static void legend(StringBuilder sb, Corner corner, List<Series> series, double pw, double ph) {
        int rows = series.size();
        int longest = 0;
        for (Series s : series) {
            longest = Math.max(longest, s.name().length());
        }
        double w = 34 + 7 * Math.min(longest, 40);
        double h = 8 + 16 * rows;
        double x0 = corner == Corner.LOWER_RIGHT ? LEFT + pw - w - 8 : LEFT + 8;
        double y0 = TOP + ph - h - 8;
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"white\" "
                + "fill-opacity=\"0.85\" stroke=\"#bbb\"/>%n", x0, y0, w, h));
        for (int s = 0; s < rows; s++) {
            double y = y0 + 14 + 16 * s;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\"/>%n", x0 + 6, y - 4, x0 + 26, y - 4, COLOURS[s % COLOURS.length]));
            String name = series.get(s).name();
            sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%.2f\">%s</text>%n", x0 + 30, y,
                    Html.escape(name.length() > 40 ? name.substring(0, 39) + "…" : name)));
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
