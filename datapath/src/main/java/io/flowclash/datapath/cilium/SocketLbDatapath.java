package io.flowclash.datapath.cilium;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.BpfMaps;
import io.flowclash.datapath.conntrack.ConntrackEra;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

/**
 * {@code cilium-socklb}: Cilium's socket LB (cgroup BPF, {@code bpf_sock.c}). The service address is translated
 * in the {@code sendmsg} syscall, before any packet exists, so no packet of the flow is ever DNATed and racing
 * queries of one socket cannot pick different backends:
 *
 * <pre>
 *   step sendmsg   __sock4_xlate_fwd: service lookup; UDP backend slot = socket cookie % n (sock_select_slot);
 *                  sock4_update_revnat: rev-NAT map (cookie, backend, port) -> (VIP, port, rev_nat_index),
 *                  looked up first and written with BPF_ANY only if missing or different; an update failure
 *                  fails the syscall (-ENOMEM: the application gets an error, here DROP_MAP_UPDATE_FAILED)
 *   steps ...      the host's conntrack, the {@code nf-clash-insert} era, without any DNAT (no rule matches a
 *                  backend address): lookup, alloc, dnat (null binding), snat, confirm
 *   step recvmsg   (replies, after conntrack) __sock4_xlate_rev: rev-NAT lookup by (cookie, sender); found and the
 *                  service still matches: the source becomes the VIP; stale: deleted; missing (evicted, never
 *                  written): delivered from the backend address, which a resolver ignores (revnat_miss)
 * </pre>
 *
 * TCP picks its slot with prandom (the connect() hook's choice); session affinity is not modelled. Thread safety as
 * {@link Datapath}: the rev-NAT map is a {@link BpfHashMap} (per-bucket writer locks, lock-free lookups).
 */
public final class SocketLbDatapath implements Datapath
{
    /** Step: cgroup sendmsg4 hook. */
    public static final int SENDMSG = 10;
    /** Step: cgroup recvmsg4 hook. */
    public static final int RECVMSG = 11;
    /**
     * The host's conntrack era under the socket LB: Cilium's socket LB needs cgroup sendmsg/recvmsg hooks (4.19+);
     * the host kernel modelled is a current one, the {@code nf-clash-insert} era (5.16 - 6.11).
     */
    public static final ConntrackEra HOST_ERA = ConntrackEra.CLASH_INSERT;

    private final String id;
    private final DatapathConfig config;
    private final DatapathCounters counters;
    private final NetfilterDatapath conntrack;
    private final BpfHashMap revNat;
    private final long[][] values;
    private final int vip;
    private final int vport;
    private volatile int backends;

    /**
     * @param id     design id.
     * @param config configuration; map size and engine from {@link DatapathConfig#mapEntries()} and friends.
     */
    public SocketLbDatapath(final String id, final DatapathConfig config)
    {
        this.id = id;
        this.config = config;
        this.counters = new DatapathCounters(config.workers());
        this.conntrack = new NetfilterDatapath(id, HOST_ERA, config, counters, this::afterConntrack);
        this.revNat = BpfMaps.create(config, "cilium_lb4_reverse_sk");
        this.values = LbMapDescriptor.lookupBuffers(config.workers());
        this.vip = config.serviceAddress();
        this.vport = config.servicePort();
        this.backends = config.backends();
    }

    /**
     * The agent updates the service's backend count (Cilium's services map): later {@code sendmsg}s map the same
     * cookie to {@code cookie % n} of the new n. Backend addresses stay consecutive from the first.
     *
     * @param n backends.
     */
    public void updateService(final int n)
    {
        this.backends = n;
    }

    /** @return the reverse-NAT socket map. */
    public BpfHashMap revNatMap()
    {
        return revNat;
    }

    private long revNatValue()
    {
        return LbMapDescriptor.revNatValue(vip, vport, LbMapDescriptor.REV_NAT_INDEX);
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
        return conntrack.newContext(worker);
    }

    @Override
    public void begin(
        final PacketContext ctx, final long now, final long hi, final long lo, final byte direction, final long cookie)
    {
        ctx.load(now, hi, lo, direction, cookie);
        counters.processed(ctx.worker());
        if (direction == PacketRecordDescriptor.DIR_ORIGINAL && Tuple.dstAddress(hi) == vip && Tuple.dstPort(lo) == vport)
        {
            ctx.next(SENDMSG);
        }
        else
        {
            ctx.next(NetfilterDatapath.LOOKUP);
        }
    }

    @Override
    public void step(final PacketContext ctx)
    {
        switch (ctx.step())
        {
            case SENDMSG:
                sendmsg(ctx);
                break;
            case RECVMSG:
                recvmsg(ctx);
                break;
            default:
                conntrack.step(ctx);
        }
    }

    @Override
    public String stepName(final int step)
    {
        return step == SENDMSG ? "sendmsg" : step == RECVMSG ? "recvmsg" : conntrack.stepName(step);
    }

