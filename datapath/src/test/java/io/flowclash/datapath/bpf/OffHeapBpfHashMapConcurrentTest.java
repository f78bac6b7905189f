package io.flowclash.datapath.bpf;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers update, delete and re-insert (reusing elements across buckets) while readers look up without locks: a
 * reader must only ever see a value written for the key it asked (value = key * 31 + generation, never a value of
 * another key), in a plain and an LRU map. Writers run a bounded count of iterations (never timed) and go on until
 * a reader has seen an entry, so the race is tested however the machine schedules the threads. With several
 * writers no writer may fail, and once they are done the map must be consistent: what {@code forEach} lists is what
 * {@code lookup} finds and {@code size} counts, and deleting every key leaves the map empty with every element
 * free again (nothing deleted is listed, nothing leaked).
 */
class OffHeapBpfHashMapConcurrentTest
{
    @Test
    void shouldNeverReturnAValueOfAnotherKey() throws InterruptedException
    {
        for (final boolean lru : new boolean[]{false, true})
        {
            final OffHeapBpfHashMap map = new OffHeapBpfHashMap(64, lru, 3);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong wrong = new AtomicLong();
            final AtomicLong hits = new AtomicLong();
            final Thread writer = new Thread(() ->
            {
                final java.util.SplittableRandom random = new java.util.SplittableRandom(1);
                // on past 2 M until the reader has seen an entry (a reader the machine has not yet scheduled would
                // leave the race untested), at most 100 times as long: a map that never shows one fails below
                for (int i = 0; i < 2_000_000 || hits.get() == 0 && i < 200_000_000; i++)
                {
                    final long k = random.nextInt(100);
                    if (random.nextInt(4) == 0)
                    {
                        map.delete(k, k);
                    }
                    else
                    {
                        map.update(k, k, k * 31 + (i & 7), BpfHashMap.BPF_ANY);
                    }
                }
                stop.set(true);
            });
            final Thread reader = new Thread(() ->
            {
                final long[] out = new long[1];
                final java.util.SplittableRandom random = new java.util.SplittableRandom(2);
                while (!stop.get())
                {
                    final long k = random.nextInt(100);
                    if (map.lookup(k, k, out))
                    {
                        hits.incrementAndGet();
                        if (out[0] / 31 != k || out[0] % 31 > 7)
                        {
                            wrong.incrementAndGet();
                        }
                    }
                }
            });
            writer.start();
            reader.start();
            writer.join();
            reader.join();
            assertThat(wrong.get()).as("lru=" + lru).isZero();
            assertThat(hits.get()).as("the reader saw entries").isPositive();
            assertThat(map.size()).isLessThanOrEqualTo(64);
        }
    }

    /**
     * 3 writers and 2 readers on a 2-entry LRU map (every new key evicts) and on small plain and LRU maps: the LRU
     * hand evicts elements that other writers are re-inserting in other buckets at the same moment.
     */
    @Test
    void shouldStayConsistentUnderSeveralWritersAndReaders() throws InterruptedException
    {
        for (int round = 0; round < 20; round++)
        {
            shouldStayConsistent(2, true, 3, 2, 100_000, 4 + round % 5);
        }
        shouldStayConsistent(8, true, 3, 2, 200_000, 24);
        shouldStayConsistent(8, false, 3, 2, 200_000, 24);
    }

