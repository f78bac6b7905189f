package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelector;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.NIL;

/**
 * NAT, {@code net/netfilter/nf_nat_core.c}: {@code nf_nat_inet_fn} at PREROUTING/OUTPUT (DST: the service rule's
 * DNAT) and at POSTROUTING (SRC: the null binding), {@code nf_nat_setup_info}, {@code get_unique_tuple},
 * {@code nf_nat_used_tuple} (through {@code nf_conntrack_tuple_taken}, which lives in nf_conntrack_core.c but has
 * no other caller here) and the port search {@code nf_nat_l4proto_unique_tuple}. The era's tuple-taken skips are
 * read here.
 *
 * <p>Thread safety: writes only the caller's unconfirmed entry (private until confirm, plain stores as
 * {@code nf_nat_setup_info}'s "we own this"); reads the shared table lock-free; may kill expired entries met.
 */
final class NatCore
{
    /** nf_nat_l4proto_unique_tuple: {@code static const unsigned int max_attempts = 128} (read). */
    private static final int PORT_ATTEMPTS = 128;

    private final ConntrackEra era;
    private final StripedLockConntrackTable table;
    private final DatapathCounters counters;
    private final DatapathConfig config;
    private final BackendSelector selector;
    private final int vip;
    private final int vport;

    NatCore(
        final ConntrackEra era, final StripedLockConntrackTable table, final DatapathCounters counters,
        final DatapathConfig config, final BackendSelector selector)
    {
        this.era = era;
        this.table = table;
        this.counters = counters;
        this.config = config;
        this.selector = selector;
        this.vip = config.serviceAddress();
        this.vport = config.servicePort();
    }

    // ------------------------------------------------------------------------------------------------- DST manip

