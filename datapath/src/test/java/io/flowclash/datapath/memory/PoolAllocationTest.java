package io.flowclash.datapath.memory;

import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.OffHeapBpfHashMap;
import io.flowclash.datapath.conntrack.ConntrackEra;
import io.flowclash.datapath.conntrack.StripedLockConntrackTable;
import io.flowclash.datapath.flow.Tuple;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-packet memory paths allocate nothing: the free stack and the reclaimer (pop, push, retire, quiescent,
 * reclaim), the conntrack pool's allocate and free, and the BPF map's update, lookup, delete and LRU eviction.
 * Measured with the thread's allocation counter around many rounds, after a warm-up round.
 */
class PoolAllocationTest
{
    private static final com.sun.management.ThreadMXBean BEAN =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static long allocatedBy(final Runnable work)
    {
        final long id = Thread.currentThread().getId();
        final long before = BEAN.getThreadAllocatedBytes(id);
        work.run();
        return BEAN.getThreadAllocatedBytes(id) - before;
    }

    private static void assertAllocatesNothing(final String what, final Runnable round)
    {
        for (int i = 0; i < 3; i++)
        {
            allocatedBy(round); // warm up: classes loaded, code compiled
        }
        assertThat(allocatedBy(round)).as(what + ": bytes allocated").isZero();
    }

    @Test
    void shouldNotAllocateInTheFreeStackAndTheReclaimer()
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(64, true);
        final QuiescentStateReclaimer reclaimer = new QuiescentStateReclaimer(free, 2, 1);
        assertAllocatesNothing("stack and reclaimer", () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final int index = free.pop();
                if (index >= 0)
                {
                    reclaimer.retire(index);
                }
                reclaimer.quiescent(1);
                reclaimer.reclaim(0);
            }
        });
        assertThat(free.countWhenQuiescent() + reclaimer.retiredWhenQuiescent()).isEqualTo(64);
    }

    @Test
    void shouldNotAllocateInTheConntrackPool()
    {
        final StripedLockConntrackTable table =
            new StripedLockConntrackTable(128, 256, 16, 2, 1, new DatapathCounters(2), ConntrackEra.CLASH_INSERT);
        final long hi = Tuple.hi(0x0AF40005, 0x0A60000A);
        assertAllocatesNothing("allocate and free", () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final int c = table.allocate(hi, Tuple.lo(1024 + (i & 1023), 53, Tuple.PROTO_UDP), 1, 0);
                table.freeUnconfirmed(c, 0);
                table.quiescent(0);
            }
        });
    }

    @Test
    void shouldNotAllocateInTheBpfMap()
    {
        final OffHeapBpfHashMap map = new OffHeapBpfHashMap(64, true, 1);
        final long[] out = new long[1];
        assertAllocatesNothing("update, lookup, delete, evict", () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final long k = i & 127; // twice max_entries: LRU evictions
                map.update(k, k, i, BpfHashMap.BPF_ANY);
                map.lookup(k, k, out);
                if ((i & 7) == 0)
                {
                    map.delete(k, k);
                }
            }
        });
    }
}
