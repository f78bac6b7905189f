package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.kernel.KernelDesignTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@code results.json}, the one document every table, verdict and chart of the report is drawn from: the
 * machine and versions, each scenario with the run's own JSON per design (plus the slow-lookup share), the verdicts
 * per family, and the JMH and kernel-lab figures given.
 */
public final class ComparisonResults
{
    /** Schema id written into the document. */
    public static final String SCHEMA = "flowclash-compare/1";
    /** A lookup slower than this is a slow lookup: a resolver timeout (1 s and more) was waited for. */
    public static final int SLOW_SECONDS = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ComparisonResults()
    {
    }

    /** @return the mapper the report reads and writes with. */
    public static ObjectMapper mapper()
    {
        return MAPPER;
    }

    /**
     * @param jmhFiles files given to {@code --jmh}.
     * @param labFiles files given to {@code --kernel-lab}.
     * @return the inputs, read and checked; the first bad file throws.
     */
    public static ObjectNode readInputs(final List<Path> jmhFiles, final List<Path> labFiles)
    {
        final ObjectNode inputs = MAPPER.createObjectNode();
        final ArrayNode jmh = inputs.putArray("jmh");
        for (final Path f : jmhFiles)
        {
            jmh.add(JmhInput.read(f, MAPPER));
        }
        final ArrayNode labs = inputs.putArray("kernelLab");
        for (final Path f : labFiles)
        {
            labs.add(KernelLabInput.read(f, MAPPER));
        }
        return inputs;
    }

