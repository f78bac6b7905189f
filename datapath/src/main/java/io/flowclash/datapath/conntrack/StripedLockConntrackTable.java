package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.memory.LockFreeIndexStack;
import io.flowclash.datapath.memory.PoolCensus;
import io.flowclash.datapath.memory.QuiescentStateReclaimer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;

/**
 * The conntrack hash table: entries ({@link ConnDescriptor}) in a preallocated {@code long[]} pool, bounded by
 * {@code nf_conntrack_max}; each confirmed entry has an ORIGINAL and a REPLY node in singly linked bucket chains
 * ({@code int[]} heads and next pointers); writers serialise on striped spinlocks over buckets (CONNTRACK_LOCKS),
 * readers take no lock. Era behaviour lives in the classes {@link NetfilterDatapath} calls; of the era this class only
 * takes its table policy (the early_drop mode, and which table statistics the era counts) at construction.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>Callers link and unlink nodes only while holding the stripe lock(s) of the buckets involved
 *     ({@link #lockBuckets}, two stripes taken in index order, as {@code nf_conntrack_double_lock}).</li>
 *     <li>Publication: an entry is fully written (tuples, absolute timeout, CONFIRMED) before its node is linked;
 *     linking writes the node's next pointer plainly and then the predecessor (bucket head) with a store-release.
 *     Lookups load heads and next pointers with load-acquire, so a node reached by a lookup is seen whole:
 *     a lookup never sees a half-written entry (the Java form of {@code hlist_nulls_add_head_rcu}).</li>
 *     <li>Unlinking leaves the removed node's own next pointer intact, so a lookup standing on it walks on
 *     ({@code hlist_nulls_del_rcu}).</li>
 *     <li>Reuse is deferred (RCU): a killed entry is retired to a {@link QuiescentStateReclaimer} and returns to
 *     the free pool ({@link LockFreeIndexStack}) only after every online worker has passed a quiescent state
 *     ({@link #quiescent}) since it was killed. A worker that holds an entry index for the duration of one packet
 *     therefore never sees it reused. Unconfirmed entries were never visible and are freed at once.</li>
 *     <li>A thread that is no worker ({@code worker = -1}: a gc sweep or a listing from another thread) reads the
 *     chains as a guest participant of the same scheme: {@link #sweep} and {@link #forEach} put it online in the
 *     guest slot for their duration, so entries it stands on are not reused under it either. Guest sweeps and
 *     listings take turns (one guest slot, a monitor: neither is a per-packet path).</li>
 *     <li>Status bits are set and cleared atomically (set_bit); timeouts are written with opaque stores by any
 *     worker (refresh), as the kernel's WRITE_ONCE.</li>
 *     <li>Progress: lookups are wait-free; writers are blocking on spinlocks of their buckets only; the free
 *     pool is a lock-free tagged stack (the kernel uses per-CPU slab caches: one shared stack is a
 *     simplification); allocate and free allocate nothing.</li>
 * </ol>
 */
public final class StripedLockConntrackTable
{
    /** No node / no entry. */
    public static final int NIL = -1;
    /** Returned by {@link #allocate} when the table is full and nothing could be evicted. */
    public static final int FULL = -2;

    static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private static final int LOCK_PAD = 16; // ints: one stripe per 64-byte line
    /** Buckets early_drop scans from the new tuple's bucket (NF_CT_EVICTION_RANGE). */
    static final int EVICTION_RANGE = 8;

    final long[] conns;
    private final int[] heads;
    private final int[] next;
    private final int[] locks;
    private final int bucketMask;
    private final int stripeMask;
    private final long hashSeed;
    private final int maxEntries;
    private final int capacity;
    private final DatapathCounters counters;
    private final ConntrackEra.EarlyDrop earlyDropMode;
    private final boolean lookupStats;
    private final boolean deleteStats;
    private final AtomicInteger count = new AtomicInteger();
    private final LockFreeIndexStack pool;
    private final QuiescentStateReclaimer reclaimer;
    /** The reclaimer's slot for threads that are no worker; {@link #guest} is its monitor. */
    private final int guestSlot;
    private final Object guest = new Object();
    /** Guest sections open on the thread holding {@link #guest} (a visitor may sweep or list again). */
    private int guestDepth;
    /** What a worker's sweep reads; used under {@link #gcLock} (one such sweep at a time). */
    private final SingleSweeperExpiryWheel wheel;
    private final Object gcLock = new Object();
    /** Tests only: true makes every sweep scan every bucket (the oracle of {@link #wheel}). */
    boolean fullScanOnly;

