package io.flowclash.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.report.ComparisonResults;
import io.flowclash.report.Progress;
import io.flowclash.report.ReportWriter;
import io.flowclash.report.Scenario;
import io.flowclash.report.ScenarioMatrix;
import io.flowclash.report.ScenarioRunner;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code flowclash compare}: the scenario matrix through {@code flowclash run}, and the design comparison report.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Run every design through a matrix of scenarios (race modes x backends x workarounds: IPVS sh/dh, NOTRACK,",
        "one replica), each one 'flowclash run' invocation, and write a report folder: index.html (self-contained),",
        "report.md, results.json (every figure, the machine and versions), charts/*.svg and *.png, hlog/.",
        "The verdicts (which designs and workarounds leave no lookup over 1 s, and at what cost) come from the data."},
    footer = {
        "%nMatrices: quick (default): race always, p=0.05, real x (one replica; 2 and 3 backends x none, IPVS sh,",
        "  IPVS dh, NOTRACK) on dns-pairs:sockets=1000; real on 100 sockets: one replica, none and IPVS sh at",
        "  2 backends: 21 scenarios.",
        "  full: race always, p=0.01, p=0.05, p=0.5, real on dns-pairs:sockets=20000,clients=1000 (45 scenarios).",
        "%nThe report is written into a temporary directory beside --out and renamed onto it when complete; --out",
        "must be new, empty, or an earlier report. Bad --jmh/--kernel-lab files stop the command before any run.",
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

    @Option(names = {"-q", "--quiet"}, description = "No progress bar (it is also off when stderr is not a terminal).")
    boolean quiet;

    @Override
    public void run()
    {
        ReportWriter.checkTarget(out);
        final ObjectNode inputs = ComparisonResults.readInputs(jmh, kernelLab);
        System.setProperty("java.awt.headless", "true");
        final boolean full = size != null && size.full;
        final List<Scenario> scenarios = full ? ScenarioMatrix.full() : ScenarioMatrix.quick();
        final long start = System.nanoTime();
        final Progress progress = new Progress(System.err, !quiet && System.console() != null);
        final ObjectNode doc = ComparisonResults.build(full ? "full" : "quick", scenarios, CompareCommand::runScenario,
            inputs, progress);
        final JsonNode written = ReportWriter.write(doc, List.of(), out);
        final PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s/index.html, report.md, results.json, %d charts (%d scenarios in %.1f s)%n",
            out, written.get("charts").size(), scenarios.size(), (System.nanoTime() - start) / 1e9);
    }

    /** The one run path: {@code flowclash run ARGS --json}, in this JVM, its output parsed. */
    static JsonNode runScenario(final Scenario s)
    {
        final List<String> args = new ArrayList<>();
        args.add("run");
        args.addAll(s.runArgs());
        args.add("--json");
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final int rc = FlowclashCommand.execute(args.toArray(new String[0]), new PrintWriter(o, true),
            new PrintWriter(e, true));
        if (rc != 0)
        {
            throw new FlowclashException("scenario " + s.id() + " (" + s.commandLine() + "): " + e.toString().trim());
        }
        try
        {
            return ComparisonResults.mapper().readTree(o.toString());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("flowclash run --json printed something not JSON: " + ex.getMessage(), ex);
        }
    }

    /** @return the runner compare uses (for tests that hold its figures against single runs). */
    public static ScenarioRunner runner()
    {
        return CompareCommand::runScenario;
    }
}
