package io.flowclash.jcstress.conntrack;

import io.flowclash.jcstress.MustObserve;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The DNS race on real threads: two actors send the A and the AAAA query of one socket flow (same 5-tuple, same
 * virtual instant) through one shared datapath, each through every step ({@code process()}, the same code the
 * explorer steps through one at a time). The arbiter records both verdicts and whether the invariants hold
 * ({@code ok}: processed = accepted + dropped = 2, one visible entry, a hidden entry iff a packet was inserted).
 *
 * <p>Outcome ids are {@code "verdict A, verdict B, invariants"}; tests that grade alike share one grid class
 * ({@code @JCStressMeta}). The grades are the era table of
 * {@code docs/proofs.md}: a drop is ACCEPTABLE_INTERESTING where the era can drop and FORBIDDEN where it cannot;
 * any broken invariant, and anything not listed, is FORBIDDEN. The gate also requires the interesting drop of
 * {@code nf-drop} to be observed: a run in which the race never happened proves nothing.
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t ConntrackRaceTests}
 */
public class ConntrackRaceTests
{

    /*
     * ----------------------------------------------------------------------------------------------------------
     * Outcome grids, shared with @JCStressMeta by the tests that grade alike.
     */

    /** Grades of an era that drops the loser of every clash (nf-drop). */
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE,
        desc = "No overlap: the second lookup found the first's confirmed entry.")
    @Outcome(id = {"new, insert_failed, ok", "insert_failed, new, ok"}, expect = ACCEPTABLE_INTERESTING,
        desc = "Clash not resolved: the second query is dropped (the user waits 5 s).")
    @Outcome(id = {"new, clash_merged, ok", "clash_merged, new, ok"}, expect = FORBIDDEN,
        desc = "Clash resolved: merged onto the winner's identical entry.")
    @Outcome(id = {"new, clash_inserted, ok", "clash_inserted, new, ok"}, expect = FORBIDDEN,
        desc = "Clash resolved: the loser inserted reply-only (NAT_CLASH, 1 s).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden: two winners, a broken invariant, a lost packet.")
    public static class DropsEveryClash
    {
    }

    /** Grades of an era that merges some clashes and drops others (nf-merge; nf-same-origin across backends). */
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE,
        desc = "No overlap: the second lookup found the first's confirmed entry.")
    @Outcome(id = {"new, insert_failed, ok", "insert_failed, new, ok"}, expect = ACCEPTABLE_INTERESTING,
        desc = "Clash not resolved: the second query is dropped (the user waits 5 s).")
    @Outcome(id = {"new, clash_merged, ok", "clash_merged, new, ok"}, expect = ACCEPTABLE,
        desc = "Clash resolved: merged onto the winner's identical entry.")
    @Outcome(id = {"new, clash_inserted, ok", "clash_inserted, new, ok"}, expect = FORBIDDEN,
        desc = "Clash resolved: the loser inserted reply-only (NAT_CLASH, 1 s).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden: two winners, a broken invariant, a lost packet.")
    public static class MergesOrDrops
    {
    }

    /** Grades where every clash merges and none drops (one backend from 5.0: nf-same-origin, nf-clash-insert). */
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE,
        desc = "No overlap: the second lookup found the first's confirmed entry.")
    @Outcome(id = {"new, insert_failed, ok", "insert_failed, new, ok"}, expect = FORBIDDEN,
        desc = "Clash not resolved: the second query is dropped (the user waits 5 s).")
    @Outcome(id = {"new, clash_merged, ok", "clash_merged, new, ok"}, expect = ACCEPTABLE,
        desc = "Clash resolved: merged onto the winner's identical entry.")
    @Outcome(id = {"new, clash_inserted, ok", "clash_inserted, new, ok"}, expect = FORBIDDEN,
        desc = "Clash resolved: the loser inserted reply-only (NAT_CLASH, 1 s).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden: two winners, a broken invariant, a lost packet.")
    public static class MergesEveryClash
    {
    }

    /** Grades where a clash merges or, across backends, inserts the loser reply-only (nf-clash-insert). */
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE,
        desc = "No overlap: the second lookup found the first's confirmed entry.")
    @Outcome(id = {"new, insert_failed, ok", "insert_failed, new, ok"}, expect = FORBIDDEN,
        desc = "Clash not resolved: the second query is dropped (the user waits 5 s).")
    @Outcome(id = {"new, clash_merged, ok", "clash_merged, new, ok"}, expect = ACCEPTABLE,
        desc = "Clash resolved: merged onto the winner's identical entry.")
    @Outcome(id = {"new, clash_inserted, ok", "clash_inserted, new, ok"}, expect = ACCEPTABLE_INTERESTING,
        desc = "Clash resolved: the loser inserted reply-only (NAT_CLASH, 1 s).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden: two winners, a broken invariant, a lost packet.")
    public static class MergesOrInserts
    {
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * nf-drop: <= 4.6: every clash is dropped, whatever the backends (insert_failed).
     */

    @JCStressTest
    @JCStressMeta(DropsEveryClash.class)
    @Description("nf-drop, 1 backend: A and AAAA of one socket flow race.")
    @MustObserve(value = "new, insert_failed, ok|insert_failed, new, ok",
        why = "nf-drop drops the loser of every clash: the race must be exercised")
    @State
    public static class NfDropOneBackend extends RaceState
    {
        public NfDropOneBackend()
        {
            super("nf-drop", 1);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    @JCStressTest
    @JCStressMeta(DropsEveryClash.class)
    @Description("nf-drop, 2 backends: A and AAAA of one socket flow race.")
    @MustObserve(value = "new, insert_failed, ok|insert_failed, new, ok",
        why = "nf-drop drops the loser of every clash: the race must be exercised")
    @State
    public static class NfDropTwoBackends extends RaceState
    {
        public NfDropTwoBackends()
        {
            super("nf-drop", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * nf-merge: 4.19 (ed07d9a021df): race 1 to the same backend merges; race 2 (the first confirmed before the second's SNAT
     * step moved its source port) still drops, so a drop is possible even with one backend.
     */

    @JCStressTest
    @JCStressMeta(MergesOrDrops.class)
    @Description("nf-merge, 1 backend: A and AAAA of one socket flow race.")
    @State
    public static class NfMergeOneBackend extends RaceState
    {
        public NfMergeOneBackend()
        {
            super("nf-merge", 1);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    @JCStressTest
    @JCStressMeta(MergesOrDrops.class)
    @Description("nf-merge, 2 backends: A and AAAA of one socket flow race.")
    @State
    public static class NfMergeTwoBackends extends RaceState
    {
        public NfMergeTwoBackends()
        {
            super("nf-merge", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * nf-same-origin: 5.0 (4e35c1cb9460): with one backend every clash merges: a drop is FORBIDDEN. With two backends a pair split
     * across them drops.
     */

    @JCStressTest
    @JCStressMeta(MergesEveryClash.class)
    @Description("nf-same-origin, 1 backend: A and AAAA of one socket flow race.")
    @State
    public static class NfSameOriginOneBackend extends RaceState
    {
        public NfSameOriginOneBackend()
        {
            super("nf-same-origin", 1);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    @JCStressTest
    @JCStressMeta(MergesOrDrops.class)
    @Description("nf-same-origin, 2 backends: A and AAAA of one socket flow race.")
    @State
    public static class NfSameOriginTwoBackends extends RaceState
    {
        public NfSameOriginTwoBackends()
        {
            super("nf-same-origin", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * nf-clash-insert: 5.6+ (6a757c07e51f): never a drop; a loser to another backend is inserted reply-only (NAT_CLASH).
     */

    @JCStressTest
    @JCStressMeta(MergesEveryClash.class)
    @Description("nf-clash-insert, 1 backend: A and AAAA of one socket flow race.")
    @State
    public static class NfClashInsertOneBackend extends RaceState
    {
        public NfClashInsertOneBackend()
        {
            super("nf-clash-insert", 1);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    @JCStressTest
    @JCStressMeta(MergesOrInserts.class)
    @Description("nf-clash-insert, 2 backends: A and AAAA of one socket flow race.")
    @State
    public static class NfClashInsertTwoBackends extends RaceState
    {
        public NfClashInsertTwoBackends()
        {
            super("nf-clash-insert", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }
}