    /**
     * @param maxEntries  {@code nf_conntrack_max}.
     * @param buckets     bucket count, a power of two.
     * @param lockStripes lock stripes, a power of two.
     * @param workers     workers that read the table.
     * @param hashSeed    seed of the bucket hash.
     * @param counters    where {@code found} and {@code early_drop} are counted.
     * @param era         the era's table policy: its early_drop mode and which table statistics it keeps.
     */
    public StripedLockConntrackTable(
        final int maxEntries,
        final int buckets,
        final int lockStripes,
        final int workers,
        final long hashSeed,
        final DatapathCounters counters,
        final ConntrackEra era)
    {
        this.earlyDropMode = era.earlyDrop;
        this.lookupStats = era.lookupStats;
        this.deleteStats = era.deleteStats;
        this.maxEntries = maxEntries;
        // slack for entries retired and waiting for a grace period and for unconfirmed entries in flight
        this.capacity = maxEntries + Math.max(64, maxEntries / 8) + 8 * workers;
        this.conns = new long[capacity * STRIDE];
        this.next = new int[capacity * 2];
        this.heads = new int[buckets];
        java.util.Arrays.fill(heads, NIL);
        this.bucketMask = buckets - 1;
        this.locks = new int[(lockStripes + 1) * LOCK_PAD];
        this.stripeMask = lockStripes - 1;
        this.hashSeed = hashSeed;
        this.counters = counters;
        this.pool = new LockFreeIndexStack(capacity, true);
        this.reclaimer = new QuiescentStateReclaimer(pool, workers, 1);
        this.guestSlot = workers;
        this.wheel = new SingleSweeperExpiryWheel(capacity, workers);
    }

    // ------------------------------------------------------------------------------------------------ hashing

    /**
     * @param hi tuple high word.
     * @param lo tuple low word.
     * @return its bucket ({@code hash_conntrack}).
     */
    public int bucket(final long hi, final long lo)
    {
        return (int)Tuple.hash(hi, lo, hashSeed) & bucketMask;
    }

    // ------------------------------------------------------------------------------------------------ entry fields

    /** @param c entry. @param slot slot. @return the value (plain read; see the class contract). */
    public long field(final int c, final int slot)
    {
        return conns[(c << STRIDE_SHIFT) + slot];
    }

    /** Plain write of an entry the caller owns (unconfirmed) or holds the lock for. */
    void setField(final int c, final int slot, final long value)
    {
        conns[(c << STRIDE_SHIFT) + slot] = value;
    }

    /** @param c entry. @return its status bits (load-acquire). */
    public int status(final int c)
    {
        return (int)(long)LONGS.getAcquire(conns, (c << STRIDE_SHIFT) + STATUS);
    }

    /**
     * Atomically set status bits ({@code set_bit}).
     *
     * @param c    entry.
     * @param bits to set.
     * @return the bits before.
     */
    public int setStatus(final int c, final int bits)
    {
        return (int)(long)LONGS.getAndBitwiseOr(conns, (c << STRIDE_SHIFT) + STATUS, (long)bits);
    }

    /**
     * Set status bits of an unconfirmed entry with a plain read-modify-write: it is private to the packet that
     * created it until confirm links it (a store-release), as in {@code nf_nat_setup_info}: "Non-atomic: we own
     * this at the moment" (read).
     *
     * @param c    an unconfirmed entry the caller owns.
     * @param bits to set.
     */
    public void setStatusPrivate(final int c, final int bits)
    {
        conns[(c << STRIDE_SHIFT) + STATUS] |= bits;
    }

    /** @param c entry. @return the timeout (opaque read). */
    public long timeout(final int c)
    {
        return (long)LONGS.getOpaque(conns, (c << STRIDE_SHIFT) + TIMEOUT);
    }

