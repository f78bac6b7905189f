package io.flowclash.datapath.nat;

import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Tuple;

/**
 * IPVS {@code sh} (source hashing) and {@code dh} (destination hashing): a 256-bucket table filled by walking the
 * destination list, each destination taking {@code weight} (1) consecutive buckets, round and round; the bucket
 * is {@code hash_32(key, 8)} with {@code hash_32(v, bits) = (v * 0x61C88647) >>> (32 - bits)}, the newer kernels'
 * hash (ip_vs_sh.c/ip_vs_dh.c; the older multiply-by-2654435761 form is not modelled). Key: {@code sh} the source
 * address (plus the source port only with the sh-port flag, not set by kube-proxy, so port 0); {@code dh} the
 * destination address: the VIP, so every client of a ClusterIP lands on the same backend.
 */
public final class IpvsHashSelector implements BackendSelector
{
    private static final int TAB_BITS = 8;
    private static final int TAB_SIZE = 1 << TAB_BITS;
    private static final int GOLDEN_RATIO_32 = 0x61C8_8647;

    private final int[] table = new int[TAB_SIZE];
    private final boolean source;

    /**
     * @param n      backends, at least 1.
     * @param source true for {@code sh}, false for {@code dh}.
     */
    public IpvsHashSelector(final int n, final boolean source)
    {
        this.source = source;
        for (int b = 0; b < TAB_SIZE; b++)
        {
            table[b] = b % n;
        }
    }

    static int hash32(final int value, final int bits)
    {
        return (value * GOLDEN_RATIO_32) >>> (32 - bits);
    }

    @Override
    public int select(final PacketContext ctx, final long hi, final long lo)
    {
        final int key = source ? Tuple.srcAddress(hi) : Tuple.dstAddress(hi);
        return table[hash32(key, TAB_BITS) & (TAB_SIZE - 1)];
    }

    @Override
    public String name()
    {
        return source ? "sh" : "dh";
    }
}
