package io.flowclash.jmh.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PacketLatencyHarness}: a fixed-rate run records one latency per packet (or more, with the expected-interval
 * correction) and writes its histogram to the {@code .hlog} tagged {@code design@rate}; the search runs the floor
 * and its bisection steps; bad options exit 2 with one line and write nothing.
 */
class PacketLatencyHarnessTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return PacketLatencyHarness.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void shouldRecordEveryPacketOfAFixedRateRunAndLogItsHistogram() throws Exception
    {
        final Path hlog = dir.resolve("lat.hlog");
        assertThat(run("--design", "nf-clash-insert,cilium-tc", "--rate", "20000", "--duration-ms", "50",
            "--warmup-ms", "0", "--flows", "1024", "--hlog", hlog.toString(), "--quiet")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("nf-clash-insert").contains("cilium-tc").contains("p99 ns");
        final List<Histogram> logged = new ArrayList<>();
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        while (reader.hasNext())
        {
            logged.add((Histogram)reader.nextIntervalHistogram());
        }
        assertThat(logged).extracting(Histogram::getTag).containsExactly("nf-clash-insert@20000", "cilium-tc@20000");
        assertThat(logged).allSatisfy(h -> assertThat(h.getTotalCount()).isEqualTo(1000L));
    }

    @Test
    void shouldAddTheOmittedPacketsWithTheExpectedIntervalCorrection()
    {
        // 1 M packets at 1e8 packets/s: every service time (two clock reads and a packet) is longer than the 10 ns
        // interval, so each packet adds at least one it held back
        assertThat(run("--design", "nf-drop", "--rate", "100000000", "--duration-ms", "10", "--warmup-ms", "0",
            "--flows", "1024", "--correction", "expected-interval", "--quiet")).as(err.toString()).isZero();
        final String row = out.toString().lines().filter(l -> l.startsWith("nf-drop")).findFirst().orElseThrow();
        final long packets = Long.parseLong(row.trim().split("\\s+")[2]);
        assertThat(packets).isGreaterThan(1_500_000L);
    }

    @Test
    void shouldSearchFromTheFloorInABoundedNumberOfRuns()
    {
        assertThat(run("--design", "nf-drop", "--steps", "2", "--min-rate", "1000", "--max-rate", "100000",
            "--duration-ms", "20", "--warmup-ms", "0", "--flows", "1024", "--thresholds-ns", "60000000000",
            "--quiet")).as(err.toString()).isZero();
        final long runs = out.toString().lines().filter(l -> l.matches("nf-drop +[0-9]+ .*")).count();
        assertThat(runs).as(out.toString()).isEqualTo(3L);
        // a threshold no run can miss: the floor (1000/s), then 10000/s and 31623/s (log-scale midpoints) pass
        assertThat(out.toString()).contains("p99<60000000000ns: 31623/s (untried above, up to the ceiling 100000/s)");
    }

    @Test
    void shouldRefuseBadOptionsWithOneLineAndExit2() throws Exception
    {
        assertThat(run("--flows", "1000")).isEqualTo(2);
        assertThat(err.toString().trim().lines()).hasSize(1).first().asString().contains("--flows");
        err.getBuffer().setLength(0);
        assertThat(run("--design", "no-such-design", "--rate", "1000")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown design 'no-such-design'");
        err.getBuffer().setLength(0);
        assertThat(run("--design", "nf-drop", "--rate", "1000", "--hlog", dir.toString())).isEqualTo(2);
        assertThat(err.toString().trim().lines()).hasSize(1);
        try (var files = Files.list(dir))
        {
            assertThat(files).isEmpty();
        }
    }
}
