package io.flowclash.datapath;

import java.util.SplittableRandom;

/**
 * The per-packet context a design's steps work on, one instance per worker (a "CPU"), reused for every packet:
 * nothing is allocated per packet. It plays the part of the kernel's {@code skb} plus {@code skb->_nfct}: the
 * packet's tuple as it is now (after any rewrite), the entry it is attached to, and the verdict.
 *
 * <p>Not thread safe: one worker owns it. A scheduler (the runner, the interleaving explorer, jcstress) may hold
 * several contexts and advance them one step at a time in any order; each step reads and writes only its own
 * context and the design's shared table.
 */
public final class PacketContext
{
    /** {@link #step} value once the packet has its verdict. */
    public static final int DONE = -1;
    /** No entry / no backend. */
    public static final int NONE = -1;

    /** ctinfo: first packet(s) of a flow, no reply seen yet (IP_CT_NEW). */
    public static final int CT_NEW = 0;
    /** ctinfo: original direction after a reply was seen (IP_CT_ESTABLISHED). */
    public static final int CT_ESTABLISHED = 1;
    /** ctinfo: reply direction (IP_CT_ESTABLISHED_REPLY). */
    public static final int CT_ESTABLISHED_REPLY = 2;

    final int worker;
    final SplittableRandom random;
    final SplittableRandom internalRandom;

    // ---- the packet as it arrived
    long now;
    long arrivedHi;
    long arrivedLo;
    byte direction;
    long socketCookie;

    // ---- the packet as it is now (headers rewritten by NAT)
    long hi;
    long lo;

    // ---- design state
    int step = DONE;
    int conn = NONE;
    int connDir;
    int ctinfo;
    boolean unconfirmed;
    int backend = NONE;
    int forcedBackend = NONE;
    Reason reason;
    /** Design scratch value (cilium-tc: the packet found its CT entry). */
    long scratch0;

    /**
     * @param worker the worker ("CPU") this context belongs to.
     * @param seed   seed of the worker's random source (backend choice, port choice): runs are reproducible.
     */
    public PacketContext(final int worker, final long seed)
    {
        this.worker = worker;
        this.random = new SplittableRandom(seed ^ (0x9E37_79B9_7F4A_7C15L * (worker + 1)));
        this.internalRandom = new SplittableRandom(~seed ^ (0xBF58_476D_1CE4_E5B9L * (worker + 1)));
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
        this.ctinfo = CT_NEW;
        this.unconfirmed = false;
        this.backend = NONE;
        this.reason = null;
        this.scratch0 = 0;
    }

    /** @return the worker. */
    public int worker()
    {
        return worker;
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

    /** @return the packet's ctinfo ({@link #CT_NEW}, ...). */
    public int ctinfo()
    {
        return ctinfo;
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

    /** @param ctinfo the packet's ctinfo. */
    public void ctinfo(final int ctinfo)
    {
        this.ctinfo = ctinfo;
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

    /** @return design scratch 0. */
    public long scratch0()
    {
        return scratch0;
    }

    /** @param v design scratch 0. */
    public void scratch0(final long v)
    {
        this.scratch0 = v;
    }

}
