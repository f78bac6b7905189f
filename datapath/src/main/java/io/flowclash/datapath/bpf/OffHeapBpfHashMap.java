package io.flowclash.datapath.bpf;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.memory.LockFreeIndexStack;
import io.flowclash.datapath.memory.PoolCensus;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowclash.datapath.bpf.BpfMapDescriptor.*;

/**
 * The in-process storage engine: a BPF hash map in Agrona off-heap memory (layout in {@link BpfMapDescriptor}),
 * shaped like kernel/bpf/hashtab.c with preallocated elements: {@code roundup_pow_of_two(max_entries)} buckets,
 * each with its own spinlock and a nulls-terminated chain; {@code max_entries} elements on a free list (a
 * {@link LockFreeIndexStack}). A plain hash fails a new key with {@code -E2BIG} when no element is free; an LRU
 * hash evicts one whose reference bit is clear (CLOCK, a second chance for elements looked up since the hand last
 * passed: the effect of the kernel's ref bit and active/inactive lists, without its per-CPU lists).
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>Writers hold the bucket's lock to link, unlink or change an element of that bucket; the LRU hand takes the
 *     victim's bucket lock and never holds two bucket locks at once (no lock order to keep).</li>
 *     <li>The flags word (IN_USE) and the bucket word of an element are written only by a writer holding the lock
 *     of the bucket the element is linked into or unlinked from, inside the element's odd sequence. Lookups never
 *     write them: the LRU reference bit is a word of its own (REF_OFFSET), set by lookups with an opaque store, as
 *     the kernel's {@code bpf_lru_node_set_ref} sets {@code node->ref}, a {@code u8} of its own in
 *     {@code struct bpf_lru_node} (kernel/bpf/bpf_lru_list.h); so a lookup racing a delete can never bring IN_USE
 *     back. A stale reference store on an element deleted and reused meanwhile only gives the new
 *     key a second chance, as in the kernel.</li>
 *     <li>A new element is published in this order: BUCKET, then FLAGS = IN_USE with a store-release, then the even
 *     sequence and the bucket head (store-release). The LRU hand reads FLAGS with load-acquire before BUCKET, takes
 *     that bucket's lock and reads both again: an element IN_USE whose BUCKET is the locked bucket is linked in it
 *     (every change of either for that bucket happens under that lock, and a writer linking it elsewhere wrote the
 *     new BUCKET before its IN_USE). Otherwise the hand moves on: it never unlinks an element from a bucket it has
 *     left.</li>
 *     <li>Each element has a sequence: a writer makes it odd (opaque store + StoreStore fence), writes key, value
 *     and flags, then makes it even with a store-release. A lookup (and {@link #forEach}) reads it (load-acquire),
 *     the key, value and flags, a LoadLoad fence, then the sequence again; a changed or odd sequence means retry.
 *     So a lookup returns a value only together with the key it was written for, and never a torn one.</li>
 *     <li>Heads and next links are published with store-release and read with load-acquire; a deleted element may
 *     be reused at once (as prealloc htab does: no grace period, unlike the conntrack pool); a lookup that wanders
 *     into another chain ends on that chain's nulls marker and restarts.</li>
 *     <li>Progress: lookups are lock-free (they retry only when a writer changed what they read); writers block on
 *     one bucket lock at a time; the free list is lock-free. Nothing allocates after construction.</li>
 * </ol>
 */
public final class OffHeapBpfHashMap implements BpfHashMap
{
    private final UnsafeBuffer buffer;
    private final int maxEntries;
    private final int bucketMask;
    private final int elementsOffset;
    private final boolean lru;
    private final long hashSeed;
    private final AtomicInteger count = new AtomicInteger();
    private final LockFreeIndexStack free;
    private final AtomicInteger hand = new AtomicInteger();

