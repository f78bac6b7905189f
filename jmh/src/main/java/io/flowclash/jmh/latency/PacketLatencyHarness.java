package io.flowclash.jmh.latency;

import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.io.SafeOutput;
import io.flowclash.jmh.datapath.DatapathBenchmark;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-packet latency of each design under an open-loop load: packet {@code i} is due at {@code start + i / rate}
 * whether or not the packets before it are done (the sender does not wait for the datapath), one worker thread
 * processes them in order, spinning until each is due, and each packet's latency is the time from when it was due
 * to when its verdict was known. A packet that waited behind a slow one carries that wait: coordinated omission
 * cannot hide a stall. With {@code --correction expected-interval} the load is the classic paced one instead (the
 * next packet leaves one interval after the previous one's start, or at once if that is past) and the service time
 * is recorded with HdrHistogram's {@code recordValueWithExpectedInterval}, which adds the packets a stall kept from
 * being sent. The two are alternatives: the correction must not be applied to latencies measured from the due time,
 * which already count the stall once.
 *
 * <p>The packets are those of the JMH {@code DatapathBenchmark} ({@code established} or {@code newFlow}), through
 * the same state, so the latency harness and the throughput benchmark measure one path; each run checks at its end
 * that every packet took that path. Without {@code --rate} the harness searches, per design and threshold, the
 * highest rate at which the p99 stays under the threshold: a bisection in log scale between {@code --min-rate}
 * and {@code --max-rate}, {@code --steps} runs per threshold. Results go to stdout, progress to stderr (when it is a
 * terminal and not {@code --quiet}), every run's histogram to the {@code --hlog} file (tag {@code design@rate}).
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar packet-latency --help} (through {@code -jar}: the jar's
 * manifest carries the JVM flags Agrona needs)
 */
@Command(name = "packet-latency", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = io.flowclash.cli.VersionProvider.class,
    description = "Per-packet latency of each design under an open-loop load (HdrHistogram, coordinated omission " +
        "corrected); without --rate, the highest rates at which p99 stays under each threshold.")
