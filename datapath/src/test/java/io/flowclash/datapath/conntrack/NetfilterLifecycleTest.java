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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entry lifetimes and the reply path: NAT_CLASH entries, timeouts per era, NOTRACK, table full, reclamation.
 * Deterministic: virtual time only, one step order per case.
 */
class NetfilterLifecycleTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 10 * S;

    @Test
    void shouldDeNatRepliesFromTheLosersBackendWhileTheHiddenEntryLivesThenExpireIt()
    {
        final RaceHarness h = new RaceHarness("nf-clash-insert", 2);
        h.packet(T0, 0);
        h.packet(T0, 1);
        h.run(RaceHarness.RACE_1);
        assertThat(h.entries(T0)).containsExactlyInAnyOrder(
            "visible src=10.244.0.5 dst=10.96.0.10 sport=40000 dport=53 -> src=10.0.0.2 dst=10.244.0.5 sport=53 dport=40000",
            "hidden src=10.244.0.5 dst=10.96.0.10 sport=40000 dport=53 -> src=10.0.0.3 dst=10.244.0.5 sport=53 dport=40000");

        // both backends answer within the second: both replies are mapped back to the VIP
        final PacketContext replyA = h.reply(T0 + S / 1000, 0, 40000);
        final PacketContext replyB = h.reply(T0 + S / 1000, 1, 40000);
        for (final PacketContext r : new PacketContext[]{replyA, replyB})
        {
            assertThat(r.reason()).isEqualTo(Reason.ACCEPT_REPLY);
            assertThat(Tuple.srcAddress(r.hi())).isEqualTo(RaceHarness.VIP);
            assertThat(Tuple.srcPort(r.lo())).isEqualTo(53);
            assertThat(Tuple.dstPort(r.lo())).isEqualTo(40000);
        }
        // a second reply through the hidden entry still works (5.8.8+: not killed on the first reply)
        assertThat(h.reply(T0 + S / 2, 1, 40000).reason()).isEqualTo(Reason.ACCEPT_REPLY);

        // 1 s fixed timeout: gone after it, whatever replies did; the winner lives on
        assertThat(h.entries(T0 + S - 1)).hasSize(2);
        assertThat(h.datapath.sweep(T0 + S, -1)).isEqualTo(1);
        assertThat(h.entries(T0 + S)).hasSize(1).allMatch(e -> e.startsWith("visible"));
        final PacketContext late = h.reply(T0 + S + 1, 1, 40000);
        assertThat(late.reason()).isEqualTo(Reason.ACCEPT_REPLY_UNTRANSLATED);
        assertThat(Tuple.srcAddress(late.hi())).as("not de-NATed: the client ignores it")
            .isEqualTo(h.datapath.config().backendAddress(1));
        h.assertConservation();
    }

    @Test
    void shouldKillTheHiddenEntryOnItsFirstReplyIn56()
    {
        final RaceHarness h = new RaceHarness("nf-clash-insert-5.6", 2);
        h.packet(T0, 0);
        h.packet(T0, 1);
        h.run(RaceHarness.RACE_1);
        assertThat(h.reply(T0 + 1000, 1, 40000).reason()).isEqualTo(Reason.ACCEPT_REPLY);
        assertThat(h.entries(T0 + 1000)).hasSize(1);
        assertThat(h.reply(T0 + 2000, 1, 40000).reason()).isEqualTo(Reason.ACCEPT_REPLY_UNTRANSLATED);
        h.assertConservation();
    }

    /**
     * nf_conntrack_udp_refresh_unreplied (6a757c07e51f until c46172147ebb): the NAT_CLASH entry dies in the UDP
     * tracker, at the first reply's lookup, not at a later step; the reply still goes out de-NATed through the entry
     * it holds. 5.8.8+ keeps it.
     */
    @Test
    void shouldKillTheHiddenEntryAtTheFirstRepliesLookupIn56Only()
    {
        for (final String design : new String[]{"nf-clash-insert-5.6", "nf-clash-insert-5.9"})
        {
            final RaceHarness h = new RaceHarness(design, 2);
            h.packet(T0, 0);
            h.packet(T0, 1);
            h.run(RaceHarness.RACE_1);
            final long hi = Tuple.hi(h.datapath.config().backendAddress(1), RaceHarness.CLIENT);
            final long lo = Tuple.lo(h.datapath.config().backendPort(), 40000, Tuple.PROTO_UDP);
            final PacketContext reply =
                h.packet(T0 + 1000, hi, lo, PacketRecordDescriptor.DIR_REPLY, PacketContext.NONE);
            assertThat(h.datapath.stepName(reply.step())).isEqualTo("lookup");
            h.datapath.step(reply);
            final boolean killed = design.equals("nf-clash-insert-5.6");
            assertThat(h.entries(T0 + 1000)).as(design + " after the reply's lookup step").hasSize(killed ? 1 : 2);
            h.datapath.process(reply);
            assertThat(reply.reason()).isEqualTo(Reason.ACCEPT_REPLY);
            assertThat(Tuple.srcAddress(reply.hi())).isEqualTo(RaceHarness.VIP);
            assertThat(h.reply(T0 + 2000, 1, 40000).reason()).as(design + " second reply")
                .isEqualTo(killed ? Reason.ACCEPT_REPLY_UNTRANSLATED : Reason.ACCEPT_REPLY);
            h.assertConservation();
        }
    }

    @Test
    void shouldSendLaterPacketsToTheWinnersBackend()
    {
        final RaceHarness h = new RaceHarness("nf-clash-insert", 2);
        h.packet(T0, 1);
        h.packet(T0, 0);
        h.run(RaceHarness.RACE_1);
        final PacketContext retry = h.packet(T0 + 5 * S, 0);
        h.datapath.process(retry);
        assertThat(retry.reason()).isEqualTo(Reason.ACCEPT_ESTABLISHED);
        assertThat(Tuple.dstAddress(retry.hi())).isEqualTo(h.datapath.config().backendAddress(1));
    }

    @Test
    void shouldMoveTheSourcePortInRace2BeforeTheSameOriginSkip()
    {
        final RaceHarness h = new RaceHarness("nf-merge", 1);
        final PacketContext a = h.packet(T0, 0);
        final PacketContext b = h.packet(T0, 0);
        h.run(RaceHarness.RACE_2);
        assertThat(Tuple.srcPort(a.lo())).isEqualTo(40000);
        assertThat(Tuple.srcPort(b.lo())).as("get_unique_tuple moved B's port").isNotEqualTo(40000)
            .isBetween(1024, 65535);
        assertThat(b.reason()).isEqualTo(Reason.DROP_CLASH);
    }

    @Test
    void shouldBypassTheTableForNotrack()
    {
        final Datapath dp = Designs.get("nf-drop").create(DatapathConfig.builder().notrack(true).build());
        final PacketContext a = dp.newContext(0);
        dp.begin(a, T0, RaceHarness.HI, RaceHarness.LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        assertThat(a.done()).isTrue();
        assertThat(a.reason()).isEqualTo(Reason.ACCEPT_NOTRACK);
        assertThat(Tuple.dstAddress(a.hi())).as("no DNAT").isEqualTo(RaceHarness.VIP);
        final int[] entries = {0};
        dp.forEachEntry(T0, (oh, ol, rh, rl, st, ex, hid) -> entries[0]++);
        assertThat(entries[0]).isZero();
        assertThat(dp.counters().processed()).isEqualTo(1);
        assertThat(dp.counters().reason(Reason.ACCEPT_NOTRACK)).isEqualTo(1);
    }

    @Test
    void shouldTimeOutUnrepliedAfter30sAndStreamsPerEra()
    {
        for (final String design : new String[]{"nf-merge", "nf-clash-insert"})
        {
            final RaceHarness h = new RaceHarness(design, 1);
            h.datapath.process(h.packet(T0, 0));
            assertThat(h.entries(T0 + 30 * S - 1)).as(design).hasSize(1);
            assertThat(h.entries(T0 + 30 * S)).as(design + " unreplied 30 s").isEmpty();

            h.reply(T0 + 1000, 0, 40000);                          // SEEN_REPLY
            final PacketContext again = h.packet(T0 + 3 * S, 0);   // after 2 s: stream state (5.0+)
            h.datapath.process(again);
            assertThat(again.reason()).isEqualTo(Reason.ACCEPT_ESTABLISHED);
            final long stream = design.equals("nf-merge") ? 180 : 120;
            assertThat(h.entries(T0 + 3 * S + stream * S - 1)).as(design).hasSize(1);
            assertThat(h.entries(T0 + 3 * S + stream * S)).as(design + " stream " + stream + " s").isEmpty();
            final int[] status = {0};
            h.datapath.forEachEntry(T0 + 3 * S, (oh, ol, rh, rl, st, ex, hid) -> status[0] = st);
            assertThat(status[0] & ConnDescriptor.IPS_ASSURED).as(design + " ASSURED").isNotZero();
            h.assertConservation();
        }
    }

    @Test
    void shouldEarlyDropUnassuredEntriesAndDropWhenAllAreAssured()
    {
        final Datapath dp = Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).maxEntries(4).buckets(2).build());
        final PacketContext ctx = dp.newContext(0);
        for (int i = 0; i < 4; i++)
        {
            dp.begin(ctx, T0, RaceHarness.HI, Tuple.lo(40000 + i, 53, Tuple.PROTO_UDP), (byte)0, 1);
            dp.process(ctx);
            assertThat(ctx.reason()).isEqualTo(Reason.ACCEPT_NEW);
        }
        dp.begin(ctx, T0, RaceHarness.HI, Tuple.lo(50000, 53, Tuple.PROTO_UDP), (byte)0, 1);
        dp.process(ctx);
        assertThat(ctx.reason()).as("room made by early_drop").isEqualTo(Reason.ACCEPT_NEW);
        assertThat(dp.counters().get(Counter.EARLY_DROP)).isPositive();

        // early_drop killed every non-ASSURED entry of a bucket; refill to the limit with ASSURED entries
        // (new flow, its reply, a packet 3 s later: stream state), then a new flow finds no victim
        final StripedLockConntrackTable table = ((NetfilterDatapath)dp).table();
        int port = 41000;
        while (table.count() < 4)
        {
            port++;
            dp.begin(ctx, T0, RaceHarness.HI, Tuple.lo(port, 53, Tuple.PROTO_UDP), (byte)0, 1);
            dp.process(ctx);
            dp.begin(ctx, T0 + 1000, Tuple.hi(dp.config().backendAddress(0), RaceHarness.CLIENT),
                Tuple.lo(53, port, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_REPLY, 0);
            dp.process(ctx);
        }
        final long[] ports = new long[4];
        final int[] n = {0};
        dp.forEachEntry(T0, (oh, ol, rh, rl, st, ex, hid) -> ports[n[0]++] = Tuple.srcPort(ol));
        for (int i = 0; i < n[0]; i++)
        {
            final int p = (int)ports[i];
            dp.begin(ctx, T0 + 1000, Tuple.hi(dp.config().backendAddress(0), RaceHarness.CLIENT),
                Tuple.lo(53, p, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_REPLY, 0);
            dp.process(ctx);
            dp.begin(ctx, T0 + 3 * S, RaceHarness.HI, Tuple.lo(p, 53, Tuple.PROTO_UDP), (byte)0, 1);
            dp.process(ctx);
        }
        dp.forEachEntry(T0 + 3 * S, (oh, ol, rh, rl, st, ex, hid) ->
            assertThat(st & ConnDescriptor.IPS_ASSURED).as("entry %s", Tuple.format(oh, ol)).isNotZero());
        assertThat(table.count()).isEqualTo(4);
        dp.begin(ctx, T0 + 3 * S, RaceHarness.HI, Tuple.lo(60000, 53, Tuple.PROTO_UDP), (byte)0, 1);
        dp.process(ctx);
        assertThat(ctx.reason()).isEqualTo(Reason.DROP_TABLE_FULL);
        assertThat(dp.counters().get(Counter.DROP)).isEqualTo(1);
        assertThat(dp.counters().processed()).isEqualTo(dp.counters().accepted() + dp.counters().dropped());
    }

    @Test
    void shouldReclaimEveryEntryLazilyAndBySweepWithoutLeaking()
    {
        final Datapath dp = Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(3).maxEntries(1000).build());
        final NetfilterDatapath nf = (NetfilterDatapath)dp;
        final PacketContext ctx = dp.newContext(0);
        long now = T0;
        // 20 rounds of 1000 new flows, each round 31 s after the last: every round's entries expire. Rounds go in
        // pairs: the second of a pair reuses the first's tuples, so each lookup finds its expired entry and
        // reclaims it (nf_ct_gc_expired); after the pair the gc worker (sweep) reclaims the rest, so the next pair's
        // new tuples find an empty table. (Without the sweep, 4.9+ early_drop_list would only collect expired
        // entries and still drop: see shouldDropWhenEarlyDropFindsOnlyExpiredEntriesFrom49.)
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 1000; i++)
            {
                dp.begin(ctx, now, Tuple.hi(RaceHarness.CLIENT + round / 2, RaceHarness.VIP),
                    Tuple.lo(1024 + i, 53, Tuple.PROTO_UDP), (byte)0, 1);
                dp.process(ctx);
                assertThat(ctx.reason()).isEqualTo(Reason.ACCEPT_NEW);
            }
            assertThat(nf.table().count()).isLessThanOrEqualTo(1000);
            now += 31 * S;
            if (round % 2 == 1)
            {
                dp.sweep(now, 0);
                assertThat(nf.table().count()).isZero();
            }
        }
        assertThat(dp.counters().dropped()).isZero();
        assertThat(dp.counters().processed()).isEqualTo(20_000);
    }
}
