package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gc's index ({@link SingleSweeperExpiryWheel}) against the full scan: two tables of one design take the same
 * packets (racing query pairs, so clashes and reply-only entries happen; replies, so entries move to the stream
 * timeout; a table small enough that early_drop fires) and the same sweeps; the oracle scans every bucket on every
 * sweep. Each sweep must kill the same number of entries, and the tables must list the same entries (tuples,
 * timeouts; pool indices may differ, as kills come in another order) afterwards. With virtual time that jumps back
 * now and then, lowered timeouts and sweeps back in time are caught too. Then the two ways the index can fall
 * behind, each alone: a timeout lowered by an older packet, and more links between two sweeps than a log holds.
 */
class StripedLockConntrackTableSweepTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final int CLIENT = Ipv4.parse("10.244.0.5");
    private static final int VIP = Ipv4.parse("10.96.0.10");

    static Stream<Arguments> cases()
    {
        final List<Arguments> rows = new ArrayList<>();
        for (final Designs.Design d : Designs.all())
        {
            try (Datapath dp = d.create(DatapathConfig.builder().backends(2).workers(2).build()))
            {
                if (dp instanceof NetfilterDatapath)
                {
                    rows.add(Arguments.of(d.id(), false));
                    rows.add(Arguments.of(d.id(), true));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} time going back: {1}")
    @MethodSource("cases")
    void shouldKillWhatTheFullScanKills(final String design, final boolean timeGoesBack)
    {
        final Twin skipping = new Twin(design);
        final Twin oracle = new Twin(design);
        oracle.table.fullScanOnly = true;
        final SplittableRandom random = new SplittableRandom(11);
        final List<long[]> replies = new ArrayList<>();
        long now = 1_000 * MS;
        long sweeps = 0;
        long killed = 0;
        for (int step = 0; step < 20_000; step++)
        {
            now += random.nextLong(0, 400 * MS);
            if (timeGoesBack && random.nextInt(200) == 0)
            {
                now -= random.nextLong(0, 5_000 * MS);
            }
            final int what = random.nextInt(10);
            if (what < 5)
            {
                final long lo = Tuple.lo(30000 + random.nextInt(600), 53, Tuple.PROTO_UDP);
                final long[] reply = skipping.racingPair(now, Tuple.hi(CLIENT, VIP), lo);
                oracle.racingPair(now, Tuple.hi(CLIENT, VIP), lo);
                if (reply != null)
                {
                    replies.add(reply);
                }
            }
            else if (what < 8 && !replies.isEmpty())
            {
                final long[] r = replies.remove(random.nextInt(replies.size()));
                skipping.reply(now, r[0], r[1]);
                oracle.reply(now, r[0], r[1]);
            }
            else
            {
                final int a = skipping.datapath.sweep(now, 0);
                final int b = oracle.datapath.sweep(now, 0);
                assertThat(a).as("%s step %d at %d ms: killed by the sweep", design, step, now / MS).isEqualTo(b);
                assertThat(skipping.table.count()).as("%s step %d: nf_conntrack_count", design, step)
                    .isEqualTo(oracle.table.count());
                sweeps++;
                killed += a;
            }
        }
        assertThat(sweeps).isGreaterThan(1000);
        assertThat(killed).as("the sweeps had work to do").isGreaterThan(1000);
        assertThat(skipping.listing(now)).isEqualTo(oracle.listing(now));
        for (final Counter c : Counter.values())
        {
            assertThat(skipping.datapath.counters().get(c)).as("%s %s", design, c.kernelName())
                .isEqualTo(oracle.datapath.counters().get(c));
        }
        assertThat(skipping.datapath.counters().get(Counter.EARLY_DROP) + skipping.datapath.counters()
            .get(Counter.DROP)).as("%s: the table was full at times", design).isPositive();
        skipping.close();
        oracle.close();
    }

    /**
     * A packet older than the last refresh lowers a confirmed entry's timeout after the index placed it by the
     * later one: the next sweep must still kill it when the lowered timeout has passed.
     */
    @Test
    void shouldKillAnEntryWhoseTimeoutAnOlderPacketLowered()
    {
        final NetfilterDatapath dp = (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).workers(2).maxEntries(64).build());
        final PacketContext ctx = dp.newContext(0);
        final long t0 = 100 * S;
        final long lo = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
        query(dp, ctx, t0, lo);
        assertThat(ctx.reason()).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(dp.sweep(t0 + S, 0)).as("nothing expired yet").isZero(); // the index now holds it at t0 + 30 s
        query(dp, ctx, t0 - 25 * S, lo); // unreplied refresh: t0 - 25 s + 30 s
        final List<Long> timeouts = new ArrayList<>();
        dp.table().forEach(t0, (c, hidden) -> timeouts.add(dp.table().timeout(c)));
        assertThat(timeouts).as("lowered by the older packet").containsExactly(t0 + 5 * S);
        assertThat(dp.sweep(t0 + 6 * S, 0)).as("expired at t0 + 5 s").isEqualTo(1);
        assertThat(dp.table().count()).isZero();
        dp.close();
    }

    /** More entries linked between two sweeps than a worker's log holds: the sweep must still kill every one. */
    @Test
    void shouldKillEveryEntryWhenMoreWereLinkedThanALogHolds()
    {
        final int flows = SingleSweeperExpiryWheel.LOG + 1000;
        final NetfilterDatapath dp = (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).workers(2).maxEntries(2 * flows).build());
        final PacketContext ctx = dp.newContext(0);
        final long t0 = 100 * S;
        assertThat(dp.sweep(t0, 0)).isZero();
        for (int i = 0; i < flows; i++)
        {
            dp.begin(ctx, t0 + i, Tuple.hi(CLIENT + i / 20000, VIP), Tuple.lo(1024 + i % 20000, 53, Tuple.PROTO_UDP),
                PacketRecordDescriptor.DIR_ORIGINAL, i);
            dp.process(ctx);
            assertThat(ctx.reason()).isEqualTo(Reason.ACCEPT_NEW);
            dp.quiescent(0);
        }
        assertThat(dp.table().count()).isEqualTo(flows);
        assertThat(dp.sweep(t0 + 10 * S, 0)).isZero();
        assertThat(dp.sweep(t0 + 31 * S, 0)).as("every flow expired").isEqualTo(flows);
        assertThat(dp.table().count()).isZero();
        dp.close();
    }

    private static void query(final NetfilterDatapath dp, final PacketContext ctx, final long now, final long lo)
    {
        dp.begin(ctx, now, Tuple.hi(CLIENT, VIP), lo, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        dp.process(ctx);
        dp.quiescent(0);
    }

    /** One design with its scheduler: lane 0 on worker 0 and lane 1 on worker 1 race, lane 2 takes replies. */
    private static final class Twin implements AutoCloseable
    {
        final NetfilterDatapath datapath;
        final StripedLockConntrackTable table;
        final StepScheduler scheduler;

        Twin(final String design)
        {
            datapath = (NetfilterDatapath)Designs.get(design).create(DatapathConfig.builder().backends(2).workers(2)
                .maxEntries(64).seed(5).build());
            table = datapath.table();
            scheduler = new StepScheduler(datapath, new int[] {0, 1, 0});
        }

        /** @return the reply tuple of the first query if it was accepted, else null. */
        long[] racingPair(final long now, final long hi, final long lo)
        {
            scheduler.begin(0, now, hi, lo, PacketRecordDescriptor.DIR_ORIGINAL, lo);
            scheduler.begin(1, now, hi, lo, PacketRecordDescriptor.DIR_ORIGINAL, lo);
            scheduler.runRoundRobin(0, 2);
            final PacketContext ctx = scheduler.context(0);
            return ctx.accepted() ? new long[] {Tuple.invertHi(ctx.hi()), Tuple.invertLo(ctx.lo())} : null;
        }

        void reply(final long now, final long hi, final long lo)
        {
            scheduler.begin(2, now, hi, lo, PacketRecordDescriptor.DIR_REPLY, lo);
            scheduler.runInOrder(2, 1);
        }

        List<String> listing(final long now)
        {
            final List<String> out = new ArrayList<>();
            table.forEach(now, (c, hidden) -> out.add(hidden + " " + table.timeout(c) + " " +
                Long.toHexString(table.field(c, ConnDescriptor.ORIG_HI)) + " " +
                Long.toHexString(table.field(c, ConnDescriptor.ORIG_LO)) + " " +
                Long.toHexString(table.field(c, ConnDescriptor.REPLY_LO)) + " " + table.status(c)));
            return out;
        }

        @Override
        public void close()
        {
            scheduler.close();
            datapath.close();
        }
    }
}
