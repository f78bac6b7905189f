package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.flowclash.datapath.resolver.LookupStats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The percentile points recorded from a run's latency log: 3 significant digits, so that HdrHistogram's bucket tops
 * (a recorded 2,500.2 ms reads back as 2,500.26 ms) do not show as figures.
 */
class LatencyLogTest
{
    private static String hlog(final long... ns)
    {
        // as a dns-lookups run records: 4 significant digits
        final Histogram h = new Histogram(1, LookupStats.HIGHEST_NS, 4);
        for (final long v : ns)
        {
            h.recordValue(v);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final HistogramLogWriter w = new HistogramLogWriter(new PrintStream(bytes, true, StandardCharsets.US_ASCII));
        w.outputLogFormatVersion();
        w.outputStartTime(0);
        w.outputLegend();
        w.outputIntervalHistogram(0, 1, h);
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldRecordThreeSignificantDigitsNotBucketTops()
    {
        final long[] values = new long[100];
        for (int i = 0; i < values.length; i++)
        {
            // 90 answered at once (0.4 ms: two replies), 9 at musl's retry (2.5 s + 0.2 ms), one at 5 s + 0.4 ms
            values[i] = i < 90 ? 400_000L : i < 99 ? 2_500_200_000L : 5_000_400_000L;
        }
        final ArrayNode points = LatencyLog.percentiles(hlog(values), 5000.4, "test");
        assertThat(points).hasSize(LatencyLog.PERCENTILES.length);
        for (final JsonNode p : points)
        {
            final BigDecimal ms = BigDecimal.valueOf(p.get("ms").asDouble()).stripTrailingZeros();
            assertThat(ms.precision()).as("%s at p%s", ms, p.get("percentile")).isLessThanOrEqualTo(3);
        }
        assertThat(at(points, 50)).isEqualTo(0.4);
        assertThat(at(points, 95)).isEqualTo(2500.0);
        assertThat(at(points, 99.99)).isEqualTo(5000.0);
    }

    private static double at(final ArrayNode points, final double percentile)
    {
        for (final JsonNode p : points)
        {
            if (p.get("percentile").asDouble() == percentile)
            {
                return p.get("ms").asDouble();
            }
        }
        throw new AssertionError("no point at " + percentile);
    }
}
