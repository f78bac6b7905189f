package io.flowclash.datapath.bpf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static io.flowclash.datapath.bpf.BpfHashMap.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantics every engine must have (Documentation/bpf/map_hash.rst; kernel/bpf/hashtab.c). One subclass per
 * engine.
 */
abstract class BpfHashMapContractTest
{
    private BpfHashMap map;
    private final long[] out = new long[1];

    abstract BpfHashMap create(int maxEntries, boolean lru);

    private BpfHashMap map(final int maxEntries, final boolean lru)
    {
        map = create(maxEntries, lru);
        return map;
    }

    @AfterEach
    void close()
    {
        if (map != null)
        {
            map.close();
        }
    }

    @Test
    void shouldApplyEachUpdateFlag()
    {
        final BpfHashMap m = map(8, false);
        assertThat(m.update(1, 2, 10, BPF_EXIST)).as("BPF_EXIST on a missing key").isEqualTo(ENOENT);
        assertThat(m.lookup(1, 2, out)).isFalse();
        assertThat(m.update(1, 2, 10, BPF_NOEXIST)).as("BPF_NOEXIST on a missing key").isEqualTo(OK);
        assertThat(m.lookup(1, 2, out)).isTrue();
        assertThat(out[0]).isEqualTo(10);
        assertThat(m.update(1, 2, 11, BPF_NOEXIST)).as("BPF_NOEXIST on an existing key").isEqualTo(EEXIST);
        assertThat(m.lookup(1, 2, out)).isTrue();
        assertThat(out[0]).as("unchanged by a failed update").isEqualTo(10);
        assertThat(m.update(1, 2, 12, BPF_EXIST)).as("BPF_EXIST on an existing key").isEqualTo(OK);
        assertThat(m.lookup(1, 2, out)).isTrue();
        assertThat(out[0]).isEqualTo(12);
        assertThat(m.update(1, 2, 13, BPF_ANY)).as("BPF_ANY on an existing key").isEqualTo(OK);
        assertThat(m.update(3, 4, 30, BPF_ANY)).as("BPF_ANY on a missing key").isEqualTo(OK);
        assertThat(m.lookup(1, 2, out)).isTrue();
        assertThat(out[0]).isEqualTo(13);
        assertThat(m.update(1, 2, 13, 7)).as("bad flags").isEqualTo(EINVAL);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.delete(1, 2)).isEqualTo(OK);
        assertThat(m.delete(1, 2)).as("delete of a missing key").isEqualTo(ENOENT);
        assertThat(m.lookup(1, 2, out)).isFalse();
        assertThat(m.size()).isEqualTo(1);
    }

    @Test
    void shouldFailANewKeyWithE2bigWhenAPlainHashIsFull()
    {
        final BpfHashMap m = map(4, false);
        for (int i = 0; i < 4; i++)
        {
            assertThat(m.update(i, 0, i, BPF_ANY)).isEqualTo(OK);
        }
        assertThat(m.update(99, 0, 1, BPF_ANY)).isEqualTo(E2BIG);
        assertThat(m.update(99, 0, 1, BPF_NOEXIST)).isEqualTo(E2BIG);
        assertThat(m.update(2, 0, 22, BPF_ANY)).as("existing keys still update").isEqualTo(OK);
        assertThat(m.delete(0, 0)).isEqualTo(OK);
        assertThat(m.update(99, 0, 1, BPF_ANY)).as("room again after a delete").isEqualTo(OK);
        assertThat(m.size()).isEqualTo(4);
    }

    @Test
    void shouldEvictAnUnreferencedEntryWhenAnLruHashIsFull()
    {
        final BpfHashMap m = map(4, true);
        for (int i = 0; i < 4; i++)
        {
            assertThat(m.update(i, 0, i, BPF_ANY)).isEqualTo(OK);
        }
        // keys 0, 1, 3 are looked up (reference bit set); key 2 is not
        for (final int k : new int[]{0, 1, 3})
        {
            assertThat(m.lookup(k, 0, out)).isTrue();
        }
        assertThat(m.update(99, 0, 9, BPF_ANY)).as("a new key in a full LRU map evicts").isEqualTo(OK_EVICTED);
        assertThat(m.size()).isEqualTo(4);
        assertThat(m.lookup(2, 0, out)).as("the unreferenced entry went").isFalse();
        for (final int k : new int[]{0, 1, 3, 99})
        {
            assertThat(m.lookup(k, 0, out)).as("key %d stays", k).isTrue();
        }
    }

    @Test
    void shouldKeepEveryEntryThroughManyUpdatesAndDeletes()
    {
        final BpfHashMap m = map(512, false);
        final Map<Long, Long> model = new HashMap<>();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < 20_000; i++)
        {
            final long k = random.nextInt(600);
            final long v = random.nextLong();
            if (random.nextInt(3) == 0)
            {
                assertThat(m.delete(k, ~k)).isEqualTo(model.remove(k) != null ? OK : ENOENT);
            }
            else
            {
                final int rc = m.update(k, ~k, v, BPF_ANY);
                if (model.containsKey(k) || model.size() < 512)
                {
                    assertThat(rc).isEqualTo(OK);
                    model.put(k, v);
                }
                else
                {
                    assertThat(rc).isEqualTo(E2BIG);
                }
            }
        }
        assertThat(m.size()).isEqualTo(model.size());
        for (final Map.Entry<Long, Long> e : model.entrySet())
        {
            assertThat(m.lookup(e.getKey(), ~e.getKey(), out)).isTrue();
            assertThat(out[0]).isEqualTo(e.getValue());
        }
        final int[] visited = {0};
        m.forEach((k0, k1, v) ->
        {
            assertThat(model.get(k0)).isEqualTo(v);
            visited[0]++;
        });
        assertThat(visited[0]).isEqualTo(model.size());
    }
}
