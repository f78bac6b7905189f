package io.flowclash.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.io.SafeOutput;
import io.flowclash.report.ComparisonResults;
import io.flowclash.report.ReportWriter;
import io.flowclash.report.Scenario;
import io.flowclash.report.ScenarioMatrix;
import io.flowclash.report.ScenarioRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code flowclash compare}: the scenario matrix through {@code flowclash run}, and the design comparison report.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Run every design through a matrix of scenarios (race modes x backends x",
        "workarounds: IPVS sh/dh, NOTRACK, one replica), each one 'flowclash run'",
        "invocation, and write a report folder: index.html (self-contained),",
        "report.md, results.json (every figure, the machine and versions),",
        "charts/*.svg and *.png, hlog/. The verdicts (which designs and workarounds",
        "leave no lookup over 1 s, and at what cost) come from the data: a design",
        "holds in a scenario only when the race was put to it (under race real:",
        "when a pair of its queries met in the table; the OS scheduler decides",
        "which do, so race real rows differ from run to run)."},
    footer = {
        "%nMatrices (each scenario: every design on dns-lookups, resolvers in",
        "virtual time):",
        "  quick (default): race always for glibc, glibc single-request, glibc",
        "    single-request-reopen and musl; p=0.05 for glibc and musl; each x",
        "    (one replica; 2 and 3 backends x none, IPVS sh, IPVS dh, NOTRACK), on",
        "    " + ScenarioMatrix.QUICK_LOOKUPS + "; real for glibc and musl",
        "    (2 backends, no workaround) on " + ScenarioMatrix.QUICK_REAL_LOOKUPS + ":",
        "    56 scenarios; latency logs (hlog/) of race always without a",
        "    workaround at 2 backends.",
        "  full: every resolver x always, p=0.01, p=0.05, p=0.5, real x every",
        "    workaround on " + ScenarioMatrix.FULL_LOOKUPS + " (180 scenarios),",
        "    every latency log.",
        "%nThe report is written into a temporary directory beside --out and",
        "renamed onto it when complete; --out must be new, empty, or an earlier",
        "report. Bad --jmh/--kernel-lab files stop the command before any run.",
        "%nExamples:",
        "  flowclash compare",
        "  flowclash compare --out docs/example-report --jmh docs/results-jmh.json"})
public final class CompareCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "flowclash-report",
        description = "Report folder: new, empty, or an earlier report (replaced) (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.ArgGroup(exclusive = true)
    Size size;

    /** --quick or --full. */
    static final class Size
    {
        @Option(names = "--quick", description = "The quick matrix (the default).")
        boolean quick;

        @Option(names = "--full", description = "The full matrix, for big machines.")
        boolean full;
    }

    @Option(names = "--jmh", paramLabel = "FILE.json",
        description = "JMH results (java -jar jmh/target/benchmarks.jar -rf json -rff FILE.json) for the " +
            "throughput chart and costs; repeatable.")
    List<Path> jmh = new ArrayList<>();

    @Option(names = "--kernel-lab", paramLabel = "FILE.json",
        description = "Output of 'flowclash kernel-lab --json' for the kernel vs model chart; repeatable.")
    List<Path> kernelLab = new ArrayList<>();

    @CommandLine.Mixin
    Progress.Options progressOptions = new Progress.Options();

    @Override
    public void run()
    {
        progressOptions.check(spec.commandLine());
        ReportWriter.checkTarget(out);
        final ObjectNode inputs = ComparisonResults.readInputs(jmh, kernelLab);
        System.setProperty("java.awt.headless", "true");
        final boolean full = size != null && size.full;
        final List<Scenario> scenarios = full ? ScenarioMatrix.full() : ScenarioMatrix.quick();
        final long start = System.nanoTime();
        final List<ReportWriter.Hlog> hlogs = new ArrayList<>();
        final ObjectNode doc;
        try (Progress progress = Progress.start(spec.commandLine(), progressOptions))
        {
            final AtomicLong done = new AtomicLong();
            progress.phase("compare (" + (full ? "full" : "quick") + " matrix)", "scenarios", scenarios.size(),
                done::get);
            doc = ComparisonResults.build(full ? "full" : "quick", scenarios, runner(), inputs, done::set, hlogs);
        }
        final JsonNode written = ReportWriter.write(doc, hlogs, out);
        final PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s/index.html, report.md, results.json, %d charts (%d scenarios in %.1f s)%n",
            out, written.get("charts").size(), scenarios.size(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * The one run path: {@code flowclash run ARGS --json --hlog DIR}, in this JVM, its output parsed and its latency
     * logs read back; DIR is a temporary directory removed before returning (and on SIGINT/SIGTERM).
     */
    static ScenarioRunner.Run runScenario(final Scenario s)
    {
        final Path tmp;
        try
        {
            tmp = Files.createTempDirectory("flowclash-compare-");
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("cannot create a temporary directory in " +
                System.getProperty("java.io.tmpdir") + ": " + SafeOutput.cause(ex), ex);
        }
        final Thread cleanup = new Thread(() -> delete(tmp), "compare-hlog-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            final Path hlogDir = tmp.resolve("hlog");
            final List<String> args = new ArrayList<>();
            args.add("run");
            args.addAll(s.runArgs());
            args.add("--json");
            args.add("--quiet"); // compare's own progress line counts scenarios
            if (s.latencyLog())
            {
                args.add("--hlog");
                args.add(hlogDir.toString());
            }
            final StringWriter o = new StringWriter();
            final StringWriter e = new StringWriter();
            final int rc = FlowclashCommand.execute(args.toArray(new String[0]), new PrintWriter(o, true),
                new PrintWriter(e, true));
            if (rc != 0)
            {
                throw new FlowclashException("scenario " + s.id() + " (" + s.commandLine() + "): " +
                    e.toString().trim());
            }
            final JsonNode json = ComparisonResults.mapper().readTree(o.toString());
            final Map<String, String> hlogs = new LinkedHashMap<>();
            for (final JsonNode r : json.path("results"))
            {
                final Path f = hlogDir.resolve(r.get("design").asText() + ".hlog");
                if (s.latencyLog() && Files.isRegularFile(f))
                {
                    hlogs.put(r.get("design").asText(), Files.readString(f, StandardCharsets.US_ASCII));
                }
            }
            return new ScenarioRunner.Run(json, hlogs);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("scenario " + s.id() + ": reading what flowclash run wrote: " +
                ex.getMessage(), ex);
        }
        finally
        {
            delete(tmp);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook runs and deletes it
            }
        }
    }

    private static void delete(final Path dir)
    {
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException | java.io.UncheckedIOException ignore)
        {
            // already gone, or gone in part: nothing of the user's is in it
        }
    }

    /** @return the runner compare uses (for tests that hold its figures against single runs). */
    public static ScenarioRunner runner()
    {
        return CompareCommand::runScenario;
    }
}
