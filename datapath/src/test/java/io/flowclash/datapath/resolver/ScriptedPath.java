package io.flowclash.datapath.resolver;

import io.flowclash.datapath.flow.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * A network without a datapath for unit tests of the resolver models: every query is DNATed to backend 0 and
 * passes unless {@link #drop} says otherwise; every reply is de-NATed back to the VIP. Records each batch.
 */
final class ScriptedPath implements LookupPath
{
    static final int BACKEND = io.flowclash.datapath.flow.Ipv4.parse("10.0.0.2");

    /** One batch as sent. */
    record Batch(long at, int size, long cookie, int srcPort)
    {
    }

    final List<Batch> batches = new ArrayList<>();
    private final int vip;
    /** Drop the n-th query packet (0-based, in send order) if this says so. */
    LongPredicate drop = n -> false;
    private long sent;
    private final long[] hi = new long[2];
    private final long[] lo = new long[2];
    private final boolean[] ok = new boolean[2];

    ScriptedPath(final int vip)
    {
        this.vip = vip;
    }

    @Override
    public void queries(final long now, final int count, final long[] h, final long[] l, final long cookie)
    {
        batches.add(new Batch(now, count, cookie, Tuple.srcPort(l[0])));
        for (int j = 0; j < count; j++)
        {
            ok[j] = !drop.test(sent++);
            hi[j] = Tuple.withDstAddress(h[j], BACKEND);
            lo[j] = l[j];
        }
    }

    @Override
    public boolean reply(final long now, final long h, final long l, final long cookie)
    {
        hi[0] = Tuple.withSrcAddress(h, vip);
        lo[0] = l;
        return true;
    }

    @Override
    public boolean accepted(final int j)
    {
        return ok[j];
    }

    @Override
    public long hiAfter(final int j)
    {
        return hi[j];
    }

    @Override
    public long loAfter(final int j)
    {
        return lo[j];
    }

    @Override
    public void advance(final long now)
    {
    }
}