public final class PacketLatencyHarness implements Callable<Integer>
{
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    @Option(names = "--design", paramLabel = "IDS", defaultValue = "all",
        description = "Designs: a comma list of ids, all, or a prefix glob such as nf-* (default: ${DEFAULT-VALUE}).")
    String design;

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "established",
        description = "established or newFlow (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--flows", paramLabel = "N", defaultValue = "65536",
        description = "Flows in the table, a power of two, 1024..4194304 (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--rate", paramLabel = "PPS",
        description = "One run per design at this rate, packets per second, 1..1000000000 (default: search).")
    Long rate;

    @Option(names = "--thresholds-ns", paramLabel = "NS", split = ",", defaultValue = "1000,10000",
        description = "p99 thresholds for the search, ns (default: ${DEFAULT-VALUE}).")
    long[] thresholds;

    @Option(names = "--min-rate", paramLabel = "PPS", defaultValue = "10000",
        description = "Search floor, packets per second (default: ${DEFAULT-VALUE}).")
    long minRate;

    @Option(names = "--max-rate", paramLabel = "PPS", defaultValue = "50000000",
        description = "Search ceiling, packets per second, at most 1000000000 (default: ${DEFAULT-VALUE}).")
    long maxRate;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "8",
        description = "Bisection runs per design and threshold, 1..40 (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--duration-ms", paramLabel = "MS", defaultValue = "1000",
        description = "Length of one measured run, 10..600000 ms (default: ${DEFAULT-VALUE}).")
    long durationMs;

    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1000",
        description = "Closed-loop warm-up per design before its runs, 0..600000 ms (default: ${DEFAULT-VALUE}).")
    long warmupMs;

    @Option(names = "--correction", paramLabel = "MODE", defaultValue = "intended",
        description = "intended (latency from each packet's due time, open loop) or expected-interval (paced load, " +
            "service time recorded with recordValueWithExpectedInterval) (default: ${DEFAULT-VALUE}).")
    String correction;

    @Option(names = "--hlog", paramLabel = "FILE",
        description = "Write every run's histogram to FILE (HdrHistogram log, tag design@rate; default: none).")
    Path hlog;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    /** The {@code --hlog} content so far (compressed interval histograms are small), written out at the end. */
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private PrintStream logStream;
    private HistogramLogWriter logWriter;
    private PrintWriter out;
    private PrintWriter err;

    /** One measured run's figures. */
    record Run(String design, long rate, long count, long p50, long p99, long p999, long max)
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * @param args command line.
     * @param out  results.
     * @param err  errors and progress.
     * @return the exit status: 0, or 2 for a bad option.
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final PacketLatencyHarness h = new PacketLatencyHarness();
        h.out = out;
        h.err = err;
        final CommandLine cl = new CommandLine(h);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) ->
        {
            if (ex instanceof FlowclashException || ex instanceof IllegalArgumentException)
            {
                err.println("packet-latency: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws InterruptedException
    {
        validate();
        if (hlog != null)
        {
            SafeOutput.checkFile(hlog, "--hlog file");
            startLog();
        }
        final List<String> ids = new ArrayList<>();
        Designs.select(design).forEach(d -> ids.add(d.id()));
        out.printf(Locale.ROOT, "# path=%s flows=%d correction=%s duration=%dms processors=%d%n", path, flows,
            correction, durationMs, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-22s %12s %10s %9s %9s %9s %11s%n", "design", "rate/s", "packets", "p50 ns",
            "p99 ns", "p99.9 ns", "max ns");
        final List<String> summary = new ArrayList<>();
        for (final String id : ids)
        {
            final DatapathBenchmark b = DatapathBenchmark.prepared(id, flows);
            warmUp(b);
            if (rate != null)
            {
                print(measure(b, id, rate));
                continue;
            }
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", id));
            for (final long threshold : thresholds)
            {
                line.append(String.format(Locale.ROOT, "  p99<%dns: %s", threshold, search(b, id, threshold)));
            }
            summary.add(line.toString());
        }
        if (!summary.isEmpty())
        {
            out.println("# highest rate searched at which p99 stays under the threshold (between --min-rate and " +
                "--max-rate)");
            summary.forEach(out::println);
        }
        if (hlog != null)
        {
            writeLog();
        }
        out.flush();
        return 0;
    }

    private void validate()
    {
        require(path.equals("established") || path.equals("newFlow"), "--path must be established or newFlow: " + path);
        require(Integer.bitCount(flows) == 1 && flows >= 1024 && flows <= (1 << 22),
            "--flows must be a power of two in 1024..4194304: " + flows);
        require(rate == null || (rate >= 1 && rate <= 1_000_000_000L), "--rate must be in 1..1000000000: " + rate);
        require(minRate >= 1 && maxRate <= 1_000_000_000L && minRate < maxRate,
            "--min-rate and --max-rate must satisfy 1 <= min < max <= 1000000000: " + minRate + ", " + maxRate);
        require(steps >= 1 && steps <= 40, "--steps must be in 1..40: " + steps);
        require(durationMs >= 10 && durationMs <= 600_000, "--duration-ms must be in 10..600000: " + durationMs);
        require(warmupMs >= 0 && warmupMs <= 600_000, "--warmup-ms must be in 0..600000: " + warmupMs);
        require(correction.equals("intended") || correction.equals("expected-interval"),
            "--correction must be intended or expected-interval: " + correction);
        for (final long t : thresholds)
        {
            require(t >= 1 && t <= HIGHEST_NS, "--thresholds-ns must be in 1.." + HIGHEST_NS + ": " + t);
        }
    }

    private static void require(final boolean ok, final String message)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(message);
        }
    }

    private String search(final DatapathBenchmark b, final String id, final long threshold)
        throws InterruptedException
    {
        double lo = minRate;
        double hi = maxRate;
        final Run floor = measure(b, id, minRate);
        print(floor);
        if (floor.p99() >= threshold)
        {
            return "below " + minRate + "/s (p99 " + floor.p99() + " ns at the floor)";
        }
        boolean failedAbove = false;
        for (int s = 0; s < steps; s++)
        {
            final long mid = Math.round(Math.sqrt(lo * hi));
            final Run r = measure(b, id, mid);
            print(r);
            if (r.p99() < threshold)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
                failedAbove = true;
            }
        }
        return String.format(Locale.ROOT, "%d/s (%s %d/s)", Math.round(lo),
            failedAbove ? "missed at" : "untried above, up to the ceiling", Math.round(hi));
    }

    private void warmUp(final DatapathBenchmark b)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMs);
        final boolean established = path.equals("established");
        while (System.nanoTime() - end < 0)
        {
            for (int i = 0; i < 1024; i++)
            {
                if (established)
                {
                    b.established();
                }
                else
                {
                    b.newFlow();
                }
            }
        }
    }

    /**
     * One run on a worker thread of its own.
     *
     * @param b  the state.
     * @param id design id.
     * @param pps packets per second.
     * @return the run's figures.
     * @throws InterruptedException if interrupted while waiting for the worker.
     */
    Run measure(final DatapathBenchmark b, final String id, final long pps) throws InterruptedException
    {
        if (!quiet && System.console() != null)
        {
            err.printf(Locale.ROOT, "packet-latency: %s at %d/s ...%n", id, pps);
            err.flush();
        }
        final Histogram h = new Histogram(HIGHEST_NS, 3);
        final long packets = Math.max(1, pps * durationMs / 1000);
        final double intervalNs = 1e9 / pps;
        final boolean established = path.equals("established");
        final boolean paced = correction.equals("expected-interval");
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread worker = new Thread(() ->
        {
            try
            {
                b.startIteration();
                h.setStartTimeStamp(System.currentTimeMillis());
                final long start = System.nanoTime();
                long due = start;
                for (long i = 0; i < packets; i++)
                {
                    if (!paced)
                    {
                        due = start + (long)(i * intervalNs);
                    }
                    while (System.nanoTime() - due < 0)
                    {
                        Thread.onSpinWait();
                    }
                    final long begun = paced ? System.nanoTime() : due;
                    if (established)
                    {
                        b.established();
                    }
                    else
                    {
                        b.newFlow();
                    }
                    final long done = System.nanoTime();
                    if (paced)
                    {
                        h.recordValueWithExpectedInterval(Math.min(done - begun, HIGHEST_NS), (long)intervalNs);
                        due = begun + (long)intervalNs;
                    }
                    else
                    {
                        h.recordValue(Math.min(done - due, HIGHEST_NS));
                    }
                }
                h.setEndTimeStamp(System.currentTimeMillis());
                b.checkPath(path);
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }, "packet-latency-worker");
        worker.start();
        worker.join();
        if (failure.get() != null)
        {
            throw new IllegalStateException(id + " at " + pps + "/s: " + failure.get().getMessage(), failure.get());
        }
        h.setTag(id + "@" + pps);
        if (logWriter != null)
        {
            logWriter.outputIntervalHistogram(h);
        }
        return new Run(id, pps, h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
            h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    private void print(final Run r)
    {
        out.printf(Locale.ROOT, "%-22s %12d %10d %9d %9d %9d %11d%n", r.design(), r.rate(), r.count(), r.p50(),
            r.p99(), r.p999(), r.max());
        out.flush();
    }

    private void startLog()
    {
        logStream = new PrintStream(logBytes, false, StandardCharsets.UTF_8);
        logWriter = new HistogramLogWriter(logStream);
        logWriter.outputComment("flowclash packet-latency path=" + path + " flows=" + flows + " correction=" +
            correction);
        logWriter.outputLogFormatVersion();
        final long base = System.currentTimeMillis();
        logWriter.setBaseTime(base);
        logWriter.outputBaseTime(base);
        logWriter.outputLegend();
    }

    private void writeLog()
    {
        logStream.flush();
        SafeOutput.writeStream(hlog, "--hlog file", stream -> logBytes.writeTo(stream));
    }
}
