package io.flowclash.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line on stderr for long work: what is being done, how far (count and percent), the rate and the time
 * left. It appears once the work has taken about a second, is redrawn in place about four times a second, and is
 * cleared when the work ends; it is off when stderr is not a terminal or with {@code --quiet}, and forced on (one
 * plain line per report, from the start) with {@code --progress}. Forced on, every phase also ends with one line of
 * its final count, printed as the next phase starts or the work ends, so a log shows each phase however short it
 * was (a run shorter than the first tick would otherwise print nothing).
 *
 * <p>Thread safety: the work runs on the caller's thread and only publishes its count through the
 * {@link LongSupplier} it gives (read here from the reporter thread, so it must be safe to read from another
 * thread: an opaque or volatile read of a single-writer counter). Lines are printed under this object's monitor,
 * which also guards a phase change: the reporter builds each line inside it, so a line never pairs one phase's
 * label with another's count, and a phase's closing line (printed by the work's thread in {@link #phase} or
 * {@link #close()}) is never followed by a line of that phase.
 */
final class Progress implements AutoCloseable
{
    /** Set by {@code main} when file descriptor 2 is a terminal; in-process callers (tests) leave it false. */
    static volatile boolean stderrIsTerminal;

    private static final long FIRST_AFTER_NS = 1_000_000_000L;
    private static final long EVERY_MS = 250;
    private static final long FORCED_EVERY_MS = 1000;
    private static final long TICK_MS = 50;

    /** The {@code --quiet} and {@code --progress} options, mixed into every command that can run long. */
    static final class Options
    {
        @Option(names = "--quiet", description = "No progress line on stderr (it is shown only when stderr is a " +
            "terminal and the work takes over a second).")
        boolean quiet;

        @Option(names = "--progress", description = "Progress on stderr from the start, one line a second and a " +
            "last one per phase with its final count, even when stderr is not a terminal (a log file).")
        boolean progress;

        void check(final CommandLine cmd)
        {
            if (quiet && progress)
            {
                throw new CommandLine.ParameterException(cmd, "--quiet and --progress conflict: give one");
            }
        }
    }

    private final PrintWriter err;
    private final boolean enabled;
    private final boolean terminal;
    private final Thread reporter;
    private final long start = System.nanoTime();
    private volatile boolean done;
    private volatile long total;
    private volatile String unit = "";
    private volatile LongSupplier count = () -> 0;
    private volatile long phaseStart = start;
    private volatile String prefix = "";
    private int shownLength;

    private Progress(final PrintWriter err, final boolean enabled, final boolean terminal)
    {
        this.err = err;
        this.enabled = enabled;
        this.terminal = terminal;
        this.reporter = enabled ? new Thread(this::report, "flowclash-progress") : null;
        if (reporter != null)
        {
            reporter.setDaemon(true);
            reporter.start();
        }
    }

    /**
     * @param cmd     the command (its stderr).
     * @param options its {@code --quiet}/{@code --progress} options.
     * @return a progress line, shown or not as the options and the terminal say.
     */
    static Progress start(final CommandLine cmd, final Options options)
    {
        options.check(cmd);
        final boolean enabled = options.progress || (!options.quiet && stderrIsTerminal);
        return new Progress(cmd.getErr(), enabled, stderrIsTerminal && !options.progress);
    }

    /**
     * Start a phase of the work.
     *
     * @param prefix what is around it, e.g. {@code "design 2/9 nf-merge"}.
     * @param label  what is counted, e.g. {@code "packets"}.
     * @param total  how many there will be (0 when unknown: no percent and no time left).
     * @param count  how many are done so far, read from the reporter thread.
     */
    void phase(final String prefix, final String label, final long total, final LongSupplier count)
    {
        synchronized (this)
        {
            endPhase();
            this.count = count;
            this.total = total;
            this.prefix = prefix;
            this.phaseStart = System.nanoTime();
            this.unit = label;
        }
    }

    /**
     * In a log ({@code --progress} without a terminal), the closing line of the phase that ends; the caller holds
     * this object's monitor.
     */
    private void endPhase()
    {
        if (enabled && !terminal && !unit.isEmpty())
        {
            err.println(line(prefix, unit, count.getAsLong(), total, System.nanoTime() - phaseStart, true));
            err.flush();
        }
    }

    /** @return whether a progress line is being shown (or will be). */
    boolean enabled()
    {
        return enabled;
    }

    /**
     * @param prefix   what is around the work.
     * @param unit     what is counted.
     * @param done     how many are done.
     * @param total    how many in all (0: unknown).
     * @param elapsedNs time since the phase started.
     * @return the line, e.g.
     * {@code "design 2/9 nf-merge: 1,200,000/2,000,000 packets (60%), 3.1 M packets/s, 0:01 left"}.
     */
    static String line(final String prefix, final String unit, final long done, final long total,
        final long elapsedNs)
    {
        return line(prefix, unit, done, total, elapsedNs, false);
    }

    /** {@link #line(String, String, long, long, long)}; a phase's closing line ({@code last}) has no time left. */
    private static String line(final String prefix, final String unit, final long done, final long total,
        final long elapsedNs, final boolean last)
    {
        final StringBuilder sb = new StringBuilder(prefix);
        if (!prefix.isEmpty())
        {
            sb.append(": ");
        }
        sb.append(String.format(Locale.ROOT, "%,d", done));
        if (total > 0)
        {
            sb.append(String.format(Locale.ROOT, "/%,d", total));
        }
        sb.append(' ').append(unit);
        if (total > 0)
        {
            sb.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)));
        }
        final double rate = elapsedNs <= 0 ? 0 : done * 1e9 / elapsedNs;
        sb.append(", ").append(StreamCommand.human(rate)).append(' ').append(unit).append("/s");
        if (!last && total > 0 && done > 0 && done < total)
        {
            final long leftS = (long)((total - done) / rate);
            sb.append(String.format(Locale.ROOT, ", %d:%02d left", leftS / 60, leftS % 60));
        }
        return sb.toString();
    }

    private void report()
    {
        final boolean forced = !terminal;
        long lastPrint = 0;
        long lastPhase = -1;
        try
        {
            while (!done)
            {
                Thread.sleep(TICK_MS);
                final long now = System.nanoTime();
                final long phase = phaseStart;
                if (unit.isEmpty() || (!forced && now - start < FIRST_AFTER_NS))
                {
                    continue;
                }
                final boolean due = now - lastPrint >= (forced ? FORCED_EVERY_MS : EVERY_MS) * 1_000_000L;
                if (!due && !(forced && phase != lastPhase))
                {
                    continue;
                }
                synchronized (this)
                {
                    if (done)
                    {
                        break;
                    }
                    if (phaseStart != phase)
                    {
                        continue;
                    }
                    final String text = line(prefix, unit, count.getAsLong(), total, now - phase);
                    if (forced)
                    {
                        err.println(text);
                    }
                    else
                    {
                        err.print("\r" + text + " ".repeat(Math.max(0, shownLength - text.length())));
                        shownLength = text.length();
                    }
                    err.flush();
                }
                lastPrint = now;
                lastPhase = phase;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Stop reporting and clear the line; the work's own output follows on a clean line. */
    @Override
    public void close()
    {
        if (done)
        {
            return; // closed already: the closing line is printed once
        }
        done = true;
        if (reporter == null)
        {
            return;
        }
        reporter.interrupt();
        try
        {
            reporter.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        synchronized (this)
        {
            endPhase();
            if (shownLength > 0)
            {
                err.print("\r" + " ".repeat(shownLength) + "\r");
                err.flush();
            }
        }
    }

    /**
     * @return whether file descriptor 2 of this process is a terminal (Linux: {@code /proc/self/fd/2} names a tty).
     */
    static boolean fd2IsTerminal()
    {
        try
        {
            final String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return false;
        }
    }
}
