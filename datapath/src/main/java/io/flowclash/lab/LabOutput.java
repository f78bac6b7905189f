package io.flowclash.lab;

import io.flowclash.datapath.FlowclashException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The lab's output files: the JSON and, beside it, an HdrHistogram log ({@code .hlog}) with one tagged interval
 * histogram of lookup latencies (microseconds) per scenario ({@code s0}, {@code s1}, ...). Only a new path or a
 * regular file in an existing directory is written, through a temp file in the same directory renamed into place.
 */
public final class LabOutput
{
    private LabOutput()
    {
    }

    /**
     * @param json       the JSON path.
     * @param text       the JSON text.
     * @param histograms per scenario, null for rows without lookups.
     */
    public static void write(final Path json, final String text, final List<Histogram> histograms)
    {
        final String file = json.getFileName().toString();
        final Path hlog = json.resolveSibling((file.endsWith(".json") ? file.substring(0, file.length() - 5) : file) +
            ".hlog");
        check(json);
        check(hlog);
        atomically(json, tmp -> Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8));
        if (histograms.stream().anyMatch(h -> h != null))
        {
            atomically(hlog, tmp ->
            {
                try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp), false, StandardCharsets.UTF_8))
                {
                    final HistogramLogWriter w = new HistogramLogWriter(ps);
                    w.outputComment("flowclash kernel-lab lookup latencies, microseconds; tag sN = scenario N");
                    w.outputLogFormatVersion();
                    w.outputLegend();
                    for (int i = 0; i < histograms.size(); i++)
                    {
                        final Histogram h = histograms.get(i);
                        if (h != null)
                        {
                            final Histogram c = h.copy();
                            c.setTag("s" + i);
                            c.setStartTimeStamp(0);
                            c.setEndTimeStamp(1);
                            w.outputIntervalHistogram(c);
                        }
                    }
                }
            });
        }
    }

    private static void check(final Path p)
    {
        final Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir))
        {
            throw new FlowclashException("--out " + p + ": directory " + dir + " does not exist");
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
        {
            throw new FlowclashException("--out " + p + ": exists and is not a regular file");
        }
    }

    /** Writing to a temp path. */
    private interface Writer
    {
        void write(Path tmp) throws IOException;
    }

    private static void atomically(final Path target, final Writer writer)
    {
        Path tmp = null;
        try
        {
            tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
            writer.write(tmp);
            try
            {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("--out " + target + ": " + ex, ex);
        }
        finally
        {
            if (tmp != null)
            {
                try
                {
                    Files.deleteIfExists(tmp);
                }
                catch (final IOException ignore)
                {
                    // already moved or gone
                }
            }
        }
    }
}
