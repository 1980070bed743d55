package io.dpo4j.core.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress display on standard error: a bar, the position, the rate and the ETA, plus
 * whatever the caller reports (loss, accuracy, …). On a terminal it redraws in place; otherwise
 * (CI logs, pipes) it prints a plain line at most every {@code quietSeconds}.
 */
public final class ProgressBar implements AutoCloseable {

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final double quietSeconds;
    private long lastPrintNanos;
    private long done;
    private String detail = "";
    private boolean printed;

    private static volatile PrintWriter terminal;

    /** Declares the writer that goes to the user's terminal; only bars on it redraw in place. */
    public static void setTerminal(PrintWriter writer) {
        terminal = writer;
    }

    /** A bar that redraws in place when {@code err} is the terminal, else prints plain lines. */
    public ProgressBar(PrintWriter err, String label, long total) {
        this(err, label, total, System.console() != null && err == terminal, 10);
    }

    public ProgressBar(PrintWriter err, String label, long total, boolean interactive, double quietSeconds) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.interactive = interactive;
        this.quietSeconds = quietSeconds;
    }

    /** Sets the position and the detail text, and redraws when due. */
    public synchronized void update(long position, String detailText) {
        this.done = position;
        this.detail = detailText == null ? "" : detailText;
        long now = System.nanoTime();
        double since = (now - lastPrintNanos) / 1e9;
        if ((interactive && since >= 0.1) || since >= quietSeconds || position >= total) {
            draw(now);
            lastPrintNanos = now;
        }
    }

    /** Advances by one. */
    public void step(String detailText) {
        update(done + 1, detailText);
    }

    private void draw(long now) {
        double elapsed = (now - startNanos) / 1e9;
        double fraction = Math.min(1.0, (double) done / total);
        int width = 24;
        int filled = (int) Math.round(fraction * width);
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? "=" : ">") : "")
                + " ".repeat(width - filled);
        String eta = done > 0 && done < total ? " ETA " + clock(elapsed / done * (total - done)) : "";
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d %3.0f%% %s%s", label, bar, done, total, fraction * 100,
                detail, done >= total ? " in " + clock(elapsed) : eta);
        if (interactive) {
            err.print("\r" + line + "\u001b[K");
        } else {
            err.println(line);
        }
        err.flush();
        printed = true;
    }

    /** Formats seconds as {@code m:ss} or {@code h:mm:ss}. */
    public static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Prints a message on its own line without breaking the bar. */
    public synchronized void println(String message) {
        if (interactive && printed) {
            err.print("\r\u001b[K");
        }
        err.println(message);
        err.flush();
        if (interactive && printed) {
            draw(System.nanoTime());
        }
    }

    @Override
    public synchronized void close() {
        if (printed && done < total) {
            draw(System.nanoTime());
        }
        if (interactive && printed) {
            err.println();
        }
        err.flush();
    }
}