    /**
     * Opaque write, as WRITE_ONCE. A confirmed entry's timeout that goes down (rare: a packet older than the last
     * refresh) is reported to the gc's index, which then rebuilds ({@link SingleSweeperExpiryWheel}); the check
     * reads the line the write touches anyway.
     *
     * @param c     entry.
     * @param value new timeout.
     */
    public void setTimeout(final int c, final long value)
    {
        final int at = (c << STRIDE_SHIFT) + TIMEOUT;
        final long before = (long)LONGS.getOpaque(conns, at);
        LONGS.setOpaque(conns, at, value);
        if (value - before < 0 && (status(c) & IPS_CONFIRMED) != 0)
        {
            wheel.timeoutLowered();
        }
    }

    /**
     * Hand an entry the calling worker just linked (confirmed, or inserted as NAT_CLASH) to the gc's index; a
     * worker's sweep reads only what the index names ({@link SingleSweeperExpiryWheel}). Wait-free, allocates
     * nothing.
     *
     * @param c      the entry.
     * @param worker the calling worker.
     */
    public void logLinked(final int c, final int worker)
    {
        wheel.logLinked(c, worker);
    }

    /** @param status status bits. @return true if confirmed and not dying (in the table). */
    static boolean live(final int status)
    {
        return (status & IPS_CONFIRMED) != 0 && (status & IPS_DYING) == 0;
    }

    /**
     * {@code nf_ct_is_expired}: {@code (s32)(timeout - now) <= 0}, on 64-bit virtual ns.
     *
     * @param c   a confirmed entry.
     * @param now virtual time.
     * @return true if expired.
     */
    public boolean expired(final int c, final long now)
    {
        return timeout(c) - now <= 0;
    }

    /**
     * @param node node id.
     * @param hi   tuple high word.
     * @param lo   tuple low word.
     * @return true if the node's tuple is that tuple.
     */
    public boolean nodeIs(final int node, final long hi, final long lo)
    {
        final int base = ((node >> 1) << STRIDE_SHIFT) + ((node & 1) << 1);
        return conns[base] == hi && conns[base + 1] == lo;
    }

    // ------------------------------------------------------------------------------------------------ chains

    /** @param bucket bucket. @return first node (load-acquire), or {@link #NIL}. */
    public int head(final int bucket)
    {
        return (int)INTS.getAcquire(heads, bucket);
    }

    /** @param node node. @return next node in its chain (load-acquire), or {@link #NIL}. */
    public int nextNode(final int node)
    {
        return (int)INTS.getAcquire(next, node);
    }

    /**
     * A burst's prefetch read of a bucket head: plain, a hint only (it may be stale at once; no decision rests on
     * it, {@link #find} reads the head again with load-acquire).
     *
     * @param bucket bucket.
     * @return first node as read, or {@link #NIL}.
     */
    public int headPlain(final int bucket)
    {
        return heads[bucket];
    }

    /**
     * A burst's prefetch read of a node: its tuple, the entry's last slot (an entry can straddle two cache lines:
     * the array's data does not start on a line) and its next pointer, all plain, a hint only (the entry may be
     * reused under it; no decision rests on the values).
     *
     * @param node a node id as {@link #headPlain} or an earlier call read it, or {@link #NIL}.
     * @return the next node as read in the high 32 bits ({@link #NIL} for none), a digest of the words read in the
     * low 32 (so that the reads are made).
     */
    public long prefetchNodePlain(final int node)
    {
        if (node < 0)
        {
            return (long)NIL << 32;
        }
        final int base = (node >> 1) << STRIDE_SHIFT;
        final long touched = conns[base + ((node & 1) << 1)] ^ conns[base + STRIDE - 1];
        return (long)next[node] << 32 | (touched & 0xFFFF_FFFFL);
    }

    /**
     * Link a node at the head of a bucket. Caller holds the bucket's stripe lock and has fully written the entry.
     *
     * @param node   node id.
     * @param bucket bucket.
     */
    public void link(final int node, final int bucket)
    {
        next[node] = heads[bucket];            // lp/sp: under the lock; the node is not yet reachable
        INTS.setRelease(heads, bucket, node);  // sr, StoreStore: entry and next pointer before publication
    }

