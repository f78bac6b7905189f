package io.flowclash.cli;

import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the real command: help that lists what it promises and shows limits, options that say one thing each,
 * and conflicting options refused in one line that names both.
 */
class HelpAndOptionsCommandTest
{
    private static void assertConflict(final StreamCommandTest.Result r, final String first, final String second)
    {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(first).contains(second).contains("conflict");
    }

    @Test
    void shouldListEveryWorkloadInStreamGenAndRunHelp()
    {
        for (final String[] cmd : new String[][]{{"stream", "gen", "--help"}, {"run", "--help"}})
        {
            final StreamCommandTest.Result help = run(cmd);
            assertThat(help.status()).isZero();
            assertThat(help.out()).doesNotContain("):gen").doesNotContain("${").contains("Workloads (spec: ");
            for (final Workloads.Entry e : Workloads.entries())
            {
                assertThat(help.out()).as(String.join(" ", cmd)).contains("  " + e.name() + ": ");
                assertThat(help.out().replaceAll("\\s+", " ")).as(String.join(" ", cmd))
                    .contains("params: " + e.params());
            }
        }
    }

    @Test
    void shouldEndEveryCommandSummaryOfTheTopLevelHelpWithASentence()
    {
        final StreamCommandTest.Result help = run("--help");
        assertThat(help.status()).isZero();
        final List<String> entries = new ArrayList<>();
        boolean inCommands = false;
        for (final String line : help.out().split("\\R"))
        {
            if (line.startsWith("Commands:"))
            {
                inCommands = true;
            }
            else if (inCommands && line.startsWith("  ") && !line.startsWith("     "))
            {
                entries.add(line.trim());
            }
            else if (inCommands && line.startsWith("     "))
            {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.trim());
            }
        }
        assertThat(entries).hasSizeGreaterThanOrEqualTo(6);
        for (final String entry : entries)
        {
            assertThat(entry).as("summary cut mid-sentence").endsWith(".");
        }
    }

    @Test
    void shouldShowEveryDesignsRowInFull()
    {
        final StreamCommandTest.Result r = run("designs");
        assertThat(r.status()).isZero();
        assertThat(r.out()).doesNotContain("C~"); // main cut "a BPF CT map" to "a BPF C~"
        for (final Designs.Design d : Designs.all())
        {
            assertThat(r.out().replaceAll("\\s+", " ")).as(d.id()).contains(d.models()).contains(d.clashRule());
        }
    }

    @Test
    void shouldShowTheLimitsItEnforces()
    {
        final String run = run("run", "--help").out();
        assertThat(run).contains("0..250").contains("1..64").contains("1.." + (1 << 28));
        final StreamCommandTest.Result over = run("run", "--backends", "251");
        assertThat(over.status()).isEqualTo(2);
        assertThat(over.err()).contains("0..250");
        final String explore = run("explore", "--help").out();
        assertThat(explore).contains("1..4");
        final StreamCommandTest.Result lab = run("kernel-lab", "--help");
        assertThat(lab.out()).contains("1..40000").contains("1..10000");
        assertThat(lab.err()).as("picocli could not format a help text").doesNotContain("WARN");
    }

    @Test
    void shouldGiveEachShortOptionOneMeaning()
    {
        final String explore = run("explore", "--help").out();
        assertThat(explore).contains("-b, --backends").doesNotContain("-n, --backends");
        final StreamCommandTest.Result oldShort = run("explore", "-d", "nf-drop", "-n", "1");
        assertThat(oldShort.status()).isEqualTo(2);
        assertThat(run("stream", "inspect", "--help").out()).contains("-n, --records");
        final String help = run("run", "--help").out();
        assertThat(help).contains("--conntrack-max").contains("nf_conntrack_max");
        assertThat(help.replaceAll("\\s+", " ")).contains("not the BPF maps: --map-entries")
            .contains("not the conntrack table: --conntrack-max");
    }

    @Test
    void shouldAcceptAZeroDurationWithoutUnitAndCountInTheSingular()
    {
        final StreamCommandTest.Result zero = run("run", "--design", "nf-drop", "-w", "dns-pairs:sockets=5",
            "--reply-delay", "0", "--json");
        assertThat(zero.status()).as(zero.err()).isZero();
        assertThat(zero.out()).contains("\"replyDelayNs\":0");
        final StreamCommandTest.Result one = run("explore", "-d", "nf-drop", "-k", "1", "-b", "1");
        assertThat(one.status()).as(one.err()).isZero();
        assertThat(one.out()).contains("1 packet of one socket flow, 1 backend: 1 interleaving (")
            .contains("1 distinct outcome\n").contains("outcome 1: 1 interleaving\n")
            .doesNotContain("1 interleavings").doesNotContain("(s)");
    }

    @Test
    void shouldRefuseConflictingOptionsNamingBoth()
    {
        assertConflict(run("run", "--stream", "x.fcs", "--workload", "dns-pairs"), "--stream", "--workload");
        assertConflict(run("run", "--workers", "1", "--race", "real"), "--workers 1", "--race real");
        assertConflict(run("run", "--workers", "1"), "--workers 1", "--race real");
        assertConflict(run("run", "--quiet", "--progress"), "--quiet", "--progress");
        assertConflict(run("explore", "-d", "nf-drop", "--json", "--replay", "backends A=b0: A.lookup"),
            "--json", "--replay");
        final StreamCommandTest.Result sameCpu = run("run", "--design", "nf-drop", "-w", "dns-pairs:sockets=5",
            "--workers", "1", "--race", "never");
        assertThat(sameCpu.status()).as(sameCpu.err()).isZero();
    }

    @Test
    void shouldSayTheSocketLimitOfAWorkloadInSockets()
    {
        final StreamCommandTest.Result r = run("stream", "gen", "-w", "dns-pairs:sockets=1500000", "-o", "x.fcs");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("1500000 sockets: at most 1411600 sockets with 100 clients")
            .contains("raise clients=");
    }
}
