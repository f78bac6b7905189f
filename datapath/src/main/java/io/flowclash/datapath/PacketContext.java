package io.flowclash.datapath;

import io.flowclash.datapath.flow.Tuple;

import java.util.SplittableRandom;

/**
 * The per-packet context a design's steps work on, one instance per worker (a "CPU"), reused for every packet:
 * nothing is allocated per packet. It plays the part of the kernel's {@code skb} plus {@code skb->_nfct}: the
 * packet's tuple as it is now (after any rewrite), the entry it is attached to, and the verdict.
 *
 * <p>The context owns all of its state in named fields; {@link #appendState} writes the whole of it (the explorer's
 * memo key is built from it). Each context has its own random stream ({@link #stream()}), independent of its
 * worker.
 *
 * <p>Not thread safe: one worker owns it. The {@link io.flowclash.datapath.schedule.StepScheduler} holds several
 * contexts (lanes) and advances them one step at a time in any order, or on real threads; each step reads and
 * writes only its own context and the design's shared table.
 */
public final class PacketContext
{
    /** {@link #step} value once the packet has its verdict. */
    public static final int DONE = -1;
    /** No entry / no backend. */
    public static final int NONE = -1;

    private final int worker;
    private final int stream;
    private final SplittableRandom random;
    private final SplittableRandom internalRandom;

    // ---- the packet as it arrived
    private long now;
    private long arrivedHi;
    private long arrivedLo;
    private byte direction;
    private long socketCookie;

    // ---- the packet as it is now (headers rewritten by NAT)
    private long hi;
    private long lo;

    // ---- design state
    private int step = DONE;
    private int conn = NONE;
    private int connDir;
    private boolean unconfirmed;
    private int backend = NONE;
    private int forcedBackend = NONE;
    private boolean foundEntry;
    private Reason reason;
    /**
     * What a burst's prefetch stage last read for this packet ({@link Datapath#processBurst}): a bucket's head node,
     * then a word of that node's tuple. It only makes the reads happen (no step reads it for a decision); zeroed by
     * {@link #load}, so outside a burst (the explorer never runs one) it is always 0.
     */
    private long prefetch;

    /**
     * A context whose random stream is the worker's own ({@code stream = worker}).
     *
     * @param worker the worker ("CPU") this context belongs to.
     * @param seed   seed of the random sources (backend choice, port choice): runs are reproducible.
     */
    public PacketContext(final int worker, final long seed)
    {
        this(worker, worker, seed);
    }

    /**
     * @param worker the worker ("CPU") this context belongs to.
     * @param stream index of the context's random stream: the draws depend on {@code seed} and {@code stream}
     *               only, so contexts sharing a worker draw independently and runs draw alike whatever the
     *               number of workers.
     * @param seed   seed of the random sources (backend choice, port choice): runs are reproducible.
     */
    public PacketContext(final int worker, final int stream, final long seed)
    {
        this.worker = worker;
        this.stream = stream;
        this.random = new SplittableRandom(seed ^ (0x9E37_79B9_7F4A_7C15L * (stream + 1)));
        this.internalRandom = new SplittableRandom(~seed ^ (0xBF58_476D_1CE4_E5B9L * (stream + 1)));
    }

    /**
     * Load a packet; the design's {@link Datapath#begin} calls this, then sets the first step.
     *
     * @param now          virtual time, ns.
     * @param hi           tuple high word.
     * @param lo           tuple low word.
     * @param direction    {@code DIR_ORIGINAL} or {@code DIR_REPLY} as the stream says (a design decides itself
     *                     which direction the packet is in its table).
     * @param socketCookie the sending socket.
     */
    public void load(final long now, final long hi, final long lo, final byte direction, final long socketCookie)
    {
        this.now = now;
        this.arrivedHi = hi;
        this.arrivedLo = lo;
        this.hi = hi;
        this.lo = lo;
        this.direction = direction;
        this.socketCookie = socketCookie;
        this.conn = NONE;
        this.connDir = 0;
        this.unconfirmed = false;
        this.backend = NONE;
        this.foundEntry = false;
        this.reason = null;
        this.prefetch = 0;
    }

    /** @return the worker. */
    public int worker()
    {
        return worker;
    }

    /** @return the index of the context's random stream. */
    public int stream()
    {
        return stream;
    }

    /**
     * @return the worker's random source for rule draws (backend selection): the same stream in every design, so
     * that designs compared on one packet stream see the same backend choices.
     */
    public SplittableRandom random()
    {
        return random;
    }

    /** @return the worker's random source for kernel-internal draws (ports, chain limits), separate from rules. */
    public SplittableRandom internalRandom()
    {
        return internalRandom;
    }

    /** @return virtual time of the packet. */
    public long now()
    {
        return now;
    }

    /** @return next step id, or {@link #DONE}. */
    public int step()
    {
        return step;
    }

    /** @return true once the packet has a verdict. */
    public boolean done()
    {
        return step == DONE;
    }

    /** @return the verdict reason (null before {@link #done()}). */
    public Reason reason()
    {
        return reason;
    }

    /** @return true if the packet was accepted (after {@link #done()}). */
    public boolean accepted()
    {
        return reason != null && reason.accepted();
    }

