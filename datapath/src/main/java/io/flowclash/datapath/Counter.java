package io.flowclash.datapath;

/**
 * Event counters, named as the kernel names them ({@code /proc/net/stat/nf_conntrack}, {@code conntrack -S}) for
 * the netfilter designs, and as the BPF map errors for the Cilium designs. Each era counts exactly what its kernel
 * counts; a counter a design never touches stays 0.
 *
 * <p>Not here, because nothing in the model can bump them: the kernel's {@code invalid} and {@code error}
 * (nf_conntrack_in: a packet the l4 tracker's {@code error()} rejects, or that resolve_normal_ct cannot track; every
 * modelled packet is a well-formed UDP datagram), and BPF's {@code -EEXIST} (only a BPF_NOEXIST update returns it;
 * both Cilium designs write with BPF_ANY, as ct_create4 and sock4_update_revnat do).
 */
public enum Counter
{
    /**
     * Nodes walked past without a match: lookups ({@code ____nf_conntrack_find}) and
     * {@code nf_conntrack_tuple_taken}, 3.x - 4.8 only (verified in 3.x and 4.7 source; 5.0 source has none).
     */
    SEARCHED("searched"),
    /** {@code nf_conntrack_tuple_taken} hit (all eras); 3.x - 4.8 also count lookup hits. */
    FOUND("found"),
    /** {@code init_conntrack} created an entry (3.x - 4.8; not in the 5.0 source). */
    NEW("new"),
    /** {@code nf_conntrack_in} met an untracked (NOTRACK) packet: until "remove ignore stats" (5.10). */
    IGNORE("ignore"),
    /** {@code destroy_conntrack} freed an entry, confirmed or not (3.x - 4.6). */
    DELETE("delete"),
    /** {@code nf_ct_delete_from_lists} unlinked a confirmed entry (3.x - 4.6). */
    DELETE_LIST("delete_list"),
    /** Entry inserted at confirm (counted by 3.x confirm only, in the code read). */
    INSERT("insert"),
    /** Confirm failed to insert (unresolved clash; before 5.10 also resolved ones). */
    INSERT_FAILED("insert_failed"),
    /** Packet dropped by conntrack (unresolved clash from 4.7; allocation failure). */
    DROP("drop"),
    /** A non-ASSURED entry evicted to make room. */
    EARLY_DROP("early_drop"),
    /** RCU lookup restarted (nulls marker of another bucket). */
    SEARCH_RESTART("search_restart"),
    /** Clash resolved by merge or reply-only insert (5.10+, bc92470413f3). */
    CLASH_RESOLVE("clash_resolve"),
    /** Confirm refused: bucket chain too long (5.15+, d7e7747ac5c2). */
    CHAINTOOLONG("chaintoolong"),

    /** BPF: map update that succeeded. */
    MAP_UPDATE("map_update"),
    /** BPF LRU: an entry evicted to make room. */
    MAP_EVICT("map_evict"),
    /** BPF: update of a new key failed, map full (plain hash). */
    MAP_E2BIG("map_e2big"),
    /** BPF: BPF_EXIST update (or delete) of a missing key. */
    MAP_ENOENT("map_enoent"),
    /** Socket LB: recvmsg found no reverse-NAT entry (reply delivered untranslated). */
    REVNAT_MISS("revnat_miss");

    private final String kernelName;

    Counter(final String kernelName)
    {
        this.kernelName = kernelName;
    }

    /** @return the name as the kernel (or BPF) prints it. */
    public String kernelName()
    {
        return kernelName;
    }

    private static final Counter[] VALUES = values();

    /** @return number of counters. */
    public static int count()
    {
        return VALUES.length;
    }

    /** @param ordinal ordinal. @return the counter. */
    public static Counter of(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
