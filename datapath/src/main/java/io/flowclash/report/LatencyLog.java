package io.flowclash.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.flowclash.datapath.FlowclashException;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lookup latency out of a run's {@code .hlog} (HdrHistogram log format, durations in ns): the percentile points the
 * report's latency chart draws, recorded in {@code results.json} to {@value #SIGNIFICANT_DIGITS} significant digits.
 */
final class LatencyLog
{
    /** Percentiles recorded: enough points for a percentile plot up to 99.99 %. */
    static final double[] PERCENTILES = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98,
        98.5, 99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99};

    /** Significant digits of a recorded percentile. */
    static final int SIGNIFICANT_DIGITS = 3;

    private LatencyLog()
    {
    }

    /**
     * @param hlog  the log's text.
     * @param maxMs the exact longest lookup the run reported (a histogram keeps only its bucket's top): no
     *              percentile is shown above it, as the run's own percentiles are not.
     * @param what  for the message when it holds no histogram.
     * @return {@code [{"percentile": p, "ms": value}, ...]} over every interval of the log added together.
     */
    static ArrayNode percentiles(final String hlog, final double maxMs, final String what)
    {
        final HistogramLogReader reader = new HistogramLogReader(
            new ByteArrayInputStream(hlog.getBytes(StandardCharsets.US_ASCII)));
        Histogram sum = null;
        EncodableHistogram h;
        while ((h = reader.nextIntervalHistogram()) != null)
        {
            if (sum == null)
            {
                sum = ((Histogram)h).copy();
            }
            else
            {
                sum.add((Histogram)h);
            }
        }
        if (sum == null)
        {
            throw new FlowclashException("the latency log of " + what + " holds no histogram");
        }
        final ArrayNode out = ComparisonResults.mapper().createArrayNode();
        for (final double p : PERCENTILES)
        {
            final double ms = sum.getTotalCount() == 0 ? 0 : Math.min(sum.getValueAtPercentile(p) / 1e6, maxMs);
            // 3 significant digits: the histogram keeps 4, and its bucket tops (2,500.2 ms reads 2,500.33) are noise
            out.addObject().put("percentile", p).put("ms", Figures.roundSignificant(ms, SIGNIFICANT_DIGITS));
        }
        return out;
    }
}
