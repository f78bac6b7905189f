package io.flowclash.datapath.bpf;

import io.flowclash.datapath.flow.Tuple;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.flowclash.datapath.bpf.BpfMapDescriptor.*;

/**
 * The in-process storage engine: a BPF hash map in Agrona off-heap memory (layout in {@link BpfMapDescriptor}),
 * shaped like kernel/bpf/hashtab.c with preallocated elements: {@code roundup_pow_of_two(max_entries)} buckets,
 * each with its own spinlock and a nulls-terminated chain; {@code max_entries} elements on a free list. A plain
 * hash fails a new key with {@code -E2BIG} when no element is free; an LRU hash evicts one whose reference bit is
 * clear (CLOCK, a second chance for elements looked up since the hand last passed: the effect of the kernel's
 * ref bit and active/inactive lists, without its per-CPU lists).
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>Writers hold the bucket's lock to link, unlink or change an element of that bucket; the LRU hand takes the
 *     victim's bucket lock and never holds two bucket locks at once (no lock order to keep).</li>
 *     <li>Each element has a sequence: a writer makes it odd (opaque store + StoreStore fence), writes key and
 *     value, then makes it even with a store-release. A lookup reads it (load-acquire), the key and value, a
 *     LoadLoad fence, then the sequence again; a changed or odd sequence means retry. So a lookup returns a value
 *     only together with the key it was written for, and never a torn one.</li>
 *     <li>Heads and next links are published with store-release and read with load-acquire; a deleted element may
 *     be reused at once (as prealloc htab does); a lookup that wanders into another chain ends on that chain's
 *     nulls marker and restarts.</li>
 *     <li>Progress: lookups are lock-free (they retry only when a writer changed what they read); writers block on
 *     one bucket lock at a time. Nothing allocates after construction.</li>
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
    private final AtomicLong freeTop = new AtomicLong();
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
        for (int e = maxEntries - 1; e >= 0; e--)
        {
            pushFree(e);
        }
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
                    if (lru && (flags & REF) == 0)
                    {
                        // bpf_lru_node_set_ref: a plain store, as the kernel's "if (!node->ref) node->ref = 1"
                        buffer.putIntOpaque(e + FLAGS_OFFSET, flags | REF);
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
        int fresh = popFree();
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
                pushFree(fresh);
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
            buffer.putInt(at + FLAGS_OFFSET, IN_USE);
            buffer.putInt(at + BUCKET_OFFSET, b);
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
        pushFree(e);
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
                buffer.putInt(e + FLAGS_OFFSET, 0);
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

    /** CLOCK over the elements: clear reference bits until one without is found, unlink it, hand it over. */
    private int evict()
    {
        final UnsafeBuffer buffer = this.buffer;
        for (int scanned = 0; scanned < 3 * maxEntries; scanned++)
        {
            final int index = Math.floorMod(hand.getAndIncrement(), maxEntries);
            final int at = element(index);
            final int flags = buffer.getIntAcquire(at + FLAGS_OFFSET);
            if ((flags & IN_USE) == 0)
            {
                continue;
            }
            if ((flags & REF) != 0)
            {
                buffer.compareAndSetInt(at + FLAGS_OFFSET, flags, flags & ~REF);
                continue;
            }
            final int b = buffer.getInt(at + BUCKET_OFFSET);
            lock(b);
            try
            {
                final int now = buffer.getInt(at + FLAGS_OFFSET);
                if ((now & IN_USE) == 0 || (now & REF) != 0 || buffer.getInt(at + BUCKET_OFFSET) != b)
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

    private int popFree()
    {
        while (true)
        {
            final long top = freeTop.get();
            final int index = (int)top - 1;
            if (index < 0)
            {
                return -1;
            }
            final int next = buffer.getInt(element(index) + FREE_NEXT_OFFSET);
            if (freeTop.compareAndSet(top, ((top >>> 32) + 1) << 32 | ((next + 1) & 0xFFFF_FFFFL)))
            {
                return index;
            }
        }
    }

    private void pushFree(final int index)
    {
        while (true)
        {
            final long top = freeTop.get();
            buffer.putInt(element(index) + FREE_NEXT_OFFSET, (int)top - 1);
            if (freeTop.compareAndSet(top, ((top >>> 32) + 1) << 32 | (index + 1L)))
            {
                return;
            }
        }
    }

    /**
     * Elements on the free list, counted by walking it: exact only while no writer runs (for leak checks).
     *
     * @return free elements.
     */
    public int freeElements()
    {
        int n = 0;
        for (int index = (int)freeTop.get() - 1; index >= 0 && n <= maxEntries; index = buffer.getInt(element(index) + FREE_NEXT_OFFSET))
        {
            n++;
        }
        return n;
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
        for (int i = 0; i < maxEntries; i++)
        {
            final int at = element(i);
            if ((buffer.getIntAcquire(at + FLAGS_OFFSET) & IN_USE) != 0)
            {
                visitor.entry(buffer.getLong(at + KEY0_OFFSET), buffer.getLong(at + KEY1_OFFSET),
                    buffer.getLong(at + VALUE_OFFSET));
            }
        }
    }

    @Override
    public void close()
    {
        // direct memory is released with the buffer
    }
}
