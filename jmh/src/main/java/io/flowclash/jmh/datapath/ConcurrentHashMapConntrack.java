package io.flowclash.jmh.datapath;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelector;
import io.flowclash.datapath.nat.BackendSelectors;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The baseline: the conntrack a Java developer would write first, on {@link ConcurrentHashMap} with a key object
 * per lookup and an entry object per flow, with the same semantics as {@code nf-clash-insert} for the packet
 * path measured (lookup, DNAT on the first packet, insert ORIGINAL and REPLY keys, lazy expiry on lookup; a
 * clash with another translation inserts the REPLY key only). One step: it has no step machine. Not registered:
 * it exists to be measured against.
 */
public final class ConcurrentHashMapConntrack implements Datapath
{
    private static final long UNREPLIED_NS = 30_000_000_000L;

    private record FlowKey(long hi, long lo)
    {
    }

    private static final class Conn
    {
        final long origHi;
        final long origLo;
        final long replyHi;
        final long replyLo;
        volatile long timeout;

        Conn(final long origHi, final long origLo, final long replyHi, final long replyLo, final long timeout)
        {
            this.origHi = origHi;
            this.origLo = origLo;
            this.replyHi = replyHi;
            this.replyLo = replyLo;
            this.timeout = timeout;
        }
    }

    private final DatapathConfig config;
    private final DatapathCounters counters;
    private final ConcurrentHashMap<FlowKey, Conn> map;
    private final BackendSelector selector;

    /** @param config configuration. */
    public ConcurrentHashMapConntrack(final DatapathConfig config)
    {
        this.config = config;
        this.counters = new DatapathCounters(config.workers());
        this.map = new ConcurrentHashMap<>(config.maxEntries() * 2);
        this.selector = BackendSelectors.create(config.selector(), config.backends());
    }

    @Override
    public String id()
    {
        return "chm-baseline";
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
    public void begin(final PacketContext ctx, final long now, final long hi, final long lo, final byte direction,
        final long socketCookie)
    {
        ctx.load(now, hi, lo, direction, socketCookie);
        counters.processed(ctx.worker());
        ctx.next(0);
    }

    @Override
    public void step(final PacketContext ctx)
    {
        final long now = ctx.now();
        final FlowKey key = new FlowKey(ctx.hi(), ctx.lo());
        Conn conn = map.get(key);
        if (conn != null && conn.timeout - now <= 0)
        {
            map.remove(new FlowKey(conn.origHi, conn.origLo), conn);
            map.remove(new FlowKey(conn.replyHi, conn.replyLo), conn);
            conn = null;
        }
        if (conn != null)
        {
            conn.timeout = now + UNREPLIED_NS;
            ctx.rewrite(Tuple.invertHi(conn.replyHi), Tuple.invertLo(conn.replyLo));
            finish(ctx, Reason.ACCEPT_ESTABLISHED);
            return;
        }
        final int b = selector.select(ctx, ctx.hi(), ctx.lo());
        final long replyHi = Tuple.hi(config.backendAddress(b), Tuple.srcAddress(ctx.hi()));
        final long replyLo = Tuple.lo(config.backendPort(), Tuple.srcPort(ctx.lo()), Tuple.protocol(ctx.lo()));
        final Conn fresh = new Conn(ctx.hi(), ctx.lo(), replyHi, replyLo, now + UNREPLIED_NS);
        final Conn winner = map.putIfAbsent(key, fresh);
        if (winner == null)
        {
            map.put(new FlowKey(replyHi, replyLo), fresh);
            ctx.rewrite(Tuple.invertHi(replyHi), Tuple.invertLo(replyLo));
            finish(ctx, Reason.ACCEPT_NEW);
        }
        else if (winner.replyHi == replyHi && winner.replyLo == replyLo)
        {
            ctx.rewrite(Tuple.invertHi(replyHi), Tuple.invertLo(replyLo));
            finish(ctx, Reason.ACCEPT_MERGED);
        }
        else
        {
            map.putIfAbsent(new FlowKey(replyHi, replyLo), fresh);
            ctx.rewrite(Tuple.invertHi(replyHi), Tuple.invertLo(replyLo));
            finish(ctx, Reason.ACCEPT_CLASH_INSERTED);
        }
    }

    private void finish(final PacketContext ctx, final Reason reason)
    {
        counters.finish(ctx, reason);
    }

    @Override
    public String stepName(final int step)
    {
        return "all";
    }

    @Override
    public DatapathCounters counters()
    {
        return counters;
    }

    @Override
    public int sweep(final long now, final int worker)
    {
        final int before = map.size();
        map.values().removeIf(c -> c.timeout - now <= 0);
        return before - map.size();
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
    public void describeEntry(final int conn, final StringBuilder sb)
    {
        sb.append("chm-entry");
    }

    @Override
    public void forEachEntry(final long now, final EntryVisitor visitor)
    {
        map.forEach((k, c) ->
        {
            if (k.hi() == c.origHi && k.lo() == c.origLo && c.timeout - now > 0)
            {
                visitor.entry(c.origHi, c.origLo, c.replyHi, c.replyLo, 0, c.timeout, false);
            }
        });
    }
}
