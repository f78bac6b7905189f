package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.datapath.design.Designs;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-design throughput out of one JMH file: {@code DatapathBenchmark.newFlow} and {@code .established} at the
 * smallest {@code flows} the file has, and the references measured in the same run, nearest the limit first: the
 * near-limit rows of the same {@code DatapathBenchmark} run ({@code ref-agrona-arrival}, a bare Agrona map get over
 * as many keys, visited in arrival order as the design rows visit their flows, then {@code ref-agrona-random}); then,
 * for files written before those rows existed, the in-process table lookup alone
 * ({@code ConntrackLookupBenchmark.lookup}, random order) and the {@code ConcurrentHashMap} baseline
 * ({@code design=chm-baseline}). Each design's figure is given as a ratio to the first reference found, and its
 * established figure as a ratio to the same near-limit row of the established method when the file has one.
 */
final class Throughput
{
    /** The benchmark class of the per-design figures. */
    static final String DATAPATH = "io.flowclash.jmh.datapath.DatapathBenchmark";
    /** The table lookup alone. */
    static final String LOOKUP = "io.flowclash.jmh.conntrack.ConntrackLookupBenchmark.lookup";
    /** The {@code ConcurrentHashMap} conntrack row of {@link #DATAPATH}. */
    static final String BASELINE = "chm-baseline";
    /** The near-limit rows of {@link #DATAPATH} (the jmh module's {@code NearLimitReference} ids), nearest first. */
    static final List<String> NEAR_LIMIT = List.of("ref-agrona-arrival", "ref-agrona-random");

    private final JsonNode file;
    private final String flows;
    private final List<JsonNode> references = new ArrayList<>();

    private Throughput(final JsonNode file, final String flows)
    {
        this.file = file;
        this.flows = flows;
    }

    /** @param file one normalised JMH file (see {@link JmhInput}). @return its throughput view. */
    static Throughput of(final JsonNode file)
    {
        String smallest = null;
        for (final JsonNode b : file.get("benchmarks"))
        {
            final String f = b.path("params").path("flows").asText(null);
            if (b.get("benchmark").asText().startsWith(DATAPATH + ".") && f != null &&
                (smallest == null || parse(f) < parse(smallest)))
            {
                smallest = f;
            }
        }
        final Throughput t = new Throughput(file, smallest);
        for (final String ref : NEAR_LIMIT)
        {
            final JsonNode b = t.find(ref, "newFlow");
            if (b != null)
            {
                t.references.add(b);
            }
        }
        for (final JsonNode b : file.get("benchmarks"))
        {
            // the random-order lookup: new flows land anywhere in the table, as the per-design runs' flows do
            if (b.get("benchmark").asText().equals(LOOKUP) &&
                b.path("params").path("flows").asText("").equals(smallest) &&
                b.path("params").path("order").asText("random").equals("random"))
            {
                t.references.add(b);
            }
        }
        final JsonNode chm = t.find(BASELINE, "newFlow");
        if (chm != null)
        {
            t.references.add(chm);
        }
        return t;
    }

    private static long parse(final String s)
    {
        try
        {
            return Long.parseLong(s);
        }
        catch (final NumberFormatException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    /** @return the flows parameter the figures are taken at, or null when the file has no datapath benchmark. */
    String flows()
    {
        return flows;
    }

    /** @return reference runs, nearest the limit first. */
    List<JsonNode> references()
    {
        return references;
    }

    /** @return the file's name. */
    String fileName()
    {
        return file.get("file").asText();
    }

    /**
     * @param design a design id.
     * @return {@code {file, flows, newFlowMops, establishedMops, reference, referenceMops, newFlowRatio,
     *     establishedReferenceMops, establishedRatio}} (the last two with a near-limit row), or null.
     */
    ObjectNode forDesign(final String design)
    {
        final JsonNode nf = find(design, "newFlow");
        if (nf == null || !Designs.all().stream().anyMatch(d -> d.id().equals(design)))
        {
            return null;
        }
        final ObjectNode o = ComparisonResults.mapper().createObjectNode();
        o.put("file", fileName());
        o.put("flows", flows);
        o.put("newFlowMops", nf.get("mops").asDouble());
        final JsonNode est = find(design, "established");
        if (est != null)
        {
            o.put("establishedMops", est.get("mops").asDouble());
        }
        if (!references.isEmpty())
        {
            final JsonNode ref = references.get(0);
            o.put("reference", label(ref));
            o.put("referenceMops", ref.get("mops").asDouble());
            o.put("newFlowRatio", Figures.round(nf.get("mops").asDouble() / ref.get("mops").asDouble(), 3));
            final String refRow = ref.path("params").path("design").asText("");
            final JsonNode estRef = NEAR_LIMIT.contains(refRow) ? find(refRow, "established") : null;
            if (est != null && estRef != null)
            {
                o.put("establishedReferenceMops", estRef.get("mops").asDouble());
                o.put("establishedRatio",
                    Figures.round(est.get("mops").asDouble() / estRef.get("mops").asDouble(), 3));
            }
        }
        return o;
    }

    /** @param ref a reference run. @return what it is, for legends and tables. */
    static String label(final JsonNode ref)
    {
        final String row = ref.path("params").path("design").asText("");
        if (NEAR_LIMIT.contains(row))
        {
            return "bare Agrona map get, " + (row.equals(NEAR_LIMIT.get(0)) ? "arrival" : "random") + " order (" +
                row + ")";
        }
        return ref.get("benchmark").asText().equals(LOOKUP) ? "table lookup alone (ConntrackLookupBenchmark)" :
            "ConcurrentHashMap baseline (chm-baseline newFlow)";
    }

    /** @param design id. @param method newFlow or established. @return the run at {@link #flows()}, or null. */
    JsonNode find(final String design, final String method)
    {
        for (final JsonNode b : file.get("benchmarks"))
        {
            if (b.get("benchmark").asText().equals(DATAPATH + "." + method) &&
                b.path("params").path("design").asText("").equals(design) &&
                b.path("params").path("flows").asText("").equals(flows))
            {
                return b;
            }
        }
        return null;
    }
}
