package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelector;
import io.flowclash.datapath.nat.BackendSelectors;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;

/**
 * A kube-proxy node's netfilter path for one packet, as named steps over a {@link PacketContext}, with the kernel
 * era as a {@link ConntrackEra} policy over one {@link StripedLockConntrackTable}:
 *
 * <pre>
 *   raw -300      NOTRACK predicate (checked in begin(); a match never reaches the table)
 *   step lookup   ConntrackIn      nf_conntrack_in: resolve_normal_ct lookup, then the UDP tracker's packet()
 *   step alloc    ConntrackIn      init_conntrack: a new unconfirmed entry (early_drop when full), then packet()
 *   step dnat     NatCore          nf_nat_inet_fn at PREROUTING/OUTPUT: the service rule picks a backend (first
 *                                  packet only), nf_nat_setup_info(DST) rewrites the REPLY tuple; binding applied
 *   step snat     NatCore          nf_nat_inet_fn at POSTROUTING: null binding through get_unique_tuple(SRC), which
 *                                  moves the source port if nf_nat_used_tuple finds the would-be REPLY tuple taken
 *   step confirm  ConfirmAndClash  __nf_conntrack_confirm under the two bucket locks: insert, or the era's clash
 *                                  rule
 * </pre>
 *
 * The UDP tracker ({@link UdpTracker}, nf_conntrack_proto_udp.c) runs inside lookup and alloc. This class is the
 * step machine only: each kernel file's logic, and the era flags it reads, live in the class named for it.
 *
 * Steps are safe to run concurrently from different workers on their own contexts; the only shared state is the
 * table (see its contract), the counters (per worker) and the backend selector. Nothing allocates per packet.
 */
public final class NetfilterDatapath implements Datapath
{
    /** Step: conntrack lookup ({@code nf_conntrack_in}). */
    public static final int LOOKUP = 0;
    /** Step: allocate an unconfirmed entry ({@code init_conntrack}). */
    public static final int ALLOC = 1;
    /** Step: DNAT at PREROUTING/OUTPUT. */
    public static final int DNAT = 2;
    /** Step: SNAT or null binding at POSTROUTING. */
    public static final int SNAT = 3;
    /** Step: confirm ({@code __nf_conntrack_confirm}). */
    public static final int CONFIRM = 4;

    private static final String[] STEP_NAMES = {"lookup", "alloc", "dnat", "snat", "confirm"};

    /**
     * Where a finished packet's verdict goes. The default counts it and finishes the context; a design that wraps
     * this one (socket LB) can continue the packet instead (a reply goes on to {@code recvmsg}).
     */
    public interface VerdictSink
    {
        /**
         * @param ctx    the packet.
         * @param reason its verdict in conntrack.
         */
        void done(PacketContext ctx, Reason reason);
    }

    private final String id;
    private final ConntrackEra era;
    private final VerdictSink sink;
    private final DatapathConfig config;
    private final DatapathCounters counters;
    private final StripedLockConntrackTable table;
    private final ConntrackIn in;
    private final NatCore nat;
    private final ConfirmAndClash confirm;
    private final int vip;
    private final int vport;

    /**
     * @param id     design id.
     * @param era    the kernel era.
     * @param config service, table bounds, workers.
     */
    public NetfilterDatapath(final String id, final ConntrackEra era, final DatapathConfig config)
    {
        this(id, era, config, new DatapathCounters(config.workers()), null);
    }

    /**
     * A conntrack path inside another design.
     *
     * @param id       design id.
     * @param era      the kernel era.
     * @param config   service, table bounds, workers.
     * @param counters counters shared with the enclosing design.
     * @param sink     where verdicts go, or null to count and finish.
     */
    public NetfilterDatapath(final String id, final ConntrackEra era, final DatapathConfig config,
        final DatapathCounters counters, final VerdictSink sink)
    {
        this.id = id;
        this.era = era;
        this.config = config;
        this.counters = counters;
        this.sink = sink;
        this.table = new StripedLockConntrackTable(config.maxEntries(), config.buckets(), config.lockStripes(),
            config.workers(), config.seed(), counters, era);
        final BackendSelector selector = BackendSelectors.create(config.selector(), config.backends());
        this.in = new ConntrackIn(era, table, counters, new UdpTracker(era, table));
        this.nat = new NatCore(era, table, counters, config, selector);
        this.confirm = new ConfirmAndClash(era, table, counters);
        this.vip = config.serviceAddress();
        this.vport = config.servicePort();
    }

    @Override
    public String id()
    {
        return id;
    }

    /** @return the era policy. */
    public ConntrackEra era()
    {
        return era;
    }

    @Override
    public DatapathConfig config()
    {
        return config;
    }

    /** @return the table (tests and listings). */
    public StripedLockConntrackTable table()
    {
        return table;
    }

    @Override
    public PacketContext newContext(final int worker)
    {
        return config.newContext(worker);
    }

    @Override
    public DatapathCounters counters()
    {
        return counters;
    }

    @Override
    public String stepName(final int step)
    {
        return STEP_NAMES[step];
    }

    @Override
    public void begin(
        final PacketContext ctx, final long now, final long hi, final long lo, final byte direction, final long cookie)
    {
        ctx.load(now, hi, lo, direction, cookie);
        counters.processed(ctx.worker());
        if (config.notrack() && notrackMatches(hi, lo))
        {
            // raw PREROUTING/OUTPUT -j NOTRACK (NodeLocal DNSCache): untracked, no lookup, no NAT, no confirm
            in.untracked(ctx);
            done(ctx, Reason.ACCEPT_NOTRACK);
            return;
        }
        ctx.next(LOOKUP);
    }

