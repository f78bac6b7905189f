package io.flowclash.datapath;

import io.flowclash.datapath.memory.PoolCensus;

import java.util.List;

/**
 * One datapath design: how packets of a service flow are tracked and translated. Every design is a step machine:
 * {@link #begin} loads a packet into a worker's {@link PacketContext}, {@link #step} runs the context's next named
 * step, and the packet is done when the context says so. {@link #process} runs the steps back to back; the
 * interleaving explorer, jcstress and the runner's race modes call {@link #step} on several contexts in chosen
 * orders. There is one copy of the logic: {@code process} is nothing but {@code step} in a loop.
 *
 * <p>Every packet that enters through {@code begin} is counted as processed and finishes with exactly one
 * {@link Reason}: processed = accepted + dropped.
 *
 * <p>Thread safety: a design is shared by all workers; each worker uses its own context (worker index = context's
 * worker). Step methods are safe to call concurrently from different workers. {@link #sweep} and
 * {@link #forEachEntry} may run concurrently with packets, from a worker between its packets or from any other
 * thread; they see each entry either before or after a change. Memory reclamation covers both: a worker is a
 * participant of the design's grace periods ({@link #quiescent}, {@link #offline}), and a sweep or listing from a
 * thread that is no worker runs as a guest participant for its duration, so no entry it stands on is reused under
 * it (see {@code io.flowclash.datapath.memory.QuiescentStateReclaimer}).
 */
public interface Datapath extends AutoCloseable
{
    /** @return the design id, as in the registry. */
    String id();

    /** @return the shared configuration. */
    DatapathConfig config();

    /**
     * @param worker worker index, below {@code config().workers()}.
     * @return a new context for that worker (allocate once, reuse for every packet).
     */
    PacketContext newContext(int worker);

    /**
     * A context for a worker with its own random stream: the stream depends on the design's seed and
     * {@code stream} only, not on the worker, so two contexts of one worker draw differently and a run's draws do
     * not depend on the number of workers. {@link #newContext(int)} is {@code newContext(worker, worker)}.
     *
     * @param worker worker index, below {@code config().workers()}.
     * @param stream index of the random stream (a scheduler's lane), at least 0.
     * @return a new context (allocate once, reuse for every packet).
     */
    default PacketContext newContext(final int worker, final int stream)
    {
        return config().newContext(worker, stream);
    }

    /**
     * Load a packet and set its first step.
     *
     * @param ctx          the worker's context.
     * @param now          virtual time, ns.
     * @param hi           tuple high word as sent.
     * @param lo           tuple low word as sent.
     * @param direction    {@code PacketRecordDescriptor.DIR_ORIGINAL} for client packets, {@code DIR_REPLY} for
     *                     backend replies.
     * @param socketCookie the sending socket (client packets).
     */
    void begin(PacketContext ctx, long now, long hi, long lo, byte direction, long socketCookie);

    /**
     * Run the context's next step. Must not be called once the context is done.
     *
     * @param ctx the context.
     */
    void step(PacketContext ctx);

    /**
     * @param step a step id.
     * @return its name, e.g. {@code lookup}, {@code confirm}.
     */
    String stepName(int step);

    /**
     * Run every remaining step of the packet.
     *
     * @param ctx the context.
     */
    default void process(final PacketContext ctx)
    {
        while (!ctx.done())
        {
            step(ctx);
        }
    }

    /**
     * Run every remaining step of a burst of packets, as DPDK's bulk lookup does: each context has been loaded with
     * {@link #begin} (distinct contexts, one worker's). The outcome is exactly that of {@link #process} on each
     * context in array order (same verdicts, same counters, same table): a design may first read, for the whole
     * burst, the memory its lookups will touch, so that the cache misses of several packets overlap (memory-level
     * parallelism; Java has no prefetch instruction, but independent loads in one loop are in flight together),
     * and then runs each packet through the same step methods. The default is {@code process} in a loop.
     * Allocates nothing.
     *
     * @param ctxs  the packets' contexts, each begun.
     * @param count how many of {@code ctxs}, from index 0, form the burst.
     */
    default void processBurst(final PacketContext[] ctxs, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            process(ctxs[i]);
        }
    }

    /** @return the design's counters. */
    DatapathCounters counters();

    /**
     * Reclaim expired entries (the kernel's gc worker). Call from any thread: a worker passes its index (it is
     * between packets); any other thread passes -1 and sweeps as a guest participant of the grace periods
     * (concurrent guest sweeps and listings take turns).
     *
     * @param now    virtual time, ns.
     * @param worker the calling worker (it is between packets), or -1 from a non-worker thread.
     * @return entries reclaimed.
     */
    int sweep(long now, int worker);

    /**
     * Tell the design that a worker is between packets (a quiescent state, as RCU needs). Workers call it after
     * each packet or batch; a worker that stops calls {@link #offline}.
     *
     * @param worker the worker.
     */
    void quiescent(int worker);

    /**
     * Run the reclamation that grace periods allow (the kernel's RCU callbacks, {@code rcu_do_batch}): entries
     * retired before a grace period every other worker has passed since go back to the free pool, and a grace
     * period starts for those retired since. A worker calls it between packets (it is quiescent); cheap (no table
     * walk, unlike {@link #sweep}), one thread at a time does the work (others return). A design frees otherwise
     * only on a sweep or when its pool runs empty; one without deferred reclamation does nothing (the default).
     *
     * @param worker the calling worker (between packets).
     */
    default void reclaim(final int worker)
    {
    }

    /**
     * A worker stops taking packets (RCU no longer waits for it).
     *
     * @param worker the worker.
     */
    void offline(int worker);

    /**
     * Visit every live entry (for listings, tests and the explorer; allocation allowed).
     *
     * @param now     virtual time, ns (expired entries are skipped).
     * @param visitor receives each entry.
     */
    void forEachEntry(long now, EntryVisitor visitor);

    /**
     * Where every index of each preallocated pool of the design is (its conntrack pool, each of its BPF maps), for
     * leak checks: after every entry has expired, been swept and its grace period has passed (every worker
     * {@link #offline} or quiescent since), a correct design's conntrack pool is {@link PoolCensus#whole whole}
     * and every pool has {@link PoolCensus#leaked} = 0. Exact only while the design is quiescent (no packet, sweep
     * or listing in flight). Not for hot paths (it walks the pools).
     *
     * @return one census per pool; none for a design without preallocated pools.
     */
    default List<PoolCensus> census()
    {
        return List.of();
    }

    /**
     * Append a canonical description of an entry a context refers to ({@link PacketContext#conn()}): its tuples
     * and state, never its index, so that two states differing only in pool placement describe alike (the
     * interleaving explorer merges such states). Not for hot paths.
     *
     * @param conn entry index.
     * @param sb   to append to.
     */
    void describeEntry(int conn, StringBuilder sb);

    /** Release what the design holds (pinned maps are closed; their files stay). Idempotent. */
    @Override
    default void close()
    {
    }

    /** Receives table entries. */
    interface EntryVisitor
    {
        /**
         * @param origHi     ORIGINAL tuple high word.
         * @param origLo     ORIGINAL tuple low word.
         * @param replyHi    REPLY tuple high word.
         * @param replyLo    REPLY tuple low word.
         * @param status     status bits (design-specific; netfilter: {@code IPS_*}).
         * @param expiresAt  absolute virtual expiry, ns.
         * @param hidden     true for entries a listing does not show ({@code conntrack -L} skips NAT_CLASH).
         */
        void entry(long origHi, long origLo, long replyHi, long replyLo, int status, long expiresAt, boolean hidden);
    }
}