    /**
     * {@code nf_nat_inet_fn} at PREROUTING/OUTPUT (DST manip). For a new entry whose DST NAT is not set up, the
     * nat rules run: the service rule DNATs to a backend ({@code --to-destination ip:port}: PROTO_SPECIFIED with
     * min == max, so the port never moves), anything else gets a null binding; DST_NAT_DONE is set either way.
     * Then the binding is applied: original direction rewrites the destination, reply direction the destination
     * back to the client's (undoing a moved source port).
     *
     * @param ctx the packet, attached to its entry.
     * @return false if the service has no endpoint (kube-proxy's REJECT rule): the caller frees the entry and
     * drops the packet.
     */
    boolean dnat(final PacketContext ctx)
    {
        final int c = ctx.conn();
        if (ctx.unconfirmedEntry() && (table.status(c) & IPS_DST_NAT_DONE) == 0 && !setUpDnat(ctx, c))
        {
            return false;
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
        return true;
    }

    /** The nat rules for a new entry's first packet; false if the service has no endpoint. */
    private boolean setUpDnat(final PacketContext ctx, final int c)
    {
        if (Tuple.dstAddress(ctx.hi()) == vip && Tuple.dstPort(ctx.lo()) == vport)
        {
            if (config.backends() == 0)
            {
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

    // ------------------------------------------------------------------------------------------------- SRC manip

    /**
     * {@code nf_nat_inet_fn} at POSTROUTING (SRC manip): for a new entry, the null binding through
     * {@code get_unique_tuple(SRC)}: keep the source if {@code nf_nat_used_tuple} says the would-be REPLY tuple is
     * free, else {@code nf_nat_l4proto_unique_tuple} moves the source port (race 2). Then apply: original direction
     * rewrites the source port, reply direction the source back to the service address (de-DNAT).
     *
     * @param ctx the packet, attached to its entry.
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
        }
    }

    /**
     * get_unique_tuple(SRC) with a null-binding range ({@code NF_NAT_RANGE_MAP_IPS}, min = max = our address, no
     * PROTO_SPECIFIED), for a new entry's first packet, as read: step 1 "try the original tuple first" asks
     * {@code nf_nat_used_tuple(orig)}; taken, step 3 ("only bother mapping if it's not already in range and unique")
     * asks {@code nf_nat_used_tuple(tuple)} again of the same tuple (the address did not change); taken again,
     * {@code nf_nat_l4proto_unique_tuple} searches a port. Each call that finds the tuple taken counts
     * {@code found} once in {@code nf_conntrack_tuple_taken}: a race-2 port move counts 2 plus one per taken
     * candidate.
     */
    private void setUpNullBinding(final PacketContext ctx, final int c)
    {
        final long replyHi = table.field(c, REPLY_HI);
        final long replyLo = table.field(c, REPLY_LO);
        if (tupleTaken(ctx, replyHi, replyLo, c) && tupleTaken(ctx, replyHi, replyLo, c))
        {
            final int port = uniquePort(ctx, c, replyHi, replyLo);
            table.setField(c, REPLY_LO, Tuple.withDstPort(replyLo, port));
            table.setStatusPrivate(c, IPS_SRC_NAT);
        }
        table.setStatusPrivate(c, IPS_SRC_NAT_DONE);
    }

    /**
     * {@code nf_conntrack_tuple_taken(reply, ignored)}: is the tuple a node of another confirmed entry? Every
     * expired node met, whatever its tuple, is collected before its key is compared (4.7+; in the timer eras it
     * was gone already). The era decides what does not
     * count as taken. A hit counts {@code found}; 3.x - 4.8 also count {@code searched} per node walked past
     * (read in 4.7: "if (ct != ignored_conntrack && nf_ct_key_equal(...)) found++ ... searched++").
     */
    private boolean tupleTaken(final PacketContext ctx, final long hi, final long lo, final int ignored)
    {
        final StripedLockConntrackTable table = this.table;
        int searched = 0;
        boolean taken = false;
        for (int n = table.head(table.bucket(hi, lo)); n != NIL; n = table.nextNode(n))
        {
            final int other = n >> 1;
            if (other != ignored && table.expired(other, ctx.now()))
            {
                // if (nf_ct_is_expired(ct)) { nf_ct_gc_expired(ct); continue; }: before the key compare, so every
                // expired node met is reclaimed (kill: only a confirmed entry not yet dying)
                table.kill(other, ctx.worker());
                continue;
            }
            if (other == ignored || !table.nodeIs(n, hi, lo))
            {
                if (era.tupleTakenSearched)
                {
                    searched++;
                }
                continue;
            }
            final int status = table.status(other);
            if ((status & IPS_CONFIRMED) == 0)
            {
                continue;
            }
            if (era.sameOriginSkip &&
                table.field(other, ORIG_HI) == table.field(ignored, ORIG_HI) &&
                table.field(other, ORIG_LO) == table.field(ignored, ORIG_LO))
            {
                continue; // 4e35c1cb9460: same flow, let clash resolution handle it
            }
            if (era.reverseSkip && (status & (IPS_SRC_NAT | IPS_DST_NAT)) == 0 &&
                (table.status(ignored) & (IPS_SRC_NAT | IPS_DST_NAT)) == 0 &&
                ConfirmAndClash.matchReverse(table, other, ignored))
            {
                continue; // d8f84a9bc7c4: exact reverse without real NAT, confirm merges it [U: found not counted]
            }
            counters.increment(ctx.worker(), Counter.FOUND);
            taken = true;
            break;
        }
        if (era.tupleTakenSearched)
        {
            counters.add(ctx.worker(), Counter.SEARCHED, searched);
        }
        return taken;
    }

    /**
     * {@code nf_nat_l4proto_unique_tuple} for a SRC manip without PROTO_SPECIFIED, as read (nf_nat_core.c, 5.x):
     * the range by the current port ("loose convention"): below 512 ports 1 - 511, below 1024 ports 600 - 1023,
     * else 1024 - 65535; {@code off} a random u16; rounds of {@code min(range, 128)} attempts at
     * {@code min + off++ % range}, then, unless the round covered the range or had fewer than 16 attempts, half as
     * many from a new random offset: 128, 64, 32, 16, 8. Nothing free: the last port tried stays (it clashes at
     * confirm).
     */
    private int uniquePort(final PacketContext ctx, final int c, final long replyHi, final long replyLo)
    {
        final int current = Tuple.dstPort(replyLo);
        final int min;
        final int range;
        if (current < 512)
        {
            min = 1;
            range = 511;
        }
        else if (current < 1024)
        {
            min = 600;
            range = 1023 - 600 + 1;
        }
        else
        {
            min = 1024;
            range = 65535 - 1024 + 1;
        }
        int attempts = Math.min(range, PORT_ATTEMPTS);
        int port = current;
        while (true)
        {
            int off = ctx.internalRandom().nextInt(1 << 16);
            for (int i = 0; i < attempts; i++, off = (off + 1) & 0xFFFF)
            {
                port = min + off % range;
                if (!tupleTaken(ctx, replyHi, Tuple.withDstPort(replyLo, port), c))
                {
                    return port;
                }
            }
            if (attempts >= range || attempts < 16)
            {
                return port;
            }
            attempts /= 2;
        }
    }
}