    /**
     * @param maxEntries {@code max_entries}, at least 1.
     * @param lru        LRU hash (evicts) or plain hash (E2BIG when full).
     * @param hashSeed   seed of the bucket hash.
     */
    public OffHeapBpfHashMap(final int maxEntries, final boolean lru, final long hashSeed)
    {
        if (maxEntries < 1 || maxEntries > (1 << 24))
        {
            throw new IllegalArgumentException("max_entries must be 1.." + (1 << 24) + ", got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.lru = lru;
        this.hashSeed = hashSeed;
        final int buckets = Math.max(2, Integer.highestOneBit(maxEntries - 1 == 0 ? 1 : maxEntries - 1) << 1);
        this.bucketMask = buckets - 1;
        this.elementsOffset = buckets * BUCKET_LENGTH;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            elementsOffset + maxEntries * ELEMENT_LENGTH, ELEMENT_LENGTH));
        for (int b = 0; b < buckets; b++)
        {
            buffer.putInt(b * BUCKET_LENGTH + HEAD_OFFSET, nulls(b));
            buffer.putInt(b * BUCKET_LENGTH + LOCK_OFFSET, 0);
        }
        this.free = new LockFreeIndexStack(maxEntries, true);
    }

    private int element(final int index)
    {
        return elementsOffset + index * ELEMENT_LENGTH;
    }

    private int bucket(final long k0, final long k1)
    {
        return (int)Tuple.hash(k0, k1, hashSeed) & bucketMask;
    }

