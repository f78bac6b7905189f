package io.flowclash.lab;

import io.flowclash.io.SafeOutput;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The lab's output files, through {@link SafeOutput} (a new path or a regular file in an existing directory,
 * written to a temp file and renamed into place): the JSON and, beside it, an HdrHistogram log ({@code .hlog})
 * with one tagged interval histogram of lookup latencies (microseconds) per scenario ({@code s0}, {@code s1}, ...).
 */
public final class LabOutput
{
    private LabOutput()
    {
    }

    /**
     * Refuse a bad path before the run starts (the run takes minutes).
     *
     * @param json the JSON path.
     */
    public static void check(final Path json)
    {
        SafeOutput.checkFile(json, "--out");
        SafeOutput.checkFile(hlogOf(json), "--out (.hlog beside it)");
    }

    private static Path hlogOf(final Path json)
    {
        final String file = json.getFileName().toString();
        return json.resolveSibling((file.endsWith(".json") ? file.substring(0, file.length() - 5) : file) + ".hlog");
    }

    /**
     * @param json       the JSON path.
     * @param text       the JSON text.
     * @param histograms per scenario, null for rows without lookups.
     */
    public static void write(final Path json, final String text, final List<Histogram> histograms)
    {
        final Path hlog = hlogOf(json);
        SafeOutput.checkFile(json, "--out");
        final boolean anyLatency = histograms.stream().anyMatch(h -> h != null);
        if (anyLatency)
        {
            SafeOutput.checkFile(hlog, "--out (.hlog beside it)");
        }
        SafeOutput.writeString(json, "--out", text + "\n");
        if (anyLatency)
        {
            SafeOutput.writeStream(hlog, "--out (.hlog beside it)", out ->
            {
                final PrintStream ps = new PrintStream(out, false, StandardCharsets.UTF_8);
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
                ps.flush();
            });
        }
    }
}
