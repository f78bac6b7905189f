package io.flowclash.datapath.conntrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gc's index of {@link StripedLockConntrackTable}: which entries a sweep must look at. A hashed timer wheel of
 * entry indices by the expiry second a sweep last read for them (lazy, as a timer wheel whose timers are re-armed
 * only when they fire: a refresh moves no entry), fed by one log of newly linked entries per worker. It decides
 * only what a sweep reads, never what it kills: the sweep kills what it finds confirmed, not dying and expired, as
 * the full scan of every bucket does, and {@code StripedLockConntrackTableSweepTest} holds the two against each
 * other. The kernel's gc worker (4.7+, {@code gc_worker}) scans buckets; before 4.7 every entry had its own timer
 * ({@code add_timer} in {@code __nf_conntrack_confirm}). Either way every expired entry goes; this index only
 * spares the model the buckets where nothing can have expired.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>One sweeper at a time (the table's gc lock): the wheel's arrays are read and written plainly by it only.
 *     </li>
 *     <li>Logs: one per worker, single producer (the worker that linked the entry, {@link #logLinked}) and single
 *     consumer (the sweeper): the producer writes the slot plainly, then its tail with a store-release; the
 *     consumer loads the tail with a load-acquire, so an index it reads is one whose link (and timeout) happened
 *     before. A full log drops the index and marks the index stale instead (no allocation, no waiting).</li>
 *     <li>Invariant kept between sweeps: every live entry (confirmed, not dying) is in the wheel at the second of a
 *     timeout it has had, at or after the last sweep's second, or in a log; and no live entry's timeout has gone
 *     down since the sweep read it. A timeout that goes down ({@link #timeoutLowered}: a packet older than the
 *     last refresh, virtual time going back), a full log, or a sweep back in time breaks it: the next sweep then
 *     rebuilds the wheel from a scan of every bucket ({@link #rebuildTaken}, an atomic exchange, so a mark set
 *     while a sweep runs is seen by the next one).</li>
 *     <li>So a sweep at {@code now} reads every live entry whose timeout is at most {@code now}: those in the
 *     wheel's seconds from the last sweep's to {@code now}'s, and those in the logs. An entry linked, or a timeout
 *     lowered, by a packet running beside a sweep may be judged by the next sweep only, as the full scan of a
 *     bucket it already passed would.</li>
 *     <li>An index in the wheel or a log may have been killed, freed and reused since: the sweep judges whatever
 *     entry lives there now (its status, its timeout); it drops dead ones. The sweeper is online while it sweeps
 *     (a worker, or the guest), so an entry it reads is not freed under it.</li>
 *     <li>Per-entry state lives in arrays of its own (not in the entry's cache line); nothing allocates after
 *     construction.</li>
 * </ol>
 */
final class SingleSweeperExpiryWheel
{
    /**
     * Width of a wheel slot: 2^28 virtual ns, about 0.27 s (narrow, so a sweep every second reads few entries of
     * its own second that have not expired yet).
     */
    static final int SLOT_SHIFT = 28;
    /** Slots: a horizon of about 275 s; a later timeout waits in its slot and is read again each turn. */
    static final int SLOTS = 1024;
    /** Indices a worker's log holds between two sweeps. */
    static final int LOG = 8192;

    private static final int NIL = -1;
    private static final int OUT = -1;
    private static final int PAD = 16; // ints: each worker's cursor on a line of its own
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] slotHead = new int[SLOTS];
    /** Per entry: next and previous entry in its slot's list (doubly linked: an entry is moved in O(1)). */
    private final int[] next;
    private final int[] prev;
    /** Per entry: its slot, or {@link #OUT}. */
    private final int[] slotOf;
    private final int[][] logs;
    /** Per worker at {@code (w + 1) * PAD}: indices logged (written by the worker, release). */
    private final int[] logTail;
    /** Per worker at {@code (w + 1) * PAD}: indices drained (written by the sweeper, release). */
    private final int[] logHead;
    private final AtomicBoolean rebuild = new AtomicBoolean(true);
    private long lastSlot;
    private long lastNow;

    /**
     * @param capacity entries of the table's pool.
     * @param workers  workers that link entries.
     */
    SingleSweeperExpiryWheel(final int capacity, final int workers)
    {
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.slotOf = new int[capacity];
        this.logs = new int[workers][LOG];
        this.logTail = new int[(workers + 2) * PAD];
        this.logHead = new int[(workers + 2) * PAD];
        clear();
    }

    // ------------------------------------------------------------------------------------------------ workers

    /**
     * A worker linked entry {@code c} into the table (called after the link, by the linking worker only).
     *
     * @param c      entry.
     * @param worker the worker that linked it.
     */
    void logLinked(final int c, final int worker)
    {
        final int at = (worker + 1) * PAD;
        final int tail = logTail[at]; // lp: this worker is the only writer
        if (tail - (int)INTS.getAcquire(logHead, at) >= LOG)
        {
            markStale(); // rare: more links between two sweeps than the log holds
            return;
        }
        logs[worker][tail & (LOG - 1)] = c;
        INTS.setRelease(logTail, at, tail + 1); // sr: the slot before the tail
    }

    /** A confirmed entry's timeout went down: the wheel may hold it too late. Any thread. */
    void timeoutLowered()
    {
        markStale();
    }

    private void markStale()
    {
        if (!rebuild.getOpaque())
        {
            rebuild.set(true);
        }
    }

    // ------------------------------------------------------------------------------------------------ sweeper

    /**
     * Start a sweep at {@code now}: tell whether it must scan every bucket (and rebuild the wheel with
     * {@link #rebuildAdd}), and clear the mark. True for the first sweep, after a mark, and when {@code now} is
     * earlier than the last sweep's.
     *
     * @param now virtual time of the sweep.
     * @return true if the sweep must scan every bucket.
     */
    boolean rebuildTaken(final long now)
    {
        final boolean all = rebuild.getAndSet(false) || now - lastNow < 0;
        if (all)
        {
            // indices logged up to here were linked before: the scan finds them; later ones stay for the next sweep
            for (int w = 0; w < logs.length; w++)
            {
                final int at = (w + 1) * PAD;
                INTS.setRelease(logHead, at, (int)INTS.getAcquire(logTail, at));
            }
            clear();
            lastSlot = slotOfTime(now);
        }
        return all;
    }

    /**
     * During a rebuild: put a live entry that was not killed in the wheel (once; entries have two nodes).
     *
     * @param c       entry.
     * @param timeout its timeout, later than the sweep's time.
     */
    void rebuildAdd(final int c, final long timeout)
    {
        if (slotOf[c] == OUT)
        {
            add(c, timeout);
        }
    }

    /**
     * The entries logged since the last sweep, moved to the slots of their timeouts.
     *
     * @param table the table.
     */
    void drainLogs(final StripedLockConntrackTable table)
    {
        for (int w = 0; w < logs.length; w++)
        {
            final int at = (w + 1) * PAD;
            final int head = logHead[at]; // lp: the sweeper is the only writer
            final int tail = (int)INTS.getAcquire(logTail, at); // la: the slots below it are written
            final int[] log = logs[w];
            for (int i = head; i != tail; i++)
            {
                final int c = log[i & (LOG - 1)];
                remove(c);
                if (StripedLockConntrackTable.live(table.status(c)))
                {
                    add(c, table.timeout(c));
                }
            }
            INTS.setRelease(logHead, at, tail); // sr: the slots are read before the worker may reuse them
        }
    }

    /**
     * Detach the list of a slot the sweep at {@code now} must read: the slots from the last sweep's second to
     * {@code now}'s (all of them if that spans the wheel). The caller takes the entries out one by one with
     * {@link #takeNext} before it {@link #add}s any of them again.
     *
     * @param k   0 for the first slot, then 1, 2, ... while less than {@link #slotsToRead}.
     * @return the first entry of the slot's list, or {@link #NIL}.
     */
    int detach(final int k)
    {
        final int slot = (int)((lastSlot + k) & (SLOTS - 1));
        final int first = slotHead[slot];
        slotHead[slot] = NIL;
        return first;
    }

    /**
     * @param now virtual time of the sweep (not before the last sweep's).
     * @return slots {@link #detach} must be called for.
     */
    int slotsToRead(final long now)
    {
        return (int)Math.min(slotOfTime(now) - lastSlot + 1, SLOTS);
    }

    /**
     * Take an entry of a detached list out of the wheel.
     *
     * @param c an entry of a detached list.
     * @return the next one, or {@link #NIL}.
     */
    int takeNext(final int c)
    {
        slotOf[c] = OUT;
        return next[c];
    }

    /**
     * End the sweep at {@code now}.
     *
     * @param now virtual time of the sweep.
     */
    void swept(final long now)
    {
        lastNow = now;
        lastSlot = slotOfTime(now);
    }

    /**
     * Put entry {@code c} (not in the wheel) in the slot of {@code timeout}, or of the first second the next sweep
     * reads if {@code timeout} is earlier.
     *
     * @param c       entry.
     * @param timeout its timeout as read.
     */
    void add(final int c, final long timeout)
    {
        final int slot = (int)(Math.max(slotOfTime(timeout), lastSlot) & (SLOTS - 1));
        final int first = slotHead[slot];
        next[c] = first;
        prev[c] = NIL;
        if (first != NIL)
        {
            prev[first] = c;
        }
        slotHead[slot] = c;
        slotOf[c] = slot;
    }

    private void remove(final int c)
    {
        final int slot = slotOf[c];
        if (slot == OUT)
        {
            return;
        }
        final int n = next[c];
        final int p = prev[c];
        if (p == NIL)
        {
            slotHead[slot] = n;
        }
        else
        {
            next[p] = n;
        }
        if (n != NIL)
        {
            prev[n] = p;
        }
        slotOf[c] = OUT;
    }

    private void clear()
    {
        Arrays.fill(slotHead, NIL);
        Arrays.fill(slotOf, OUT);
    }

    private static long slotOfTime(final long t)
    {
        return t >> SLOT_SHIFT;
    }
}
