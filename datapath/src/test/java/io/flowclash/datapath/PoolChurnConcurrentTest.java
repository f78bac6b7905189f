package io.flowclash.datapath;

import io.flowclash.datapath.design.Designs;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.memory.PoolCensus;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Churn on a small scale, for every design: 2 worker threads send new flows from far more sockets than the table
 * holds (so the table is always full and {@code early_drop} fires), 1 ms of virtual time apart (so flows expire
 * behind them), while a third thread that is no worker sweeps the whole time. Bounded in packets, not timed. At the
 * end, after everything has expired and been swept: every pool accounts for every index (none leaked), the
 * conntrack pool is whole again (free = {@code nf_conntrack_max}), the BPF maps list what they count, and every
 * packet ended in exactly one outcome.
 */
class PoolChurnConcurrentTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 10_000 * MS;
    private static final int WORKERS = 2;
    private static final int PACKETS = 60_000;
    private static final int MAX_ENTRIES = 256;

    @Test
    void shouldLeakNoEntryUnderChurnEarlyDropAndSweepsFromAnotherThread() throws InterruptedException
    {
        for (final Designs.Design design : Designs.all())
        {
            churn(design);
        }
    }

    private static void churn(final Designs.Design design) throws InterruptedException
    {
        final String what = design.id();
        final Datapath dp = design.create(DatapathConfig.builder().backends(3).workers(WORKERS)
            .maxEntries(MAX_ENTRIES).mapEntries(MAX_ENTRIES).seed(5).build());
        final AtomicLong clock = new AtomicLong(T0);
        final AtomicInteger running = new AtomicInteger(WORKERS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger sweeps = new AtomicInteger();
        final Thread[] workers = new Thread[WORKERS];
        for (int w = 0; w < WORKERS; w++)
        {
            final int worker = w;
            workers[w] = new Thread(() ->
            {
                try
                {
                    final PacketContext ctx = dp.newContext(worker);
                    final java.util.SplittableRandom random = new java.util.SplittableRandom(worker + 1);
                    long now = T0;
                    int sweepsSeen = sweeps.get();
                    for (int i = 0; i < PACKETS; i++)
                    {
                        if (i % (PACKETS / 4) == PACKETS / 8)
                        {
                            // make sure sweeps overlap the packets however the threads are scheduled: wait (not
                            // timed: until the sweeper, which never waits, has completed another sweep)
                            while (sweeps.get() == sweepsSeen && failure.get() == null)
                            {
                                Thread.yield();
                            }
                            sweepsSeen = sweeps.get();
                        }
                        now += MS;
                        final int socket = random.nextInt(8 * MAX_ENTRIES);
                        dp.begin(ctx, now, Tuple.hi(0x0AF40000 + worker * 256 + (socket >>> 12), 0x0A60000A),
                            Tuple.lo(1024 + (socket & 4095), 53, Tuple.PROTO_UDP),
                            PacketRecordDescriptor.DIR_ORIGINAL, socket + 1L + worker * 1_000_000L);
                        dp.process(ctx);
                        dp.quiescent(worker);
                        if (worker == 0)
                        {
                            clock.set(now);
                        }
                    }
                    dp.offline(worker);
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
                finally
                {
                    running.decrementAndGet();
                }
            });
        }
        final Thread sweeper = new Thread(() ->
        {
            try
            {
                while (running.get() > 0)
                {
                    dp.sweep(clock.get(), -1);
                    sweeps.incrementAndGet();
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        });
        for (final Thread t : workers)
        {
            t.start();
        }
        sweeper.start();
        for (final Thread t : workers)
        {
            t.join();
        }
        sweeper.join();
        assertThat(failure.get()).as(what + ": a thread failed").isNull();
        assertThat(sweeps.get()).as(what + ": the sweeper ran beside the packets").isGreaterThanOrEqualTo(4);

        final DatapathCounters counters = dp.counters();
        assertThat(counters.processed()).as(what).isEqualTo((long)WORKERS * PACKETS);
        assertThat(counters.accepted() + counters.dropped()).as(what + ": processed = accepted + dropped")
            .isEqualTo(counters.processed());

        final List<PoolCensus> during = dp.census();
        for (final PoolCensus c : during)
        {
            assertThat(c.leaked()).as(what + " before the last sweep: " + c).isZero();
        }

        final long end = T0 + (PACKETS + 3_600_000L) * MS; // an hour after the last packet: everything expired
        dp.sweep(end, -1); // the workers are offline: what it retires is freed at its end, no grace period to wait
        final List<PoolCensus> after = dp.census();
        for (final PoolCensus c : after)
        {
            assertThat(c.leaked()).as(what + ": " + c).isZero();
            assertThat(c.live()).as(what + ": " + c).isBetween(0, c.limit());
            if (c.pool().equals("conntrack"))
            {
                assertThat(c.whole()).as(what + ": the pool is whole again: " + c).isTrue();
                assertThat(c.available()).as(what + ": free = nf_conntrack_max").isEqualTo(MAX_ENTRIES);
            }
        }
        if (during.stream().anyMatch(c -> c.pool().equals("conntrack")))
        {
            assertThat(counters.get(Counter.EARLY_DROP)).as(what + ": early_drop fired").isPositive();
        }
        if (what.equals("cilium-tc"))
        {
            assertThat(counters.get(Counter.MAP_EVICT)).as(what + ": the CT map evicted").isPositive();
        }
        dp.close();
    }
}
