package io.flowclash.datapath.cilium;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.MaglevSelector;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.run.Runner;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Cilium designs' own behaviour: what they can still lose (eviction, full maps), and what they never do.
 * Race freedom in every step order is proven by the explorer tests.
 */
class CiliumDatapathTest
{
    private static final int CLIENT = Ipv4.parse("10.244.0.5");
    private static final int VIP = Ipv4.parse("10.96.0.10");
    private static final long HI = Tuple.hi(CLIENT, VIP);
    private static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
    private static final long T0 = 1_000_000_000L;

    private static PacketContext send(final Datapath dp, final int worker, final long cookie)
    {
        final PacketContext ctx = dp.newContext(worker);
        dp.begin(ctx, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, cookie);
        dp.process(ctx);
        return ctx;
    }

    private static PacketContext reply(final Datapath dp, final PacketContext query, final long cookie)
    {
        final PacketContext ctx = dp.newContext(0);
        dp.begin(ctx, T0 + 1000, Tuple.invertHi(query.hi()), Tuple.invertLo(query.lo()),
            PacketRecordDescriptor.DIR_REPLY, cookie);
        dp.process(ctx);
        return ctx;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cilium-socklb", "cilium-tc"})
    void shouldCountEvictedReverseEntriesAsUntranslatedReplies(final String design)
    {
        // 2000 sockets, 10 us apart, replies after 5 ms: 500 other lookups write the 100-entry map in between
        final Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(2).workers(2)
            .mapEntries(100).build());
        final RunResult r = new Runner(dp, new RunOptions(RaceMode.parse("always"), false, 5_000_000, 1_000_000_000L, 1))
            .run(Workloads.generate(Workloads.parse("dns-pairs:sockets=2000,interval=10us")));
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
        assertThat(r.dropped()).as("nothing is dropped: replies are delivered, untranslated").isZero();
        assertThat(r.counter(Counter.MAP_EVICT)).isPositive();
        assertThat(r.counter(Counter.REVNAT_MISS)).isPositive()
            .isEqualTo(r.reason(Reason.ACCEPT_REPLY_UNTRANSLATED));
        assertThat(r.lookupsStalled()).isPositive();
        assertThat(r.replies()).isEqualTo(r.queries());
        dp.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cilium-socklb", "cilium-tc"})
    void shouldTranslateEveryReplyWhenTheMapIsLargeEnough(final String design)
    {
        final Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(3).workers(2).build());
        final RunResult r = new Runner(dp, new RunOptions(RaceMode.parse("real"), false, 200_000, 1_000_000_000L, 1))
            .run(Workloads.generate(Workloads.parse("dns-pairs:sockets=3000,lookups=2,interval=50us")));
        assertThat(r.dropped()).isZero();
        assertThat(r.lookupsStalled()).isZero();
        assertThat(r.reason(Reason.ACCEPT_REPLY)).isEqualTo(r.queries());
        assertThat(r.counter(Counter.REVNAT_MISS)).isZero();
        dp.close();
    }

    @Test
    void shouldKeepBothRepliesTranslatedAcrossABackendCountChange()
    {
        final SocketLbDatapath dp = (SocketLbDatapath)Designs.get("cilium-socklb")
            .create(DatapathConfig.builder().backends(2).workers(2).build());
        final long moving = 4; // slot 4 % 2 = 0 before the change, 4 % 3 = 1 after
        final PacketContext a = send(dp, 0, moving);
        dp.updateService(3);
        final PacketContext b = send(dp, 1, moving);
        assertThat(Tuple.dstAddress(a.hi())).isEqualTo(dp.config().backendAddress(0));
        assertThat(Tuple.dstAddress(b.hi())).as("the AAAA went to another backend").isEqualTo(dp.config().backendAddress(1));
        for (final PacketContext q : new PacketContext[]{a, b})
        {
            final PacketContext r = reply(dp, q, moving);
            assertThat(r.reason()).isEqualTo(Reason.ACCEPT_REPLY);
            assertThat(Tuple.srcAddress(r.hi())).isEqualTo(VIP);
        }
        assertThat(dp.revNatMap().size()).as("one rev-NAT entry per (cookie, backend)").isEqualTo(2);
        dp.close();
    }

