package io.flowclash.datapath.schedule;

import io.flowclash.datapath.Datapath;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of {@link StepScheduler#runParallel}: worker 0 is the driver, one daemon thread per other
 * worker, released together for each batch in a lockstep. The memory-ordering rules are stated on
 * {@link StepScheduler}; in short:
 * <ul>
 *     <li>the driver writes {@code from}/{@code to}, sets {@code remaining} to the number of worker threads, then
 *     increments {@code seq} (volatile write: release of the batch fields);</li>
 *     <li>a worker waits until {@code seq} differs from the last value it saw (volatile read: acquire), reads the
 *     range, runs its lanes, reports quiescence, and decrements {@code remaining} (a full fence), every worker
 *     every batch;</li>
 *     <li>the driver waits for {@code remaining == 0} (acquire) before it returns.</li>
 * </ul>
 * A waiter that stops spinning sets its {@code parked} flag (volatile), re-checks the condition and parks; the
 * thread that changes the condition reads the flag after its own volatile write and unparks: whichever runs second
 * sees the other's write, so no wake-up is lost.
 */
final class ParallelCrew
{
    /** Spins before parking when every worker has a processor. */
    private static final int SPINS_WITH_CORES = 20_000;
    /** Spins before parking when workers outnumber processors (spinning would starve the others). */
    private static final int SPINS_OVERSUBSCRIBED = 64;

    private final StepScheduler scheduler;
    private final Datapath datapath;
    private final int workers;
    private final int spins;
    private final Thread[] threads;
    private final WorkerFlag[] parked;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long seq;
    private volatile boolean stop;
    private volatile boolean driverParked;
    private volatile Throwable failure;
    private Thread driver;
    private int from;
    private int to;

    /** A padded per-worker flag: true while the worker is (about to be) parked. */
    private static final class WorkerFlag
    {
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;
        volatile boolean parked;
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;
    }

    ParallelCrew(final StepScheduler scheduler, final int processors)
    {
        this.scheduler = scheduler;
        this.datapath = scheduler.datapath();
        this.workers = scheduler.workers();
        this.spins = workers <= processors ? SPINS_WITH_CORES : SPINS_OVERSUBSCRIBED;
        this.threads = new Thread[workers];
        this.parked = new WorkerFlag[workers];
        for (int w = 1; w < workers; w++)
        {
            parked[w] = new WorkerFlag();
            final int worker = w;
            threads[w] = new Thread(() -> loop(worker), "flowclash-worker-" + w);
            threads[w].setDaemon(true);
            threads[w].start();
        }
    }

    void run(final int fromLane, final int toLane)
    {
        driver = Thread.currentThread();
        from = fromLane;
        to = toLane;
        remaining.set(workers - 1);
        seq = seq + 1; // volatile write: publishes from, to, remaining and every lane begun by the driver
        for (int w = 1; w < workers; w++)
        {
            if (parked[w].parked)
            {
                LockSupport.unpark(threads[w]);
            }
        }
        scheduler.runWorker(0, fromLane, toLane);
        int spun = 0;
        while (remaining.get() != 0)
        {
            if (spun < spins)
            {
                spun++;
                Thread.onSpinWait();
            }
            else
            {
                driverParked = true;
                if (remaining.get() != 0)
                {
                    LockSupport.park(this);
                }
                driverParked = false;
            }
        }
        final Throwable t = failure;
        if (t != null)
        {
            failure = null;
            throw new IllegalStateException("a worker thread failed: " + t, t);
        }
    }

    private void loop(final int worker)
    {
        final WorkerFlag flag = parked[worker];
        long seen = 0;
        while (true)
        {
            long s;
            int spun = 0;
            while ((s = seq) == seen)
            {
                if (stop)
                {
                    datapath.offline(worker);
                    return;
                }
                if (spun < spins)
                {
                    spun++;
                    Thread.onSpinWait();
                }
                else
                {
                    flag.parked = true;
                    if (seq == seen && !stop)
                    {
                        LockSupport.park(this);
                    }
                    flag.parked = false;
                }
            }
            seen = s;
            try
            {
                scheduler.runWorker(worker, from, to);
            }
            catch (final Throwable t)
            {
                failure = t;
            }
            if (remaining.decrementAndGet() == 0 && driverParked)
            {
                LockSupport.unpark(driver);
            }
        }
    }

    void stop()
    {
        stop = true;
        for (int w = 1; w < workers; w++)
        {
            LockSupport.unpark(threads[w]);
        }
        for (int w = 1; w < workers; w++)
        {
            try
            {
                threads[w].join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
