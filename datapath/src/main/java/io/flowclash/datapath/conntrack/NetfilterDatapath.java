package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelector;
import io.flowclash.datapath.nat.BackendSelectors;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.FULL;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.NIL;

/**
 * A kube-proxy node's netfilter path for one packet, as named steps over a {@link PacketContext}, with the kernel
 * era as a {@link ConntrackEra} policy over one {@link StripedLockConntrackTable}:
 *
 * <pre>
 *   raw -300         NOTRACK predicate            (checked in begin(); a match never reaches the table)
 *   step lookup      nf_conntrack_in: resolve_normal_ct lookup, then the UDP tracker's packet()
 *   step alloc       init_conntrack: a new unconfirmed entry (early_drop when full), then packet()
 *   step dnat        nf_nat_inet_fn at PREROUTING/OUTPUT: the service rule picks a backend (first packet only),
 *                    nf_nat_setup_info(DST) rewrites the REPLY tuple; the binding is applied to the packet
 *   step snat        nf_nat_inet_fn at POSTROUTING: null binding through get_unique_tuple(SRC), which moves
 *                    the source port if nf_nat_used_tuple finds the would-be REPLY tuple taken
 *   step confirm     __nf_conntrack_confirm under the two bucket locks: insert, or the era's clash rule
 * </pre>
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
    private static final int UNBOUNDED = Integer.MAX_VALUE;
    /** nf_nat_l4proto_unique_tuple: port range for sources >= 1024 [U: exact ranges not re-read]. */
    private static final int PORT_MIN = 1024;
    private static final int PORT_RANGE = 65535 - PORT_MIN + 1;
    private static final int PORT_ATTEMPTS = 128;

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
    private final BackendSelector selector;
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
            config.workers(), config.seed(), counters);
        this.selector = BackendSelectors.create(config.selector(), config.backends());
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

    // ----------------------------------------------------------------------------------------------------- lookup

    /** {@code nf_conntrack_in} / {@code resolve_normal_ct}: find the entry, set ctinfo, run the UDP tracker. */
    void lookup(final PacketContext ctx)
    {
        final int node = table.find(ctx.hi(), ctx.lo(), ctx.now(), ctx.worker());
        if (node == NIL)
        {
            ctx.next(ALLOC);
            return;
        }
        if (era.foundOnLookup)
        {
            counters.increment(ctx.worker(), Counter.FOUND);
        }
        final int c = node >> 1;
        final int dir = node & 1;
        ctx.attach(c, dir, false);
        final int status = table.status(c);
        ctx.ctinfo(dir == DIR_REPLY ? PacketContext.CT_ESTABLISHED_REPLY :
            (status & IPS_SEEN_REPLY) != 0 ? PacketContext.CT_ESTABLISHED : PacketContext.CT_NEW);
        udpPacket(ctx, c, status, false);
        if (dir == DIR_REPLY && (status & IPS_SEEN_REPLY) == 0)
        {
            table.setStatus(c, IPS_SEEN_REPLY); // after packet(), as nf_conntrack_in does
        }
        ctx.next(DNAT);
    }

    /** {@code init_conntrack}: a new unconfirmed entry, invisible to every lookup until confirm. */
    void alloc(final PacketContext ctx)
    {
        final int c = table.allocate(ctx.hi(), ctx.lo(), ctx.now(), ctx.worker());
        if (c == FULL)
        {
            // nf_conntrack_in: resolve_normal_ct failed -> "Too stressed to deal": drop++, NF_DROP (read)
            counters.increment(ctx.worker(), Counter.DROP);
            done(ctx, Reason.DROP_TABLE_FULL);
            return;
        }
        ctx.attach(c, DIR_ORIGINAL, true);
        ctx.ctinfo(PacketContext.CT_NEW);
        udpPacket(ctx, c, 0, true);
        ctx.next(DNAT);
    }

    /**
     * The UDP tracker's {@code packet()} per era (conntrack-eras.md 7.1): timeouts, stream state, ASSURED.
     */
    private void udpPacket(final PacketContext ctx, final int c, final int status, final boolean isNew)
    {
        final long now = ctx.now();
        if (isNew && era.streamAfterDelay)
        {
            table.setField(c, STREAM_TS, now + ConntrackEra.STREAM_DELAY_NS); // d535c8a69c19
        }
        if ((status & IPS_SEEN_REPLY) != 0)
        {
            final boolean stream = !era.streamAfterDelay || now > table.field(c, STREAM_TS);
            refresh(ctx, c, status, stream ? era.streamTimeoutNs : ConntrackEra.UDP_TIMEOUT_NS);
            if ((status & IPS_NAT_CLASH) != 0)
            {
                return; // 6a757c07e51f: a NAT_CLASH entry is never ASSURED
            }
            if ((status & IPS_ASSURED) == 0 && (!era.assuredOnlyInStream || stream))
            {
                table.setStatus(c, IPS_ASSURED);
            }
        }
        else
        {
            refresh(ctx, c, status, ConntrackEra.UDP_TIMEOUT_NS);
        }
    }

    /**
     * {@code __nf_ct_refresh_acct}: relative while unconfirmed, absolute after, written only if it changes
     * ({@code if (READ_ONCE(ct->timeout) != extra_jiffies) WRITE_ONCE(...)}, read); FIXED_TIMEOUT never changes.
     */
    private void refresh(final PacketContext ctx, final int c, final int status, final long timeoutNs)
    {
        if ((status & IPS_FIXED_TIMEOUT) != 0)
        {
            return;
        }
        if (ctx.unconfirmedEntry())
        {
            table.setField(c, TIMEOUT, timeoutNs);
            return;
        }
        final long timeout = ctx.now() + timeoutNs;
        if (table.timeout(c) != timeout)
        {
            table.setTimeout(c, timeout);
        }
    }

    // ----------------------------------------------------------------------------------------------------- NAT

    /**
     * {@code nf_nat_inet_fn} at PREROUTING/OUTPUT (DST manip). For a new entry whose DST NAT is not set up, the
     * nat rules run: the service rule DNATs to a backend ({@code --to-destination ip:port}: PROTO_SPECIFIED with
     * min == max, so the port never moves), anything else gets a null binding; DST_NAT_DONE is set either way.
     * Then the binding is applied: original direction rewrites the destination, reply direction the destination
     * back to the client's (undoing a moved source port).
     */
    void dnat(final PacketContext ctx)
    {
        final int c = ctx.conn();
        if (ctx.unconfirmedEntry() && (table.status(c) & IPS_DST_NAT_DONE) == 0 && !setUpDnat(ctx, c))
        {
            return;
        }
        if (ctx.connDirection() == DIR_ORIGINAL)
        {
            final long replyHi = table.field(c, REPLY_HI);
            final long replyLo = table.field(c, REPLY_LO);
            ctx.rewrite(Tuple.withDstAddress(ctx.hi(), Tuple.srcAddress(replyHi)),
                Tuple.withDstPort(ctx.lo(), Tuple.srcPort(replyLo)));
            if (ctx.backend() == PacketContext.NONE)
            {
                ctx.backend((int)table.field(c, AUX));
            }
        }
        else
        {
            final long origHi = table.field(c, ORIG_HI);
            final long origLo = table.field(c, ORIG_LO);
            ctx.rewrite(Tuple.withDstAddress(ctx.hi(), Tuple.srcAddress(origHi)),
                Tuple.withDstPort(ctx.lo(), Tuple.srcPort(origLo)));
        }
        ctx.next(SNAT);
    }

    /** The nat rules for a new entry's first packet; false if the packet was dropped (no endpoint). */
    private boolean setUpDnat(final PacketContext ctx, final int c)
    {
        if (Tuple.dstAddress(ctx.hi()) == vip && Tuple.dstPort(ctx.lo()) == vport)
        {
            if (config.backends() == 0)
            {
                // kube-proxy installs a REJECT rule for a service without endpoints
                table.freeUnconfirmed(c);
                ctx.detach();
                done(ctx, Reason.DROP_NO_BACKEND);
                return false;
            }
            final int b = ctx.forcedBackend() != PacketContext.NONE ? ctx.forcedBackend() :
                selector.select(ctx, ctx.hi(), ctx.lo());
            ctx.backend(b);
            // nf_nat_setup_info(DST): reply = invert(tuple with dst := backend)
            table.setField(c, REPLY_HI, Tuple.withSrcAddress(table.field(c, REPLY_HI), config.backendAddress(b)));
            table.setField(c, REPLY_LO, Tuple.withSrcPort(table.field(c, REPLY_LO), config.backendPort()));
            table.setField(c, AUX, b);
            table.setStatusPrivate(c, IPS_DST_NAT);
        }
        table.setStatusPrivate(c, IPS_DST_NAT_DONE);
        return true;
    }

    /**
     * {@code nf_nat_inet_fn} at POSTROUTING (SRC manip): for a new entry, the null binding through
     * {@code get_unique_tuple(SRC)}: keep the source if {@code nf_nat_used_tuple} says the would-be REPLY tuple is
     * free, else {@code nf_nat_l4proto_unique_tuple} moves the source port (race 2). Then apply: original direction
     * rewrites the source port, reply direction the source back to the service address (de-DNAT).
     */
    void snat(final PacketContext ctx)
    {
        final int c = ctx.conn();
        if (ctx.unconfirmedEntry() && (table.status(c) & IPS_SRC_NAT_DONE) == 0)
        {
            setUpNullBinding(ctx, c);
        }
        if (ctx.connDirection() == DIR_ORIGINAL)
        {
            final long replyHi = table.field(c, REPLY_HI);
            final long replyLo = table.field(c, REPLY_LO);
            ctx.rewrite(Tuple.withSrcAddress(ctx.hi(), Tuple.dstAddress(replyHi)),
                Tuple.withSrcPort(ctx.lo(), Tuple.dstPort(replyLo)));
        }
        else
        {
            final long origHi = table.field(c, ORIG_HI);
            final long origLo = table.field(c, ORIG_LO);
            ctx.rewrite(Tuple.withSrcAddress(ctx.hi(), Tuple.dstAddress(origHi)),
                Tuple.withSrcPort(ctx.lo(), Tuple.dstPort(origLo)));
            if (era.killClashOnReply && (table.status(c) & IPS_NAT_CLASH) != 0)
            {
                table.kill(c, ctx.worker()); // 5.6 - 5.8.7: reply accepted and de-NATed, then nf_ct_kill
            }
        }
        ctx.next(CONFIRM);
    }

    /** get_unique_tuple(SRC) with a null-binding range, for a new entry's first packet. */
    private void setUpNullBinding(final PacketContext ctx, final int c)
    {
        final long replyHi = table.field(c, REPLY_HI);
        final long replyLo = table.field(c, REPLY_LO);
        if (tupleTaken(ctx, replyHi, replyLo, c))
        {
            final int port = uniquePort(ctx, c, replyHi, replyLo);
            table.setField(c, REPLY_LO, Tuple.withDstPort(replyLo, port));
            table.setStatusPrivate(c, IPS_SRC_NAT);
        }
        table.setStatusPrivate(c, IPS_SRC_NAT_DONE);
    }

    /**
     * {@code nf_conntrack_tuple_taken(reply, ignored)}: is the tuple a node of another confirmed entry? Expired
     * entries met are collected (4.7+). The era decides what does not count as taken.
     */
    private boolean tupleTaken(final PacketContext ctx, final long hi, final long lo, final int ignored)
    {
        final StripedLockConntrackTable table = this.table;
        for (int n = table.head(table.bucket(hi, lo)); n != NIL; n = table.nextNode(n))
        {
            final int other = n >> 1;
            if (other == ignored || !table.nodeIs(n, hi, lo))
            {
                continue;
            }
            final int status = table.status(other);
            if ((status & IPS_CONFIRMED) == 0)
            {
                continue;
            }
            if (table.expired(other, ctx.now()))
            {
                table.kill(other, ctx.worker());
                continue;
            }
            if (era.sameOriginSkip &&
                table.field(other, ORIG_HI) == table.field(ignored, ORIG_HI) &&
                table.field(other, ORIG_LO) == table.field(ignored, ORIG_LO))
            {
                continue; // 4e35c1cb9460: same flow, let clash resolution handle it
            }
            if (era.reverseSkip && (status & (IPS_SRC_NAT | IPS_DST_NAT)) == 0 &&
                (table.status(ignored) & (IPS_SRC_NAT | IPS_DST_NAT)) == 0 && matchReverse(other, ignored))
            {
                continue; // d8f84a9bc7c4: exact reverse without real NAT, confirm merges it
            }
            counters.increment(ctx.worker(), Counter.FOUND);
            return true;
        }
        return false;
    }

    /**
     * {@code nf_nat_l4proto_unique_tuple} for a SRC manip without PROTO_SPECIFIED: from a random offset, try up to
     * 128 ports, then rounds of half as many from a new random offset while at least 16; if nothing is free the
     * last port tried is kept (it will clash at confirm).
     */
    private int uniquePort(final PacketContext ctx, final int c, final long replyHi, final long replyLo)
    {
        int attempts = PORT_ATTEMPTS;
        int port = Tuple.dstPort(replyLo);
        while (true)
        {
            int off = ctx.internalRandom().nextInt(PORT_RANGE);
            for (int i = 0; i < attempts; i++, off++)
            {
                port = PORT_MIN + off % PORT_RANGE;
                if (!tupleTaken(ctx, replyHi, Tuple.withDstPort(replyLo, port), c))
                {
                    return port;
                }
            }
            if (attempts < 16 * 2)
            {
                return port;
            }
            attempts /= 2;
        }
    }

    // ----------------------------------------------------------------------------------------------------- confirm

    /**
     * {@code nf_confirm} / {@code __nf_conntrack_confirm}: only a packet that created its entry confirms. Under
     * both bucket locks, look for our ORIGINAL tuple in its bucket and our REPLY tuple in its bucket (any node
     * kind, confirmed entries; expired ones are not skipped, as in the code read); none: make the timeout absolute,
     * set CONFIRMED, link both nodes (publication: see the table). A match is a clash: the era decides.
     */
    void confirm(final PacketContext ctx)
    {
        if (!ctx.unconfirmedEntry())
        {
            done(ctx, ctx.connDirection() == DIR_REPLY ? Reason.ACCEPT_REPLY :
                ctx.direction() == PacketRecordDescriptor.DIR_REPLY ? Reason.ACCEPT_REPLY_UNTRANSLATED :
                Reason.ACCEPT_ESTABLISHED);
            return;
        }
        insertOrClash(ctx);
    }

    /** {@code __nf_conntrack_confirm} proper, for a packet that created its entry. */
    private void insertOrClash(final PacketContext ctx)
    {
        final StripedLockConntrackTable table = this.table;
        final int c = ctx.conn();
        final long origHi = table.field(c, ORIG_HI);
        final long origLo = table.field(c, ORIG_LO);
        final long replyHi = table.field(c, REPLY_HI);
        final long replyLo = table.field(c, REPLY_LO);
        final int ob = table.bucket(origHi, origLo);
        final int rb = table.bucket(replyHi, replyLo);
        final int maxChain = era.chainLimit ? 50 + ctx.internalRandom().nextInt(30) : UNBOUNDED; // d7e7747ac5c2
        table.lockBuckets(ob, rb);
        try
        {
            int length = 0;
            for (int n = table.head(ob); n != NIL; n = table.nextNode(n))
            {
                if (++length > maxChain)
                {
                    chainTooLong(ctx, c);
                    return;
                }
                if (table.nodeIs(n, origHi, origLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    clash(ctx, n >> 1, c, rb, replyHi, replyLo);
                    return;
                }
            }
            length = 0;
            for (int n = table.head(rb); n != NIL; n = table.nextNode(n))
            {
                if (++length > maxChain)
                {
                    chainTooLong(ctx, c);
                    return;
                }
                if (table.nodeIs(n, replyHi, replyLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    clash(ctx, n >> 1, c, rb, replyHi, replyLo);
                    return;
                }
            }
            table.setTimeout(c, ctx.now() + table.field(c, TIMEOUT)); // relative -> absolute
            table.setStatusPrivate(c, IPS_CONFIRMED); // still private: the link below publishes it
            table.link(c << 1, ob);
            table.link((c << 1) | DIR_REPLY, rb);
        }
        finally
        {
            table.unlockBuckets(ob, rb);
        }
        if (era.insertCounter)
        {
            counters.increment(ctx.worker(), Counter.INSERT);
        }
        ctx.confirmed();
        done(ctx, ctx.direction() == PacketRecordDescriptor.DIR_REPLY ?
            Reason.ACCEPT_REPLY_UNTRANSLATED : Reason.ACCEPT_NEW);
    }

    /** The era's clash rule ({@code nf_ct_resolve_clash}); called with both bucket locks held. */
    private void clash(
        final PacketContext ctx, final int winner, final int loser, final int rb, final long replyHi,
        final long replyLo)
    {
        if (!era.allowClash)
        {
            // era A: insert_failed++, NF_DROP; drop is not counted on this path
            counters.increment(ctx.worker(), Counter.INSERT_FAILED);
            dropLoser(ctx, loser);
            return;
        }
        if (mergeable(winner, loser))
        {
            merge(ctx, winner, loser);
            return;
        }
        if (era.clashInsert)
        {
            // nf_ct_resolve_clash_harder: somebody owns our REPLY tuple already -> merge if identical, else fail
            for (int n = table.head(rb); n != NIL; n = table.nextNode(n))
            {
                if (table.nodeIs(n, replyHi, replyLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    if (mergeable(n >> 1, loser))
                    {
                        merge(ctx, n >> 1, loser);
                    }
                    else
                    {
                        failClash(ctx, loser);
                    }
                    return;
                }
            }
            // 6a757c07e51f: insert the loser with its REPLY node only, NAT_CLASH, fixed 1 s; ORIGINAL "fake added"
            table.setTimeout(loser, ctx.now() + ConntrackEra.NAT_CLASH_TIMEOUT_NS);
            // 2d72afb34065: CONFIRMED only once the entry is complete; here it is private until the link (release)
            table.setStatusPrivate(loser, IPS_FIXED_TIMEOUT | IPS_NAT_CLASH | IPS_CONFIRMED);
            table.link((loser << 1) | DIR_REPLY, rb);
            if (era.clashResolveCounter)
            {
                counters.increment(ctx.worker(), Counter.CLASH_RESOLVE);
            }
            ctx.confirmed();
            done(ctx, Reason.ACCEPT_CLASH_INSERTED);
            return;
        }
        failClash(ctx, loser);
    }

    /** {@code __nf_ct_resolve_clash}'s merge test, per era. */
    private boolean mergeable(final int winner, final int loser)
    {
        final int status = table.status(winner);
        if (era.refuseDyingWinner && (status & IPS_DYING) != 0)
        {
            return false;
        }
        if (era.mergeIfNoNat && (status & IPS_NAT_DONE_MASK) == 0)
        {
            return true; // 71d8c47fc653 + 590b52e10d41: never true on a node with nat hooks (null bindings)
        }
        if (era.mergeIfMatch && match(winner, loser))
        {
            return true; // ed07d9a021df
        }
        return era.mergeIfReverseMatch && matchReverse(winner, loser); // a4e6a1031e77
    }

    private boolean match(final int a, final int b)
    {
        return table.field(a, ORIG_HI) == table.field(b, ORIG_HI) && table.field(a, ORIG_LO) == table.field(b, ORIG_LO) &&
            table.field(a, REPLY_HI) == table.field(b, REPLY_HI) && table.field(a, REPLY_LO) == table.field(b, REPLY_LO);
    }

    private boolean matchReverse(final int a, final int b)
    {
        return table.field(a, ORIG_HI) == table.field(b, REPLY_HI) && table.field(a, ORIG_LO) == table.field(b, REPLY_LO) &&
            table.field(a, REPLY_HI) == table.field(b, ORIG_HI) && table.field(a, REPLY_LO) == table.field(b, ORIG_LO);
    }

    private void merge(final PacketContext ctx, final int winner, final int loser)
    {
        // the packet keeps the header rewrite it already has and is accounted to the winner
        counters.increment(ctx.worker(), era.clashResolveCounter ? Counter.CLASH_RESOLVE : Counter.INSERT_FAILED);
        table.freeUnconfirmed(loser);
        ctx.attach(winner, DIR_ORIGINAL, false);
        done(ctx, Reason.ACCEPT_MERGED);
    }

    private void failClash(final PacketContext ctx, final int loser)
    {
        counters.increment(ctx.worker(), Counter.DROP);
        counters.increment(ctx.worker(), Counter.INSERT_FAILED);
        dropLoser(ctx, loser);
    }

    private void chainTooLong(final PacketContext ctx, final int loser)
    {
        counters.increment(ctx.worker(), Counter.CHAINTOOLONG);
        counters.increment(ctx.worker(), Counter.INSERT_FAILED);
        table.freeUnconfirmed(loser);
        ctx.detach();
        done(ctx, Reason.DROP_CHAIN_TOO_LONG);
    }

    private void dropLoser(final PacketContext ctx, final int loser)
    {
        table.freeUnconfirmed(loser);
        ctx.detach();
        done(ctx, Reason.DROP_CLASH);
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
