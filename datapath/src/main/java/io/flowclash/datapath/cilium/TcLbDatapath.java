package io.flowclash.datapath.cilium;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.BpfMaps;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelector;
import io.flowclash.datapath.nat.MaglevSelector;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

/**
 * {@code cilium-tc}: Cilium's per-packet service LB at tc ({@code lb4_local} in {@code bpf/lib/lb.h}) over its BPF
 * CT map ({@code cilium_ct_any4_global}, an LRU hash by default):
 *
 * <pre>
 *   step ct_lookup  ct_lookup4 in CT_SERVICE scope: key = the tuple to the VIP plus the service flag; a hit gives
 *                   the backend (later packets follow the entry). Replies: the egress entry (client -> backend)
 *                   found by the reversed tuple gives the rev_nat_index, and LB4_REVERSE_NAT_MAP[index] = VIP:port
 *                   rewrites the source, whichever backend answers; no entry: the reply stays untranslated
 *   step select     lb4_select_backend_id: random (prandom % count) or Maglev (--selector maglev)
 *   step ct_create  ct_create4: map_update_elem(..., 0) = BPF_ANY, so racing packets never fail each other: the
 *                   last writer's backend wins for later packets; the egress entry for the chosen backend is
 *                   written too. A failed update (E2BIG: full plain hash) drops: DROP_CT_CREATE_FAILED
 *   step dnat       lb4_xlate: destination = backend
 * </pre>
 */
public final class TcLbDatapath implements Datapath
{
    /** Step: CT lookup. */
    public static final int CT_LOOKUP = 20;
    /** Step: backend selection. */
    public static final int SELECT = 21;
    /** Step: CT create. */
    public static final int CT_CREATE = 22;
    /** Step: DNAT. */
    public static final int DNAT = 23;

    /** One line on what a clash does: ct_create4's BPF_ANY upsert never fails a racing packet. */
    public static final String CLASH_RULE = "CT entry created with BPF_ANY: last writer wins, both packets pass";
    /**
     * A racing packet is never dropped for the race: both upserts succeed (BPF_ANY), the later one wins. (A full
     * plain hash map can still fail an update, E2BIG, but that is table pressure, not a clash.)
     */
    public static final boolean CAN_DROP_ON_CLASH = false;

    private static final long SCOPE_SERVICE = LbMapDescriptor.TUPLE_F_SERVICE;
    private static final long SCOPE_EGRESS = LbMapDescriptor.TUPLE_F_OUT;

    private final String id;
    private final DatapathConfig config;
    private final DatapathCounters counters;
    private final BpfHashMap ct;
    private final BackendSelector maglev;
    private final long[][] values;
    private final int vip;
    private final int vport;

    /**
     * @param id     design id.
     * @param config configuration: {@code selector maglev} selects Maglev, anything else Cilium's random.
     */
    public TcLbDatapath(final String id, final DatapathConfig config)
    {
        this.id = id;
        this.config = config;
        this.counters = new DatapathCounters(config.workers());
        this.ct = BpfMaps.create(config, "cilium_ct_any4_global");
        this.maglev = config.selector().equals("maglev") ? new MaglevSelector(Math.max(1, config.backends())) : null;
        this.values = LbMapDescriptor.lookupBuffers(config.workers());
        this.vip = config.serviceAddress();
        this.vport = config.servicePort();
    }

    /** @return the CT map ({@code cilium_ct_any4_global}). */
    public BpfHashMap ctMap()
    {
        return ct;
    }

    @Override
    public String id()
    {
        return id;
    }

    @Override
    public DatapathConfig config()
    {
        return config;
    }

    @Override
    public PacketContext newContext(final int worker)
    {
        return config.newContext(worker);
    }

    @Override
    public void begin(
        final PacketContext ctx, final long now, final long hi, final long lo, final byte direction, final long cookie)
    {
        ctx.load(now, hi, lo, direction, cookie);
        counters.processed(ctx.worker());
        ctx.next(CT_LOOKUP);
    }

    @Override
    public void step(final PacketContext ctx)
    {
        switch (ctx.step())
        {
            case CT_LOOKUP:
                ctLookup(ctx);
                break;
            case SELECT:
                select(ctx);
                break;
            case CT_CREATE:
                ctCreate(ctx);
                break;
            case DNAT:
                dnat(ctx);
                break;
            default:
                throw new IllegalStateException("no step " + ctx.step() + " (packet already done?)");
        }
    }

    @Override
    public String stepName(final int step)
    {
        switch (step)
        {
            case CT_LOOKUP:
                return "ct_lookup";
            case SELECT:
                return "select";
            case CT_CREATE:
                return "ct_create";
            case DNAT:
                return "dnat";
            default:
                return "step" + step;
        }
    }

