package io.flowclash.datapath.bpf;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers update, delete and re-insert (reusing elements across buckets) while readers look up without locks: a
 * reader must only ever see a value written for the key it asked (value = key * 31 + generation, never a value of
 * another key), in a plain and an LRU map.
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
                for (int i = 0; i < 2_000_000 && !stop.get(); i++)
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
}
