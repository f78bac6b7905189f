package io.flowclash.datapath.explore;

import io.flowclash.datapath.design.Designs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each design's exact outcome set, checked against {@code expected-outcomes.csv} (derived from the reference's
 * era table), and invariants checked on every single outcome: conservation, one visible entry for the flow, and
 * drops only where the design's era has them.
 */
class InterleavingExplorerTest
{
    static Stream<Arguments> expectations() throws IOException
    {
        final List<Arguments> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            InterleavingExplorerTest.class.getResourceAsStream("expected-outcomes.csv"), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.isBlank() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] f = line.split(";");
                final Set<String> expected = Arrays.stream(f[3].split("\\|")).map(String::trim)
                    .collect(Collectors.toCollection(TreeSet::new));
                rows.add(Arguments.of(f[0].trim(), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()),
                    expected));
            }
        }
        return rows.stream();
    }

    static String verdictMultiset(final String outcome)
    {
        final String verdicts = outcome.substring(0, outcome.indexOf('|')).trim();
        return Arrays.stream(verdicts.split(" "))
            .filter(t -> !t.startsWith("reply"))
            .map(t -> t.substring(t.indexOf('=') + 1).replaceAll("->.*", ""))
            .sorted()
            .collect(Collectors.joining("+"));
    }

    @ParameterizedTest(name = "{0} k={1} n={2}")
    @MethodSource("expectations")
    void shouldReachExactlyTheExpectedVerdicts(final String design, final int k, final int n, final Set<String> expected)
    {
        final InterleavingExplorer.Exploration e = InterleavingExplorer.explore(design, k, n, false);
        final Set<String> reached = e.outcomes().stream().map(o -> verdictMultiset(o.description()))
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(reached).as("%s k=%d n=%d", design, k, n).isEqualTo(expected);
        assertThat(e.interleavings()).isEqualTo(e.outcomes().stream().mapToLong(
            InterleavingExplorer.Outcome::interleavings).sum());
        for (final InterleavingExplorer.Outcome o : e.outcomes())
        {
            assertThat(o.conserved()).as("conservation in %s", o.description()).isTrue();
            assertThat(o.anyDrop()).as(o.description()).isEqualTo(verdictMultiset(o.description()).contains("insert_failed"));
            // the flow is listed exactly once, whatever the interleaving (conntrack, or Cilium's service CT entry)
            final String table = o.description().substring(o.description().lastIndexOf('|') + 1);
            assertThat(table.split("visible ", -1).length - 1).as("visible entries in %s", o.description())
                .isEqualTo(1);
            assertThat(o.witness()).startsWith("backends A=b");
        }
    }

    @Test
    void shouldNeverDropWhereTheDesignIsFixed()
    {
        for (final Designs.Design d : Designs.all())
        {
            for (int n = 1; n <= 3; n++)
            {
                final InterleavingExplorer.Exploration e = InterleavingExplorer.explore(d.id(), 2, n, true);
                final boolean anyDrop = e.outcomes().stream().anyMatch(InterleavingExplorer.Outcome::anyDrop);
                if (!d.canDropOnClash())
                {
                    assertThat(anyDrop).as(d.id() + " n=" + n).isFalse();
                    // and every accepted query's reply is translated back to the VIP
                    for (final InterleavingExplorer.Outcome o : e.outcomes())
                    {
                        assertThat(o.description()).as(d.id()).doesNotContain("reply_untranslated");
                    }
                }
                else if (!d.id().equals("nf-same-origin") || n > 1)
                {
                    assertThat(anyDrop).as(d.id() + " n=" + n + " must be able to drop").isTrue();
                }
            }
        }
    }

    @Test
    void shouldReplayEveryWitnessToItsOwnOutcome()
    {
        for (final String design : new String[]{"nf-drop", "nf-merge", "nf-same-origin", "nf-clash-insert"})
        {
            final InterleavingExplorer.Exploration e = InterleavingExplorer.explore(design, 3, 2, true);
            for (final InterleavingExplorer.Outcome o : e.outcomes())
            {
                assertThat(InterleavingExplorer.replay(design, 3, 2, true, o.witness()))
                    .as("%s witness %s", design, o.witness()).isEqualTo(o.description());
            }
        }
    }

    @Test
    void shouldRejectAWitnessThatDoesNotFitTheDesign()
    {
        final String race2 = "backends A=b0 B=b0: A.lookup A.alloc A.dnat B.lookup B.alloc B.dnat B.snat B.confirm " +
            "A.snat A.confirm";
        assertThat(InterleavingExplorer.replay("nf-merge", 2, 1, false, race2)).startsWith("A=insert_failed");
        assertThat(InterleavingExplorer.replay("nf-same-origin", 2, 1, false, race2)).startsWith("A=clash_merged");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            InterleavingExplorer.replay("nf-merge", 2, 1, false, race2.replace("A.snat A.confirm", "A.confirm")))
            .hasMessageContaining("next step is snat");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            InterleavingExplorer.replay("nf-merge", 2, 1, false, "A.lookup")).hasMessageContaining("backends");
    }

    @Test
    void shouldShowTheNatClashEntryAndItsRepliesForRace3()
    {
        final InterleavingExplorer.Exploration e = InterleavingExplorer.explore("nf-clash-insert", 2, 2, true);
        assertThat(e.outcomes()).anySatisfy(o ->
        {
            assertThat(o.description()).contains("clash_inserted->b").contains("replyA=reply replyB=reply")
                .contains("hidden src=10.244.0.5 dst=10.96.0.10 sport=40000 dport=53 -> src=10.0.0.")
                .contains("(1000 ms)").contains("clash_resolve=1");
        });
        // the explorer counts exactly: the total is the brute force's (InterleavingExplorerCrossCheckTest compares
        // every outcome's count), and the sum of the outcomes' counts
        assertThat(e.interleavings()).isEqualTo(e.outcomes().stream()
            .mapToLong(InterleavingExplorer.Outcome::interleavings).sum());
        assertThat(e.interleavings()).isEqualTo(InterleavingExplorerCrossCheckTest.bruteForce("nf-clash-insert", 2, 2)
            .values().stream().mapToLong(Long::longValue).sum());
    }
}
