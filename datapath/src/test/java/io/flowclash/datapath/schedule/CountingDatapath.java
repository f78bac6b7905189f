package io.flowclash.datapath.schedule;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.memory.PoolCensus;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A design wrapped to count packets begun and finished, any step on a finished packet, any packet loaded over one
 * still in flight, and the quiescent and offline states reported per worker. Thread safe (atomic counters).
 */
public final class CountingDatapath implements Datapath
{
    public final Datapath delegate;
    public final AtomicLong begins = new AtomicLong();
    public final AtomicLong beginsInFlight = new AtomicLong();
    public final AtomicLong completions = new AtomicLong();
    public final AtomicLong stepsWhenDone = new AtomicLong();
    public final AtomicLongArray quiescent;
    public final AtomicLongArray offline;

    /** @param delegate the design counted. */
    public CountingDatapath(final Datapath delegate)
    {
        this.delegate = delegate;
        this.quiescent = new AtomicLongArray(delegate.config().workers());
        this.offline = new AtomicLongArray(delegate.config().workers());
    }

    @Override
    public String id()
    {
        return delegate.id();
    }

    @Override
    public DatapathConfig config()
    {
        return delegate.config();
    }

    @Override
    public PacketContext newContext(final int worker)
    {
        return delegate.newContext(worker);
    }

    @Override
    public PacketContext newContext(final int worker, final int stream)
    {
        return delegate.newContext(worker, stream);
    }

    @Override
    public void begin(final PacketContext ctx, final long now, final long hi, final long lo, final byte direction,
        final long socketCookie)
    {
        if (!ctx.done())
        {
            beginsInFlight.incrementAndGet();
        }
        begins.incrementAndGet();
        delegate.begin(ctx, now, hi, lo, direction, socketCookie);
        if (ctx.done())
        {
            completions.incrementAndGet();
        }
    }

    @Override
    public void step(final PacketContext ctx)
    {
        if (ctx.done())
        {
            stepsWhenDone.incrementAndGet();
            return;
        }
        delegate.step(ctx);
        if (ctx.done())
        {
            completions.incrementAndGet();
        }
    }

    @Override
    public String stepName(final int step)
    {
        return delegate.stepName(step);
    }

    @Override
    public DatapathCounters counters()
    {
        return delegate.counters();
    }

    @Override
    public int sweep(final long now, final int worker)
    {
        return delegate.sweep(now, worker);
    }

    @Override
    public void quiescent(final int worker)
    {
        quiescent.incrementAndGet(worker);
        delegate.quiescent(worker);
    }

    @Override
    public void offline(final int worker)
    {
        offline.incrementAndGet(worker);
        delegate.offline(worker);
    }

    @Override
    public void forEachEntry(final long now, final EntryVisitor visitor)
    {
        delegate.forEachEntry(now, visitor);
    }

    @Override
    public void describeEntry(final int conn, final StringBuilder sb)
    {
        delegate.describeEntry(conn, sb);
    }

    @Override
    public List<PoolCensus> census()
    {
        return delegate.census();
    }

    @Override
    public void close()
    {
        delegate.close();
    }
}
