package io.flowclash.datapath.conntrack;

/**
 * A kernel era as a policy over the one table: what {@code __nf_conntrack_confirm} does on a clash, what NAT's
 * tuple-taken check skips, which counters it bumps, and the UDP timeouts. Every flag names the commit that
 * introduced it (see {@code conntrack-eras.md}; [U] marks what the reference could not verify). Immutable.
 *
 * <p>Not a flag: confirm's test of a DYING loser (4.x+: insert_failed, drop; 3.x: accept). In this model an
 * unconfirmed entry is never in the hash, so nothing can kill it before its confirm: the case cannot arise.
 */
public final class ConntrackEra
{
    private static final long SECOND = 1_000_000_000L;

    /** UDP unreplied timeout, {@code nf_conntrack_udp_timeout}: 30 s in every era. */
    public static final long UDP_TIMEOUT_NS = 30 * SECOND;
    /** Fixed timeout of a NAT_CLASH entry: HZ, 1 s (6a757c07e51f). */
    public static final long NAT_CLASH_TIMEOUT_NS = SECOND;
    /** UDP stream state needs 2 s since the first packet (d535c8a69c19, 5.0). */
    public static final long STREAM_DELAY_NS = 2 * SECOND;

    final String kernels;
    final String clashRule;
    /** 71d8c47fc653 (4.7): UDP allows clash resolution at all; before it every clash drops. */
    final boolean allowClash;
    /** 71d8c47fc653 + 590b52e10d41/6e699867f84c: merge when the winner has no NAT_DONE bits (4.7 - 6.11). */
    final boolean mergeIfNoNat;
    /** ed07d9a021df (4.19): merge when both tuples of winner and loser are identical (nf_ct_match). */
    final boolean mergeIfMatch;
    /** a4e6a1031e77 (6.12): also merge an exact reverse (nf_ct_match_reverse). */
    final boolean mergeIfReverseMatch;
    /** Before 6.12, __resolve refuses a DYING winner. */
    final boolean refuseDyingWinner;
    /** 4e35c1cb9460 (5.0): tuple_taken skips an entry with the same ORIGINAL tuple (same flow). */
    final boolean sameOriginSkip;
    /** d8f84a9bc7c4 (6.12): tuple_taken treats an exact-reverse entry without real NAT as free. */
    final boolean reverseSkip;
    /** 6a757c07e51f (5.6): an unresolved clash inserts the loser reply-only with NAT_CLASH, 1 s. */
    final boolean clashInsert;
    /** 6a757c07e51f until c46172147ebb (5.9-rc3, 5.8.8): a NAT_CLASH entry dies on its first reply. */
    final boolean killClashOnReply;
    /** bc92470413f3 (5.10): clash_resolve++ on a resolved clash; insert_failed only when unresolved. */
    final boolean clashResolveCounter;
    /** 71d8c47fc653 (4.7): an unresolved clash also counts drop++ (era A counts insert_failed only). */
    final boolean dropCounter;
    /*
     * 3.x - 4.8: the hot-path statistics, one flag per kernel function that counts them (read in 3.x and 4.7
     * nf_conntrack_core.c; none of them in the 5.0 source read; the 4.9 - 4.20 state follows the era table [U: the
     * commit that removed them was not identified]).
     */
    /** ____nf_conntrack_find counts found on a hit and searched per node walked past (the table's find). */
    final boolean lookupStats;
    /** nf_conntrack_tuple_taken counts searched per node walked past (its found is counted in every era). */
    final boolean tupleTakenSearched;
    /** init_conntrack counts new. */
    final boolean newStat;
    /** __nf_conntrack_confirm counts insert. */
    final boolean insertStat;
    /** 3.x - 4.6: destroy_conntrack counts delete, nf_ct_delete_from_lists delete_list (read in 3.x, ~3.15). */
    final boolean deleteStats;
    /** Until "netfilter: conntrack: remove ignore stats" (Westphal, nf-next 2020-09 -> 5.10): ignore++ for NOTRACK. */
    final boolean ignoreStat;
    /** How init_conntrack makes room when the table is full. */
    final EarlyDrop earlyDrop;
    /** d7e7747ac5c2 (5.15): confirm refuses a chain longer than the limit: chaintoolong. */
    final boolean chainLimit;
    /** The limit's base (MIN_CHAINLEN): 8 from c9c3b6811f74 (5.15), 50 from "adopt safer max chain length" (6.3). */
    final int chainMin;
    /** The limit's random spread (MAX_CHAINLEN): 32 - 8 from c9c3b6811f74, 80 - 50 from 6.3. */
    final int chainSpread;
    /** 294304e4c522 (5.0): stream timeout 120 s; 180 s before. */
    final long streamTimeoutNs;
    /** d535c8a69c19 (5.0): the stream timeout applies only 2 s after the first packet. */
    final boolean streamAfterDelay;
    /** b7b1d02fc439 (5.16): ASSURED only when the stream timeout is used. */
    final boolean assuredOnlyInStream;