    /**
     * Run the matrix and build the document.
     *
     * @param mode      {@code quick} or {@code full}.
     * @param scenarios the matrix.
     * @param runner    runs one scenario as {@code flowclash run --json} does.
     * @param inputs    from {@link #readInputs}.
     * @param progress  told the number of scenarios done after each one (the command's progress line).
     * @param hlogs     receives each scenario's and design's latency log, to be written into {@code hlog/}.
     * @return the document.
     */
    public static ObjectNode build(final String mode, final List<Scenario> scenarios, final ScenarioRunner runner,
        final ObjectNode inputs, final java.util.function.IntConsumer progress, final List<ReportWriter.Hlog> hlogs)
    {
        final long start = System.nanoTime();
        final ObjectNode doc = MAPPER.createObjectNode();
        doc.put("schema", SCHEMA);
        doc.put("generated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        doc.put("mode", mode);
        doc.put("slowSeconds", SLOW_SECONDS);
        doc.set("versions", versions());
        doc.set("machine", machine());
        final ArrayNode designs = doc.putArray("designs");
        for (final Designs.Design d : Designs.all())
        {
            designs.addObject().put("id", d.id()).put("models", d.models()).put("clashRule", d.clashRule());
        }
        final ArrayNode list = doc.putArray("scenarios");
        for (int i = 0; i < scenarios.size(); i++)
        {
            final Scenario s = scenarios.get(i);
            list.add(scenario(s, runner.run(s), hlogs));
            progress.accept(i + 1);
        }
        doc.put("scenarioCount", list.size());
        doc.set("verdicts", verdicts(list, inputs));
        doc.set("jmh", inputs.get("jmh"));
        doc.set("kernelLab", inputs.get("kernelLab"));
        doc.put("matrixWallMs", (System.nanoTime() - start) / 1_000_000L);
        return doc;
    }

    private static ObjectNode scenario(final Scenario s, final ScenarioRunner.Run given,
        final List<ReportWriter.Hlog> hlogs)
    {
        final JsonNode run = given.json();
        final ObjectNode o = MAPPER.createObjectNode();
        o.put("id", s.id());
        o.put("family", s.family());
        o.put("resolver", s.resolver().id());
        o.put("resolverLabel", s.resolver().label());
        o.put("race", s.race());
        o.put("backends", s.backends());
        o.put("workaround", s.workaround().id());
        o.put("workaroundLabel", s.workaround().label());
        o.put("command", s.commandLine());
        o.put("workload", run.path("workload").asText());
        final ArrayNode results = o.putArray("results");
        final JsonNode rows = run.get("results");
        if (rows == null || !rows.isArray())
        {
            throw new FlowclashException("scenario " + s.id() + ": the run printed no results array");
        }
        for (final JsonNode r : rows)
        {
            final String design = r.get("design").asText();
            final ObjectNode copy = r.deepCopy();
            final long lookups = r.path("lookups").path("total").asLong();
            // dns-lookups: the resolvers' latency (slowShare = lookups over 1 s); other workloads: stalled lookups
            final long slow = r.has("slowShare") ? Math.round(r.get("slowShare").asDouble() * lookups) :
                r.path("lookups").path("stalled").asLong();
            final ObjectNode derived = copy.putObject("report");
            derived.put("slowLookups", slow);
            derived.put("slowSharePercent", lookups == 0 ? 0.0 : Figures.round(100.0 * slow / lookups, 2));
            derived.put("entriesTotal", r.path("entries").asLong() + r.path("hiddenEntries").asLong());
            final String hlog = given.hlogs().get(design);
            if (hlog != null)
            {
                final String name = s.id() + "--" + design + ".hlog";
                hlogs.add(new ReportWriter.Hlog(name, hlog));
                derived.put("hlog", "hlog/" + name);
                derived.set("latencyPercentilesMs", LatencyLog.percentiles(hlog,
                    r.path("latencyMs").path("max").asDouble(Double.MAX_VALUE), s.id() + " " + design));
            }
            results.add(copy);
        }
        return o;
    }

    /**
     * Per family and design: the scenarios (workaround and backends) where the race was put to the design and no
     * lookup took over {@link #SLOW_SECONDS} ({@code holds}), those with a slow lookup ({@code fails}), those where
     * its run saw no race and so cannot say ({@code untested}), and the cost where it holds (entries left,
     * reply-only entries inserted, throughput from JMH when given).
     *
     * <p>Whether the race was put to a design: under {@code always} and {@code p=X} the scheduler interleaves the
     * steps of a raced pair (every lookup before any confirm), so a raced batch is the race, whether or not the
     * design has a table to clash in (NOTRACK has none); under {@code real} the pair's threads are released
     * together but may not overlap, and only a pair that met in the table ({@code clashedBatches}) shows the race
     * happened.
     */
    static ArrayNode verdicts(final ArrayNode scenarios, final ObjectNode inputs)
    {
        final Map<String, List<JsonNode>> families = new LinkedHashMap<>();
        for (final JsonNode s : scenarios)
        {
            families.computeIfAbsent(s.get("family").asText(), k -> new ArrayList<>()).add(s);
        }
        final ArrayNode out = MAPPER.createArrayNode();
        for (final Map.Entry<String, List<JsonNode>> f : families.entrySet())
        {
            final ObjectNode family = out.addObject();
            family.put("family", f.getKey());
            final Set<String> designIds = new LinkedHashSet<>();
            for (final JsonNode s : f.getValue())
            {
                for (final JsonNode r : s.get("results"))
                {
                    designIds.add(r.get("design").asText());
                }
            }
            long pairsRaced = 0;
            long slowLookups = 0;
            for (final JsonNode s : f.getValue())
            {
                for (final JsonNode r : s.get("results"))
                {
                    pairsRaced += r.path("racedBatches").asLong();
                    slowLookups += r.get("report").get("slowLookups").asLong();
                }
            }
            // 0 pairs raced: the resolver never sent two queries of one socket together (single-request)
            family.put("pairsRaced", pairsRaced);
            family.put("slowLookups", slowLookups);
            final ArrayNode rows = family.putArray("designs");
            for (final String id : designIds)
            {
                final ObjectNode row = rows.addObject();
                row.put("design", id);
                row.put("kernels", kernels(id));
                final ArrayNode holds = row.putArray("holds");
                final ArrayNode fails = row.putArray("fails");
                final ArrayNode untested = row.putArray("untested");
                int bareHolds = 0;
                int bareOther = 0;
                for (final JsonNode s : f.getValue())
                {
                    for (final JsonNode r : s.get("results"))
                    {
                        if (!r.get("design").asText().equals(id))
                        {
                            continue;
                        }
                        final long slow = r.get("report").get("slowLookups").asLong();
                        final ObjectNode cell = (slow != 0 ? fails : raceTested(s, r) ? holds : untested).addObject();
                        cell.put("scenario", s.get("id").asText());
                        cell.put("workaround", s.get("workaround").asText());
                        cell.put("backends", s.get("backends").asInt());
                        cell.put("slowLookups", slow);
                        cell.put("slowSharePercent", r.get("report").get("slowSharePercent").asDouble());
                        cell.put("lookups", r.path("lookups").path("total").asLong());
                        cell.put("racedBatches", r.path("racedBatches").asLong());
                        cell.put("clashedBatches", r.path("clashedBatches").asLong());
                        cell.put("entries", r.get("entries").asLong());
                        cell.put("hiddenEntries", r.get("hiddenEntries").asLong());
                        cell.put("replyOnlyInserts", r.path("verdicts").path("clash_inserted").asLong());
                        if (s.get("workaround").asText().equals(Workaround.NONE.id()))
                        {
                            if (slow == 0 && raceTested(s, r))
                            {
                                bareHolds++;
                            }
                            else
                            {
                                bareOther++;
                            }
                        }
                    }
                }
                // every scenario without a workaround put the race to it and none left a slow lookup
                row.put("holdsWithoutWorkaround", bareHolds > 0 && bareOther == 0);
                final JsonNode mops = throughput(inputs, id);
                if (mops != null)
                {
                    row.set("throughput", mops);
                }
            }
        }
        return out;
    }

    /** @return true if the scenario's run put the race to the design (see {@link #verdicts}). */
    static boolean raceTested(final JsonNode scenario, final JsonNode result)
    {
        return scenario.get("race").asText().equals("real") ? result.path("clashedBatches").asLong() > 0 :
            result.path("racedBatches").asLong() > 0;
    }

    /** @return the design's new-flow throughput from the first JMH file that has it, with the reference, or null. */
    static JsonNode throughput(final ObjectNode inputs, final String design)
    {
        for (final JsonNode file : inputs.get("jmh"))
        {
            final Throughput t = Throughput.of(file);
            final ObjectNode row = t.forDesign(design);
            if (row != null)
            {
                return row;
            }
        }
        return null;
    }

    /** @return the kernel releases a design models: the kernel-version table's range, else the registry's. */
    static String kernels(final String id)
    {
        return KernelDesignTable.DESIGN_IDS.contains(id) ? "Linux " + KernelDesignTable.era(id) :
            Designs.get(id).models();
    }

    private static ObjectNode versions()
    {
        final ObjectNode v = MAPPER.createObjectNode();
        v.put("flowclash", BuildInfo.VERSION);
        v.put("java", System.getProperty("java.version"));
        v.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        v.put("jackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        v.put("xchart", mavenVersion("org.knowm.xchart", "xchart"));
        v.put("hdrHistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
        v.put("agrona", mavenVersion("org.agrona", "agrona"));
        return v;
    }

    /** The version in a dependency's {@code META-INF/maven/.../pom.properties} (kept in the shaded jar). */
    private static String mavenVersion(final String group, final String artifact)
    {
        final String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (java.io.InputStream in = ComparisonResults.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                return "unknown (no " + resource + ")";
            }
            final java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            return "unknown (" + ex.getMessage() + ")";
        }
    }

    private static ObjectNode machine()
    {
        final ObjectNode m = MAPPER.createObjectNode();
        m.put("os", System.getProperty("os.name"));
        m.put("kernel", System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        final String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        m.put("memory", mem);
        m.put("jvmMaxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        // the wall time of the matrix depends on what else runs: the load when it started
        m.put("loadAverage", firstLine(Path.of("/proc/loadavg")));
        return m;
    }

    private static String firstLine(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "unknown" : String.join(" ", List.of(lines.get(0).split(" ")).subList(0,
                Math.min(3, lines.get(0).split(" ").length)));
        }
        catch (final IOException | SecurityException ex)
        {
            return "unknown (" + file + " not readable)";
        }
    }

    private static String firstValue(final Path file, final String key)
    {
        try
        {
            for (final String line : Files.readAllLines(file))
            {
                final int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key))
                {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        catch (final IOException | SecurityException ex)
        {
            return "unknown (" + file + " not readable)";
        }
        return "unknown";
    }
}
