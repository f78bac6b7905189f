package io.flowclash.datapath.nat;

import io.flowclash.datapath.PacketContext;

/**
 * kube-proxy iptables mode: the {@code KUBE-SVC-*} chain has, for endpoints {@code i = 0..n-2},
 * {@code -m statistic --mode random --probability 1/(n-i) -j KUBE-SEP-i}, then an unconditional jump to the last
 * endpoint (pkg/proxy/iptables/proxier.go; conntrack-eras.md 8.1). Each rule draws its own random number, as
 * {@code xt_statistic} does per packet: {@code (get_random_u32() & 0x7FFFFFFF) < info->u.random.probability}
 * (net/netfilter/xt_statistic.c, read). The probability is {@code p * 2^31} rounded; the rounding is iptables
 * userspace (libxt_statistic) and is an assumption here. Each endpoint ends up with 1/n.
 */
public final class IptablesStatisticSelector implements BackendSelector
{
    private final int[] probability;
    private final int n;

    /** @param n backends, at least 1. */
    public IptablesStatisticSelector(final int n)
    {
        this.n = n;
        this.probability = new int[Math.max(0, n - 1)];
        for (int i = 0; i < n - 1; i++)
        {
            probability[i] = (int)Math.min(0x7FFF_FFFFL, Math.round(0x8000_0000L * (1.0 / (n - i))));
        }
    }

    @Override
    public int select(final PacketContext ctx, final long hi, final long lo)
    {
        final int[] probability = this.probability;
        for (int i = 0; i < probability.length; i++)
        {
            if ((ctx.random().nextInt() & 0x7FFF_FFFF) < probability[i])
            {
                return i;
            }
        }
        return n - 1;
    }

    @Override
    public String name()
    {
        return "random";
    }
}
