package io.flowclash.datapath.nat;

import io.flowclash.datapath.PacketContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * IPVS {@code rr} (kube-proxy IPVS default): a cursor over the destinations, each new IPVS connection gets the
 * next one, wrapping (net/netfilter/ipvs/ip_vs_rr.c; the kernel moves the cursor under {@code svc->sched_lock},
 * modelled as one atomic increment). All destinations have weight 1 and none is overloaded.
 */
public final class IpvsRoundRobinSelector implements BackendSelector
{
    private final AtomicInteger cursor = new AtomicInteger();
    private final int n;

    /** @param n backends, at least 1. */
    public IpvsRoundRobinSelector(final int n)
    {
        this.n = n;
    }

    @Override
    public int select(final PacketContext ctx, final long hi, final long lo)
    {
        return Math.floorMod(cursor.getAndIncrement(), n);
    }

    @Override
    public String name()
    {
        return "rr";
    }
}
