package io.flowclash.datapath.nat;

import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Tuple;

/**
 * Maglev consistent hashing as Cilium's tc/XDP service LB uses it ({@code lb4_select_backend_id} with
 * {@code LB_SELECTION_MAGLEV}): a lookup table of M entries (Cilium's default M = 16381, a prime) filled from each
 * backend's permutation (offset, skip), then {@code LUT[hash(tuple) % M]}. The tuple hash stands in for Cilium's
 * {@code hash_from_tuple_v4}; the backend permutation hashes stand in for its murmur3 of the backend address
 * [assumption: exact hash functions not modelled, the table-filling algorithm is the paper's].
 */
public final class MaglevSelector implements BackendSelector
{
    /** Cilium's default table size. */
    public static final int DEFAULT_TABLE_SIZE = 16381;

    private final int[] table;

    /** @param n backends, at least 1. */
    public MaglevSelector(final int n)
    {
        this(n, DEFAULT_TABLE_SIZE);
    }

    /**
     * @param n backends.
     * @param m table size, a prime larger than n.
     */
    public MaglevSelector(final int n, final int m)
    {
        table = new int[m];
        java.util.Arrays.fill(table, -1);
        final int[] offset = new int[n];
        final int[] skip = new int[n];
        final int[] next = new int[n];
        for (int i = 0; i < n; i++)
        {
            offset[i] = (int)Long.remainderUnsigned(Tuple.mix64(0xC0FFEEL + i), m);
            skip[i] = (int)Long.remainderUnsigned(Tuple.mix64(0xBEEF00L + i), m - 1) + 1;
        }
        int filled = 0;
        while (filled < m)
        {
            for (int i = 0; i < n && filled < m; i++)
            {
                int c = (int)((offset[i] + (long)next[i] * skip[i]) % m);
                while (table[c] >= 0)
                {
                    next[i]++;
                    c = (int)((offset[i] + (long)next[i] * skip[i]) % m);
                }
                table[c] = i;
                next[i]++;
                filled++;
            }
        }
    }

    @Override
    public int select(final PacketContext ctx, final long hi, final long lo)
    {
        return table[(int)Long.remainderUnsigned(Tuple.hash(hi, lo, 0x5EEDL), table.length)];
    }

    @Override
    public String name()
    {
        return "maglev";
    }
}