    @Test
    void shouldLetTheLastWriterWinInTheCtMapAndTranslateBothReplies()
    {
        final TcLbDatapath dp = (TcLbDatapath)Designs.get("cilium-tc")
            .create(DatapathConfig.builder().backends(2).workers(3).build());
        final PacketContext a = dp.newContext(0);
        final PacketContext b = dp.newContext(1);
        a.forceBackend(0);
        b.forceBackend(1);
        dp.begin(a, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        dp.begin(b, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        while (!a.done() || !b.done())
        {
            if (!a.done())
            {
                dp.step(a);
            }
            if (!b.done())
            {
                dp.step(b);
            }
        }
        assertThat(a.reason()).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(b.reason()).isEqualTo(Reason.ACCEPT_NEW);
        final PacketContext later = send(dp, 2, 1);
        assertThat(later.reason()).isEqualTo(Reason.ACCEPT_ESTABLISHED);
        assertThat(Tuple.dstAddress(later.hi())).as("B wrote last").isEqualTo(dp.config().backendAddress(1));
        assertThat(reply(dp, a, 1).reason()).isEqualTo(Reason.ACCEPT_REPLY);
        assertThat(reply(dp, b, 1).reason()).isEqualTo(Reason.ACCEPT_REPLY);
        assertThat(dp.counters().processed()).isEqualTo(dp.counters().accepted());
        dp.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cilium-socklb", "cilium-tc"})
    void shouldDropWithItsOwnReasonWhenAPlainHashMapIsFull(final String design)
    {
        final Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(1).workers(1)
            .mapEntries(4).mapLru(false).build());
        int dropped = 0;
        for (int s = 0; s < 10; s++)
        {
            final PacketContext ctx = dp.newContext(0);
            dp.begin(ctx, T0, HI, Tuple.lo(40000 + s, 53, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_ORIGINAL, s + 1);
            dp.process(ctx);
            if (!ctx.accepted())
            {
                assertThat(ctx.reason()).isEqualTo(Reason.DROP_MAP_UPDATE_FAILED);
                dropped++;
            }
        }
        assertThat(dropped).isPositive();
        assertThat(dp.counters().get(Counter.MAP_E2BIG)).isEqualTo(dropped);
        assertThat(dp.counters().reason(Reason.DROP_MAP_UPDATE_FAILED)).isEqualTo(dropped);
        dp.close();
    }

    @Test
    void shouldPickTheUdpSlotByCookieAndTheTcpSlotAtRandom()
    {
        final Datapath dp = Designs.get("cilium-socklb").create(DatapathConfig.builder().backends(4).workers(1).build());
        final Set<Integer> tcp = new HashSet<>();
        final PacketContext udp = dp.newContext(0);
        final PacketContext t = dp.newContext(0); // one context per worker, reused: its random stream advances
        for (int i = 0; i < 200; i++)
        {
            dp.begin(udp, T0, HI, Tuple.lo(1024 + i, 53, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_ORIGINAL, 6);
            dp.process(udp);
            assertThat(udp.backend()).as("cookie 6 %% 4").isEqualTo(2);
            dp.begin(t, T0, HI, Tuple.lo(30000 + i, 53, Tuple.PROTO_TCP), PacketRecordDescriptor.DIR_ORIGINAL, 6);
            dp.process(t);
            tcp.add(t.backend());
        }
        assertThat(tcp).as("same cookie, TCP spreads").containsExactlyInAnyOrder(0, 1, 2, 3);
        dp.close();
    }

    @Test
    void shouldSpreadMaglevEvenlyAndKeepATupleOnOneBackend()
    {
        final MaglevSelector maglev = new MaglevSelector(3);
        final int[] counts = new int[3];
        final Set<Integer> chosen = new HashSet<>();
        for (int p = 0; p < 30_000; p++)
        {
            final long lo = Tuple.lo(1024 + p, 53, Tuple.PROTO_UDP);
            final int b = maglev.select(null, HI, lo);
            assertThat(maglev.select(null, HI, lo)).isEqualTo(b);
            counts[b]++;
            chosen.add(b);
        }
        assertThat(chosen).containsExactlyInAnyOrder(0, 1, 2);
        for (final int c : counts)
        {
            assertThat(c).isBetween(9_000, 11_000);
        }
    }
}
