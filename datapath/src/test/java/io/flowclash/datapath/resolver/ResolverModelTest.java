package io.flowclash.datapath.resolver;

import io.flowclash.datapath.flow.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The glibc and musl state machines on a scripted network (no datapath): what leaves when, and when a lookup ends,
 * figured from {@code send_dg} and {@code __res_msend_rc} by hand.
 */
class ResolverModelTest
{
    private static final int VIP = Ipv4.parse("10.96.0.10");
    private static final int FIRST = Ipv4.parse("10.244.0.1");
    private static final long D = 200_000L; // reply delay: 200 us
    private static final long S = 1_000_000_000L;
    private static final long THINK = S;

    record Done(int client, long start, long end, LookupOutcome outcome)
    {
        long duration()
        {
            return end - start;
        }
    }

    private final List<Done> done = new ArrayList<>();

    private LookupDriver driver(final ResolverOptions o, final int clients, final int lookups, final ScriptedPath path,
        final int faulty, final int answers, final long faultyDelay)
    {
        final Resolver r = Resolver.create(o, clients, FIRST, VIP, 53, 7);
        return new LookupDriver(r, path, VIP, 53, D, lookups, THINK, 1_000_000L, ScriptedPath.BACKEND, 2, faulty,
            answers, faultyDelay).observe((c, s, e, out) -> done.add(new Done(c, s, e, out)));
    }

    private LookupDriver driver(final ResolverOptions o, final int lookups, final ScriptedPath path)
    {
        return driver(o, 1, lookups, path, -2, Resolver.BOTH, 0);
    }

    private static ResolverOptions glibc(final String options)
    {
        return ResolverOptions.parse(ResolverKind.GLIBC, options);
    }

    private static ResolverOptions musl(final String options)
    {
        return ResolverOptions.parse(ResolverKind.MUSL, options);
    }

