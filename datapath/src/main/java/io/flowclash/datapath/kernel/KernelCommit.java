package io.flowclash.datapath.kernel;

/**
 * The kernel commits that decide which design a release runs, each with its mainline release and the stable
 * backports the table relies on. Mainline releases come from the commit and pull-request mails; where a stable point
 * release is not verified at source, {@link #stableNote()} says so and the table marks a release near it uncertain.
 */
public enum KernelCommit
{
    /** Clash resolution at all: UDP may merge a clashing entry onto the winner (nf_ct_resolve_clash). */
    CLASH_RESOLUTION("71d8c47fc653", "netfilter: conntrack: introduce clash resolution on insertion race",
        "4.7", "", "__nf_conntrack_confirm, nf_ct_resolve_clash"),
    /**
     * The hot-path statistics ({@code searched}, {@code found} on lookup, {@code new}, {@code insert}) no longer
     * counted; ctnetlink stops sending {@code searched}, {@code new}, {@code delete}, {@code delete_list}. Counted in
     * the 3.x and 4.7 source, gone in the 5.0 source and in a pre-4.15 {@code nf_conntrack_common.h}; the commit was
     * not identified, its release is taken as 4.9 (the model's eras assume the same).
     */
    HOTPATH_STATS_REMOVED("(not identified)", "conntrack hot-path statistics removed (release assumed)",
        "4.9 (assumed)", "", "nf_conntrack_in, init_conntrack, ctnetlink_ct_stat_cpu_fill_info"),
    /** Merge a NAT-ed clash when both tuples match (nf_ct_match). */
    MATCH_MERGE("ed07d9a021df", "netfilter: nf_conntrack: resolve clash for matching conntracks",
        "4.19", "4.14.y from about 4.14.173 (queued as [PATCH 4.14 002/126] on 2020-03-10; point release not " +
            "verified); Ubuntu 4.15.0-56 (SRU); no 4.9.y backport found",
        "nf_ct_resolve_clash"),
    /** tuple_taken skips an entry with the same original tuple, so race 2 keeps its source port. */
    SAME_ORIGIN_SKIP("4e35c1cb9460", "netfilter: nf_nat: skip nat clash resolution for same-origin entries",
        "5.0", "4.9.163, 4.14.106, 4.19.29 (secondary source, March 2019 review cycle; not verified); " +
            "Ubuntu 4.15.0-56 (SRU)",
        "nf_conntrack_tuple_taken"),
    /** The same-origin skip also needs the same zone. */
    SAME_ZONE_SKIP("07998281c268", "netfilter: conntrack: skip identical origin tuple in same zone only",
        "5.12 (Feb 2021; release not verified)", "4.14.y and 5.4.y (Feb 2021); only matters with conntrack zones",
        "nf_conntrack_tuple_taken"),
    /** An unresolved clash inserts the loser reply-only (NAT_CLASH, 1 s). */
    CLASH_INSERT("6a757c07e51f", "netfilter: conntrack: allow insertion of clashing entries",
        "5.6", "not in 5.4.y as stored", "nf_ct_resolve_clash_harder"),
    /** The NAT_CLASH entry is no longer killed by its first reply. */
    KEEP_CLASH_ENTRY("c46172147ebb", "netfilter: conntrack: do not auto-delete clash entries on reply",
        "5.9 (5.9-rc3)", "5.8.8", "nf_conntrack_udp_packet"),
    /** clash_resolve counter; insert_failed only for unresolved clashes; /proc column searched renamed clashres. */
    CLASH_RESOLVE_COUNTER("bc92470413f3", "netfilter: conntrack: add clash resolution stat counter",
        "5.10", "", "nf_ct_resolve_clash, ct_cpu_seq_show"),
    /** The ignore counter is gone (conntrack -S has no ignore=; /proc prints 0). */
    IGNORE_REMOVED("remove ignore stats", "netfilter: conntrack: remove ignore stats (Westphal, nf-next 2020-08-26)",
        "5.10", "", "nf_conntrack_in, ctnetlink_ct_stat_cpu_fill_info"),
    /** Confirm refuses to insert into a chain that has grown too long: chaintoolong; /proc column chainlength. */
    CHAIN_LIMIT("d7e7747ac5c2", "netfilter: refuse insertion if chain has grown too large",
        "5.15", "", "__nf_conntrack_confirm"),
    /** UDP sets ASSURED only when it enters the stream state. */
    ASSURED_IN_STREAM("b7b1d02fc439", "netfilter: conntrack: set on IPS_ASSURED if flows enters internal stream state",
        "5.16", "", "nf_conntrack_udp_packet"),
    /** Clash resolution for reverse collisions; no NAT_DONE shortcut. */
    REVERSE_MERGE("a4e6a1031e77", "netfilter: conntrack: add clash resolution for reverse collisions",
        "6.12", "queued by AUTOSEL for 6.11.y (not verified that a 6.11.y release carries it)",
        "__nf_ct_resolve_clash, nf_ct_can_merge"),
    /** NAT does not reallocate the source port for a reverse-direction clash. */
    REVERSE_PORT_KEEP("d8f84a9bc7c4",
        "netfilter: nf_nat: don't try nat source port reallocation for reverse dir clash",
        "6.12", "", "get_unique_tuple, nf_nat_used_tuple_new");

    private final String id;
    private final String title;
    private final String mainline;
    private final String stableNote;
    private final String kernelFunctions;

    KernelCommit(final String id, final String title, final String mainline, final String stableNote,
        final String kernelFunctions)
    {
        this.id = id;
        this.title = title;
        this.mainline = mainline;
        this.stableNote = stableNote;
        this.kernelFunctions = kernelFunctions;
    }

    /** @return the abbreviated commit id (or the patch title where the id was not recorded). */
    public String id()
    {
        return id;
    }

    /** @return the commit title. */
    public String title()
    {
        return title;
    }

    /** @return the first mainline release that has it. */
    public String mainline()
    {
        return mainline;
    }

    /** @return the stable and distribution backports, with what is not verified; empty if none known. */
    public String stableNote()
    {
        return stableNote;
    }

    /** @return the kernel functions it changes. */
    public String kernelFunctions()
    {
        return kernelFunctions;
    }
}
