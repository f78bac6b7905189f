package io.flowclash.cli;

import io.flowclash.datapath.explore.InterleavingExplorer;
import org.junit.jupiter.api.Test;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the real command: the state-space estimate and the heap check before an exploration, the
 * {@code --max-states} budget, and outcomes as JSON fields.
 */
class ExploreCommandTest
{
    @Test
    void shouldEstimateAtLeastTheStatesExpanded()
    {
        for (final String design : new String[]{"nf-drop", "nf-clash-insert", "cilium-tc", "cilium-socklb"})
        {
            final long steps = InterleavingExplorer.explore(design, 1, 1, false).states();
            for (final int[] kn : new int[][]{{1, 1}, {1, 3}, {2, 1}, {2, 2}, {2, 3}, {3, 1}, {3, 2}})
            {
                final long states = InterleavingExplorer.explore(design, kn[0], kn[1], false).states();
                assertThat(ExploreCommand.estimateStates(kn[0], kn[1], steps))
                    .as("%s k=%d n=%d", design, kn[0], kn[1]).isGreaterThanOrEqualTo(states);
            }
        }
        assertThat(ExploreCommand.estimateStates(4, 4, 5)).isEqualTo(256L * 1296 * 24);
    }

    @Test
    void shouldRefuseWhatWouldNotFitInTheHeapWithTheEstimate()
    {
        final long needed = ExploreCommand.estimateStates(4, 4, 5) * ExploreCommand.BYTES_PER_STATE;
        assertThat(Runtime.getRuntime().maxMemory()).as("this test needs a heap under %d bytes", needed)
            .isLessThan(needed);
        final StreamCommandTest.Result r = run("explore", "-d", "nf-drop", "-k", "4", "-b", "4");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("an estimated 7,962,624 distinct states need about 15.2 GiB")
            .contains("--max-states");
        final StreamCommandTest.Result tooMany = run("explore", "-d", "nf-drop", "-k", "4", "-b", "4",
            "--max-states", "100000000000");
        assertThat(tooMany.status()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--max-states 100,000,000,000 needs about");
    }

    @Test
    void shouldRefuseAnOutOfRangePacketOrBackendCountBeforeEstimating()
    {
        for (final String[] kb : new String[][]{{"9", "2"}, {"0", "2"}, {"2", "9"}})
        {
            final StreamCommandTest.Result r = run("explore", "-d", "nf-drop", "-k", kb[0], "-b", kb[1]);
            assertThat(r.status()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("must be 1..4").doesNotContain("GiB");
        }
    }

    @Test
    void shouldStopWhenTheStateBudgetIsSpent()
    {
        final StreamCommandTest.Result r = run("explore", "-d", "nf-drop", "-k", "3", "-b", "2", "--max-states", "100");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("state budget of 100 distinct states (--max-states) is spent");
        final StreamCommandTest.Result enough = run("explore", "-d", "nf-drop", "-k", "2", "-b", "2",
            "--max-states", "168");
        assertThat(enough.status()).as(enough.err()).isZero();
        assertThat(enough.out()).contains("168 distinct states expanded");
    }

    @Test
    void shouldGiveVerdictsBackendsCountersAndTableAsFields()
    {
        final StreamCommandTest.Result r = run("explore", "-d", "nf-clash-insert", "-k", "2", "-b", "2",
            "--replies", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out())
            .contains("\"outcome\":\"A=clash_inserted->b0 B=new->b1 replyA=reply replyB=reply | clash_resolve=1 | ")
            .contains("\"verdicts\":{\"A\":\"clash_inserted\",\"B\":\"new\"},\"backends\":{\"A\":\"b0\",\"B\":\"b1\"}," +
                "\"replies\":{\"A\":\"reply\",\"B\":\"reply\"},\"counters\":{\"clash_resolve\":1},\"table\":[" +
                "{\"hidden\":true,\"original\":\"src=10.244.0.5 dst=10.96.0.10 sport=40000 dport=53\"," +
                "\"reply\":\"src=10.0.0.2 dst=10.244.0.5 sport=53 dport=40000\",\"expiresInMs\":1000}," +
                "{\"hidden\":false,\"original\":\"src=10.244.0.5 dst=10.96.0.10 sport=40000 dport=53\"," +
                "\"reply\":\"src=10.0.0.3 dst=10.244.0.5 sport=53 dport=40000\"}]")
            .contains("\"estimatedStates\":288");
        final StreamCommandTest.Result drop = run("explore", "-d", "nf-drop", "-k", "2", "-b", "1", "--json");
        assertThat(drop.status()).isZero();
        assertThat(drop.out()).contains("\"verdicts\":{\"A\":\"insert_failed\",\"B\":\"new\"}," +
            "\"backends\":{\"A\":null,\"B\":\"b0\"},\"replies\":{},\"counters\":{");
        // every counter of the string is a field: "name=n" in the outcome, "name":n in counters
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile(
            "\"outcome\":\"A=insert_failed B=new->b0 \\| ([^|]+) \\|.*?\"counters\":\\{([^}]*)\\}")
            .matcher(drop.out());
        assertThat(m.find()).as(drop.out()).isTrue();
        assertThat(m.group(1)).contains("insert_failed=1");
        assertThat(m.group(2)).isEqualTo(m.group(1).replaceAll("(\\w+)=(\\d+)", "\"$1\":$2").replace(' ', ','));
    }
}
