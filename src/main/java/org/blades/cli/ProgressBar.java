package org.blades.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.blades.data.IndexBuilder;
import org.blades.embed.Embedder;

/**
 * A one-line progress bar on stderr, redrawn at most five times a second and once at the end:
 * {@code embed [#########.....] 12/40 images, 1 failed, 3.2 s}.
 */
public final class ProgressBar implements IndexBuilder.Progress, Embedder.Progress {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String task;
    private final String unit;
    private final String failedWord;
    private final long start = System.nanoTime();
    private long lastDraw;

    /**
     * @param task       the command's name, first on the line
     * @param unit       what is counted ("files", "images")
     * @param failedWord what the failure count is called ("unreadable", "failed")
     */
    public ProgressBar(PrintStream err, String task, String unit, String failedWord) {
        this.err = err;
        this.task = task;
        this.unit = unit;
        this.failedWord = failedWord;
    }

    @Override
    public void update(int done, int total, int failed) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        err.printf(Locale.ROOT, "\r%s [%s%s] %d/%d %s, %d %s, %.1f s", task, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, unit, failed, failedWord, (now - start) / 1e9);
        if (done == total) {
            err.println();
        }
        err.flush();
    }
}