    /** @return the tuple high word as it arrived. */
    public long arrivedHi()
    {
        return arrivedHi;
    }

    /** @return the tuple low word as it arrived. */
    public long arrivedLo()
    {
        return arrivedLo;
    }

    /** @return the tuple high word as it leaves (after NAT). */
    public long hi()
    {
        return hi;
    }

    /** @return the tuple low word as it leaves (after NAT). */
    public long lo()
    {
        return lo;
    }

    /** @return the direction byte it arrived with. */
    public byte direction()
    {
        return direction;
    }

    /** @return the socket cookie. */
    public long socketCookie()
    {
        return socketCookie;
    }

    /** @return index of the chosen backend, or {@link #NONE}. */
    public int backend()
    {
        return backend;
    }

    /**
     * Force the next DNAT backend choice (the interleaving explorer enumerates every choice). Cleared by nothing:
     * set it to {@link #NONE} to let the selector choose again.
     *
     * @param backend index, or {@link #NONE}.
     */
    public void forceBackend(final int backend)
    {
        this.forcedBackend = backend;
    }

    /** @return the forced backend, or {@link #NONE}. */
    public int forcedBackend()
    {
        return forcedBackend;
    }

    /** @return the entry the packet is attached to, or {@link #NONE}. */
    public int conn()
    {
        return conn;
    }

    /**
     * Finish the packet (design use).
     *
     * @param reason the verdict.
     */
    public void finish(final Reason reason)
    {
        this.reason = reason;
        this.step = DONE;
    }

    /** @param step next step (design use). */
    public void next(final int step)
    {
        this.step = step;
    }

    // ---- design-side mutators (a design's steps call these; schedulers never need to)

    /**
     * Attach the packet to an entry ({@code skb->_nfct}).
     *
     * @param conn        entry index.
     * @param dir         direction of the node the packet matched (0 original, 1 reply).
     * @param unconfirmed true if the packet created the entry and it is not confirmed yet.
     */
    public void attach(final int conn, final int dir, final boolean unconfirmed)
    {
        this.conn = conn;
        this.connDir = dir;
        this.unconfirmed = unconfirmed;
    }

    /** Detach from any entry (it was freed). */
    public void detach()
    {
        this.conn = NONE;
        this.unconfirmed = false;
    }

    /** The packet's entry is now confirmed (inserted). */
    public void confirmed()
    {
        this.unconfirmed = false;
    }

    /** @return true if the packet owns an unconfirmed entry. */
    public boolean unconfirmedEntry()
    {
        return unconfirmed;
    }

    /** @return direction of the node the packet matched. */
    public int connDirection()
    {
        return connDir;
    }

    /** @param backend the chosen backend index. */
    public void backend(final int backend)
    {
        this.backend = backend;
    }

    /**
     * The packet's headers after a rewrite.
     *
     * @param hi tuple high word.
     * @param lo tuple low word.
     */
    public void rewrite(final long hi, final long lo)
    {
        this.hi = hi;
        this.lo = lo;
    }

    /**
     * @return true if the packet found its flow's entry at lookup (cilium-tc: the service CT entry existed, so the
     * verdict is {@code established}, not {@code new}).
     */
    public boolean foundEntry()
    {
        return foundEntry;
    }

    /** @param found the packet found its flow's entry at lookup (design use). */
    public void foundEntry(final boolean found)
    {
        this.foundEntry = found;
    }

    /** @return what the burst's prefetch stage last read for this packet (plain; it decides nothing). */
    public long prefetch()
    {
        return prefetch;
    }

    /** @param value what the burst's prefetch stage read for this packet (plain; it decides nothing). */
    public void prefetch(final long value)
    {
        this.prefetch = value;
    }

    /**
     * Append the context's whole state: every field but the random sources, the entry it is attached to described
     * by content through the design ({@link Datapath#describeEntry}, never its pool index). Two contexts that
     * append alike take the same steps to the same verdicts on the same table; the interleaving explorer builds
     * its memo key from this, so a field added here is never left out of the key. The random sources are left out
     * on purpose: the explorer forces every backend choice, and the only other draws (NAT source ports, chain
     * limits) it abstracts away. Not for hot paths.
     *
     * @param sb       to append to.
     * @param datapath the design the context belongs to (describes the entry).
     */
    public void appendState(final StringBuilder sb, final Datapath datapath)
    {
        sb.append("w").append(worker).append('/').append(stream)
            .append(" t=").append(now)
            .append(" in=").append(Tuple.format(arrivedHi, arrivedLo))
            .append(" dir=").append(direction)
            .append(" cookie=").append(socketCookie)
            .append(" out=").append(Tuple.format(hi, lo))
            .append(" step=").append(step == DONE ? "done" : datapath.stepName(step))
            .append(" conn=");
        if (conn == NONE)
        {
            sb.append("none");
        }
        else
        {
            sb.append('[');
            datapath.describeEntry(conn, sb);
            sb.append(']');
        }
        sb.append(" connDir=").append(connDir)
            .append(" unconfirmed=").append(unconfirmed)
            .append(" backend=").append(backend)
            .append(" forced=").append(forcedBackend)
            .append(" found=").append(foundEntry)
            .append(" reason=").append(reason == null ? "none" : reason.label())
            .append(" prefetch=").append(prefetch);
    }
}
