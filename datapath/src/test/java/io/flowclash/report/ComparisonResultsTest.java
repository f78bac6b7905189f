package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verdicts of {@code results.json} from scenario figures written by hand: a design holds in a scenario only when
 * the race was put to it (and it left no slow lookup), fails with a slow lookup, and is not tested when its run saw
 * no race.
 */
class ComparisonResultsTest
{
    private static ObjectNode result(final String design, final long slow, final long lookups, final long raced,
        final long clashed)
    {
        final ObjectNode r = ComparisonResults.mapper().createObjectNode();
        r.put("design", design);
        r.put("dropped", slow);
        r.put("racedBatches", raced);
        r.put("clashedBatches", clashed);
        r.put("entries", 100);
        r.put("hiddenEntries", 0);
        r.putObject("lookups").put("total", lookups);
        r.putObject("verdicts").put("clash_inserted", 0);
        r.putObject("report").put("slowLookups", slow).put("slowSharePercent", 100.0 * slow / lookups);
        return r;
    }

    private static ObjectNode scenario(final String race, final Resolver resolver, final Workaround w,
        final ObjectNode... results)
    {
        final Scenario s = new Scenario(resolver, race, w.backends() == 0 ? 2 : w.backends(), w,
            "dns-lookups:clients=50,lookups=2", ScenarioMatrix.DESIGNS, false);
        final ObjectNode o = ComparisonResults.mapper().createObjectNode();
        o.put("id", s.id());
        o.put("family", s.family());
        o.put("race", race);
        o.put("backends", s.backends());
        o.put("workaround", w.id());
        final ArrayNode list = o.putArray("results");
        for (final ObjectNode r : results)
        {
            list.add(r);
        }
        return o;
    }

    private static ObjectNode noInputs()
    {
        final ObjectNode inputs = ComparisonResults.mapper().createObjectNode();
        inputs.putArray("jmh");
        inputs.putArray("kernelLab");
        return inputs;
    }

    private static JsonNode row(final JsonNode verdicts, final int family, final String design)
    {
        for (final JsonNode d : verdicts.get(family).get("designs"))
        {
            if (d.get("design").asText().equals(design))
            {
                return d;
            }
        }
        throw new AssertionError("no verdict row for " + design);
    }

    @Test
    void shouldNotCallADesignThatNeverClashedInARealRaceHolding()
    {
        // race real: the threads were released together 100 times for each design, but nf-drop's pairs never met
        // in the table (no insert_failed, no drop) while nf-merge's did and dropped 45
        final ArrayNode scenarios = ComparisonResults.mapper().createArrayNode();
        scenarios.add(scenario("real", Resolver.GLIBC, Workaround.NONE,
            result("nf-drop", 0, 100, 100, 0), result("nf-merge", 45, 100, 100, 60),
            result("nf-reverse-merge", 0, 100, 100, 97)));
        final ArrayNode verdicts = ComparisonResults.verdicts(scenarios, noInputs());

        final JsonNode drop = row(verdicts, 0, "nf-drop");
        assertThat(drop.get("holds")).isEmpty();
        assertThat(drop.get("fails")).isEmpty();
        assertThat(drop.get("untested")).hasSize(1);
        assertThat(drop.get("untested").get(0).get("lookups").asLong()).isEqualTo(100);
        assertThat(drop.get("untested").get(0).get("racedBatches").asLong()).isEqualTo(100);
        assertThat(drop.get("holdsWithoutWorkaround").asBoolean()).isFalse();

        assertThat(row(verdicts, 0, "nf-merge").get("fails")).hasSize(1);
        final JsonNode reverse = row(verdicts, 0, "nf-reverse-merge");
        assertThat(reverse.get("holds")).hasSize(1);
        assertThat(reverse.get("holds").get(0).get("clashedBatches").asLong()).isEqualTo(97);
        assertThat(reverse.get("holdsWithoutWorkaround").asBoolean()).isTrue();
    }

    @Test
    void shouldCountAForcedInterleavingAsTestedEvenWithoutAClash()
    {
        // race always forces every lookup before any confirm: NOTRACK leaves nothing to clash, and holds; with
        // single-request no two queries are sent together: nothing raced, nothing tested
        final ArrayNode scenarios = ComparisonResults.mapper().createArrayNode();
        scenarios.add(scenario("always", Resolver.GLIBC, Workaround.NOTRACK, result("nf-drop", 0, 100, 100, 0)));
        scenarios.add(scenario("always", Resolver.GLIBC_SINGLE_REQUEST, Workaround.NONE,
            result("nf-drop", 0, 100, 0, 0)));
        final ArrayNode verdicts = ComparisonResults.verdicts(scenarios, noInputs());

        assertThat(row(verdicts, 0, "nf-drop").get("holds")).hasSize(1);
        assertThat(row(verdicts, 0, "nf-drop").get("untested")).isEmpty();
        assertThat(verdicts.get(0).get("pairsRaced").asLong()).isEqualTo(100);
        assertThat(verdicts.get(1).get("pairsRaced").asLong()).isZero();
        final JsonNode single = row(verdicts, 1, "nf-drop");
        assertThat(single.get("holds")).isEmpty();
        assertThat(single.get("untested")).hasSize(1);
        assertThat(single.get("untested").get(0).get("racedBatches").asLong()).isZero();
        assertThat(single.get("holdsWithoutWorkaround").asBoolean()).isFalse();
    }
}
