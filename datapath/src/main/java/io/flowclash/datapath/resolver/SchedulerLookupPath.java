package io.flowclash.datapath.resolver;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import java.util.SplittableRandom;

/**
 * The lookup driver's datapath: the design's steps driven by the one {@link StepScheduler}. Packets sent together
 * go to lanes on different workers ({@code --dispatch spread}) or on one worker in order ({@code same-cpu}); a
 * batch of two or more races as the race mode says ({@code real}: threads released together; {@code always}: one
 * step of each in turn, every lookup before any confirm; {@code never}; {@code p=X}: a seeded coin per batch).
 * Replies go through a lane of their own on worker 0. The gc runs every {@code sweepEveryNs} of virtual time, from
 * the driver, between packets (every worker quiescent). Driven from one thread.
 */
final class SchedulerLookupPath implements LookupPath, AutoCloseable
{
    private static final int SPREAD_FIRST = 0;
    private static final int SAME_CPU_SECOND = 2;
    private static final int REPLY_LANE = 3;

    private final Datapath datapath;
    private final StepScheduler scheduler;
    private final RunOptions options;
    private final SplittableRandom coin;
    private final boolean threads;
    private final int[] lanes = new int[2];
    private long lastSweep = Long.MIN_VALUE;
    private long racedBatches;
    private long clashedBatches;

    SchedulerLookupPath(final Datapath datapath, final RunOptions options)
    {
        this.datapath = datapath;
        this.options = options;
        final int workers = datapath.config().workers();
        // lane 0 on worker 0, lane 1 on worker 1 (spread), lane 2 on worker 0 (same-cpu second packet), lane 3
        // on worker 0 (replies)
        this.scheduler = new StepScheduler(datapath, new int[] {0, 1 % workers, 0, 0});
        this.coin = new SplittableRandom(options.seed());
        this.threads = options.race().kind() == RaceMode.Kind.REAL && !options.sameCpu() && workers > 1;
    }

    @Override
    public void queries(final long now, final int count, final long[] hi, final long[] lo, final long cookie)
    {
        lanes[0] = SPREAD_FIRST;
        lanes[1] = options.sameCpu() ? SAME_CPU_SECOND : 1;
        for (int j = 0; j < count; j++)
        {
            scheduler.begin(lanes[j], now, hi[j], lo[j], PacketRecordDescriptor.DIR_ORIGINAL, cookie);
        }
        if (count == 1 || options.sameCpu())
        {
            for (int j = 0; j < count; j++)
            {
                scheduler.finish(lanes[j]);
            }
            scheduler.quiesce();
        }
        else if (threads)
        {
            scheduler.runParallel(0, 2);
            racedBatches++;
        }
        else if (options.race().kind() == RaceMode.Kind.ALWAYS ||
            (options.race().kind() == RaceMode.Kind.PROBABILITY && coin.nextDouble() < options.race().probability()))
        {
            scheduler.runRoundRobin(0, 2);
            racedBatches++;
        }
        else
        {
            scheduler.runInOrder(0, 2);
        }
        if (count == 2 && clashed(ctx(0).reason(), ctx(1).reason()))
        {
            clashedBatches++;
        }
    }

    /**
     * Whether the two queries of one socket met in the table: one lost the insert race (dropped, merged onto the
     * winner or inserted reply-only: the clash reasons), or both created the flow's entry (a BPF_ANY upsert, last
     * writer wins). A pair that did not race, or raced without meeting (threads released together that did not
     * overlap; NOTRACK: no table), has one new and one established packet, or none in the table at all.
     */
    private static boolean clashed(final Reason first, final Reason second)
    {
        return isClash(first) || isClash(second) || (first == Reason.ACCEPT_NEW && second == Reason.ACCEPT_NEW);
    }

    private static boolean isClash(final Reason r)
    {
        return r == Reason.DROP_CLASH || r == Reason.ACCEPT_MERGED || r == Reason.ACCEPT_CLASH_INSERTED;
    }

    @Override
    public boolean reply(final long now, final long hi, final long lo, final long cookie)
    {
        lanes[0] = REPLY_LANE;
        scheduler.begin(REPLY_LANE, now, hi, lo, PacketRecordDescriptor.DIR_REPLY, cookie);
        scheduler.finish(REPLY_LANE);
        return scheduler.context(REPLY_LANE).accepted();
    }

    private PacketContext ctx(final int j)
    {
        return scheduler.context(lanes[j]);
    }

    @Override
    public boolean accepted(final int j)
    {
        return ctx(j).accepted();
    }

    @Override
    public long hiAfter(final int j)
    {
        return ctx(j).hi();
    }

    @Override
    public long loAfter(final int j)
    {
        return ctx(j).lo();
    }

    @Override
    public void advance(final long now)
    {
        if (lastSweep == Long.MIN_VALUE)
        {
            lastSweep = now;
        }
        else if (now - lastSweep >= options.sweepEveryNs())
        {
            datapath.sweep(now, 0);
            lastSweep = now;
        }
    }

    /** @return batches whose packets raced. */
    long racedBatches()
    {
        return racedBatches;
    }

    /** @return batches whose two queries met in the table (see {@link #clashed}). */
    long clashedBatches()
    {
        return clashedBatches;
    }

    @Override
    public void close()
    {
        scheduler.close();
    }
}
