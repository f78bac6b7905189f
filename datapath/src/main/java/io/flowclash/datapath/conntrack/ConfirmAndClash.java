package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;
import static io.flowclash.datapath.conntrack.StripedLockConntrackTable.NIL;

/**
 * Confirm and clash resolution, {@code net/netfilter/nf_conntrack_core.c}: {@code __nf_conntrack_confirm} (the
 * bucket walks under both locks, the chain limit, the insert), {@code nf_ct_resolve_clash} /
 * {@code __nf_ct_resolve_clash} (merge), {@code nf_ct_resolve_clash_harder} (the reply-only NAT_CLASH insert) and
 * {@code nf_ct_match} / {@code nf_ct_match_reverse}. The era's clash, merge and confirm counters are read here.
 *
 * <p>Thread safety: every table change happens under the two bucket stripe locks ({@code nf_conntrack_double_lock});
 * the entry is complete before its first node is linked (the link is the store-release that publishes it).
 */
final class ConfirmAndClash
{
    private static final int UNBOUNDED = Integer.MAX_VALUE;

    private final ConntrackEra era;
    private final StripedLockConntrackTable table;
    private final DatapathCounters counters;

    ConfirmAndClash(final ConntrackEra era, final StripedLockConntrackTable table, final DatapathCounters counters)
    {
        this.era = era;
        this.table = table;
        this.counters = counters;
    }

    /**
     * {@code nf_confirm} / {@code __nf_conntrack_confirm}: only a packet that created its entry confirms. Under
     * both bucket locks, look for our ORIGINAL tuple in its bucket and our REPLY tuple in its bucket (any node
     * kind, confirmed entries; expired ones are not skipped, as in the code read); none: make the timeout absolute,
     * set CONFIRMED, link both nodes (publication: see the table). A match is a clash: the era decides.
     *
     * @param ctx the packet.
     * @return its verdict.
     */
    Reason confirm(final PacketContext ctx)
    {
        if (!ctx.unconfirmedEntry())
        {
            return ctx.connDirection() == DIR_REPLY ? Reason.ACCEPT_REPLY :
                ctx.direction() == PacketRecordDescriptor.DIR_REPLY ? Reason.ACCEPT_REPLY_UNTRANSLATED :
                Reason.ACCEPT_ESTABLISHED;
        }
        return insertOrClash(ctx);
    }