    /** {@code __sock4_xlate_fwd} for UDP {@code sendmsg}. */
    void sendmsg(final PacketContext ctx)
    {
        final int n = backends;
        if (n == 0)
        {
            finish(ctx, Reason.DROP_NO_BACKEND); // the hook returns -EHOSTUNREACH: the syscall fails
            return;
        }
        // sock_select_slot: UDP uses the socket cookie (not a free choice: a forced backend is ignored); TCP
        // (the connect hook) uses get_prandom_u32()
        final int slot = Tuple.protocol(ctx.lo()) == Tuple.PROTO_TCP ? ctx.random().nextInt(n) :
            (int)Long.remainderUnsigned(ctx.socketCookie(), n);
        final int backend = config.backendAddress(slot);
        final int port = config.backendPort();
        ctx.backend(slot);
        // sock4_update_revnat: tmp = lookup(key); if (!tmp || memcmp(tmp, &val)) map_update_elem(key, &val, 0)
        final long k1 = LbMapDescriptor.revNatKey1(backend, port);
        final long wanted = revNatValue();
        final long[] value = values[ctx.worker()];
        if (!revNat.lookup(ctx.socketCookie(), k1, value) || value[0] != wanted)
        {
            final int rc = revNat.update(ctx.socketCookie(), k1, wanted, BpfHashMap.BPF_ANY);
            if (rc < 0)
            {
                counters.increment(ctx.worker(), rc == BpfHashMap.E2BIG ? Counter.MAP_E2BIG : Counter.MAP_ENOENT);
                finish(ctx, Reason.DROP_MAP_UPDATE_FAILED); // -ENOMEM to the application
                return;
            }
            counters.increment(ctx.worker(), Counter.MAP_UPDATE);
            if (rc == BpfHashMap.OK_EVICTED)
            {
                counters.increment(ctx.worker(), Counter.MAP_EVICT);
            }
        }
        // the socket now talks to the backend: the packet leaves with dst = backend, nothing to DNAT
        ctx.rewrite(Tuple.withDstAddress(ctx.hi(), backend), Tuple.withDstPort(ctx.lo(), port));
        ctx.next(NetfilterDatapath.LOOKUP);
    }

    /** Conntrack finished the packet: a query is done; a reply goes on to the socket's recvmsg hook. */
    private void afterConntrack(final PacketContext ctx, final Reason reason)
    {
        if (ctx.direction() == PacketRecordDescriptor.DIR_REPLY && reason.accepted())
        {
            ctx.next(RECVMSG);
            return;
        }
        finish(ctx, reason);
    }

    /** {@code __sock4_xlate_rev} for UDP {@code recvmsg}. */
    void recvmsg(final PacketContext ctx)
    {
        final int from = Tuple.srcAddress(ctx.hi());
        final int fromPort = Tuple.srcPort(ctx.lo());
        final long k1 = LbMapDescriptor.revNatKey1(from, fromPort);
        final long[] value = values[ctx.worker()];
        if (!revNat.lookup(ctx.socketCookie(), k1, value))
        {
            counters.increment(ctx.worker(), Counter.REVNAT_MISS);
            finish(ctx, Reason.ACCEPT_REPLY_UNTRANSLATED);
            return;
        }
        final int serviceAddress = LbMapDescriptor.revNatAddress(value[0]);
        final int servicePort = LbMapDescriptor.revNatPort(value[0]);
        if (serviceAddress != vip || servicePort != vport ||
            LbMapDescriptor.revNatIndex(value[0]) != LbMapDescriptor.REV_NAT_INDEX || backends == 0)
        {
            // stale: the service is gone or renumbered; the entry is deleted and the reply not translated
            if (revNat.delete(ctx.socketCookie(), k1) != BpfHashMap.OK)
            {
                counters.increment(ctx.worker(), Counter.MAP_ENOENT);
            }
            counters.increment(ctx.worker(), Counter.REVNAT_MISS);
            finish(ctx, Reason.ACCEPT_REPLY_UNTRANSLATED);
            return;
        }
        ctx.rewrite(Tuple.withSrcAddress(ctx.hi(), serviceAddress), Tuple.withSrcPort(ctx.lo(), servicePort));
        finish(ctx, Reason.ACCEPT_REPLY);
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

    @Override
    public int sweep(final long now, final int worker)
    {
        return conntrack.sweep(now, worker);
    }

    @Override
    public void quiescent(final int worker)
    {
        conntrack.quiescent(worker);
    }

    @Override
    public void reclaim(final int worker)
    {
        conntrack.reclaim(worker);
    }

    @Override
    public void offline(final int worker)
    {
        conntrack.offline(worker);
    }

    @Override
    public void close()
    {
        revNat.close();
    }

    @Override
    public void describeEntry(final int conn, final StringBuilder sb)
    {
        conntrack.describeEntry(conn, sb);
    }

    /** The host conntrack's pool and the rev-NAT map. */
    @Override
    public java.util.List<io.flowclash.datapath.memory.PoolCensus> census()
    {
        return java.util.List.of(conntrack.table().census(), revNat.census("cilium_lb4_reverse_sk"));
    }

    /** The host conntrack's entries (the rev-NAT map is listed by {@link #revNatMap()}). */
    @Override
    public void forEachEntry(final long now, final EntryVisitor visitor)
    {
        conntrack.forEachEntry(now, visitor);
    }
}
