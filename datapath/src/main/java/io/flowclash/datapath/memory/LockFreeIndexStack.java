package io.flowclash.datapath.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free stack (Treiber) of the free indices {@code 0 .. capacity - 1} of a preallocated pool: any thread may
 * {@link #pop} and {@link #push}, none blocks, nothing allocates. The free list of a table's elements: the
 * conntrack pool ({@code nf_conntrack_max} plus slack) and the BPF map's {@code max_entries} elements.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>An index is pushed only by the thread that owns it (it popped it, or it holds the index in no other
 *     structure), and at most once until it is popped again. Under that assumption no index is ever handed out by
 *     {@link #pop} twice without a {@link #push} in between, and {@code pop} never returns an index that is
 *     still in the stack.</li>
 *     <li>The top word packs a 32-bit tag (incremented by every successful push and pop) and {@code index + 1}:
 *     a pop that read the top, then lost the CPU while the same index was popped and pushed back, fails its CAS
 *     on the changed tag (no ABA). The tag wraps after 2^32 operations; a pop stalled across exactly a multiple
 *     of 2^32 operations is the one case not covered [assumption: never met].</li>
 *     <li>Links live in an {@code int[]} owned by the stack: written plainly by the pusher before the CAS that
 *     publishes them (the CAS is a release), read plainly by a popper after its volatile read of the top (an
 *     acquire); a stale link read after a concurrent change is never used, because the CAS then fails.</li>
 *     <li>Progress: push and pop are lock-free (a CAS fails only when another thread succeeded).</li>
 * </ol>
 */
public final class LockFreeIndexStack
{
    /** Returned by {@link #pop} when the stack is empty. */
    public static final int NONE = -1;

    private final int capacity;
    private final int[] next;
    private final AtomicLong top = new AtomicLong();

    /**
     * @param capacity pool size: indices {@code 0 .. capacity - 1}.
     * @param full     true to start with every index free ({@link #pop} returns 0, 1, 2, ... in that order),
     *                 false to start empty.
     */
    public LockFreeIndexStack(final int capacity, final boolean full)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.next = new int[capacity];
        if (full)
        {
            for (int i = 0; i < capacity; i++)
            {
                next[i] = i + 1 < capacity ? i + 1 : NONE;
            }
            top.set(1L); // index 0, tag 0
        }
    }

    /** @return the pool size. */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Take a free index.
     *
     * @return the index, now owned by the caller, or {@link #NONE} if none is free.
     */
    public int pop()
    {
        final int[] next = this.next;
        while (true)
        {
            final long t = top.get();                      // lv: acquire, links pushed before it are visible
            final int index = (int)t - 1;
            if (index < 0)
            {
                return NONE;
            }
            final int after = next[index];                 // lp: racy, validated by the CAS below
            if (top.compareAndSet(t, tagged(t, after)))
            {
                return index;
            }
        }
    }

    /**
     * Give an index back.
     *
     * @param index an index the caller owns, not in the stack.
     */
    public void push(final int index)
    {
        final int[] next = this.next;
        while (true)
        {
            final long t = top.get();
            next[index] = (int)t - 1;                      // sp: published by the CAS
            if (top.compareAndSet(t, tagged(t, index)))
            {
                return;
            }
        }
    }

    private static long tagged(final long previous, final int index)
    {
        return ((previous >>> 32) + 1) << 32 | ((index + 1) & 0xFFFF_FFFFL);
    }

    /**
     * Free indices, counted by walking the stack: exact only while nobody pushes or pops (for leak checks and
     * tests, never on a hot path). A walk longer than the capacity (a cycle: a corrupt stack) stops there.
     *
     * @return free indices.
     */
    public int countWhenQuiescent()
    {
        int n = 0;
        for (int index = (int)top.get() - 1; index >= 0 && n <= capacity; index = next[index])
        {
            n++;
        }
        return n;
    }
}
