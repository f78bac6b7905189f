package io.flowclash.datapath.run;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.workload.Workload;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner outside {@code --race real}: freed entries are reused whatever the number of workers (every worker
 * reports quiescence), and each context draws from its own random stream, so the number of workers does not
 * change which backends packets sent together pick.
 */
class RunnerTest
{
    static RunResult run(final String design, final String race, final int workers, final int maxEntries,
        final String spec)
    {
        final Workload w = Workloads.parse(spec);
        final PacketStream stream = Workloads.generate(w);
        try (Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(2).workers(workers)
            .maxEntries(maxEntries).mapEntries(262_144).service(w.serviceAddress(), w.servicePort()).seed(1).build()))
        {
            return new Runner(dp, new RunOptions(RaceMode.parse(race), false, 200_000, 1_000_000_000L, 1)).run(stream);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf-same-origin", "nf-clash-insert", "nf-reverse-merge", "cilium-socklb"})
    void shouldReuseFreedEntriesWithTwoWorkersOutsideRealRaces(final String design)
    {
        // about 300 flows live at a time (sockets x reply timeout / duration): 500 entries are plenty once the
        // entries the gc frees come back to the pool; they never came back while worker 1 never reported quiescence
        // (pre-5.0 eras are left out: they give a replied flow the 180 s stream timeout at once, before
        // d535c8a69c19, so about 490 entries are really live here)
        final RunResult r = run(design, "never", 2, 500, "dns-pairs:sockets=2000,interval=100ms");
        assertThat(r.reason(Reason.DROP_TABLE_FULL)).as("table_full").isZero();
        assertThat(r.dropped()).isZero();
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
        assertThat(r.queries()).isEqualTo(4000);
    }

    @Test
    void shouldReuseFreedNatClashEntriesWhenAlwaysRacing()
    {
        // every pair races; pairs split across the two backends leave a reply-only entry that lives 1 s, then is
        // reclaimed: with 2 workers, the pool must see those entries again
        final RunResult r = run("nf-clash-insert", "always", 2, 1000, "dns-pairs:sockets=20000,interval=1s");
        assertThat(r.reason(Reason.ACCEPT_CLASH_INSERTED)).as("clash inserts").isPositive();
        assertThat(r.reason(Reason.DROP_TABLE_FULL)).as("table_full").isZero();
        assertThat(r.dropped()).isZero();
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
    }

    @Test
    void shouldDrawTheSameBackendsWhateverTheNumberOfWorkers()
    {
        final String spec = "dns-pairs:sockets=2000,interval=100ms";
        final RunResult one = run("nf-clash-insert", "always", 1, 262_144, spec);
        final RunResult two = run("nf-clash-insert", "always", 2, 262_144, spec);
        // with 2 backends about half of the racing pairs split: some of them must be clash inserts with one worker
        assertThat(one.reason(Reason.ACCEPT_CLASH_INSERTED)).as("clash inserts with one worker").isPositive();
        for (final Reason reason : Reason.values())
        {
            assertThat(one.reason(reason)).as(reason.label()).isEqualTo(two.reason(reason));
        }
        assertThat(one.entries()).isEqualTo(two.entries());
        assertThat(one.hiddenEntries()).isEqualTo(two.hiddenEntries());
    }
}
