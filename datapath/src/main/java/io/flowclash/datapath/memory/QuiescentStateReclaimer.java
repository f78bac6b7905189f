package io.flowclash.datapath.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Quiescent-state-based reclamation (QSBR, the model of the kernel's RCU that liburcu calls {@code urcu-qsbr}): an
 * index unlinked from every shared structure is {@link #retire retired}, and goes back to its
 * {@link LockFreeIndexStack} only after a grace period, i.e. once every participant that was online when the
 * grace period started has passed a {@link #quiescent quiescent state} or gone {@link #offline}. Participants are
 * the readers: the workers (one slot each, {@code 0 .. workers - 1}) and guest slots for threads that are not
 * workers (a gc sweep or a listing from another thread) and read only between {@link #online} and
 * {@link #offline}.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>A participant reads shared indices only while online, and holds none across a quiescent state: it calls
 *     {@link #quiescent} between packets and {@link #offline} when it stops. Each slot has a single writer (its
 *     participant). Workers start online; guest slots start offline.</li>
 *     <li>{@link #retire} is called once per index, after the index was unlinked from every structure a reader can
 *     reach it by (the unlink happens-before the retire).</li>
 *     <li>Guarantee: a retired index is pushed to the free stack only after every participant that was online when
 *     the retire became visible to the reclaimer has since passed a quiescent state or gone offline. So a reader
 *     that reached the index before it was unlinked never sees it reused while it still holds it.</li>
 *     <li>Ordering: {@link #quiescent} and {@link #online} store the slot and then issue a full fence (StoreLoad),
 *     so reads of the next critical section cannot be performed before the store is visible; {@link #retire}'s
 *     CAS and {@link #reclaim}'s volatile reads of the slots order the reclaimer's view after the unlink. (A
 *     release store alone is not enough: a reader's next loads could pass its quiescent store, read a node about to
 *     be unlinked, and the reclaimer would then see the new counter and free the node under the reader.)</li>
 *     <li>Progress: {@link #retire} is lock-free (a CAS push); {@link #quiescent}, {@link #online} and
 *     {@link #offline} are wait-free; {@link #reclaim} is run by one thread at a time (a try-lock: other callers
 *     return at once) and never waits for a participant: a grace period that has not passed is checked again on
 *     the next call. Nothing allocates.</li>
 *     <li>Up to {@value #BATCHES} grace periods are tracked at once; when all are waiting, newly retired indices
 *     stay retired until one completes (the pool must have slack for them).</li>
 * </ol>
 */
public final class QuiescentStateReclaimer
{
    /** Grace periods tracked at once. */
    public static final int BATCHES = 8;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 16; // longs: each slot two cache lines from the next
    private static final long OFFLINE = Long.MIN_VALUE;
    private static final long SKIP = Long.MIN_VALUE + 1;
    private static final int NIL = -1;

    private final LockFreeIndexStack free;
    private final int workers;
    private final int participants;
    private final int[] next;
    private final long[] slots;
    private final AtomicLong retiredTop = new AtomicLong();
    private final AtomicBoolean reclaiming = new AtomicBoolean();
    private final int[] batchHead = new int[BATCHES];
    private final long[] batchSnapshot;

    /**
     * @param free    where indices go after their grace period; its capacity bounds the indices.
     * @param workers worker slots {@code 0 .. workers - 1} (online from the start).
     * @param guests  guest slots {@code workers .. workers + guests - 1} (offline until {@link #online}).
     */
    public QuiescentStateReclaimer(final LockFreeIndexStack free, final int workers, final int guests)
    {
        if (workers < 0 || guests < 0 || workers + guests < 1)
        {
            throw new IllegalArgumentException("need at least one participant, got " + workers + " + " + guests);
        }
        this.free = free;
        this.workers = workers;
        this.participants = workers + guests;
        this.next = new int[free.capacity()];
        this.slots = new long[(participants + 1) * PAD];
        this.batchSnapshot = new long[BATCHES * participants];
        java.util.Arrays.fill(batchHead, NIL);
        for (int p = workers; p < participants; p++)
        {
            slots[slot(p)] = OFFLINE;
        }
    }

    private static int slot(final int participant)
    {
        return (participant + 1) * PAD;
    }

    /** @return worker slots. */
    public int workers()
    {
        return workers;
    }

    /** @return worker and guest slots. */
    public int participants()
    {
        return participants;
    }

    // ---------------------------------------------------------------------------------------------- participants

    /**
     * The participant passed a quiescent state: it holds no index read from a shared structure. Only the
     * participant itself calls this for its slot.
     *
     * @param participant its slot.
     */
    public void quiescent(final int participant)
    {
        final int index = slot(participant);
        final long current = slots[index];                       // lp: single writer
        SLOTS.setRelease(slots, index, current == OFFLINE ? 0L : current + 1);
        VarHandle.fullFence();                                   // StoreLoad: before the next critical section
    }

    /**
     * The participant starts reading (a guest before a sweep or listing; a worker that went offline and comes back).
     *
     * @param participant its slot.
     */
    public void online(final int participant)
    {
        quiescent(participant);
    }

    /**
     * The participant stops reading: grace periods no longer wait for it.
     *
     * @param participant its slot.
     */
    public void offline(final int participant)
    {
        SLOTS.setRelease(slots, slot(participant), OFFLINE);     // sr: its reads are done before
    }

    // ---------------------------------------------------------------------------------------------- retire, reclaim

    /**
     * An index was unlinked from every shared structure: return it to the free stack after a grace period.
     *
     * @param index the index.
     */
    public void retire(final int index)
    {
        final int[] next = this.next;
        while (true)
        {
            final long t = retiredTop.get();
            next[index] = (int)t - 1;
            if (retiredTop.compareAndSet(t, ((t >>> 32) + 1) << 32 | (index + 1L)))
            {
                return;
            }
        }
    }

    /**
     * Advance grace periods: push the batches whose grace period has passed to the free stack, and start a new grace
     * period for what was retired since the last call. One thread at a time does this; others return at once.
     *
     * @param caller the calling participant, quiescent for the duration of the call (it holds no shared index), or
     *               -1 for a thread that is no participant.
     * @return indices pushed to the free stack by this call.
     */
    public int reclaim(final int caller)
    {
        if (!reclaiming.compareAndSet(false, true))
        {
            return 0;
        }
        try
        {
            int freed = 0;
            for (int g = 0; g < BATCHES; g++)
            {
                if (batchHead[g] != NIL && gracePassed(g, caller))
                {
                    freed += freeBatch(g);
                }
            }
            final int list = (int)retiredTop.getAndUpdate(t -> (int)t == 0 ? t : ((t >>> 32) + 1) << 32) - 1;
            if (list == NIL)
            {
                return freed;
            }
            for (int g = 0; g < BATCHES; g++)
            {
                if (batchHead[g] == NIL)
                {
                    for (int p = 0; p < participants; p++)
                    {
                        batchSnapshot[g * participants + p] = p == caller ? SKIP :
                            (long)SLOTS.getVolatile(slots, slot(p));
                    }
                    batchHead[g] = list;
                    if (gracePassed(g, caller))
                    {
                        freed += freeBatch(g); // nobody else online: at once (the single-reader case)
                    }
                    return freed;
                }
            }
            giveBack(list);
            return freed;
        }
        finally
        {
            reclaiming.set(false);
        }
    }

    private boolean gracePassed(final int g, final int caller)
    {
        for (int p = 0; p < participants; p++)
        {
            if (p == caller)
            {
                continue;
            }
            final long snap = batchSnapshot[g * participants + p];
            if (snap == OFFLINE || snap == SKIP)
            {
                continue;
            }
            final long now = (long)SLOTS.getVolatile(slots, slot(p));
            if (now != OFFLINE && now == snap)
            {
                return false;
            }
        }
        return true;
    }

    private int freeBatch(final int g)
    {
        int n = 0;
        int index = batchHead[g];
        while (index != NIL)
        {
            final int after = next[index];
            free.push(index);
            index = after;
            n++;
        }
        batchHead[g] = NIL;
        return n;
    }

    /** Every batch is waiting: put the list back on the retired stack for a later call. */
    private void giveBack(final int list)
    {
        int tail = list;
        while (next[tail] != NIL)
        {
            tail = next[tail];
        }
        while (true)
        {
            final long t = retiredTop.get();
            next[tail] = (int)t - 1;
            if (retiredTop.compareAndSet(t, ((t >>> 32) + 1) << 32 | (list + 1L)))
            {
                return;
            }
        }
    }

    /**
     * Indices retired and not yet free, counted by walking the lists: exact only while nobody retires or reclaims
     * (for leak checks and tests).
     *
     * @return retired indices waiting for a grace period.
     */
    public int retiredWhenQuiescent()
    {
        int n = 0;
        final int limit = free.capacity();
        for (int index = (int)retiredTop.get() - 1; index != NIL && n <= limit; index = next[index])
        {
            n++;
        }
        for (int g = 0; g < BATCHES; g++)
        {
            for (int index = batchHead[g]; index != NIL && n <= limit; index = next[index])
            {
                n++;
            }
        }
        return n;
    }
}
