package io.flowclash.datapath.bpf;

import io.flowclash.datapath.memory.PoolCensus;

/**
 * A BPF hash map ({@code BPF_MAP_TYPE_HASH} or {@code BPF_MAP_TYPE_LRU_HASH}) with fixed-size primitive keys
 * (two longs) and values (one long): {@code bpf_map_update_elem}, {@code bpf_map_lookup_elem},
 * {@code bpf_map_delete_elem} semantics as kernel/bpf/hashtab.c and Documentation/bpf/map_hash.rst describe them
 * (cilium-and-peers.md A.3). Operations return 0 or a negative errno, never throw on a map condition, and allocate
 * nothing.
 *
 * <p>Thread safety: every method may be called from any thread. Writers to one bucket serialise; lookups take no
 * lock and return a value exactly as some update wrote it, never a mix of two (a value is one long, written and
 * read whole; the key is validated with the value).
 */
public interface BpfHashMap extends AutoCloseable
{
    /** Create a new element or update an existing one. */
    int BPF_ANY = 0;
    /** Create a new element only if it did not exist. */
    int BPF_NOEXIST = 1;
    /** Update an existing element. */
    int BPF_EXIST = 2;

    /** Success. */
    int OK = 0;
    /** Success, and the LRU evicted an element to make room (LRU maps only). */
    int OK_EVICTED = 1;
    /** {@code -ENOENT}: BPF_EXIST (or delete) of a missing key. */
    int ENOENT = -2;
    /** {@code -E2BIG}: a new key in a full plain hash map. */
    int E2BIG = -7;
    /** {@code -EEXIST}: BPF_NOEXIST of an existing key. */
    int EEXIST = -17;
    /** {@code -EINVAL}: bad flags. */
    int EINVAL = -22;

    /**
     * {@code bpf_map_update_elem}.
     *
     * @param k0    key, first word.
     * @param k1    key, second word.
     * @param value value.
     * @param flags {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}.
     * @return {@link #OK}, {@link #OK_EVICTED} or a negative errno.
     */
    int update(long k0, long k1, long value, int flags);

    /**
     * {@code bpf_map_lookup_elem}. In an LRU map a hit sets the element's reference bit.
     *
     * @param k0  key, first word.
     * @param k1  key, second word.
     * @param out receives the value at index 0 when found.
     * @return true if found.
     */
    boolean lookup(long k0, long k1, long[] out);

    /**
     * {@code bpf_map_delete_elem}.
     *
     * @param k0 key, first word.
     * @param k1 key, second word.
     * @return {@link #OK} or {@link #ENOENT}.
     */
    int delete(long k0, long k1);

    /** @return elements in the map. */
    int size();

    /** @return {@code max_entries}. */
    int maxEntries();

    /** @return true for an LRU map. */
    boolean lru();

    /** Receives entries of {@link #forEach}. */
    interface EntryVisitor
    {
        /**
         * @param k0    key, first word.
         * @param k1    key, second word.
         * @param value value.
         */
        void entry(long k0, long k1, long value);
    }

    /**
     * Visit every element (not atomic as a whole: concurrent updates may or may not be seen).
     *
     * @param visitor receives entries.
     */
    void forEach(EntryVisitor visitor);

    /**
     * Where the map's {@code max_entries} elements are, while no writer runs (for leak checks): live = entries
     * {@link #forEach} lists, free = {@code max_entries - size()} unless the engine counts its free list itself.
     *
     * @param name the map's name.
     * @return the census.
     */
    default PoolCensus census(final String name)
    {
        final int[] listed = new int[1];
        forEach((k0, k1, v) -> listed[0]++);
        return new PoolCensus(name, maxEntries(), maxEntries(), listed[0], maxEntries() - size(), 0);
    }

    /** Release the map's memory (or unmap its file; a pinned map's entries stay in the file). */
    @Override
    void close();
}
