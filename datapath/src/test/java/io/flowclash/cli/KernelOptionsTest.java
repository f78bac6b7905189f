package io.flowclash.cli;

import io.flowclash.datapath.kernel.ConntrackStatsParser;
import io.flowclash.datapath.kernel.ConntrackStatsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code designs --kernel}, {@code run --kernel}, {@code run --proc} and {@code explore --kernel} through the real
 * command.
 */
class KernelOptionsTest
{
    @ParameterizedTest(name = "designs --kernel {0}")
    @CsvSource({
        "3.10, nf-drop", "4.4, nf-drop", "4.9.0, nf-nonat-merge", "4.9.300, nf-nonat-merge",
        "4.14.100, nf-nonat-merge", "4.14.200, nf-same-origin", "4.15.0-56-generic, nf-same-origin",
        "4.19.0, nf-merge", "4.19.250, nf-same-origin", "5.4, nf-same-origin", "5.8.7, nf-clash-insert-5.6",
        "5.8.8, nf-clash-insert-5.9", "5.10, nf-clash-insert-5.10", "5.15, nf-clash-insert-5.15",
        "6.1, nf-clash-insert", "6.6, nf-clash-insert", "6.12, nf-reverse-merge", "6.18, nf-reverse-merge"})
    void shouldSayWhichDesignAReleaseRunsAndWhy(final String release, final String design)
    {
        final StreamCommandTest.Result r = run("designs", "--kernel", release);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("kernel " + release + " runs " + design + " (")
            .contains("  has:").contains("  lacks:").contains("/proc/net/stat/nf_conntrack").contains("conntrack -S");
    }

    @Test
    void shouldAnswerForTheRunningKernel()
    {
        final StreamCommandTest.Result r = run("designs", "--kernel", "running");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("kernel " + System.getProperty("os.version").trim() + " runs nf-");
        final StreamCommandTest.Result json = run("designs", "--kernel", System.getProperty("os.version"), "--json");
        assertThat(json.status()).isZero();
        assertThat(json.out()).contains("\"design\":").contains("\"has\":").contains("\"uncertain\":");
    }

    @Test
    void shouldSayUncertainAndWhy()
    {
        final StreamCommandTest.Result r = run("designs", "--kernel", "4.14.173");
        assertThat(r.out()).contains("[uncertain]").contains("uncertain: ed07d9a021df reached 4.14.y");
    }

    @Test
    void shouldRefuseAnUnparsableReleaseInOneLine()
    {
        for (final String[] args : List.of(new String[] {"designs", "--kernel", "linux-five"},
            new String[] {"run", "--kernel", "5.x"}, new String[] {"explore", "--kernel", ""},
            new String[] {"diagnose", "--kernel", "five"}))
        {
            final StreamCommandTest.Result r = run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().trim()).doesNotContain("\n").contains("is not MAJOR.MINOR");
        }
    }

    @Test
    void shouldRunTheKernelsDesignAndSaySo()
    {
        final StreamCommandTest.Result r = run("run", "--kernel", "4.19.0", "--workload", "dns-pairs:sockets=300",
            "--race", "always");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).startsWith("kernel 4.19.0 runs nf-merge");
        assertThat(r.out()).containsPattern("(?m)^nf-merge\\s+\\d+");
        final StreamCommandTest.Result both = run("run", "--kernel", "4.19.0", "--design", "nf-drop");
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("--kernel and --design");
    }

    @Test
    void shouldExploreTheKernelsDesign()
    {
        final StreamCommandTest.Result r = run("explore", "--kernel", "5.4.0", "--packets", "2", "--backends", "1");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("nf-same-origin: 2 packets");
        final StreamCommandTest.Result none = run("explore");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("exactly one of --design ID and --kernel RELEASE");
    }

    @Test
    void shouldPrintEachWorkersCountersInTheKernelsProcLayout()
    {
        final StreamCommandTest.Result r = run("run", "--design", "nf-same-origin,nf-drop", "--workload",
            "dns-pairs:sockets=500", "--race", "always", "--workers", "3", "--proc");
        assertThat(r.status()).as(r.err()).isZero();
        for (final String design : List.of("nf-same-origin", "nf-drop"))
        {
            final String section = r.out().substring(r.out().indexOf("# " + design + " counters as /proc"));
            final String procText = section.substring(section.indexOf("\nentries") + 1).split("\n\n")[0];
            final ConntrackStatsSnapshot s = ConntrackStatsParser.parse(procText.split("\n# ")[0], design).get(0);
            assertThat(s.cpus()).as("one row per worker").hasSize(3);
            final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(design) +
                "\\s+found=\\d+ .*insert_failed=(\\d+) drop=(\\d+)").matcher(r.out());
            assertThat(m.find()).isTrue();
            assertThat(s.total("insert_failed")).as("rows sum to conntrack -S").isEqualTo(Long.parseLong(m.group(1)));
            assertThat(s.total("drop")).isEqualTo(Long.parseLong(m.group(2)));
            assertThat(s.total("insert_failed")).isPositive();
        }
        assertThat(r.out()).contains("# layout of Linux 4.9 - 5.9").contains("# layout of Linux 3.x - 4.8")
            .contains("not counted by the model, printed 0:");
        final StreamCommandTest.Result kernel = run("run", "--kernel", "6.18", "--workload", "dns-pairs:sockets=50",
            "--proc");
        assertThat(kernel.out()).contains("entries  clashres found new invalid ignore delete chainlength");
        final StreamCommandTest.Result json = run("run", "--design", "nf-drop", "--proc", "--json");
        assertThat(json.status()).isEqualTo(2);
    }
}