    private boolean notrackMatches(final long hi, final long lo)
    {
        return (Tuple.dstAddress(hi) == vip && Tuple.dstPort(lo) == vport) ||
            (Tuple.srcAddress(hi) == vip && Tuple.srcPort(lo) == vport);
    }

    @Override
    public void step(final PacketContext ctx)
    {
        switch (ctx.step())
        {
            case LOOKUP:
                lookup(ctx);
                break;
            case ALLOC:
                alloc(ctx);
                break;
            case DNAT:
                dnat(ctx);
                break;
            case SNAT:
                snat(ctx);
                break;
            case CONFIRM:
                confirm(ctx);
                break;
            default:
                throw new IllegalStateException("no step " + ctx.step() + " (packet already done?)");
        }
    }

    /**
     * The burst (the DPDK bulk-lookup shape): stage 1 hashes every packet still at {@link #LOOKUP} and reads its
     * bucket head, stage 2 reads each head node's entry (both of its possible cache lines) and next pointer, stage
     * 3 the second node's entry: in each stage the loads of all packets are independent and in flight together
     * (with about one node per bucket at the limit, two nodes cover most walks). Then each packet runs
     * {@link #process}, whose lookup walks chains now in cache. The stages only read (their values go to
     * {@link PacketContext#prefetch}, which no step reads): the table may change between them and the lookup, which
     * decides on its own reads, so the burst ends exactly as the packets one by one would.
     */
    @Override
    public void processBurst(final PacketContext[] ctxs, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final PacketContext ctx = ctxs[i];
            if (ctx.step() == LOOKUP)
            {
                ctx.prefetch(table.headPlain(table.bucket(ctx.hi(), ctx.lo())));
            }
        }
        for (int i = 0; i < count; i++)
        {
            final PacketContext ctx = ctxs[i];
            if (ctx.step() == LOOKUP)
            {
                ctx.prefetch(table.prefetchNodePlain((int)ctx.prefetch()));
            }
        }
        for (int i = 0; i < count; i++)
        {
            final PacketContext ctx = ctxs[i];
            if (ctx.step() == LOOKUP)
            {
                ctx.prefetch(table.prefetchNodePlain((int)(ctx.prefetch() >> 32)));
            }
        }
        for (int i = 0; i < count; i++)
        {
            process(ctxs[i]);
        }
    }

    /** {@code nf_conntrack_in}: a hit goes on to NAT, a miss to {@code init_conntrack}. */
    void lookup(final PacketContext ctx)
    {
        ctx.next(in.lookup(ctx) ? DNAT : ALLOC);
    }

    /** {@code init_conntrack}: a new unconfirmed entry, or a drop when the table is full. */
    void alloc(final PacketContext ctx)
    {
        if (!in.initConntrack(ctx))
        {
            done(ctx, Reason.DROP_TABLE_FULL);
            return;
        }
        ctx.next(DNAT);
    }

    /** {@code nf_nat_inet_fn} at PREROUTING/OUTPUT; a service without endpoints rejects the new entry's packet. */
    void dnat(final PacketContext ctx)
    {
        if (!nat.dnat(ctx))
        {
            table.freeUnconfirmed(ctx.conn(), ctx.worker());
            ctx.detach();
            done(ctx, Reason.DROP_NO_BACKEND);
            return;
        }
        ctx.next(SNAT);
    }

    /** {@code nf_nat_inet_fn} at POSTROUTING. */
    void snat(final PacketContext ctx)
    {
        nat.snat(ctx);
        ctx.next(CONFIRM);
    }

    /** {@code nf_confirm}: insert, or the era's clash rule. */
    void confirm(final PacketContext ctx)
    {
        done(ctx, confirm.confirm(ctx));
    }

    private void done(final PacketContext ctx, final Reason reason)
    {
        if (sink != null)
        {
            sink.done(ctx, reason);
            return;
        }
        counters.finish(ctx, reason);
    }

    // ----------------------------------------------------------------------------------------------------- table

    @Override
    public int sweep(final long now, final int worker)
    {
        return table.sweep(now, worker);
    }

    @Override
    public void quiescent(final int worker)
    {
        table.quiescent(worker);
    }

    @Override
    public void reclaim(final int worker)
    {
        table.processGrace(worker);
    }

    @Override
    public void offline(final int worker)
    {
        table.offline(worker);
    }

    @Override
    public java.util.List<io.flowclash.datapath.memory.PoolCensus> census()
    {
        return java.util.List.of(table.census());
    }

    @Override
    public void describeEntry(final int conn, final StringBuilder sb)
    {
        Tuple.appendTo(sb, table.field(conn, ORIG_HI), table.field(conn, ORIG_LO)).append(" -> ");
        Tuple.appendTo(sb, table.field(conn, REPLY_HI), table.field(conn, REPLY_LO))
            .append(" status=0x").append(Integer.toHexString(table.status(conn)))
            .append(" timeout=").append(table.timeout(conn));
    }

    @Override
    public void forEachEntry(final long now, final EntryVisitor visitor)
    {
        table.forEach(now, (c, hidden) -> visitor.entry(
            table.field(c, ORIG_HI), table.field(c, ORIG_LO), table.field(c, REPLY_HI), table.field(c, REPLY_LO),
            table.status(c), table.timeout(c), hidden));
    }
}
