package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which reference a design's throughput is divided by: the near-limit rows of the same {@code DatapathBenchmark}
 * run ({@code ref-agrona-arrival}, then {@code ref-agrona-random}) when the file has them, else the table lookup
 * alone and the {@code ConcurrentHashMap} baseline, as files written before those rows existed hold.
 */
class ThroughputTest
{
    private static void row(final ArrayNode list, final String benchmark, final String design, final String flows,
        final double mops)
    {
        final ObjectNode b = list.addObject();
        b.put("benchmark", benchmark);
        final ObjectNode params = b.putObject("params");
        if (design != null)
        {
            params.put("design", design);
        }
        params.put("flows", flows);
        b.put("mops", mops);
    }

    private static ObjectNode file(final boolean withNearLimitRows)
    {
        final ObjectNode f = ComparisonResults.mapper().createObjectNode();
        f.put("file", "jmh.json");
        final ArrayNode list = f.putArray("benchmarks");
        for (final String flows : new String[]{"65536", "1048576"})
        {
            final double scale = flows.equals("65536") ? 1.0 : 0.25;
            row(list, Throughput.DATAPATH + ".newFlow", "nf-clash-insert", flows, 4.0 * scale);
            row(list, Throughput.DATAPATH + ".established", "nf-clash-insert", flows, 20.0 * scale);
            row(list, Throughput.DATAPATH + ".newFlow", "chm-baseline", flows, 2.0 * scale);
            row(list, Throughput.LOOKUP, null, flows, 40.0 * scale);
            if (withNearLimitRows)
            {
                row(list, Throughput.DATAPATH + ".newFlow", "ref-agrona-random", flows, 80.0 * scale);
                row(list, Throughput.DATAPATH + ".newFlow", "ref-agrona-arrival", flows, 160.0 * scale);
                row(list, Throughput.DATAPATH + ".established", "ref-agrona-random", flows, 81.0 * scale);
                row(list, Throughput.DATAPATH + ".established", "ref-agrona-arrival", flows, 100.0 * scale);
            }
        }
        return f;
    }

    @Test
    void shouldDivideByTheNearLimitRowOfTheSameRunAndMethodWhenTheFileHasIt()
    {
        final Throughput t = Throughput.of(file(true));
        assertThat(t.flows()).isEqualTo("65536");
        assertThat(t.references()).extracting(r -> r.path("params").path("design").asText(""))
            .startsWith("ref-agrona-arrival", "ref-agrona-random");
        final JsonNode d = t.forDesign("nf-clash-insert");
        assertThat(d.get("reference").asText()).contains("ref-agrona-arrival");
        assertThat(d.get("referenceMops").asDouble()).isEqualTo(160.0);
        assertThat(d.get("newFlowRatio").asDouble()).isEqualTo(0.025);
        // the established figure over the established method's own reference row
        assertThat(d.get("establishedRatio").asDouble()).isEqualTo(0.2);
        // reference rows are not designs
        assertThat(t.forDesign("ref-agrona-arrival")).isNull();
    }

    @Test
    void shouldFallBackToTheTableLookupAndTheBaselineWithoutNearLimitRows()
    {
        final Throughput t = Throughput.of(file(false));
        assertThat(t.references()).extracting(r -> r.get("benchmark").asText())
            .containsExactly(Throughput.LOOKUP, Throughput.DATAPATH + ".newFlow");
        final JsonNode d = t.forDesign("nf-clash-insert");
        assertThat(d.get("referenceMops").asDouble()).isEqualTo(40.0);
        assertThat(d.get("newFlowRatio").asDouble()).isEqualTo(0.1);
        assertThat(d.has("establishedRatio")).isFalse();
    }
}
