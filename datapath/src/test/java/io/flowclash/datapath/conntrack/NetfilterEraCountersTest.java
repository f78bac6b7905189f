package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each era counts what its kernel counts, outside the race itself (the race's counters are
 * {@link NetfilterEraRaceTest}'s): the hot-path statistics, ignore, delete and delete_list, early_drop per mode, the
 * port search's found and the chain limit. Each case names the kernel function it follows.
 */
class NetfilterEraCountersTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 10 * S;

    private static Datapath create(final String design, final DatapathConfig.Builder config)
    {
        return Designs.get(design).create(config.build());
    }

    /**
     * @return n client ports from {@code from} whose ORIGINAL tuple (to the VIP) and REPLY tuple (from backend 0)
     * both hash to bucket 0, so that every walk of this test sees every node of these flows.
     */
    private static int[] sameBucketPorts(final Datapath dp, final int from, final int n)
    {
        return portsInBuckets(dp, from, n, 0, 0);
    }

    /**
     * @return n client ports from {@code from} whose ORIGINAL tuple (to the VIP) hashes to bucket {@code orig} and
     * whose REPLY tuple (from backend 0) hashes to bucket {@code reply}.
     */
    private static int[] portsInBuckets(final Datapath dp, final int from, final int n, final int orig, final int reply)
    {
        final StripedLockConntrackTable table = ((NetfilterDatapath)dp).table();
        final int backend = dp.config().backendAddress(0);
        final int[] out = new int[n];
        int found = 0;
        for (int p = from; found < n; p++)
        {
            final long lo = Tuple.lo(p, 53, Tuple.PROTO_UDP);
            if (table.bucket(RaceHarness.HI, lo) == orig &&
                table.bucket(Tuple.hi(backend, RaceHarness.CLIENT), Tuple.lo(53, p, Tuple.PROTO_UDP)) == reply)
            {
                out[found++] = p;
            }
        }
        return out;
    }

    private static Reason send(final Datapath dp, final PacketContext ctx, final long now, final int port)
    {
        dp.begin(ctx, now, RaceHarness.HI, Tuple.lo(port, 53, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_ORIGINAL, 1);
        dp.process(ctx);
        return ctx.reason();
    }

    /**
     * Flows whose nodes all share one bucket, so every walk sees every node. Flow 1 walks nothing; flow 2's lookup
     * and its tuple_taken each walk flow 1's two nodes; flow 1 again walks flow 2's two nodes and flow 1's REPLY
     * node before its hit.
     * 3.x - 4.8 (____nf_conntrack_find, nf_conntrack_tuple_taken, init_conntrack, __nf_conntrack_confirm, read in
     * 3.x and 4.7) count searched 2 + 2 + 3, found 1, new 2, insert 2; from 4.9 none of them (tuple_taken's found
     * stays, but nothing is taken here).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nf-drop,              7, 1, 2, 2",
        "nf-nonat-merge-4.7,   7, 1, 2, 2",
        "nf-nonat-merge,       0, 0, 0, 0",
        "nf-merge,             0, 0, 0, 0",
        "nf-same-origin,       0, 0, 0, 0",
        "nf-clash-insert-5.6,  0, 0, 0, 0",
        "nf-clash-insert-5.9,  0, 0, 0, 0",
        "nf-clash-insert-5.10, 0, 0, 0, 0",
        "nf-clash-insert-5.15, 0, 0, 0, 0",
        "nf-clash-insert,      0, 0, 0, 0",
        "nf-reverse-merge,     0, 0, 0, 0",
    })
    void shouldCountTheHotPathStatisticsUntil48(
        final String design, final long searched, final long found, final long created, final long insert)
    {
        final Datapath dp = create(design, DatapathConfig.builder().backends(1).buckets(2));
        final PacketContext ctx = dp.newContext(0);
        final int[] p = sameBucketPorts(dp, 40000, 2);
        assertThat(send(dp, ctx, T0, p[0])).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(send(dp, ctx, T0, p[1])).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(send(dp, ctx, T0, p[0])).isEqualTo(Reason.ACCEPT_ESTABLISHED);
        assertThat(dp.counters().get(Counter.SEARCHED)).as("searched").isEqualTo(searched);
        assertThat(dp.counters().get(Counter.FOUND)).as("found").isEqualTo(found);
        assertThat(dp.counters().get(Counter.NEW)).as("new").isEqualTo(created);
        assertThat(dp.counters().get(Counter.INSERT)).as("insert").isEqualTo(insert);
    }

    /** nf_conntrack_in: "Previously seen (loopback or untracked)?  Ignore." counts ignore until 5.10. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nf-drop, 1", "nf-nonat-merge-4.7, 1", "nf-nonat-merge, 1", "nf-merge, 1", "nf-same-origin, 1",
        "nf-clash-insert-5.6, 1", "nf-clash-insert-5.9, 1", "nf-clash-insert-5.10, 0", "nf-clash-insert-5.15, 0",
        "nf-clash-insert, 0", "nf-reverse-merge, 0",
    })
    void shouldCountIgnoreForNotrackUntil510(final String design, final long ignore)
    {
        final Datapath dp = create(design, DatapathConfig.builder().notrack(true));
        final PacketContext ctx = dp.newContext(0);
        assertThat(send(dp, ctx, T0, 40000)).isEqualTo(Reason.ACCEPT_NOTRACK);
        assertThat(dp.counters().get(Counter.IGNORE)).isEqualTo(ignore);
    }

    /**
     * 3.x - 4.6: destroy_conntrack counts delete for every entry freed (the clash loser too) and
     * nf_ct_delete_from_lists delete_list for every confirmed entry unlinked (here by the gc sweep at expiry).
     */
    @Test
    void shouldCountDeleteAndDeleteListIn3x()
    {
        for (final String design : new String[]{"nf-drop", "nf-merge"})
        {
            final RaceHarness h = new RaceHarness(design, 1);
            h.packet(T0, 0);
            h.packet(T0, 0);
            h.run(RaceHarness.RACE_2);
            final boolean is3x = design.equals("nf-drop");
            assertThat(h.counter(Counter.DELETE)).as(design + " loser freed").isEqualTo(is3x ? 1 : 0);
            assertThat(h.counter(Counter.DELETE_LIST)).isZero();
            assertThat(h.datapath.sweep(T0 + 31 * S, -1)).isEqualTo(1);
            assertThat(h.counter(Counter.DELETE_LIST)).as(design + " winner unlinked").isEqualTo(is3x ? 1 : 0);
            assertThat(h.counter(Counter.DELETE)).isEqualTo(is3x ? 2 : 0);
        }
    }

    /**
     * A race-2 port move that finds every candidate taken: ports below 512 search 1 - 511
     * (nf_nat_l4proto_unique_tuple's "loose convention"), in rounds of 128, 64, 32, 16 and 8 attempts (248), each
     * candidate one nf_nat_used_tuple call, after the two calls get_unique_tuple makes for the original tuple:
     * found = 2 + 248, and the last candidate tried stays, which clashes at confirm.
     */
    @Test
    void shouldSearchPortsInTheKernelsRoundsAndLowRange()
    {
        final Datapath dp = create("nf-merge", DatapathConfig.builder().backends(1).workers(2));
        final PacketContext fill = dp.newContext(0);
        final int port = 100;
        for (int p = 1; p <= 511; p++)
        {
            if (p != port)
            {
                assertThat(send(dp, fill, T0, p)).isEqualTo(Reason.ACCEPT_NEW);
            }
        }
        final PacketContext a = dp.newContext(0);
        final PacketContext b = dp.newContext(1);
        final long lo = Tuple.lo(port, 53, Tuple.PROTO_UDP);
        dp.begin(a, T0, RaceHarness.HI, lo, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        dp.begin(b, T0, RaceHarness.HI, lo, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        for (final char letter : RaceHarness.RACE_2.toCharArray())
        {
            dp.step(letter == 'A' ? a : b);
        }
        assertThat(a.reason()).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(b.reason()).isEqualTo(Reason.DROP_CLASH);
        assertThat(dp.counters().get(Counter.FOUND)).as("2 for the original tuple, 128+64+32+16+8 candidates")
            .isEqualTo(2 + 248);
        assertThat(Tuple.srcPort(b.lo())).as("the last candidate, in the low range").isBetween(1, 511);
    }

    /** Ports 512 - 1023 search 600 - 1023; from 1024 the search is 1024 - 65535 (nf_nat_l4proto_unique_tuple). */
    @Test
    void shouldMoveALowPortWithinItsRange()
    {
        for (final int[] c : new int[][]{{700, 600, 1023}, {300, 1, 511}, {40000, 1024, 65535}})
        {
            final RaceHarness h = new RaceHarness("nf-merge", 1);
            final PacketContext a = h.packet(T0, RaceHarness.HI, Tuple.lo(c[0], 53, Tuple.PROTO_UDP),
                PacketRecordDescriptor.DIR_ORIGINAL, 0);
            final PacketContext b = h.packet(T0, RaceHarness.HI, Tuple.lo(c[0], 53, Tuple.PROTO_UDP),
                PacketRecordDescriptor.DIR_ORIGINAL, 0);
            h.run(RaceHarness.RACE_2);
            assertThat(a.reason()).isEqualTo(Reason.ACCEPT_NEW);
            assertThat(Tuple.srcPort(b.lo())).as("port %d", c[0]).isNotEqualTo(c[0]).isBetween(c[1], c[2]);
            assertThat(h.counter(Counter.FOUND)).as("the original tuple twice, the first candidate free").isEqualTo(2);
        }
    }

    // ------------------------------------------------------------------------------------------------ table full

    private static List<Integer> ports(final Datapath dp, final long now)
    {
        final List<Integer> out = new ArrayList<>();
        dp.forEachEntry(now, (oh, ol, rh, rl, st, ex, hid) -> out.add(Tuple.srcPort(ol)));
        return out;
    }

    /**
     * A full table of four non-ASSURED entries in one bucket, a fifth new flow: 3.x early_drop kills the oldest
     * (the last non-ASSURED node of the chain), 4.7 the first it meets (the newest: nodes go in at the head), each
     * counting early_drop once; 4.9+ early_drop_list kills every non-ASSURED entry of the bucket, early_drop
     * once per kill. The packet passes in all three.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nf-drop,            1, ONE_OLDEST",
        "nf-nonat-merge-4.7, 1, ONE_FIRST",
        "nf-nonat-merge,     4, LIST",
        "nf-clash-insert,    4, LIST",
    })
    void shouldEarlyDropPerEra(final String design, final long earlyDrops, final ConntrackEra.EarlyDrop mode)
    {
        final Datapath dp = create(design, DatapathConfig.builder().backends(1).maxEntries(4).buckets(2));
        assertThat(((NetfilterDatapath)dp).era().earlyDrop).isEqualTo(mode);
        final PacketContext ctx = dp.newContext(0);
        final int[] p = sameBucketPorts(dp, 40000, 5);
        for (int i = 0; i < 4; i++)
        {
            assertThat(send(dp, ctx, T0 + i, p[i])).isEqualTo(Reason.ACCEPT_NEW);
        }
        assertThat(send(dp, ctx, T0 + 10, p[4])).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(dp.counters().get(Counter.EARLY_DROP)).isEqualTo(earlyDrops);
        final List<Integer> left = ports(dp, T0 + 10);
        switch (mode)
        {
            case ONE_OLDEST:
                assertThat(left).as("the oldest went").containsExactlyInAnyOrder(p[1], p[2], p[3], p[4]);
                break;
            case ONE_FIRST:
                assertThat(left).as("the newest went").containsExactlyInAnyOrder(p[0], p[1], p[2], p[4]);
                break;
            default:
                assertThat(left).as("every non-ASSURED entry of the bucket went").containsExactly(p[4]);
        }
        assertThat(dp.counters().get(Counter.DROP)).isZero();
    }

    /**
     * {@code nf_conntrack_tuple_taken} (the null binding's {@code nf_nat_used_tuple}) reclaims every expired node it
     * walks past ({@code if (nf_ct_is_expired(ct)) { nf_ct_gc_expired(ct); continue; }}, before the key compare),
     * not only one whose tuple matches. 20 expired flows with both nodes in bucket 1; a new flow whose ORIGINAL
     * tuple is in bucket 0 (its lookup meets none of them) and whose REPLY tuple is in bucket 1: its null binding
     * walks all of them.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"nf-clash-insert", "nf-merge", "nf-reverse-merge"})
    void shouldReclaimEveryExpiredNodeTupleTakenWalksPast(final String design)
    {
        final Datapath dp = create(design, DatapathConfig.builder().backends(1).maxEntries(64).buckets(2));
        final PacketContext ctx = dp.newContext(0);
        for (final int port : portsInBuckets(dp, 40000, 20, 1, 1))
        {
            assertThat(send(dp, ctx, T0, port)).isEqualTo(Reason.ACCEPT_NEW);
        }
        final int fresh = portsInBuckets(dp, 50000, 1, 0, 1)[0];
        assertThat(send(dp, ctx, T0 + 31 * S, fresh)).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(((NetfilterDatapath)dp).table().count()).as("only the new flow lives").isEqualTo(1);
    }

    /**
     * A table full of expired entries only (nothing swept them), all in the other bucket than the new packet's
     * (a lookup would reclaim those of its own bucket). 4.9+ early_drop_list collects the expired entries
     * of its buckets (nf_ct_gc_expired) but kills none, so early_drop fails: "table full, dropping packet", drop++;
     * the next packet finds the room. In the timer eras (3.x, 4.7) an expired entry was gone already: the packet
     * passes.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nf-drop,            ACCEPT_NEW,      0",
        "nf-nonat-merge-4.7, ACCEPT_NEW,      0",
        "nf-nonat-merge,     DROP_TABLE_FULL, 1",
        "nf-clash-insert,    DROP_TABLE_FULL, 1",
    })
    void shouldDropWhenEarlyDropFindsOnlyExpiredEntriesFrom49(
        final String design, final Reason first, final long drops)
    {
        final Datapath dp = create(design, DatapathConfig.builder().backends(1).maxEntries(4).buckets(2));
        final PacketContext ctx = dp.newContext(0);
        for (final int port : sameBucketPorts(dp, 40000, 4))
        {
            assertThat(send(dp, ctx, T0, port)).isEqualTo(Reason.ACCEPT_NEW);
        }
        // the new packet's own bucket (1) holds none of them: its lookup, which reclaims every expired node it
        // walks past (____nf_conntrack_find), meets none; early_drop's scan (bucket 1, then 0) meets all four
        int port = 50000;
        while (((NetfilterDatapath)dp).table().bucket(RaceHarness.HI, Tuple.lo(port, 53, Tuple.PROTO_UDP)) != 1)
        {
            port++;
        }
        final long later = T0 + 31 * S;
        assertThat(send(dp, ctx, later, port)).isEqualTo(first);
        assertThat(dp.counters().get(Counter.DROP)).as("drop").isEqualTo(drops);
        assertThat(dp.counters().get(Counter.EARLY_DROP)).as("early_drop").isZero();
        assertThat(send(dp, ctx, later, 50001)).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(dp.counters().processed()).isEqualTo(dp.counters().accepted() + dp.counters().dropped());
    }

    /**
     * __nf_conntrack_confirm's chain limit (d7e7747ac5c2, c9c3b6811f74): "if (chainlen++ > max_chainlen)" after the
     * match test, max_chainlen = 8 + random(24) in 5.15: with every node in one bucket an insert with at most 9 nodes
     * ahead always passes, one with 33 or more always fails, so the chain stops at 17 entries (34 nodes) at most;
     * 5.16+ as carried since "adopt safer max chain length", 50 + random(30): 51 nodes always pass, at most 41
     * entries. chaintoolong and insert_failed count each refusal; before 5.15 there is no limit.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nf-clash-insert-5.10, 200, 400",
        "nf-clash-insert-5.15, 17,  34",
        "nf-clash-insert,      41,  82",
    })
    void shouldRefuseInsertionIntoTooLongChainsFrom515(
        final String design, final int maxChainEntries, final int maxNodes)
    {
        final Datapath dp = create(design, DatapathConfig.builder().backends(1).maxEntries(1000).buckets(2));
        final PacketContext ctx = dp.newContext(0);
        final int[] p = sameBucketPorts(dp, 20000, 200);
        final boolean limited = !design.equals("nf-clash-insert-5.10");
        final int alwaysPass = design.equals("nf-clash-insert-5.15") ? 9 : 51;
        int entries = 0;
        for (int i = 0; i < 200; i++)
        {
            final int nodes = 2 * entries;
            final Reason r = send(dp, ctx, T0, p[i]);
            if (r == Reason.ACCEPT_NEW)
            {
                entries++;
            }
            else
            {
                assertThat(r).isEqualTo(Reason.DROP_CHAIN_TOO_LONG);
                assertThat(limited).as("no limit before 5.15").isTrue();
                assertThat(nodes).as("refused with %d nodes ahead", nodes).isGreaterThan(alwaysPass);
            }
        }
        assertThat(entries).isLessThanOrEqualTo(maxChainEntries);
        assertThat(2 * entries).isLessThanOrEqualTo(maxNodes);
        final long refused = 200 - entries;
        assertThat(dp.counters().get(Counter.CHAINTOOLONG)).isEqualTo(refused);
        assertThat(dp.counters().get(Counter.INSERT_FAILED)).isEqualTo(refused);
        assertThat(dp.counters().reason(Reason.DROP_CHAIN_TOO_LONG)).isEqualTo(refused);
        if (limited)
        {
            assertThat(refused).isPositive();
        }
    }
}
