package io.flowclash.datapath.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-era counter files, checked against the kernel's own format strings ({@code ct_cpu_seq_show}) and
 * against this machine's {@code /proc/net/stat/nf_conntrack}.
 */
class StatLayoutTest
{
    static String resource(final String name)
    {
        try (InputStream in = StatLayoutTest.class.getResourceAsStream(name))
        {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void shouldPrintTheHeadersAsTheKernelDoes()
    {
        // seq_puts strings of ct_cpu_seq_show: 4.x, 5.10 (bc92470413f3 follow-up), 5.15 (d7e7747ac5c2)
        assertThat(StatLayout.HOTPATH_REMOVED.procHeader()).isEqualTo("entries  searched found new invalid ignore " +
            "delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create " +
            "expect_delete search_restart");
        assertThat(StatLayout.CLASHRES.procHeader()).isEqualTo("entries  clashres found new invalid ignore delete " +
            "delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete " +
            "search_restart");
        assertThat(StatLayout.CHAINLENGTH.procHeader()).isEqualTo("entries  clashres found new invalid ignore " +
            "delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create " +
            "expect_delete search_restart");
    }

    @Test
    void shouldMatchThisMachinesProcFileByteForByte()
    {
        final String file = resource("proc-6.18-this-machine.txt");
        final String[] lines = file.split("\n");
        assertThat(lines[0]).isEqualTo(StatLayout.of(KernelRelease.parse("6.18.44")).procHeader());
        final long[] zeros = new long[StatLayout.CHAINLENGTH.procColumns().size()];
        for (int i = 1; i < lines.length; i++)
        {
            assertThat(lines[i]).isEqualTo(StatLayout.CHAINLENGTH.appendProcRow(new StringBuilder(), zeros).toString());
        }
    }

    @Test
    void shouldFormatRowsAsPercent08x()
    {
        final long[] v = new long[17];
        v[0] = 0x71e;
        v[1] = 0x760e6ff;
        v[9] = 0xffffffffL;
        v[16] = 0x1_0000_0005L; // a 32-bit kernel counter cannot hold more: printed modulo 2^32
        assertThat(StatLayout.HOTPATH_REMOVED.appendProcRow(new StringBuilder(), v).toString()).isEqualTo(
            "0000071e  0760e6ff 00000000 00000000 00000000 00000000 00000000 00000000 00000000 ffffffff 00000000 " +
                "00000000 00000000  00000000 00000000 00000000 00000005");
    }

    @Test
    void shouldNameConntrackSCountersAsEachKernelSendsThem()
    {
        assertThat(StatLayout.ALL_STATS.conntrackSNames()).contains("searched", "ignore", "delete_list")
            .doesNotContain("clash_resolve", "chaintoolong");
        assertThat(StatLayout.HOTPATH_REMOVED.conntrackSNames()).contains("ignore")
            .doesNotContain("searched", "clash_resolve", "chaintoolong");
        assertThat(StatLayout.CLASHRES.conntrackSNames()).contains("clash_resolve")
            .doesNotContain("ignore", "chaintoolong");
        assertThat(StatLayout.CHAINLENGTH.conntrackSNames()).endsWith("clash_resolve", "chaintoolong")
            .doesNotContain("ignore");
        for (final StatLayout l : StatLayout.values())
        {
            assertThat(StatLayout.CONNTRACK_S_ALL_NAMES).containsAll(l.conntrackSNames());
            assertThat(StatLayout.PROC_ALL_COLUMNS).containsAll(l.procColumns());
            assertThat(l.procColumns()).hasSize(17);
        }
    }

    @Test
    void shouldPutClashresInSearchedsColumnAndChainlengthInDeleteLists()
    {
        final int searched = StatLayout.HOTPATH_REMOVED.procColumns().indexOf("searched");
        final int deleteList = StatLayout.HOTPATH_REMOVED.procColumns().indexOf("delete_list");
        assertThat(StatLayout.CLASHRES.procColumns().get(searched)).isEqualTo("clashres");
        assertThat(StatLayout.CLASHRES.procSource(searched)).isEqualTo("clash_resolve");
        assertThat(StatLayout.CHAINLENGTH.procColumns().get(deleteList)).isEqualTo("chainlength");
        assertThat(StatLayout.CHAINLENGTH.procSource(deleteList)).isEqualTo("chaintoolong");
        // 5.10 "remove ignore stats": the column stays, printed 0
        assertThat(StatLayout.CLASHRES.procSource(StatLayout.CLASHRES.procColumns().indexOf("ignore"))).isNull();
        assertThat(StatLayout.HOTPATH_REMOVED.procSource(5)).isEqualTo("ignore");
    }
}