    private static void shouldStayConsistent(
        final int maxEntries, final boolean lru, final int writers, final int readers, final int iterations,
        final int keys) throws InterruptedException
    {
        final String what = "max_entries=" + maxEntries + " lru=" + lru;
        final OffHeapBpfHashMap map = new OffHeapBpfHashMap(maxEntries, lru, 11);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger writing = new AtomicInteger(writers);
        final AtomicLong wrong = new AtomicLong();
        final AtomicLong torn = new AtomicLong();
        final AtomicLong hits = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++)
        {
            final int seed = w;
            threads.add(new Thread(() ->
            {
                try
                {
                    final java.util.SplittableRandom random = new java.util.SplittableRandom(100 + seed);
                    // on past the iterations until a reader has seen an entry (readers not yet scheduled would leave
                    // the race untested), at most 100 times as long: a map that never shows one fails below
                    for (int i = 0; i < iterations || hits.get() == 0 && i < 100 * iterations; i++)
                    {
                        final long k = random.nextInt(keys);
                        if (random.nextInt(3) == 0)
                        {
                            map.delete(k, k);
                        }
                        else
                        {
                            map.update(k, k, k * 31 + (i & 7), BpfHashMap.BPF_ANY);
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
                finally
                {
                    writing.decrementAndGet();
                }
            }));
        }
        for (int r = 0; r < readers; r++)
        {
            final int seed = r;
            threads.add(new Thread(() ->
            {
                final long[] out = new long[1];
                final java.util.SplittableRandom random = new java.util.SplittableRandom(200 + seed);
                int rounds = 0;
                while (writing.get() > 0)
                {
                    final long k = random.nextInt(keys);
                    if (map.lookup(k, k, out))
                    {
                        hits.incrementAndGet();
                        if (out[0] / 31 != k || out[0] % 31 > 7)
                        {
                            wrong.incrementAndGet();
                        }
                    }
                    if ((++rounds & 1023) == 0)
                    {
                        map.forEach((k0, k1, v) ->
                        {
                            if (k0 != k1 || v / 31 != k0 || v % 31 > 7)
                            {
                                torn.incrementAndGet();
                            }
                        });
                    }
                }
            }));
        }
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertThat(failure.get()).as(what + ": a writer failed").isNull();
        assertThat(wrong.get()).as(what + ": lookups returned a value of another key").isZero();
        assertThat(torn.get()).as(what + ": forEach listed a torn entry (key and value of different writes)").isZero();
        assertThat(hits.get()).as(what + ": the readers saw entries").isPositive();

        final Map<Long, Long> listed = new HashMap<>();
        map.forEach((k0, k1, v) -> assertThat(listed.put(k0, v)).as(what + ": key %d listed twice", k0).isNull());
        assertThat(listed).as(what + ": listed = size").hasSize(map.size());
        assertThat(map.size()).isLessThanOrEqualTo(maxEntries);
        final long[] out = new long[1];
        for (final Map.Entry<Long, Long> e : listed.entrySet())
        {
            assertThat(map.lookup(e.getKey(), e.getKey(), out)).as(what + ": listed key %d found", e.getKey()).isTrue();
            assertThat(out[0]).isEqualTo(e.getValue());
        }
        for (long k = 0; k < keys; k++)
        {
            map.delete(k, k);
        }
        final List<Long> left = new ArrayList<>();
        map.forEach((k0, k1, v) -> left.add(k0));
        assertThat(left).as(what + ": keys listed after every key was deleted").isEmpty();
        assertThat(map.size()).isZero();
        assertThat(map.freeElements()).as(what + ": every element is free again").isEqualTo(maxEntries);
    }

    /**
     * Delete against lookup, round by round: key k is inserted, then one thread deletes it while another looks it
     * up (setting the LRU reference bit). Once both are done the key must be gone: not listed by {@code forEach},
     * not counted. Rounds are bounded, not timed.
     */
    @Test
    void shouldNotListAKeyDeletedDuringALookup() throws InterruptedException
    {
        final OffHeapBpfHashMap map = new OffHeapBpfHashMap(4, true, 5);
        final int rounds = 100_000;
        final AtomicInteger started = new AtomicInteger(-1);
        final AtomicInteger looked = new AtomicInteger(-1);
        final Thread reader = new Thread(() ->
        {
            final long[] out = new long[1];
            for (int r = 0; r < rounds; r++)
            {
                while (started.get() < r)
                {
                    Thread.onSpinWait();
                }
                map.lookup(r, r, out);
                looked.set(r);
            }
        });
        reader.start();
        final long[] listed = new long[1];
        int resurrected = 0;
        for (int r = 0; r < rounds; r++)
        {
            map.update(r, r, r, BpfHashMap.BPF_NOEXIST);
            started.set(r);
            map.delete(r, r);
            while (looked.get() < r)
            {
                Thread.onSpinWait();
            }
            listed[0] = 0;
            map.forEach((k0, k1, v) -> listed[0]++);
            if (listed[0] != 0)
            {
                resurrected++;
                started.set(Integer.MAX_VALUE); // release the reader: the defect is shown
                break;
            }
        }
        reader.join();
        assertThat(resurrected).as("rounds in which a deleted key was still listed").isZero();
        assertThat(map.size()).isZero();
        assertThat(map.freeElements()).isEqualTo(4);
    }
}