    void ctLookup(final PacketContext ctx)
    {
        final long[] value = values[ctx.worker()];
        final long hi = ctx.hi();
        final long lo = ctx.lo();
        if (Tuple.dstAddress(hi) == vip && Tuple.dstPort(lo) == vport)
        {
            if (ct.lookup(hi, lo | SCOPE_SERVICE, value))
            {
                ctx.backend(LbMapDescriptor.ctBackend(value[0]));
                ctx.foundEntry(true);
                ctx.next(DNAT);
            }
            else
            {
                ctx.next(SELECT);
            }
            return;
        }
        // a reply (or anything not to the service): the egress entry of the reversed tuple carries rev_nat_index
        if (ct.lookup(Tuple.invertHi(hi), Tuple.invertLo(lo) | SCOPE_EGRESS, value) &&
            LbMapDescriptor.ctRevNatIndex(value[0]) == LbMapDescriptor.REV_NAT_INDEX)
        {
            ctx.rewrite(Tuple.withSrcAddress(hi, vip), Tuple.withSrcPort(lo, vport));
            finish(ctx, Reason.ACCEPT_REPLY);
            return;
        }
        if (ctx.direction() == PacketRecordDescriptor.DIR_REPLY)
        {
            counters.increment(ctx.worker(), Counter.REVNAT_MISS);
            finish(ctx, Reason.ACCEPT_REPLY_UNTRANSLATED);
        }
        else
        {
            finish(ctx, Reason.ACCEPT_NEW); // not service traffic: passes untouched
        }
    }

    void select(final PacketContext ctx)
    {
        final int n = config.backends();
        if (n == 0)
        {
            finish(ctx, Reason.DROP_NO_BACKEND);
            return;
        }
        final int b = ctx.forcedBackend() != PacketContext.NONE ? ctx.forcedBackend() :
            maglev != null ? maglev.select(ctx, ctx.hi(), ctx.lo()) : ctx.random().nextInt(n);
        ctx.backend(b);
        ctx.next(CT_CREATE);
    }

    void ctCreate(final PacketContext ctx)
    {
        final int b = ctx.backend();
        final long hi = ctx.hi();
        final long lo = ctx.lo();
        // ct_create4: map_update_elem(map_main, tuple, &entry, 0): BPF_ANY, the last writer wins
        if (!update(ctx, hi, lo | SCOPE_SERVICE, LbMapDescriptor.ctValue(0, b)))
        {
            return;
        }
        final long egressHi = Tuple.withDstAddress(hi, config.backendAddress(b));
        final long egressLo = Tuple.withDstPort(lo, config.backendPort());
        final long egressValue = LbMapDescriptor.ctValue(LbMapDescriptor.REV_NAT_INDEX, b);
        if (!update(ctx, egressHi, egressLo | SCOPE_EGRESS, egressValue))
        {
            return;
        }
        ctx.next(DNAT);
    }

    private boolean update(final PacketContext ctx, final long k0, final long k1, final long value)
    {
        final int rc = ct.update(k0, k1, value, BpfHashMap.BPF_ANY);
        if (rc < 0)
        {
            counters.increment(ctx.worker(), rc == BpfHashMap.E2BIG ? Counter.MAP_E2BIG : Counter.MAP_ENOENT);
            finish(ctx, Reason.DROP_MAP_UPDATE_FAILED); // "CT: Map insertion failed"
            return false;
        }
        counters.increment(ctx.worker(), Counter.MAP_UPDATE);
        if (rc == BpfHashMap.OK_EVICTED)
        {
            counters.increment(ctx.worker(), Counter.MAP_EVICT);
        }
        return true;
    }

    void dnat(final PacketContext ctx)
    {
        final int b = ctx.backend();
        ctx.rewrite(Tuple.withDstAddress(ctx.hi(), config.backendAddress(b)),
            Tuple.withDstPort(ctx.lo(), config.backendPort()));
        finish(ctx, ctx.foundEntry() ? Reason.ACCEPT_ESTABLISHED : Reason.ACCEPT_NEW);
    }

    private void finish(final PacketContext ctx, final Reason reason)
    {
        counters.finish(ctx, reason);
    }

    @Override
    public DatapathCounters counters()
    {
        return counters;
    }

    /** Cilium's CT gc is not modelled (entries leave by LRU eviction or not at all). */
    @Override
    public int sweep(final long now, final int worker)
    {
        return 0;
    }

    @Override
    public void quiescent(final int worker)
    {
    }

    @Override
    public void offline(final int worker)
    {
    }

    @Override
    public void close()
    {
        ct.close();
    }

    @Override
    public java.util.List<io.flowclash.datapath.memory.PoolCensus> census()
    {
        return java.util.List.of(ct.census("cilium_ct_any4_global"));
    }

    @Override
    public void describeEntry(final int conn, final StringBuilder sb)
    {
        sb.append("none");
    }

    /** Service entries as visible (ORIGINAL = client to VIP, REPLY = backend to client); egress entries too. */
    @Override
    public void forEachEntry(final long now, final EntryVisitor visitor)
    {
        ct.forEach((k0, k1, v) ->
        {
            final long lo = k1 & ~LbMapDescriptor.TUPLE_FLAGS_MASK;
            if ((k1 & SCOPE_SERVICE) != 0)
            {
                final int b = LbMapDescriptor.ctBackend(v);
                visitor.entry(k0, lo, Tuple.hi(config.backendAddress(b), Tuple.srcAddress(k0)),
                    Tuple.lo(config.backendPort(), Tuple.srcPort(lo), Tuple.protocol(lo)), 0, Long.MAX_VALUE, false);
            }
        });
    }
}