    /**
     * Unlink a node from its bucket if it is there. Caller holds the bucket's stripe lock. The node's own next
     * pointer is left as it is (lookups standing on it walk on).
     *
     * @param node   node id.
     * @param bucket bucket.
     * @return true if it was linked.
     */
    public boolean unlink(final int node, final int bucket)
    {
        int prev = NIL;
        for (int n = heads[bucket]; n != NIL; n = next[n])
        {
            if (n == node)
            {
                if (prev == NIL)
                {
                    INTS.setRelease(heads, bucket, next[n]);
                }
                else
                {
                    INTS.setRelease(next, prev, next[n]);
                }
                return true;
            }
            prev = n;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ locks

    /**
     * Take the stripe locks of two buckets, lower stripe first ({@code nf_conntrack_double_lock}); one lock if
     * both buckets share a stripe. The kernel's spinlock, spinning with {@code Thread.onSpinWait}.
     *
     * @param b1 first bucket.
     * @param b2 second bucket.
     */
    public void lockBuckets(final int b1, final int b2)
    {
        final int s1 = b1 & stripeMask;
        final int s2 = b2 & stripeMask;
        if (s1 == s2)
        {
            lock(s1);
        }
        else if (s1 < s2)
        {
            lock(s1);
            lock(s2);
        }
        else
        {
            lock(s2);
            lock(s1);
        }
    }

    /**
     * Release what {@link #lockBuckets} took.
     *
     * @param b1 first bucket.
     * @param b2 second bucket.
     */
    public void unlockBuckets(final int b1, final int b2)
    {
        final int s1 = b1 & stripeMask;
        final int s2 = b2 & stripeMask;
        unlock(s1);
        if (s1 != s2)
        {
            unlock(s2);
        }
    }

    private void lock(final int stripe)
    {
        final int index = (stripe + 1) * LOCK_PAD;
        while (!INTS.compareAndSet(locks, index, 0, 1))
        {
            while ((int)INTS.getOpaque(locks, index) != 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private void unlock(final int stripe)
    {
        INTS.setRelease(locks, (stripe + 1) * LOCK_PAD, 0);
    }

    // ------------------------------------------------------------------------------------------------ lookup

    /**
     * {@code __nf_conntrack_find_get}: the node whose tuple is (hi, lo) of a confirmed, live entry. Every expired
     * node met on the way, whatever its tuple, is killed and skipped before its key is compared
     * ({@code ____nf_conntrack_find} with {@code nf_ct_gc_expired}, 4.7+, f330a7fdbe16; before, a timer had
     * removed it at its expiry: either way it is not there). So a walk reads every node's entry line, as the
     * kernel's does: a hash tag beside the next pointer could not skip a non-matching node. Lock-free. Eras with
     * the hot-path statistics (3.x - 4.8, {@code ____nf_conntrack_find}) count {@code found} on the hit and
     * {@code searched} per live node walked past.
     *
     * @param hi     tuple high word.
     * @param lo     tuple low word.
     * @param now    virtual time.
     * @param worker calling worker (for counters).
     * @return node id, or {@link #NIL}.
     */
    public int find(final long hi, final long lo, final long now, final int worker)
    {
        int searched = 0;
        int found = NIL;
        for (int n = head(bucket(hi, lo)); n != NIL; n = nextNode(n))
        {
            final int c = n >> 1;
            if (expired(c, now))
            {
                // if (nf_ct_is_expired(ct)) { nf_ct_gc_expired(ct); continue; }: before the key compare, so every
                // expired node met is reclaimed (kill: only a confirmed entry not yet dying, nf_ct_should_gc)
                kill(c, worker);
                continue;
            }
            if (nodeIs(n, hi, lo))
            {
                final int status = status(c);
                if ((status & IPS_CONFIRMED) == 0 || (status & IPS_DYING) != 0)
                {
                    continue;
                }
                found = n;
                break;
            }
            if (lookupStats)
            {
                searched++;
            }
        }
        if (lookupStats)
        {
            counters.add(worker, Counter.SEARCHED, searched);
            if (found != NIL)
            {
                counters.increment(worker, Counter.FOUND);
            }
        }
        return found;
    }

    // ------------------------------------------------------------------------------------------------ pool

    /**
     * {@code __nf_conntrack_alloc}: a new unconfirmed entry for the ORIGINAL tuple, REPLY = its inverse. When
     * the count passes {@code nf_conntrack_max}, try {@code early_drop} first.
     *
     * @param hi     ORIGINAL tuple high word.
     * @param lo     ORIGINAL tuple low word.
     * @param now    virtual time.
     * @param worker calling worker.
     * @return entry index, or {@link #FULL}.
     */
    public int allocate(final long hi, final long lo, final long now, final int worker)
    {
        if (count.incrementAndGet() > maxEntries && !earlyDrop(bucket(hi, lo), now, worker))
        {
            count.decrementAndGet();
            return FULL;
        }
        int c = pool.pop();
        if (c == LockFreeIndexStack.NONE)
        {
            processGrace(worker);
            c = pool.pop();
            if (c == LockFreeIndexStack.NONE)
            {
                count.decrementAndGet();
                return FULL;
            }
        }
        final int base = c << STRIDE_SHIFT;
        conns[base + ORIG_HI] = hi;
        conns[base + ORIG_LO] = lo;
        conns[base + REPLY_HI] = Tuple.invertHi(hi);
        conns[base + REPLY_LO] = Tuple.invertLo(lo);
        conns[base + TIMEOUT] = 0;
        conns[base + STREAM_TS] = 0;
        conns[base + AUX] = -1;
        LONGS.setRelease(conns, base + STATUS, 0L);
        return c;
    }

    /**
     * Free an entry that was never confirmed (never visible): straight back to the pool ({@code destroy_conntrack}:
     * 3.x - 4.6 count {@code delete}).
     *
     * @param c      entry.
     * @param worker calling worker.
     */
    public void freeUnconfirmed(final int c, final int worker)
    {
        count.decrementAndGet();
        pool.push(c);
        if (deleteStats)
        {
            counters.increment(worker, Counter.DELETE);
        }
    }

    /**
     * {@code early_drop}, in the era's mode ({@link ConntrackEra.EarlyDrop}): from the new tuple's bucket, scan up to
     * {@link #EVICTION_RANGE} buckets (3.x: until 8 nodes were walked). Buckets are scanned consecutively (the
     * kernel scales consecutive raw hashes, often staying in one bucket) [assumption]. In the timer eras (3.x, 4.7)
     * an expired entry would already be gone: met here it is reclaimed and counts as room made, without
     * early_drop; from 4.9 (early_drop_list) reclaiming it is not room made.
     */
    private boolean earlyDrop(final int startBucket, final long now, final int worker)
    {
        if (earlyDropMode == ConntrackEra.EarlyDrop.LIST)
        {
            return earlyDropList(startBucket, now, worker);
        }
        final boolean oldest = earlyDropMode == ConntrackEra.EarlyDrop.ONE_OLDEST;
        int walked = 0;
        for (int i = 0; oldest || i < EVICTION_RANGE; i++)
        {
            if (i > bucketMask)
            {
                break;
            }
            final int b = (startBucket + i) & bucketMask;
            int victim = NIL;
            for (int n = head(b); n != NIL; n = nextNode(n))
            {
                final int c = n >> 1;
                final int status = status(c);
                if ((status & IPS_CONFIRMED) == 0 || (status & IPS_DYING) != 0)
                {
                    continue;
                }
                if (expired(c, now))
                {
                    if (kill(c, worker))
                    {
                        return true; // the timer would have freed it: room without early_drop
                    }
                    continue;
                }
                walked++;
                if ((status & IPS_ASSURED) == 0 && (victim == NIL || oldest))
                {
                    victim = c; // 3.x keeps the last (oldest) one, 4.7 the first
                }
            }
            if (victim != NIL && kill(victim, worker))
            {
                counters.increment(worker, Counter.EARLY_DROP);
                return true;
            }
            if (oldest && walked >= EVICTION_RANGE)
            {
                break;
            }
        }
        return false;
    }

    /** {@code early_drop} / {@code early_drop_list}, 4.9+. */
    private boolean earlyDropList(final int startBucket, final long now, final int worker)
    {
        for (int i = 0; i < EVICTION_RANGE; i++)
        {
            final int b = (startBucket + i) & bucketMask;
            int drops = 0;
            for (int n = head(b); n != NIL; n = nextNode(n))
            {
                final int c = n >> 1;
                final int status = status(c);
                if ((status & IPS_CONFIRMED) == 0 || (status & IPS_DYING) != 0)
                {
                    continue;
                }
                if (expired(c, now))
                {
                    kill(c, worker); // nf_ct_gc_expired: collected, not counted, not room made
                    continue;
                }
                if ((status & IPS_ASSURED) == 0 && kill(c, worker))
                {
                    drops++;
                }
            }
            if (drops > 0)
            {
                counters.add(worker, Counter.EARLY_DROP, drops); // NF_CT_STAT_ADD_ATOMIC(net, early_drop, drops)
                return true;
            }
        }
        return false;
    }

    /**
     * {@code nf_ct_delete}: set DYING (once), unlink both nodes under their locks, and retire the entry (freed after
     * a grace period).
     *
     * @param c      a confirmed entry.
     * @param worker calling worker.
     * @return true if this call killed it (false if it was already dying).
     */
    public boolean kill(final int c, final int worker)
    {
        final int before = setStatus(c, IPS_DYING);
        if ((before & IPS_DYING) != 0 || (before & IPS_CONFIRMED) == 0)
        {
            return false;
        }
        final int base = c << STRIDE_SHIFT;
        final int ob = bucket(conns[base + ORIG_HI], conns[base + ORIG_LO]);
        final int rb = bucket(conns[base + REPLY_HI], conns[base + REPLY_LO]);
        lockBuckets(ob, rb);
        try
        {
            if ((before & IPS_NAT_CLASH) == 0)
            {
                unlink(c << 1, ob);
            }
            unlink((c << 1) | 1, rb);
        }
        finally
        {
            unlockBuckets(ob, rb);
        }
        count.decrementAndGet();
        reclaimer.retire(c);
        if (deleteStats)
        {
            // 3.x: nf_ct_delete_from_lists counts delete_list, destroy_conntrack (after the grace) delete
            counters.increment(worker, Counter.DELETE_LIST);
            counters.increment(worker, Counter.DELETE);
        }
        return true;
    }

    /** @return live entries ({@code nf_conntrack_count}). */
    public int count()
    {
        return count.get();
    }

    /** @return {@code nf_conntrack_max}. */
    public int maxEntries()
    {
        return maxEntries;
    }

    /** @return the bucket count. */
    public int buckets()
    {
        return bucketMask + 1;
    }

    // ------------------------------------------------------------------------------------------------ RCU

    /**
     * A worker passed a quiescent state (between packets: it holds no entry index). Single writer per slot; a full
     * fence (see {@link QuiescentStateReclaimer#quiescent}).
     *
     * @param worker the worker.
     */
    public void quiescent(final int worker)
    {
        reclaimer.quiescent(worker);
    }

    /**
     * A worker stopped taking packets (grace periods no longer wait for it); its next {@link #quiescent} brings it
     * back online.
     *
     * @param worker the worker.
     */
    public void offline(final int worker)
    {
        reclaimer.offline(worker);
    }

    /**
     * Advance grace periods: free the retired entries every online worker (and an online guest) has passed a
     * quiescent state since, and start a grace period for those retired since the last call. Only one thread at a
     * time does this (others return).
     *
     * @param caller the calling worker (between packets, so quiescent), or -1.
     */
    public void processGrace(final int caller)
    {
        reclaimer.reclaim(caller);
    }

    /**
     * Where every index of the pool is. Exact only while the table is quiescent (no packet, sweep or listing in
     * flight); for leak checks.
     *
     * @return the pool's census: live = {@code nf_conntrack_count} (unconfirmed entries in flight included).
     */
    public PoolCensus census()
    {
        return new PoolCensus("conntrack", maxEntries, capacity, count.get(), pool.countWhenQuiescent(),
            reclaimer.retiredWhenQuiescent());
    }

    // ------------------------------------------------------------------------------------------------ gc, walk

    /**
     * The gc worker: kill every expired entry, then advance grace periods. (The 4.9+ gc worker also early-drops
     * non-ASSURED entries when the table is more than 95 % full, {@code gc_worker_can_early_drop}; that is not
     * modelled: only {@code init_conntrack}'s early_drop evicts.) A worker sweeps between packets (it is
     * online in its own slot) and reads only the entries the gc's index names, which are all that may have
     * expired ({@link SingleSweeperExpiryWheel}; it rebuilds from a scan of every bucket when it cannot tell);
     * any other thread passes -1, sweeps as the guest participant (see the class contract), so the chains it walks
     * are not reused under it, and scans every bucket. Either way it kills exactly the entries that are confirmed,
     * not dying and expired at {@code now}.
     *
     * @param now    virtual time.
     * @param worker calling worker (between packets), or -1 from a thread that is no worker.
     * @return entries killed.
     */
    public int sweep(final long now, final int worker)
    {
        if (worker < 0)
        {
            synchronized (guest)
            {
                enterGuest();
                try
                {
                    return sweepAll(now, -1, false);
                }
                finally
                {
                    if (exitGuest())
                    {
                        processGrace(-1);
                    }
                }
            }
        }
        final int killed;
        synchronized (gcLock)
        {
            killed = sweepIndexed(now, worker);
        }
        processGrace(worker);
        return killed;
    }

    /** Caller holds {@link #gcLock} and is online. */
    private int sweepIndexed(final long now, final int worker)
    {
        if (wheel.rebuildTaken(now) || fullScanOnly)
        {
            final int killed = sweepAll(now, worker, true);
            wheel.swept(now);
            return killed;
        }
        wheel.drainLogs(this);
        int killed = 0;
        final int slots = wheel.slotsToRead(now);
        for (int k = 0; k < slots; k++)
        {
            int c = wheel.detach(k);
            while (c != NIL)
            {
                final int after = wheel.takeNext(c);
                if (live(status(c)))
                {
                    final long timeout = timeout(c);
                    if (timeout - now > 0)
                    {
                        wheel.add(c, timeout);
                    }
                    else if (kill(c, worker)) // expired(c, now)
                    {
                        killed++;
                    }
                }
                c = after;
            }
        }
        wheel.swept(now);
        return killed;
    }

    /** Scan every bucket; with {@code index}, put each live entry left in the (cleared) gc index. */
    private int sweepAll(final long now, final int worker, final boolean index)
    {
        int killed = 0;
        for (int b = 0; b <= bucketMask; b++)
        {
            for (int n = head(b); n != NIL; n = nextNode(n))
            {
                final int c = n >> 1;
                if (!live(status(c)))
                {
                    continue;
                }
                final long timeout = timeout(c);
                if (timeout - now > 0)
                {
                    if (index)
                    {
                        wheel.rebuildAdd(c, timeout);
                    }
                }
                else if (kill(c, worker)) // expired(c, now)
                {
                    killed++;
                }
            }
        }
        return killed;
    }

    /** Receives entries of {@link #forEach}. */
    public interface ConnVisitor
    {
        /**
         * @param c      entry.
         * @param hidden true if only its REPLY node is in the table (NAT_CLASH).
         */
        void conn(int c, boolean hidden);
    }

    /**
     * Visit each live (confirmed, not dying, not expired) entry once: on its ORIGINAL node, or on its REPLY node
     * if it has no ORIGINAL node in the table (hidden, as ctnetlink dumps skip it). Runs as a guest participant
     * (see the class contract), from any thread: an entry the visitor is given is not reused before it returns.
     *
     * @param now     virtual time.
     * @param visitor receives entries.
     */
    public void forEach(final long now, final ConnVisitor visitor)
    {
        synchronized (guest)
        {
            enterGuest();
            try
            {
                forEachOnline(now, visitor);
            }
            finally
            {
                exitGuest();
            }
        }
    }

    /** Caller holds {@link #guest}. The outermost section puts the guest slot online. */
    private void enterGuest()
    {
        if (guestDepth++ == 0)
        {
            reclaimer.online(guestSlot);
        }
    }

    /** Caller holds {@link #guest}. @return true if this closed the outermost section (the slot is offline). */
    private boolean exitGuest()
    {
        if (--guestDepth == 0)
        {
            reclaimer.offline(guestSlot);
            return true;
        }
        return false;
    }

    private void forEachOnline(final long now, final ConnVisitor visitor)
    {
        for (int b = 0; b <= bucketMask; b++)
        {
            for (int n = head(b); n != NIL; n = nextNode(n))
            {
                final int c = n >> 1;
                final int status = status(c);
                if ((status & IPS_CONFIRMED) == 0 || (status & IPS_DYING) != 0 || expired(c, now))
                {
                    continue;
                }
                final boolean hidden = (status & IPS_NAT_CLASH) != 0;
                if ((n & 1) == (hidden ? DIR_REPLY : DIR_ORIGINAL))
                {
                    visitor.conn(c, hidden);
                }
            }
        }
    }
}
