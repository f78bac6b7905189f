package io.flowclash.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code [#####.....] scenario 7 of 27, ETA 12 s}), redrawn in place; silent when
 * disabled (stderr not a terminal, or {@code --quiet}). Single-threaded: the compare loop calls it between scenarios.
 */
public final class Progress
{
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final long startNs = System.nanoTime();
    private boolean drawn;

    /**
     * @param err     where to draw.
     * @param enabled false draws nothing.
     */
    public Progress(final PrintStream err, final boolean enabled)
    {
        this.err = err;
        this.enabled = enabled;
    }

    /**
     * @param done  scenarios finished.
     * @param total scenarios in all.
     * @param what  the scenario now running.
     */
    public void update(final int done, final int total, final String what)
    {
        if (!enabled)
        {
            return;
        }
        final long elapsed = System.nanoTime() - startNs;
        final int filled = total == 0 ? WIDTH : (int)((long)WIDTH * done / total);
        final String eta = done == 0 ? "--" :
            String.format(Locale.ROOT, "%d s", (elapsed / done * (total - done) + 999_999_999L) / 1_000_000_000L);
        err.printf(Locale.ROOT, "\r[%s%s] scenario %d of %d, ETA %s  %-28.28s", "#".repeat(filled),
            ".".repeat(WIDTH - filled), Math.min(done + 1, total), total, eta, what);
        err.flush();
        drawn = true;
    }

    /** Clear the line. */
    public void done()
    {
        if (enabled && drawn)
        {
            err.print("\r" + " ".repeat(WIDTH + 70) + "\r");
            err.flush();
        }
    }
}
