package io.flowclash.datapath.kernel;

import io.flowclash.datapath.FlowclashException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.flowclash.datapath.kernel.StatLayoutTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reading counter dumps. Samples (test resources): {@code proc-6.18-this-machine.txt} is this machine's
 * {@code /proc/net/stat/nf_conntrack}, copied; {@code proc-4.x-netdata-issue-161.txt} is the first three rows a
 * user posted from a 4.x node in netdata/netdata issue 161 (2016); the {@code conntrack-S-*} files are written in
 * conntrack-tools' format ({@code nfct_stats_cb}: {@code "cpu=%-4u\t"}, then {@code "%s=%u "} per attribute the
 * kernel sent) with the names a 4.x kernel (&le; 4.8: searched ... delete_list, ignore) and a 5.15+ kernel send;
 * their numbers are made up.
 */
class ConntrackStatsParserTest
{
    @Test
    void shouldReadThisMachinesProcFile()
    {
        final List<ConntrackStatsSnapshot> s = ConntrackStatsParser.parse(resource("proc-6.18-this-machine.txt"),
            "proc");
        assertThat(s).hasSize(1);
        assertThat(s.get(0).format()).isEqualTo(ConntrackStatsSnapshot.Format.PROC);
        assertThat(s.get(0).fileNames()).isEqualTo(StatLayout.CHAINLENGTH.procColumns());
        assertThat(s.get(0).names()).contains("clash_resolve", "chaintoolong", "error");
        final long rows = resource("proc-6.18-this-machine.txt").lines().count() - 1;
        assertThat(s.get(0).cpus()).hasSize((int)rows);
        assertThat(s.get(0).total("insert_failed")).isZero();
    }

    @Test
    void shouldSumCpuRowsOfA4xProcFile()
    {
        final ConntrackStatsSnapshot s = ConntrackStatsParser.parse(resource("proc-4.x-netdata-issue-161.txt"),
            "p").get(0);
        assertThat(s.cpus()).hasSize(3);
        assertThat(s.total("entries")).as("entries repeats on every row, not summed").isEqualTo(0x71e);
        assertThat(s.total("drop")).isEqualTo(0x53a + 0x8);
        assertThat(s.total("searched")).isEqualTo(0x0760e6ffL + 0x00b57258L + 0x0044e878L);
        assertThat(s.total("error")).as("icmp_error").isEqualTo(0x21251);
        assertThat(s.has("clash_resolve")).isFalse();
    }

    @Test
    void shouldSplitConntrackSIntoSnapshotsWhereACpuRepeats()
    {
        final List<ConntrackStatsSnapshot> s = ConntrackStatsParser.parse(
            resource("conntrack-S-4.x-two-snapshots.txt"), "s");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).names()).isEqualTo(StatLayout.ALL_STATS.conntrackSNames());
        assertThat(s.get(1).firstLine()).isEqualTo(3);
        assertThat(s.get(1).increaseSince(s.get(0), "insert_failed")).isEqualTo(20);
        assertThat(s.get(1).increaseSince(s.get(0), "drop")).isEqualTo(3);
    }

    @Test
    void shouldRead515ConntrackS()
    {
        final ConntrackStatsSnapshot s = ConntrackStatsParser.parse(resource("conntrack-S-5.15-one-snapshot.txt"),
            "s").get(0);
        assertThat(s.names()).isEqualTo(StatLayout.CHAINLENGTH.conntrackSNames());
        assertThat(s.cpus()).containsExactly(0, 1, 2, 3);
        assertThat(s.total("clash_resolve")).isEqualTo(552);
        assertThat(s.total("insert_failed")).isEqualTo(18);
        assertThat(s.total("chaintoolong")).isEqualTo(1);
    }

    @Test
    void shouldCountIncreasesAcrossA32BitWrap()
    {
        final String text = "entries  found drop\n00000001  fffffffe 00000000\nentries  found drop\n" +
            "00000002  00000003 00000000\n";
        final List<ConntrackStatsSnapshot> s = ConntrackStatsParser.parse(text, "t");
        assertThat(s.get(1).increaseSince(s.get(0), "found")).isEqualTo(5);
        assertThat(s.get(1).increaseSince(s.get(0), "entries")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad hex|entries  found\\n0000000g  00000001\\n|t: line 2, column 8: entries '0000000g' is not a hex number",
        "too few fields|entries  found drop\\n00000000  00000001\\n|t: line 2, column 19: 2 fields, but the header",
        "too many fields|entries  found\\n00000000  00000001 00000002\\n|t: line 2, column 20: 3 fields",
        "unknown column|entries  foundx\\n|t: line 1, column 10: 'foundx' is not a /proc/net/stat/nf_conntrack column",
        "header only|entries  found\\n|t: line 2, column 1: a header (line 1) with no CPU rows",
        "not a dump|hello world\\n|t: line 1, column 1: neither a /proc/net/stat/nf_conntrack header",
        "bad decimal|cpu=0   \\tfound=1 drop=1x\\n|t: line 1, column 24: drop '1x' is not a decimal number",
        "not name=value|cpu=0   \\tfound=1 drop\\n|t: line 1, column 18: 'drop' is not name=value",
        "unknown name|cpu=0   \\tfound=1 dropped=1\\n|t: line 1, column 18: 'dropped' is not a conntrack -S counter",
        "line without cpu|cpu=0   \\tfound=1\\nfound=2\\n|t: line 2, column 1: expected cpu=N",
        "names differ|cpu=0   \\tfound=1 drop=0\\ncpu=1   \\tfound=1\\n|t: line 2, column 10: counters [found] differ",
        "too big|cpu=0   \\tfound=4294967296\\n|t: line 1, column 16: found 4294967296 does not fit 32 bits",
        "empty|\\n\\n|t: empty"})
    void shouldNameLineAndColumnOfWhatIsWrong(final String name, final String input, final String message)
    {
        final String text = input.replace("\\n", "\n").replace("\\t", "\t");
        assertThatThrownBy(() -> ConntrackStatsParser.parse(text, "t"))
            .isInstanceOf(FlowclashException.class)
            .hasMessageStartingWith(message)
            .hasMessageNotContaining("\n");
    }
}