    private ConntrackEra(final Builder b)
    {
        this.kernels = b.kernels;
        this.clashRule = b.clashRule;
        this.allowClash = b.allowClash;
        this.mergeIfNoNat = b.mergeIfNoNat;
        this.mergeIfMatch = b.mergeIfMatch;
        this.mergeIfReverseMatch = b.mergeIfReverseMatch;
        this.refuseDyingWinner = b.refuseDyingWinner;
        this.sameOriginSkip = b.sameOriginSkip;
        this.reverseSkip = b.reverseSkip;
        this.clashInsert = b.clashInsert;
        this.killClashOnReply = b.killClashOnReply;
        this.clashResolveCounter = b.clashResolveCounter;
        this.dropCounter = b.dropCounter;
        this.lookupStats = b.hotpathStats;
        this.tupleTakenSearched = b.hotpathStats;
        this.newStat = b.hotpathStats;
        this.insertStat = b.hotpathStats;
        this.deleteStats = b.deleteStats;
        this.ignoreStat = b.ignoreStat;
        this.earlyDrop = b.earlyDrop;
        this.chainLimit = b.chainLimit;
        this.chainMin = b.chainMin;
        this.chainSpread = b.chainSpread;
        this.streamTimeoutNs = b.streamTimeoutNs;
        this.streamAfterDelay = b.streamAfterDelay;
        this.assuredOnlyInStream = b.assuredOnlyInStream;
    }

    /** @return the kernel versions this era models. */
    public String kernels()
    {
        return kernels;
    }

    /** @return one line on what a clash of two packets of one flow does in this era (kube-proxy node). */
    public String clashRule()
    {
        return clashRule;
    }

    /**
     * Derived from the clash rule: before 6a757c07e51f (5.6) an unresolved clash drops the loser; from it on, the
     * loser is inserted reply-only, and {@code nf_ct_resolve_clash_harder} fails only when another entry that does
     * not match owns the loser's REPLY tuple, which packets of one flow cannot arrange (a third packet with the
     * same reply tuple as an inserted loser matches it and merges).
     *
     * @return true if a racing packet of one flow can be dropped on a node with NAT hooks (kube-proxy).
     */
    public boolean canDropOnClash()
    {
        return !clashInsert;
    }

    /**
     * How {@code early_drop} makes room when {@code nf_conntrack_max} is reached (read in 3.x, 4.7 and 5.x
     * nf_conntrack_core.c).
     */
    public enum EarlyDrop
    {
        /**
         * 3.x: walk buckets from the new tuple's, remembering the last non-ASSURED entry of each chain (the oldest:
         * nodes are added at the head); stop at the first bucket that has one, or once 8 nodes were walked
         * (NF_CT_EVICTION_RANGE); kill that one entry, early_drop once.
         */
        ONE_OLDEST,
        /**
         * 4.7 - 4.8: up to 8 buckets from the new tuple's; the first non-ASSURED, not dying entry found is killed,
         * early_drop once.
         */
        ONE_FIRST,
        /**
         * 4.9+ early_drop_list: up to 8 buckets; in each, expired entries are collected (nf_ct_gc_expired, not
         * counted, and not room made), every non-ASSURED live entry is killed; the first bucket that killed any
         * ends the search and counts early_drop once per kill. None killed: "table full, dropping packet", even if
         * expired entries were collected on the way.
         */
        LIST
    }

