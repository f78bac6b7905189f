package io.flowclash.datapath.memory;

/**
 * A census of one preallocated pool, taken while the pool is quiescent (no packet, sweep or writer in flight):
 * where each of its {@code capacity} indices is. For leak checks: {@code live + free + retired = capacity} always
 * ({@link #leaked} = 0), and once every entry has expired, been swept and its grace period has passed, the pool is
 * {@link #whole}: every index free again.
 *
 * @param pool     what the pool is, e.g. {@code conntrack} or a BPF map's name.
 * @param limit    the entries the pool admits: {@code nf_conntrack_max} or {@code max_entries}.
 * @param capacity indices in the pool (the conntrack pool has slack above the limit for entries in a grace
 *                 period and unconfirmed entries in flight; a BPF map has none).
 * @param live     entries in use: counted in the table ({@code nf_conntrack_count}) or listed in the map.
 * @param free     indices on the free stack.
 * @param retired  indices waiting for a grace period.
 */
public record PoolCensus(String pool, int limit, int capacity, int live, int free, int retired)
{
    /** @return indices neither live, free nor retired: leaked (0 in a correct pool). */
    public int leaked()
    {
        return capacity - live - free - retired;
    }

    /** @return true if nothing is live or retired and every index is free. */
    public boolean whole()
    {
        return live == 0 && retired == 0 && free == capacity;
    }

    /** @return entries that could be created now: {@code limit - live} ({@code nf_conntrack_max} once whole). */
    public int available()
    {
        return limit - live;
    }
}
