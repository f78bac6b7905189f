package io.flowclash.jcstress.conntrack;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared state of a race test: one design instance (a tiny table), one lane of the {@link StepScheduler} per actor
 * ("CPU": lane 0 on worker 0, lane 1 on worker 1), and the A and AAAA queries of one socket flow at the same
 * virtual instant. Each actor drives only its own lane, so the scheduler's per-worker bookkeeping stays
 * single-writer. Each state has its own seed, so the iptables {@code statistic} draws of the two actors vary from
 * sample to sample (same backend or not).
 */
public abstract class RaceState
{
    private static final AtomicLong SEEDS = new AtomicLong();
    static final long T0 = 1_000_000_000L;
    static final long HI = Tuple.hi(0x0AF40005, 0x0A60000A);
    static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);

    final Datapath datapath;
    final StepScheduler scheduler;
    final PacketContext a;
    final PacketContext b;

    protected RaceState(final String design, final int backends)
    {
        datapath = Designs.get(design).create(DatapathConfig.builder().backends(backends).workers(2)
            .maxEntries(8).buckets(16).lockStripes(4).mapEntries(16).seed(SEEDS.incrementAndGet()).build());
        scheduler = new StepScheduler(datapath, 2);
        a = scheduler.context(0);
        b = scheduler.context(1);
    }

    /**
     * Actor body: one query through the whole path, on the context's lane.
     *
     * @param ctx {@link #a} or {@link #b}.
     */
    void send(final PacketContext ctx)
    {
        final int lane = ctx == a ? 0 : 1;
        scheduler.begin(lane, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        scheduler.finish(lane);
    }

    /** @return the verdict label, or "unfinished". */
    static String verdict(final PacketContext ctx)
    {
        return ctx.done() ? ctx.reason().label() : "unfinished";
    }

    /**
     * The invariants every outcome must keep: processed = accepted + dropped = 2, exactly one visible entry for the
     * flow, and a hidden reply-only entry exactly when a packet was inserted as a clash.
     *
     * @return {@code ok} or what is broken.
     */
    String check()
    {
        final long processed = datapath.counters().processed();
        if (processed != 2 || datapath.counters().accepted() + datapath.counters().dropped() != processed)
        {
            return "BROKEN-conservation";
        }
        final int[] entries = new int[2];
        datapath.forEachEntry(T0, (oh, ol, rh, rl, status, expires, hidden) -> entries[hidden ? 1 : 0]++);
        if (entries[0] != 1)
        {
            return "BROKEN-visible=" + entries[0];
        }
        final boolean inserted = verdict(a).equals("clash_inserted") || verdict(b).equals("clash_inserted");
        if ((entries[1] == 1) != inserted || entries[1] > 1)
        {
            return "BROKEN-hidden=" + entries[1];
        }
        return "ok";
    }
}
