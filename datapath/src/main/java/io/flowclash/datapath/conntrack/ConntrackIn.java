package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.FULL;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.NIL;

/**
 * The packet's way into conntrack, {@code net/netfilter/nf_conntrack_core.c}: {@code nf_conntrack_in},
 * {@code resolve_normal_ct} (lookup) and {@code init_conntrack} (a new unconfirmed entry), each handing the packet
 * to the {@link UdpTracker}. The era's lookup and allocation counters are read here.
 *
 * <p>Thread safety: works on the caller's context and the shared table only.
 */
final class ConntrackIn
{
    private final ConntrackEra era;
    private final StripedLockConntrackTable table;
    private final DatapathCounters counters;
    private final UdpTracker udp;

    ConntrackIn(
        final ConntrackEra era, final StripedLockConntrackTable table, final DatapathCounters counters,
        final UdpTracker udp)
    {
        this.era = era;
        this.table = table;
        this.counters = counters;
        this.udp = udp;
    }

    /**
     * {@code resolve_normal_ct}'s lookup ({@code __nf_conntrack_find_get}) and, on a hit, the UDP tracker; then
     * SEEN_REPLY for a first reply (after {@code packet()}, as {@code nf_conntrack_in} does).
     *
     * @param ctx the packet.
     * @return true if the packet found its entry (it is attached), false on a miss.
     */
    boolean lookup(final PacketContext ctx)
    {
        final int node = table.find(ctx.hi(), ctx.lo(), ctx.now(), ctx.worker());
        if (node == NIL)
        {
            return false;
        }
        final int c = node >> 1;
        final int dir = node & 1;
        ctx.attach(c, dir, false);
        final int status = table.status(c);
        udp.packet(ctx, c, status, false);
        if (dir == DIR_REPLY && (status & IPS_SEEN_REPLY) == 0)
        {
            table.setStatus(c, IPS_SEEN_REPLY); // after packet(), as nf_conntrack_in does
        }
        return true;
    }

    /**
     * {@code init_conntrack}: a new unconfirmed entry, invisible to every lookup until confirm, then the UDP
     * tracker. When the table is full and nothing can be evicted, {@code nf_conntrack_in} counts {@code drop}
     * ("Too stressed to deal": resolve_normal_ct failed, NF_DROP; read).
     *
     * @param ctx the packet.
     * @return true if the packet has its new entry, false if the table was full (drop counted).
     */
    boolean initConntrack(final PacketContext ctx)
    {
        final int c = table.allocate(ctx.hi(), ctx.lo(), ctx.now(), ctx.worker());
        if (c == FULL)
        {
            counters.increment(ctx.worker(), Counter.DROP);
            return false;
        }
        if (era.newStat)
        {
            counters.increment(ctx.worker(), Counter.NEW); // 3.x - 4.8: "NF_CT_STAT_INC(net, new)" (read in 4.7)
        }
        ctx.attach(c, DIR_ORIGINAL, true);
        udp.packet(ctx, c, 0, true);
        return true;
    }

    /**
     * {@code nf_conntrack_in} for a packet a raw-table NOTRACK rule marked untracked: accepted at once; until
     * "netfilter: conntrack: remove ignore stats" (5.10) it counts {@code ignore} ("Previously seen (loopback or
     * untracked)?  Ignore.", read in 4.7 and in the removal's diff).
     *
     * @param ctx the packet.
     */
    void untracked(final PacketContext ctx)
    {
        if (era.ignoreStat)
        {
            counters.increment(ctx.worker(), Counter.IGNORE);
        }
    }
}