    @Test
    void glibcSendsBothQueriesInOneBatchAndEndsAfterOneRoundTrip()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        final LookupStats stats = driver(glibc(null), 3, path).run();
        assertThat(done).extracting(Done::duration).containsExactly(D, D, D);
        assertThat(done).extracting(Done::outcome).containsOnly(LookupOutcome.ANSWERED);
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(2, 2, 2);
        // a new socket (cookie, port) per lookup: __res_iclose after each answer
        assertThat(path.batches).extracting(ScriptedPath.Batch::cookie).doesNotHaveDuplicates();
        assertThat(path.batches).extracting(ScriptedPath.Batch::srcPort).doesNotHaveDuplicates();
        assertThat(stats.total()).isEqualTo(3).isEqualTo(stats.answered() + stats.partial() + stats.failed());
    }

    @Test
    void glibcLostAaaaStallsOneTimeoutThenGoesSequentialOnTheSameSocketForGood()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        path.drop = n -> n == 1; // the AAAA of the first sendmmsg, as a clash loser
        driver(glibc(null), 3, path).run();
        // 5 s poll timeout with one answer: RES_SNGLKUP, retry: A, its answer, then AAAA: 5 s + 2 round trips
        assertThat(done.get(0).duration()).isEqualTo(5 * S + 2 * D);
        assertThat(done.get(0).outcome()).isEqualTo(LookupOutcome.ANSWERED);
        // later lookups of this resolver state: sequential (sticky), two round trips, never two packets at once
        assertThat(done.subList(1, 3)).extracting(Done::duration).containsExactly(2 * D, 2 * D);
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(2, 1, 1, 1, 1, 1, 1);
        // the retry reused the first socket (its tuple meets the confirmed entry)
        assertThat(path.batches.get(1).cookie()).isEqualTo(path.batches.get(0).cookie());
        assertThat(path.batches.get(2).cookie()).isEqualTo(path.batches.get(0).cookie());
    }

    @Test
    void glibcSingleRequestSendsTheSecondQueryOnlyAfterTheFirstAnswer()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        driver(glibc("single-request"), 2, path).run();
        assertThat(done).extracting(Done::duration).containsExactly(2 * D, 2 * D);
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(1, 1, 1, 1);
        assertThat(path.batches.get(1).at()).isEqualTo(path.batches.get(0).at() + D);
        assertThat(path.batches.get(1).cookie()).isEqualTo(path.batches.get(0).cookie());
    }

    @Test
    void glibcSingleRequestReopenSendsTheSecondQueryFromANewPort()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        final LookupDriver driver = driver(glibc("single-request-reopen"), 2, path);
        driver.run();
        assertThat(done).extracting(Done::duration).containsExactly(2 * D, 2 * D);
        assertThat(path.batches).extracting(ScriptedPath.Batch::cookie).doesNotHaveDuplicates();
        assertThat(path.batches).extracting(ScriptedPath.Batch::srcPort).doesNotHaveDuplicates();
        assertThat(driver.sockets()).isEqualTo(4); // two sockets (two flows) per lookup
    }

    @Test
    void glibcWithNoAnswerAtAllTriesAgainOnTheSameSocketAndFailsAfterAttemptsTimesTimeout()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        driver(glibc(null), 1, 1, path, -1, 0, 0).run();
        assertThat(done).singleElement().satisfies(d ->
        {
            assertThat(d.duration()).isEqualTo(10 * S);
            assertThat(d.outcome()).isEqualTo(LookupOutcome.FAILED);
        });
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(2, 2);
        assertThat(path.batches.get(1).at()).isEqualTo(5 * S);
        assertThat(path.batches.get(1).cookie()).isEqualTo(path.batches.get(0).cookie());
    }

    @Test
    void glibcAttemptsAndTimeoutOptionsScaleTheFailure()
    {
        driver(glibc("timeout:2,attempts:3"), 1, 1, new ScriptedPath(VIP), -1, 0, 0).run();
        assertThat(done.get(0).duration()).isEqualTo(6 * S);
    }

    @Test
    void glibcServerThatNeverAnswersAaaaWalksBothFallbacksThenReturnsTheAAnswerAlone()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        driver(glibc(null), 1, 2, path, -1, Resolver.A, 0).run();
        // parallel (5 s) -> RES_SNGLKUP retry (5 s) -> RES_SNGLKUPREOP reopen and retry (5 s) -> partial
        assertThat(done.get(0).duration()).isEqualTo(15 * S);
        assertThat(done.get(0).outcome()).isEqualTo(LookupOutcome.PARTIAL);
        // the next lookup starts with both sticky bits: one sequential round from two sockets, then partial
        assertThat(done.get(1).duration()).isEqualTo(5 * S);
        assertThat(done.get(1).outcome()).isEqualTo(LookupOutcome.PARTIAL);
    }

    @Test
    void glibcTakesALateAnswerFromAnEarlierRoundOnTheSameSocket()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        // the backend is slow: 6 s. Round 1 (parallel) times out with nothing at 5 s, try 2 re-sends both on the
        // same socket at 5 s; round 1's answers arrive at 6 s and are taken (same ids, same socket).
        driver(glibc(null), 1, 1, path, -1, Resolver.BOTH, 6 * S).run();
        assertThat(done.get(0).duration()).isEqualTo(6 * S);
        assertThat(done.get(0).outcome()).isEqualTo(LookupOutcome.ANSWERED);
    }

    @Test
    void muslResendsOnlyTheLostQueryAtHalfTheTimeoutFromTheSameSocket()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        path.drop = n -> n == 1;
        driver(musl(null), 2, path).run();
        assertThat(done.get(0).duration()).isEqualTo(2_500_000_000L + D);
        assertThat(done.get(1).duration()).isEqualTo(D); // nothing sticky in musl: parallel again
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(2, 1, 2);
        assertThat(path.batches.get(1).at()).isEqualTo(2_500_000_000L);
        assertThat(path.batches.get(1).cookie()).isEqualTo(path.batches.get(0).cookie());
    }

    @Test
    void muslWithOneFamilyUnansweredFailsAtTheBudget()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        driver(musl(null), 1, 1, path, -1, Resolver.A, 0).run();
        assertThat(done.get(0).duration()).isEqualTo(5 * S);
        assertThat(done.get(0).outcome()).isEqualTo(LookupOutcome.FAILED); // EAI_AGAIN, no partial result
        assertThat(path.batches).extracting(ScriptedPath.Batch::size).containsExactly(2, 1);
    }

    @Test
    void muslBudgetTheIntervalDoesNotDivideEndsAtTheWakeAfterIt()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        driver(musl("attempts:3"), 1, 1, path, -1, 0, 0).run();
        // retry_interval = 5000 / 3 = 1666 ms: rounds at 0, 1666, 3332, 4998 ms; the wake at 6664 ms ends it
        assertThat(path.batches).extracting(ScriptedPath.Batch::at)
            .containsExactly(0L, 1_666_000_000L, 3_332_000_000L, 4_998_000_000L);
        assertThat(done.get(0).duration()).isEqualTo(6_664_000_000L);
    }

    @Test
    void manyClientsConserveLookups()
    {
        final ScriptedPath path = new ScriptedPath(VIP);
        path.drop = n -> n % 7 == 3;
        final LookupStats stats = driver(glibc(null), 50, 20, path, -2, Resolver.BOTH, 0).run();
        assertThat(stats.total()).isEqualTo(1000);
        assertThat(stats.answered() + stats.partial() + stats.failed()).isEqualTo(stats.total());
        assertThat(done).hasSize(1000);
        assertThat(stats.slow()).isEqualTo(done.stream().filter(d -> d.duration() > S).count()).isPositive();
    }
}