    /** Era A: Linux 3.x - 4.6 ("lock-and-drop"): every clash drops; insert_failed only. */
    public static final ConntrackEra DROP = new Builder("<= 4.6")
        .rule("every clash dropped (insert_failed)")
        .hotpathStats().deleteStats().earlyDrop(EarlyDrop.ONE_OLDEST).stream(180 * SECOND, false).build();

    /** Era B, first releases: 4.7 - 4.8: as {@link #NO_NAT_MERGE}, with the 4.7 counters and early_drop. */
    public static final ConntrackEra NO_NAT_MERGE_4_7 = new Builder("4.7 - 4.8")
        .rule("merge only if the winner has no NAT: on a kube-proxy node every clash dropped (insert_failed, drop)")
        .allowClash().mergeIfNoNat(true).hotpathStats().earlyDrop(EarlyDrop.ONE_FIRST).stream(180 * SECOND, false)
        .build();

    /** Era B: 4.9 - 4.18: merge only when the winner has no NAT (so on a kube-proxy node every clash drops). */
    public static final ConntrackEra NO_NAT_MERGE = new Builder("4.9 - 4.18")
        .rule("merge only if the winner has no NAT: on a kube-proxy node every clash dropped (insert_failed, drop)")
        .allowClash().mergeIfNoNat(true).stream(180 * SECOND, false).build();

    /** Era C: 4.19 - 4.20 (ed07d9a021df): merge identical clashes. */
    public static final ConntrackEra MERGE = new Builder("4.19 - 4.20 (+4.14.y >= ~4.14.173)")
        .rule("merge if both tuples identical (race 1); moved SNAT port (race 2) or other backend dropped")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().stream(180 * SECOND, false).build();

    /** Era D: 5.0 - 5.5 (4e35c1cb9460): plus the same-origin skip in tuple_taken. */
    public static final ConntrackEra SAME_ORIGIN = new Builder("5.0 - 5.5 (and 5.4.y)")
        .rule("merge same translation (races 1, 2); different backend dropped")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().stream(120 * SECOND, true).build();

    /** Era E1: 5.6 - 5.8.7 (6a757c07e51f): reply-only insert, killed on its first reply; no clash_resolve yet. */
    public static final ConntrackEra CLASH_INSERT_5_6 = new Builder("5.6 - 5.8.7")
        .rule("merge, else loser inserted reply-only (NAT_CLASH), killed by its first reply")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().clashInsert().killClashOnReply()
        .stream(120 * SECOND, true).build();

    /** Era E2: 5.8.8 - 5.9 (c46172147ebb): the NAT_CLASH entry lives its 1 s; resolved clashes still insert_failed. */
    public static final ConntrackEra CLASH_INSERT_5_9 = new Builder("5.8.8 - 5.9")
        .rule("merge, else loser inserted reply-only (NAT_CLASH) for 1 s; counted as insert_failed, no clash_resolve")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().clashInsert()
        .stream(120 * SECOND, true).build();

    /** Era E3: 5.10 - 5.14 (bc92470413f3; ignore removed): clash_resolve counted, insert_failed only unresolved. */
    public static final ConntrackEra CLASH_INSERT_5_10 = new Builder("5.10 - 5.14")
        .rule("merge, else loser inserted reply-only (NAT_CLASH) for 1 s; clash_resolve counted")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().clashInsert().clashResolveCounter()
        .noIgnoreStat().stream(120 * SECOND, true).build();

    /** Era E4: 5.15 (d7e7747ac5c2, c9c3b6811f74): confirm's chain limit, 8 + random(24), chaintoolong. */
    public static final ConntrackEra CLASH_INSERT_5_15 = new Builder("5.15")
        .rule("merge, else loser inserted reply-only (NAT_CLASH) for 1 s; clash_resolve, chaintoolong counted")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().clashInsert().clashResolveCounter()
        .noIgnoreStat().chainLimit(8, 32 - 8).stream(120 * SECOND, true).build();

