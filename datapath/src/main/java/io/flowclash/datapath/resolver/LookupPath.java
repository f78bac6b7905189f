package io.flowclash.datapath.resolver;

/**
 * The datapath as the lookup driver sees it: client packets that leave together go in as one batch (raced, or
 * not, as the run's race mode and dispatch say), replies go in one at a time, and the driver reads each packet's
 * verdict and rewritten tuple afterwards. Implemented over the scheduler that drives a design's steps on workers.
 */
public interface LookupPath
{
    /**
     * Process packets sent together (same instant, one socket): after the call, {@link #accepted},
     * {@link #hiAfter} and {@link #loAfter} describe packet {@code j < count}.
     *
     * @param now    virtual time, ns.
     * @param count  packets (1 or 2).
     * @param hi     tuple high words as sent.
     * @param lo     tuple low words as sent.
     * @param cookie the sending socket.
     */
    void queries(long now, int count, long[] hi, long[] lo, long cookie);

    /**
     * Process one reply (backend to client).
     *
     * @param now    virtual time, ns.
     * @param hi     tuple high word as sent by the backend.
     * @param lo     tuple low word.
     * @param cookie the socket the client sent the query from (the Cilium socket LB keys its reverse NAT on it).
     * @return true if the datapath let it through; read the tuple it leaves with from {@code hiAfter(0)} and
     *         {@code loAfter(0)}.
     */
    boolean reply(long now, long hi, long lo, long cookie);

    /** @param j packet of the last call. @return true if accepted. */
    boolean accepted(int j);

    /** @param j packet of the last call. @return its tuple high word after the datapath (NAT applied). */
    long hiAfter(int j);

    /** @param j packet of the last call. @return its tuple low word after the datapath. */
    long loAfter(int j);

    /**
     * Virtual time has reached {@code now}: reclaim expired entries if the gc is due (between packets, every
     * worker quiescent).
     *
     * @param now virtual time, ns.
     */
    void advance(long now);
}
