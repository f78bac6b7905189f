package io.flowclash.datapath.nat;

import io.flowclash.datapath.PacketContext;

/**
 * Chooses a service backend for a new flow's first packet (DNAT runs only for a conn's first packet; later
 * packets reuse the binding). Implementations allocate nothing per call; randomness comes from the worker's
 * seeded source in the context, so runs are reproducible.
 */
public interface BackendSelector
{
    /**
     * @param ctx the packet's context (its worker random source, its tuple).
     * @param hi  tuple high word (original direction).
     * @param lo  tuple low word.
     * @return backend index, 0..n-1.
     */
    int select(PacketContext ctx, long hi, long lo);

    /** @return the selector's name. */
    String name();
}