    /** {@code __nf_conntrack_confirm} proper, for a packet that created its entry. */
    private Reason insertOrClash(final PacketContext ctx)
    {
        final StripedLockConntrackTable table = this.table;
        final int c = ctx.conn();
        final long origHi = table.field(c, ORIG_HI);
        final long origLo = table.field(c, ORIG_LO);
        final long replyHi = table.field(c, REPLY_HI);
        final long replyLo = table.field(c, REPLY_LO);
        final int ob = table.bucket(origHi, origLo);
        final int rb = table.bucket(replyHi, replyLo);
        // d7e7747ac5c2 (5.15), c9c3b6811f74: max_chainlen = MIN_CHAINLEN + prandom_u32_max(MAX_CHAINLEN)
        final int maxChain = era.chainLimit ? era.chainMin + ctx.internalRandom().nextInt(era.chainSpread) : UNBOUNDED;
        table.lockBuckets(ob, rb);
        try
        {
            // each walk tests the match first, then "if (chainlen++ > max_chainlen) goto chaintoolong" (read)
            int chainlen = 0;
            for (int n = table.head(ob); n != NIL; n = table.nextNode(n))
            {
                if (table.nodeIs(n, origHi, origLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    return clash(ctx, n >> 1, c, rb, replyHi, replyLo);
                }
                if (chainlen++ > maxChain)
                {
                    return chainTooLong(ctx, c);
                }
            }
            chainlen = 0;
            for (int n = table.head(rb); n != NIL; n = table.nextNode(n))
            {
                if (table.nodeIs(n, replyHi, replyLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    return clash(ctx, n >> 1, c, rb, replyHi, replyLo);
                }
                if (chainlen++ > maxChain)
                {
                    return chainTooLong(ctx, c);
                }
            }
            table.setTimeout(c, ctx.now() + table.field(c, TIMEOUT)); // relative -> absolute
            table.setStatusPrivate(c, IPS_CONFIRMED); // still private: the link below publishes it
            table.link(c << 1, ob);
            table.link((c << 1) | DIR_REPLY, rb);
            table.logLinked(c, ctx.worker());
        }
        finally
        {
            table.unlockBuckets(ob, rb);
        }
        if (era.insertStat)
        {
            counters.increment(ctx.worker(), Counter.INSERT); // 3.x - 4.8: NF_CT_STAT_INC(net, insert) (read in 4.7)
        }
        ctx.confirmed();
        return ctx.direction() == PacketRecordDescriptor.DIR_REPLY ?
            Reason.ACCEPT_REPLY_UNTRANSLATED : Reason.ACCEPT_NEW;
    }

    /** The era's clash rule ({@code nf_ct_resolve_clash}); called with both bucket locks held. */
    private Reason clash(
        final PacketContext ctx, final int winner, final int loser, final int rb, final long replyHi,
        final long replyLo)
    {
        if (!era.allowClash)
        {
            return failClash(ctx, loser); // era A: no allow_clash, every clash fails
        }
        if (mergeable(winner, loser))
        {
            return merge(ctx, winner, loser);
        }
        if (era.clashInsert)
        {
            // nf_ct_resolve_clash_harder: somebody owns our REPLY tuple already -> merge if identical, else fail
            for (int n = table.head(rb); n != NIL; n = table.nextNode(n))
            {
                if (table.nodeIs(n, replyHi, replyLo) && (table.status(n >> 1) & IPS_CONFIRMED) != 0)
                {
                    return mergeable(n >> 1, loser) ? merge(ctx, n >> 1, loser) : failClash(ctx, loser);
                }
            }
            // 6a757c07e51f: insert the loser with its REPLY node only, NAT_CLASH, fixed 1 s; ORIGINAL "fake added"
            table.setTimeout(loser, ctx.now() + ConntrackEra.NAT_CLASH_TIMEOUT_NS);
            // 2d72afb34065: CONFIRMED only once the entry is complete; here it is private until the link (release)
            table.setStatusPrivate(loser, IPS_FIXED_TIMEOUT | IPS_NAT_CLASH | IPS_CONFIRMED);
            table.link((loser << 1) | DIR_REPLY, rb);
            table.logLinked(loser, ctx.worker());
            if (era.clashResolveCounter)
            {
                counters.increment(ctx.worker(), Counter.CLASH_RESOLVE);
            }
            ctx.confirmed();
            return Reason.ACCEPT_CLASH_INSERTED;
        }
        return failClash(ctx, loser);
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
        if (era.mergeIfMatch && match(table, winner, loser))
        {
            return true; // ed07d9a021df
        }
        return era.mergeIfReverseMatch && matchReverse(table, winner, loser); // a4e6a1031e77
    }

    /** {@code nf_ct_match}: both tuples equal (one zone, one netns in this model). */
    static boolean match(final StripedLockConntrackTable t, final int a, final int b)
    {
        return t.field(a, ORIG_HI) == t.field(b, ORIG_HI) && t.field(a, ORIG_LO) == t.field(b, ORIG_LO) &&
            t.field(a, REPLY_HI) == t.field(b, REPLY_HI) && t.field(a, REPLY_LO) == t.field(b, REPLY_LO);
    }

    /** {@code nf_ct_match_reverse} (a4e6a1031e77, 6.12): a's ORIGINAL is b's REPLY and the other way round. */
    static boolean matchReverse(final StripedLockConntrackTable t, final int a, final int b)
    {
        return t.field(a, ORIG_HI) == t.field(b, REPLY_HI) && t.field(a, ORIG_LO) == t.field(b, REPLY_LO) &&
            t.field(a, REPLY_HI) == t.field(b, ORIG_HI) && t.field(a, REPLY_LO) == t.field(b, ORIG_LO);
    }

    private Reason merge(final PacketContext ctx, final int winner, final int loser)
    {
        // the packet keeps the header rewrite it already has and is accounted to the winner
        counters.increment(ctx.worker(), era.clashResolveCounter ? Counter.CLASH_RESOLVE : Counter.INSERT_FAILED);
        table.freeUnconfirmed(loser, ctx.worker());
        ctx.attach(winner, DIR_ORIGINAL, false);
        return Reason.ACCEPT_MERGED;
    }

    /**
     * An unresolved clash: {@code insert_failed++}, and from 4.7 (71d8c47fc653) {@code drop++}; era A counts
     * insert_failed only (its confirm returns NF_DROP without the drop counter).
     */
    private Reason failClash(final PacketContext ctx, final int loser)
    {
        if (era.dropCounter)
        {
            counters.increment(ctx.worker(), Counter.DROP);
        }
        counters.increment(ctx.worker(), Counter.INSERT_FAILED);
        table.freeUnconfirmed(loser, ctx.worker());
        ctx.detach();
        return Reason.DROP_CLASH;
    }

    private Reason chainTooLong(final PacketContext ctx, final int loser)
    {
        counters.increment(ctx.worker(), Counter.CHAINTOOLONG);
        counters.increment(ctx.worker(), Counter.INSERT_FAILED);
        table.freeUnconfirmed(loser, ctx.worker());
        ctx.detach();
        return Reason.DROP_CHAIN_TOO_LONG;
    }
}
