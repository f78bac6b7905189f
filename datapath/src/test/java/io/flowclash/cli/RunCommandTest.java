package io.flowclash.cli;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flowclash run} and {@code flowclash designs} through the real command.
 */
class RunCommandTest
{
    private static final String PAIRS = "dns-pairs:sockets=2000";

    private static long dropped(final String out, final String design)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(design) + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(out);
        assertThat(m.find()).as("row of %s in%n%s", design, out).isTrue();
        final long processed = Long.parseLong(m.group(1));
        final long accepted = Long.parseLong(m.group(2));
        final long dropped = Long.parseLong(m.group(3));
        assertThat(accepted + dropped).as("conservation for %s", design).isEqualTo(processed);
        return dropped;
    }

    @Test
    void shouldDropAsEachEraDoesWhenEveryPairRaces()
    {
        final StreamCommandTest.Result r = run("run", "--design", "nf-drop,nf-same-origin,nf-clash-insert",
            "--workload", PAIRS, "--race", "always", "--backends", "2");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(dropped(r.out(), "nf-drop")).as("every pair's second packet").isEqualTo(2000);
        // the second packet is dropped iff the two drew different backends: binomial(2000, 1/2)
        assertThat(dropped(r.out(), "nf-same-origin")).isBetween(860L, 1140L);
        assertThat(dropped(r.out(), "nf-clash-insert")).isZero();
    }

    @Test
    void shouldDropNothingAnywhereWhenNothingRaces()
    {
        for (final String[] args : new String[][]{
            {"--race", "never"}, {"--race", "always", "--dispatch", "same-cpu"}, {"--race", "always", "--notrack"}})
        {
            final StreamCommandTest.Result r = run(concat(new String[]{"run", "--workload", PAIRS, "--design=all"}, args));
            assertThat(r.status()).as(r.err()).isZero();
            for (final io.flowclash.datapath.design.Designs.Design d : io.flowclash.datapath.design.Designs.all())
            {
                assertThat(dropped(r.out(), d.id())).as(d.id() + " with " + String.join(" ", args)).isZero();
            }
        }
    }

    @Test
    void shouldNotDropRacesToOneBackendFrom419On()
    {
        // one backend, or IPVS dh (every client of the VIP to one backend): every race is race 1 with identical
        // tuples, merged from 4.19 (ed07d9a021df); the eras before it still drop every clash
        for (final String[] args : new String[][]{{"--backends", "1"}, {"--selector", "dh", "--backends", "3"}})
        {
            final StreamCommandTest.Result r = run(concat(
                new String[]{"run", "--workload", PAIRS, "--design=all", "--race", "always"}, args));
            assertThat(r.status()).as(r.err()).isZero();
            for (final String design : new String[]{"nf-merge", "nf-same-origin", "nf-clash-insert-5.6",
                "nf-clash-insert", "nf-reverse-merge"})
            {
                assertThat(dropped(r.out(), design)).as(design + " with " + String.join(" ", args)).isZero();
            }
            assertThat(dropped(r.out(), "nf-drop")).isEqualTo(2000);
            assertThat(dropped(r.out(), "nf-nonat-merge")).isEqualTo(2000);
        }
    }

    static String[] concat(final String[] a, final String[] b)
    {
        final String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void shouldCarryEveryCounterInJsonAndBeReproducible()
    {
        final StreamCommandTest.Result a = run("run", "--design", "nf-merge", "--workload", PAIRS, "--race", "p=0.5",
            "--json");
        final StreamCommandTest.Result b = run("run", "--design", "nf-merge", "--workload", PAIRS, "--race", "p=0.5",
            "--json");
        assertThat(a.status()).as(a.err()).isZero();
        for (final String counter : new String[]{"found", "insert", "insert_failed", "drop", "early_drop",
            "search_restart", "clash_resolve", "chaintoolong"})
        {
            assertThat(a.out()).contains("\"" + counter + "\":");
        }
        for (final String never : new String[]{"invalid", "error", "map_eexist"})
        {
            assertThat(a.out()).as("a counter nothing can bump is not printed").doesNotContain("\"" + never + "\":");
        }
        assertThat(a.out()).contains("\"lookups\":{\"total\":2000");
        assertThat(a.out().replaceAll("\"wallNs\":\\d+", ""))
            .as("p=X is seeded: same output twice").isEqualTo(b.out().replaceAll("\"wallNs\":\\d+", ""));
    }

    /**
     * Designs run at once ({@code --jobs}) give what they give one after another: same JSON but for the wall
     * times, for packet streams and for resolver lookups, with the tables listed and /proc rows in design order.
     */
    @Test
    void shouldGiveTheSameResultsWhateverTheDesignsRunAtOnce()
    {
        for (final String[] args : new String[][]{
            {"run", "--design", "all", "--workload", PAIRS, "--race", "p=0.5", "--json", "--dump"},
            {"run", "--design", "all", "--workload", "dns-lookups:clients=20,lookups=200", "--race", "always",
                "--json"}})
        {
            final StreamCommandTest.Result one = run(concat(args, new String[]{"--jobs", "1"}));
            final StreamCommandTest.Result three = run(concat(args, new String[]{"--jobs", "3"}));
            assertThat(one.status()).as(one.err()).isZero();
            assertThat(three.status()).as(three.err()).isZero();
            assertThat(three.out().replaceAll("\"wallNs\":\\d+", ""))
                .isEqualTo(one.out().replaceAll("\"wallNs\":\\d+", ""));
        }
        final StreamCommandTest.Result procs = run("run", "--design", "nf-drop,nf-merge,nf-clash-insert",
            "--workload", PAIRS, "--race", "always", "--proc", "--jobs", "2");
        assertThat(procs.status()).as(procs.err()).isZero();
        assertThat(procs.out().indexOf("# nf-drop counters")).isPositive()
            .isLessThan(procs.out().indexOf("# nf-merge counters"));
        assertThat(procs.out().indexOf("# nf-merge counters")).isLessThan(procs.out().indexOf("# nf-clash-insert counters"));
    }

    @Test
    void shouldRefuseJobsWithRealRacesOrPinnedMapsOrOutOfRange()
    {
        for (final String[] args : new String[][]{
            {"run", "--jobs", "2", "--race", "real", "--workload", PAIRS},
            {"run", "--jobs", "2", "--race", "always", "--pin-dir", System.getProperty("java.io.tmpdir")},
            {"run", "--jobs", "0"}, {"run", "--jobs", "257"}, {"run", "--jobs", "x"}})
        {
            final StreamCommandTest.Result r = run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines()).as(String.join(" ", args) + ": " + r.err()).hasSize(1);
        }
    }

    @Test
    void shouldListTheTableWithHiddenEntriesApart()
    {
        final StreamCommandTest.Result r = run("run", "--design", "nf-clash-insert",
            "--workload", "dns-pairs:sockets=40", "--race", "always", "--dump");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("# nf-clash-insert table at the end (conntrack -L)")
            .containsPattern("(?m)^udp +17 \\d+ src=10\\.244\\.\\d+\\.\\d+ dst=10\\.96\\.0\\.10 sport=\\d+ dport=53 src=10\\.0\\.0\\.[23] ")
            .contains("# hidden reply-only entries (NAT_CLASH; conntrack -L does not list them):");
    }

    @Test
    void shouldRejectBadValuesInOneLine()
    {
        for (final String[] args : new String[][]{
            {"run", "--design", "nf-nope"}, {"run", "--race", "sometimes"}, {"run", "--race", "p=1.5"},
            {"run", "--dispatch", "everywhere"}, {"run", "--selector", "lc"}, {"run", "--workers", "0"},
            {"run", "--backends", "x"}, {"run", "--reply-delay", "5"}, {"run", "--design", "zz-*"},
            {"run", "--stream", "/nonexistent/s.fcs"}})
        {
            final StreamCommandTest.Result r = run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines()).as(String.join(" ", args) + ": " + r.err()).hasSize(1);
            assertThat(r.err()).doesNotContain("\tat ");
        }
    }

    @Test
    void shouldRunTheCiliumDesignsWithEveryOptionOfRun()
    {
        final String pins = System.getProperty("java.io.tmpdir") + "/flowclash-pins-" + ProcessHandle.current().pid();
        final String[][] variants = {
            {"--race", "real", "--workers", "2"}, {"--race", "always"}, {"--race", "never"}, {"--race", "p=0.3"},
            {"--dispatch", "same-cpu"}, {"--backends", "3"}, {"--selector", "maglev"}, {"--selector", "rr"},
            {"--notrack"}, {"--seed", "9"}, {"--reply-delay", "2ms"}, {"--max-entries", "5000"},
            {"--map-entries", "50"}, {"--map-type", "hash", "--map-entries", "5000"}, {"--pin-dir", pins},
            {"--json"}, {"--dump"}};
        for (final String[] v : variants)
        {
            final StreamCommandTest.Result r = run(concat(new String[]{"run", "--design", "cilium-socklb,cilium-tc",
                "--workload", "dns-pairs:sockets=300"}, v));
            assertThat(r.status()).as(String.join(" ", v) + ": " + r.err()).isZero();
            if (!v[0].equals("--json"))
            {
                dropped(r.out(), "cilium-socklb");
                dropped(r.out(), "cilium-tc");
            }
            else
            {
                assertThat(r.out()).contains("\"design\":\"cilium-socklb\"").contains("\"revnat_miss\":");
            }
        }
        final StreamCommandTest.Result all = run("run", "--design", "all", "--race", "always");
        assertThat(all.status()).isZero();
        assertThat(dropped(all.out(), "cilium-socklb")).isZero();
        assertThat(dropped(all.out(), "cilium-tc")).isZero();
    }

    @Test
    void shouldListDesigns()
    {
        final StreamCommandTest.Result r = run("designs");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("nf-drop").contains("nf-merge").contains("nf-same-origin")
            .contains("nf-clash-insert").contains("Linux 4.19").contains("selectors");
        assertThat(run("designs", "--json").out()).startsWith("{\"designs\":[{\"id\":\"nf-drop\"");
    }
}
