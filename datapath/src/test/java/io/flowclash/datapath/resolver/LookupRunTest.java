package io.flowclash.datapath.resolver;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.workload.DnsLookupsWorkload;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resolvers through the real designs on the one scheduler, in virtual time: the latencies figured from first
 * principles (glibc {@code send_dg}, musl {@code __res_msend_rc}, the era's clash rule).
 */
class LookupRunTest
{
    private static final long D = 200_000L; // reply delay
    private static final long S = 1_000_000_000L;

    record Done(int client, long start, long end, LookupOutcome outcome)
    {
        long duration()
        {
            return end - start;
        }
    }

    private final List<Done> done = new ArrayList<>();

    private RunResult run(final String design, final String workload, final String race, final boolean sameCpu,
        final boolean notrack, final String resolver, final String options)
    {
        done.clear();
        final DnsLookupsWorkload w = (DnsLookupsWorkload)Workloads.parse(workload);
        final DatapathConfig config = DatapathConfig.builder().backends(2).workers(2).notrack(notrack).seed(1).maxEntries(65_536).mapEntries(65_536)
            .service(w.serviceAddress(), w.servicePort()).build();
        final RunOptions o = new RunOptions(RaceMode.parse(race), sameCpu, D, S, 1);
        try (Datapath dp = Designs.get(design).create(config))
        {
            final RunResult r = LookupRun.run(dp, o, w, w.resolverOptions(ResolverKind.parse(resolver), options),
                (c, s, e, out) -> done.add(new Done(c, s, e, out)));
            final LookupStats s = r.lookupStats();
            assertThat(s.total()).as("conservation").isEqualTo(s.answered() + s.partial() + s.failed())
                .isEqualTo(w.totalLookups()).isEqualTo(done.size());
            assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
            return r;
        }
    }

    @Test
    void glibcOnSameOriginEraStallsExactlyTheSplitPairsOnceThenGoesSequential()
    {
        final int clients = 2000;
        final RunResult r = run("nf-same-origin", "dns-lookups:clients=" + clients + ",lookups=4", "always", false,
            false, "glibc", null);
        final long drops = r.counter(Counter.DROP);
        // a split pair (the two queries DNATed to different backends) loses its second query at confirm: one
        // drop per stalled lookup, and that lookup takes the 5 s poll timeout, then the sequential retry on the
        // same socket (A, its answer, then AAAA): 5 s + 2 replies
        final List<Done> slow = done.stream().filter(d -> d.duration() > S).toList();
        assertThat(slow).extracting(Done::duration).containsOnly(5 * S + 2 * D);
        assertThat((long)slow.size()).isEqualTo(drops).isEqualTo(r.lookupStats().slow());
        // first lookups: every pair races, a split has probability 1/2 with 2 backends: binomial(2000, 1/2)
        // (client c starts its first lookup at c x stagger = c ms)
        final long firstSlow = done.stream().filter(d -> d.start() == d.client() * 1_000_000L && d.duration() > S)
            .count();
        assertThat(firstSlow).isBetween(clients / 2 - 4 * 23L, clients / 2 + 4 * 23L);
        // a resolver that stalled went sequential (RES_SNGLKUP is sticky): never a second stall
        final Map<Integer, Integer> stallsPerClient = new HashMap<>();
        slow.forEach(d -> stallsPerClient.merge(d.client(), 1, Integer::sum));
        assertThat(stallsPerClient.values()).containsOnly(1);
        // and every other lookup took one reply delay (parallel) or two (sequential)
        assertThat(done.stream().filter(d -> d.duration() <= S)).extracting(Done::duration).containsOnly(D, 2 * D);
        assertThat(r.lookupStats().answered()).isEqualTo(r.lookupStats().total());
    }

    @Test
    void muslOnSameOriginEraAnswersTheLostQueryAtHalfTheTimeout()
    {
        final RunResult r = run("nf-same-origin", "dns-lookups:clients=1000,lookups=3", "always", false, false,
            "musl", null);
        final List<Done> slow = done.stream().filter(d -> d.duration() > S).toList();
        // the lost query is sent again at timeout/attempts = 2.5 s from the same socket: it meets the confirmed
        // winner and passes
        assertThat(slow).extracting(Done::duration).containsOnly(2_500_000_000L + D);
        assertThat((long)slow.size()).isEqualTo(r.counter(Counter.DROP)).isPositive();
        // nothing sticky in musl: later lookups race again, so a client can stall more than once
        assertThat(done.stream().filter(d -> d.duration() <= S)).extracting(Done::duration).containsOnly(D);
    }

    @Test
    void clashInsertingErasAndCiliumNeverStallALookup()
    {
        for (final String design : new String[]{"nf-clash-insert", "nf-reverse-merge", "cilium-socklb", "cilium-tc"})
        {
            for (final String resolver : new String[]{"glibc", "musl"})
            {
                final RunResult r = run(design, "dns-lookups:clients=500,lookups=4", "always", false, false,
                    resolver, null);
                assertThat(r.lookupStats().maxNs()).as(design + " " + resolver).isEqualTo(D);
                assertThat(r.lookupStats().answered()).isEqualTo(2000);
            }
        }
    }

    @Test
    void aBackendSlowerThanTheOneSecondClashEntryStallsTheSplitLookupsEvenOnClashInsertingEras()
    {
        // 6a757c07e51f: the loser is inserted reply-only with a fixed 1 s timeout. A reply 1.5 s later finds no
        // entry, is not de-NATed, and the client's socket (connected to the VIP) does not take it: glibc waits
        // 5 s, then asks again one query after the other (2 x 1.5 s) through the winner's entry.
        final long slowReply = 1_500_000_000L;
        final RunResult r = run("nf-clash-insert", "dns-lookups:clients=1000,lookups=2,faulty=all,delay=1500ms",
            "always", false, false, "glibc", null);
        final long inserted = r.reason(io.flowclash.datapath.Reason.ACCEPT_CLASH_INSERTED);
        assertThat(done.stream().filter(d -> d.duration() == 5 * S + 2 * slowReply).count()).isEqualTo(inserted)
            .isBetween(1000 * 3 / 4 - 4 * 25L, 1000 * 3 / 4 + 4 * 25L); // 1/2 + 1/4 of the clients, binomial
        assertThat(done).extracting(Done::duration).containsOnly(slowReply, 2 * slowReply, 5 * S + 2 * slowReply);
        // Cilium's tc LB has no such deadline on its CT entries: the slow answer is just slow
        final RunResult tc = run("cilium-tc", "dns-lookups:clients=1000,lookups=2,faulty=all,delay=1500ms", "always",
            false, false, "glibc", null);
        assertThat(tc.lookupStats().maxNs()).isEqualTo(slowReply);
    }

    @Test
    void glibcTakesTheFirstTrysLateAnswersWhileItsSecondTryIsInFlight()
    {
        // a 6 s backend: try 1 times out at 5 s with nothing, try 2 re-sends both on the same socket (the entry is
        // confirmed: established), try 1's answers arrive at 6 s and are taken; try 2's arrive at 11 s to a
        // closed socket
        final RunResult r = run("nf-clash-insert", "dns-lookups:clients=100,lookups=1,faulty=all,delay=6s",
            "never", false, false, "glibc", null);
        assertThat(done).extracting(Done::duration).containsOnly(6 * S);
        assertThat(r.lookupStats().answered()).isEqualTo(100);
        assertThat(r.queries()).isEqualTo(400);
        assertThat(r.reason(io.flowclash.datapath.Reason.ACCEPT_ESTABLISHED)).isEqualTo(200 + 100);
    }

    @Test
    void singleRequestReopenMakesTwiceTheEntriesAndNoClash()
    {
        final String workload = "dns-lookups:clients=500,lookups=2,think=100ms";
        final RunResult parallel = run("nf-same-origin", workload, "always", false, false, "glibc", null);
        final RunResult reopen = run("nf-same-origin", workload, "always", false, false, "glibc",
            "single-request-reopen");
        assertThat(reopen.sockets()).isEqualTo(2 * 1000);
        assertThat(reopen.entries()).isEqualTo(2 * 1000); // all within the 30 s UDP timeout
        assertThat(parallel.entries()).isEqualTo(1000);
        assertThat(reopen.counter(Counter.INSERT_FAILED)).isZero();
        assertThat(reopen.counter(Counter.DROP)).isZero();
        assertThat(reopen.racedBatches()).isZero(); // one packet per batch: nothing to race
        assertThat(done).extracting(Done::duration).containsOnly(2 * D);
    }

    @Test
    void sameCpuDispatchAndNotrackStallNoLookupInAnyDesign()
    {
        for (final Designs.Design d : Designs.all())
        {
            for (final String resolver : new String[]{"glibc", "musl"})
            {
                final RunResult sameCpu = run(d.id(), "dns-lookups:clients=300,lookups=3", "always", true, false,
                    resolver, null);
                assertThat(sameCpu.lookupStats().slow()).as(d.id() + " same-cpu " + resolver).isZero();
                final RunResult notrack = run(d.id(), "dns-lookups:clients=300,lookups=3", "always", false, true,
                    resolver, null);
                assertThat(notrack.lookupStats().slow()).as(d.id() + " notrack " + resolver).isZero();
            }
        }
    }

    @Test
    void glibcFailsAfterTwoTimeoutsWhenBothQueriesAreLostTwice()
    {
        final RunResult r = run("nf-drop", "dns-lookups:clients=50,lookups=2,faulty=all,answers=none", "always",
            false, false, "glibc", null);
        assertThat(r.lookupStats().failed()).isEqualTo(100);
        assertThat(done).extracting(Done::duration).containsOnly(10 * S);
    }

    @Test
    void aForcedInterleavingMakesEveryRacedPairClashAndNotrackNone()
    {
        // race always: both queries of a pair are looked up before either confirms, so each raced pair meets in
        // the table: the loser is dropped (nf-drop), merged or inserted reply-only (nf-clash-insert), or both
        // create the flow's entry (cilium-tc, BPF_ANY); never racing, nothing meets
        for (final String design : new String[]{"nf-drop", "nf-clash-insert", "cilium-tc"})
        {
            final RunResult always = run(design, "dns-lookups:clients=200,lookups=3", "always", false, false,
                "glibc", null);
            assertThat(always.racedBatches()).as(design).isPositive();
            assertThat(always.clashedBatches()).as(design).isEqualTo(always.racedBatches());
            final RunResult never = run(design, "dns-lookups:clients=200,lookups=3", "never", false, false,
                "glibc", null);
            assertThat(never.racedBatches()).as(design).isZero();
            assertThat(never.clashedBatches()).as(design).isZero();
        }
        // NOTRACK: the pair is interleaved all the same, but there is no table to meet in
        final RunResult notrack = run("nf-drop", "dns-lookups:clients=200,lookups=3", "always", false, true,
            "glibc", null);
        assertThat(notrack.racedBatches()).isPositive();
        assertThat(notrack.clashedBatches()).isZero();
    }

    @Test
    void realThreadsRunToTheEndAndConserve()
    {
        final RunResult r = run("nf-clash-insert", "dns-lookups:clients=200,lookups=5", "real", false, false,
            "glibc", null);
        assertThat(r.racedBatches()).isPositive();
        assertThat(r.lookupStats().total()).isEqualTo(1000);
    }
}