    @Override
    public boolean lookup(final long k0, final long k1, final long[] out)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int b = bucket(k0, k1);
        restart:
        while (true)
        {
            int link = buffer.getIntAcquire(b * BUCKET_LENGTH + HEAD_OFFSET);
            while (link > 0)
            {
                final int e = element(link - 1);
                final long seq = buffer.getLongAcquire(e + SEQUENCE_OFFSET);
                final long key0 = buffer.getLong(e + KEY0_OFFSET);
                final long key1 = buffer.getLong(e + KEY1_OFFSET);
                final long value = buffer.getLong(e + VALUE_OFFSET);
                final int flags = buffer.getInt(e + FLAGS_OFFSET);
                final int next = buffer.getIntAcquire(e + NEXT_OFFSET);
                VarHandle.loadLoadFence(); // LoadLoad: the reads above before the sequence re-check
                if ((seq & 1) != 0 || buffer.getLong(e + SEQUENCE_OFFSET) != seq)
                {
                    Thread.onSpinWait();
                    continue restart;
                }
                if (key0 == k0 && key1 == k1 && (flags & IN_USE) != 0)
                {
                    if (lru && buffer.getIntOpaque(e + REF_OFFSET) == 0)
                    {
                        // bpf_lru_node_set_ref: its own word, never the flags (see the class contract)
                        buffer.putIntOpaque(e + REF_OFFSET, 1);
                    }
                    out[0] = value;
                    return true;
                }
                link = next;
            }
            if (link != nulls(b))
            {
                continue; // ended in another bucket's chain: an element moved under us (search_restart)
            }
            return false;
        }
    }

    @Override
    public int update(final long k0, final long k1, final long value, final int flags)
    {
        if (flags != BPF_ANY && flags != BPF_NOEXIST && flags != BPF_EXIST)
        {
            return EINVAL;
        }
        final int b = bucket(k0, k1);
        lock(b);
        try
        {
            final int e = find(b, k0, k1);
            if (e >= 0)
            {
                if (flags == BPF_NOEXIST)
                {
                    return EEXIST;
                }
                writeValue(element(e), value);
                return OK;
            }
            if (flags == BPF_EXIST)
            {
                return ENOENT;
            }
        }
        finally
        {
            unlock(b);
        }
        // a new key: take an element first, without our bucket lock held (as prealloc_lru_pop / alloc_htab_elem)
        boolean evicted = false;
        int fresh = free.pop();
        if (fresh < 0)
        {
            if (!lru)
            {
                return E2BIG;
            }
            fresh = evict();
            if (fresh < 0)
            {
                return E2BIG;
            }
            evicted = true;
        }
        lock(b);
        try
        {
            final int e = find(b, k0, k1);
            if (e >= 0)
            {
                // inserted by another writer meanwhile
                free.push(fresh);
                if (flags == BPF_NOEXIST)
                {
                    return EEXIST;
                }
                writeValue(element(e), value);
                return evicted ? OK_EVICTED : OK;
            }
            final int at = element(fresh);
            final long seq = buffer.getLong(at + SEQUENCE_OFFSET);
            buffer.putLongOpaque(at + SEQUENCE_OFFSET, seq + 1);
            VarHandle.storeStoreFence(); // StoreStore: odd sequence before the new contents
            buffer.putLong(at + KEY0_OFFSET, k0);
            buffer.putLong(at + KEY1_OFFSET, k1);
            buffer.putLong(at + VALUE_OFFSET, value);
            buffer.putIntOpaque(at + REF_OFFSET, 0);
            buffer.putInt(at + BUCKET_OFFSET, b);
            buffer.putIntRelease(at + FLAGS_OFFSET, IN_USE); // sr: BUCKET before IN_USE (the LRU hand's re-check)
            buffer.putInt(at + NEXT_OFFSET, buffer.getInt(b * BUCKET_LENGTH + HEAD_OFFSET));
            buffer.putLongRelease(at + SEQUENCE_OFFSET, seq + 2);
            buffer.putIntRelease(b * BUCKET_LENGTH + HEAD_OFFSET, fresh + 1); // sr: publish the complete element
            count.incrementAndGet();
            return evicted ? OK_EVICTED : OK;
        }
        finally
        {
            unlock(b);
        }
    }

    @Override
    public int delete(final long k0, final long k1)
    {
        final int b = bucket(k0, k1);
        final int e;
        lock(b);
        try
        {
            e = find(b, k0, k1);
            if (e < 0)
            {
                return ENOENT;
            }
            unlinkLocked(b, e);
        }
        finally
        {
            unlock(b);
        }
        free.push(e);
        return OK;
    }

    /** Caller holds the bucket lock. */
    private void unlinkLocked(final int b, final int index)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int target = index + 1;
        int prevOffset = b * BUCKET_LENGTH + HEAD_OFFSET;
        int link = buffer.getInt(prevOffset);
        while (link > 0)
        {
            final int e = element(link - 1);
            if (link == target)
            {
                buffer.putIntRelease(prevOffset, buffer.getInt(e + NEXT_OFFSET));
                final long seq = buffer.getLong(e + SEQUENCE_OFFSET);
                buffer.putLongOpaque(e + SEQUENCE_OFFSET, seq + 1);
                VarHandle.storeStoreFence();
                buffer.putIntRelease(e + FLAGS_OFFSET, 0);
                buffer.putLongRelease(e + SEQUENCE_OFFSET, seq + 2);
                count.decrementAndGet();
                return;
            }
            prevOffset = e + NEXT_OFFSET;
            link = buffer.getInt(prevOffset);
        }
        throw new IllegalStateException("element " + index + " not in bucket " + b);
    }

    /** Caller holds the bucket lock. @return element index, or -1. */
    private int find(final int b, final long k0, final long k1)
    {
        final UnsafeBuffer buffer = this.buffer;
        int link = buffer.getInt(b * BUCKET_LENGTH + HEAD_OFFSET);
        while (link > 0)
        {
            final int e = element(link - 1);
            if (buffer.getLong(e + KEY0_OFFSET) == k0 && buffer.getLong(e + KEY1_OFFSET) == k1)
            {
                return link - 1;
            }
            link = buffer.getInt(e + NEXT_OFFSET);
        }
        return -1;
    }

    private void writeValue(final int at, final long value)
    {
        final long seq = buffer.getLong(at + SEQUENCE_OFFSET);
        buffer.putLongOpaque(at + SEQUENCE_OFFSET, seq + 1);
        VarHandle.storeStoreFence(); // StoreStore: odd sequence before the new value
        buffer.putLong(at + VALUE_OFFSET, value);
        buffer.putLongRelease(at + SEQUENCE_OFFSET, seq + 2);
    }

    /**
     * CLOCK over the elements: clear reference bits until one without is found, unlink it under its bucket's lock
     * after checking that it is still linked there (see the class contract), hand it over.
     */
    private int evict()
    {
        final UnsafeBuffer buffer = this.buffer;
        for (int scanned = 0; scanned < 3 * maxEntries; scanned++)
        {
            final int index = Math.floorMod(hand.getAndIncrement(), maxEntries);
            final int at = element(index);
            if ((buffer.getIntAcquire(at + FLAGS_OFFSET) & IN_USE) == 0)
            {
                continue;
            }
            if (buffer.getIntOpaque(at + REF_OFFSET) != 0)
            {
                buffer.putIntOpaque(at + REF_OFFSET, 0); // second chance used (a racing lookup may set it again)
                continue;
            }
            final int b = buffer.getInt(at + BUCKET_OFFSET) & bucketMask;
            lock(b);
            try
            {
                // la: IN_USE before BUCKET, both as the last writer under this lock (or a later one) left them
                final int now = buffer.getIntAcquire(at + FLAGS_OFFSET);
                if ((now & IN_USE) == 0 || buffer.getInt(at + BUCKET_OFFSET) != b ||
                    buffer.getIntOpaque(at + REF_OFFSET) != 0)
                {
                    continue;
                }
                unlinkLocked(b, index);
                return index;
            }
            finally
            {
                unlock(b);
            }
        }
        return -1;
    }

    private void lock(final int b)
    {
        final int at = b * BUCKET_LENGTH + LOCK_OFFSET;
        while (!buffer.compareAndSetInt(at, 0, 1))
        {
            while (buffer.getIntOpaque(at) != 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private void unlock(final int b)
    {
        buffer.putIntRelease(b * BUCKET_LENGTH + LOCK_OFFSET, 0);
    }

    /**
     * Elements on the free list, counted by walking it: exact only while no writer runs (for leak checks).
     *
     * @return free elements.
     */
    public int freeElements()
    {
        return free.countWhenQuiescent();
    }

    /**
     * Where every element is, while no writer runs: live = elements {@link #forEach} lists (not {@link #size}, so
     * that an element IN_USE but unlinked, or counted but not listed, shows as a leak).
     *
     * @param name the map's name, for the census.
     * @return the census.
     */
    @Override
    public PoolCensus census(final String name)
    {
        final int[] listed = new int[1];
        forEach((k0, k1, v) -> listed[0]++);
        return new PoolCensus(name, maxEntries, maxEntries, listed[0], free.countWhenQuiescent(), 0);
    }

    @Override
    public int size()
    {
        return count.get();
    }

    @Override
    public int maxEntries()
    {
        return maxEntries;
    }

    @Override
    public boolean lru()
    {
        return lru;
    }

    @Override
    public void forEach(final EntryVisitor visitor)
    {
        final UnsafeBuffer buffer = this.buffer;
        for (int i = 0; i < maxEntries; i++)
        {
            final int at = element(i);
            while (true)
            {
                // the lookup's sequence check: key, value and flags of one write, never torn
                final long seq = buffer.getLongAcquire(at + SEQUENCE_OFFSET);
                final int flags = buffer.getInt(at + FLAGS_OFFSET);
                final long key0 = buffer.getLong(at + KEY0_OFFSET);
                final long key1 = buffer.getLong(at + KEY1_OFFSET);
                final long value = buffer.getLong(at + VALUE_OFFSET);
                VarHandle.loadLoadFence(); // LoadLoad: the reads above before the sequence re-check
                if ((seq & 1) != 0 || buffer.getLong(at + SEQUENCE_OFFSET) != seq)
                {
                    Thread.onSpinWait();
                    continue;
                }
                if ((flags & IN_USE) != 0)
                {
                    visitor.entry(key0, key1, value);
                }
                break;
            }
        }
    }

    @Override
    public void close()
    {
        // direct memory is released with the buffer
    }
}
