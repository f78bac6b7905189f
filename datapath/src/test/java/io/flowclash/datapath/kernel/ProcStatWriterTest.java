package io.flowclash.datapath.kernel;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathCounters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A design's per-worker counters as {@code /proc/net/stat/nf_conntrack} rows of an era.
 */
class ProcStatWriterTest
{
    @Test
    void shouldPutEachWorkersCountersInItsOwnRowAndColumn()
    {
        final DatapathCounters c = new DatapathCounters(2);
        for (int i = 0; i < 0x1f; i++)
        {
            c.increment(1, Counter.CLASH_RESOLVE);
        }
        c.increment(0, Counter.INSERT_FAILED);
        c.increment(0, Counter.DROP);
        c.increment(1, Counter.CHAINTOOLONG);
        final String text = ProcStatWriter.write(c, 7, StatLayout.CHAINLENGTH);
        final String[] lines = text.split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("# layout of Linux 5.15 - current; one row per worker (CPU)");
        assertThat(lines[1]).isEqualTo(StatLayout.CHAINLENGTH.procHeader());
        assertThat(lines[2]).isEqualTo("00000007  00000000 00000000 00000000 00000000 00000000 00000000 00000000 " +
            "00000000 00000001 00000001 00000000 00000000  00000000 00000000 00000000 00000000");
        assertThat(lines[3]).isEqualTo("00000007  0000001f 00000000 00000000 00000000 00000000 00000000 00000001 " +
            "00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000");
        final ConntrackStatsSnapshot back = ConntrackStatsParser.parse(lines[1] + "\n" + lines[2] + "\n" + lines[3],
            "w").get(0);
        assertThat(back.total("clash_resolve")).isEqualTo(c.get(Counter.CLASH_RESOLVE));
        assertThat(back.total("chaintoolong")).isEqualTo(1);
    }

    @Test
    void shouldPrintZeroWhereTheKernelDoesAndNameWhatTheModelDoesNotCount()
    {
        final DatapathCounters c = new DatapathCounters(1);
        c.increment(0, Counter.CLASH_RESOLVE);
        final String old = ProcStatWriter.write(c, 0, StatLayout.HOTPATH_REMOVED);
        assertThat(old.split("\n")[2]).as("no clashres column before 5.10")
            .isEqualTo("00000000  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 " +
                "00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000");
        assertThat(old.split("\n")[0]).contains("expect_new expect_create expect_delete")
            .doesNotContain("searched");
        assertThat(ProcStatWriter.layoutOf("nf-clash-insert-5.10")).isEqualTo(StatLayout.CLASHRES);
        assertThat(ProcStatWriter.layoutOf("nf-drop")).isEqualTo(StatLayout.ALL_STATS);
        assertThat(ProcStatWriter.layoutOf("cilium-tc")).isEqualTo(StatLayout.CHAINLENGTH);
    }
}