    /**
     * Era E5: 5.16 - 6.11 (b7b1d02fc439: ASSURED only in stream state). Chain limit 50 + random(30) as from
     * "netfilter: conntrack: adopt safer max chain length" (Dumazet, 6.3, with stable backports; 5.16 - 6.2 as
     * first released had 8 + random(24)).
     */
    public static final ConntrackEra CLASH_INSERT = new Builder("5.16 - 6.11")
        .rule("merge, else loser inserted reply-only (NAT_CLASH) for 1 s; clash_resolve counted")
        .allowClash().mergeIfNoNat(true).mergeIfMatch().sameOriginSkip().clashInsert().clashResolveCounter()
        .noIgnoreStat().chainLimit(50, 80 - 50).stream(120 * SECOND, true).assuredOnlyInStream().build();

    /** Era F: 6.12+ (a4e6a1031e77, d8f84a9bc7c4): merge also exact reverses; no NAT_DONE shortcut, no DYING test. */
    public static final ConntrackEra REVERSE_MERGE = new Builder("6.12 - current")
        .rule("as nf-clash-insert, plus merge of exact reverse clashes")
        .allowClash().mergeIfNoNat(false).mergeIfMatch().mergeIfReverseMatch().refuseDyingWinner(false)
        .sameOriginSkip().reverseSkip().clashInsert().clashResolveCounter().noIgnoreStat().chainLimit(50, 80 - 50)
        .stream(120 * SECOND, true).assuredOnlyInStream().build();

    /** Builder; defaults are the 4.7-era baseline with everything later off. */
    static final class Builder
    {
        private final String kernels;
        private String clashRule = "";
        private boolean allowClash;
        private boolean mergeIfNoNat;
        private boolean mergeIfMatch;
        private boolean mergeIfReverseMatch;
        private boolean refuseDyingWinner = true;
        private boolean sameOriginSkip;
        private boolean reverseSkip;
        private boolean clashInsert;
        private boolean killClashOnReply;
        private boolean clashResolveCounter;
        private boolean dropCounter;
        private boolean hotpathStats;
        private boolean deleteStats;
        private boolean ignoreStat = true;
        private EarlyDrop earlyDrop = EarlyDrop.LIST;
        private boolean chainLimit;
        private int chainMin;
        private int chainSpread;
        private long streamTimeoutNs = 120 * SECOND;
        private boolean streamAfterDelay = true;
        private boolean assuredOnlyInStream;

        Builder(final String kernels)
        {
            this.kernels = kernels;
        }

        Builder rule(final String text)
        {
            clashRule = text;
            return this;
        }

        Builder allowClash()
        {
            allowClash = true;
            dropCounter = true;
            return this;
        }

        Builder mergeIfNoNat(final boolean on)
        {
            mergeIfNoNat = on;
            return this;
        }

        Builder mergeIfMatch()
        {
            mergeIfMatch = true;
            return this;
        }

        Builder mergeIfReverseMatch()
        {
            mergeIfReverseMatch = true;
            return this;
        }

        Builder refuseDyingWinner(final boolean on)
        {
            refuseDyingWinner = on;
            return this;
        }

        Builder sameOriginSkip()
        {
            sameOriginSkip = true;
            return this;
        }

        Builder reverseSkip()
        {
            reverseSkip = true;
            return this;
        }

        Builder clashInsert()
        {
            clashInsert = true;
            return this;
        }

        Builder killClashOnReply()
        {
            killClashOnReply = true;
            return this;
        }

        Builder clashResolveCounter()
        {
            clashResolveCounter = true;
            return this;
        }

        Builder hotpathStats()
        {
            hotpathStats = true;
            return this;
        }

        Builder deleteStats()
        {
            deleteStats = true;
            return this;
        }

        Builder noIgnoreStat()
        {
            ignoreStat = false;
            return this;
        }

        Builder earlyDrop(final EarlyDrop mode)
        {
            earlyDrop = mode;
            return this;
        }

        Builder chainLimit(final int min, final int spread)
        {
            chainLimit = true;
            chainMin = min;
            chainSpread = spread;
            return this;
        }

        Builder stream(final long timeoutNs, final boolean afterDelay)
        {
            streamTimeoutNs = timeoutNs;
            streamAfterDelay = afterDelay;
            return this;
        }

        Builder assuredOnlyInStream()
        {
            assuredOnlyInStream = true;
            return this;
        }

        ConntrackEra build()
        {
            return new ConntrackEra(this);
        }
    }
}
