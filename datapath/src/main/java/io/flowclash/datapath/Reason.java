package io.flowclash.datapath;

/**
 * Why a packet was accepted or dropped: every packet a datapath finishes gets exactly one. The drop reasons carry
 * the counter the kernel (or BPF) would bump, so that a model run reads like {@code conntrack -S}.
 */
public enum Reason
{
    /** A new flow's first packet: entry created and confirmed. */
    ACCEPT_NEW(true, "new"),
    /** Matched a confirmed entry (later packets of a flow). */
    ACCEPT_ESTABLISHED(true, "established"),
    /** Lost the insertion race but was merged onto the winner's identical entry (clash resolved). */
    ACCEPT_MERGED(true, "clash_merged"),
    /** Lost the insertion race with a different translation; inserted as a reply-only NAT_CLASH entry (5.6+). */
    ACCEPT_CLASH_INSERTED(true, "clash_inserted"),
    /** Matched a NOTRACK rule (NodeLocal DNSCache): never touched the table. */
    ACCEPT_NOTRACK(true, "notrack"),
    /** A reply de-NATed back to the service address: the client will take it. */
    ACCEPT_REPLY(true, "reply"),
    /** A reply that found no entry (or a stale one): delivered with the backend's source, a resolver ignores it. */
    ACCEPT_REPLY_UNTRANSLATED(true, "reply_untranslated"),
    /** Socket LB: translated at the socket, no service table on the packet path. */
    ACCEPT_SOCKET_TRANSLATED(true, "socket_translated"),

    /** Insertion clash not resolved: {@code insert_failed} (and, from 4.7, {@code drop}). */
    DROP_CLASH(false, "insert_failed"),
    /** No free entry and early_drop found no victim: {@code drop} ("table full, dropping packet"). */
    DROP_TABLE_FULL(false, "table_full"),
    /** A confirm bucket walk exceeded the chain limit (5.15+): {@code chaintoolong}. */
    DROP_CHAIN_TOO_LONG(false, "chaintoolong"),
    /** BPF map update failed (full plain hash: E2BIG): Cilium's DROP_CT_CREATE_FAILED. */
    DROP_MAP_UPDATE_FAILED(false, "ct_create_failed"),
    /** The service has no backend. */
    DROP_NO_BACKEND(false, "no_backend");

    private final boolean accepted;
    private final String label;

    Reason(final boolean accepted, final String label)
    {
        this.accepted = accepted;
        this.label = label;
    }

    /** @return true for an accept reason. */
    public boolean accepted()
    {
        return accepted;
    }

    /** @return the short name used in output. */
    public String label()
    {
        return label;
    }

    private static final Reason[] VALUES = values();

    /** @param ordinal ordinal. @return the reason (no array copy). */
    public static Reason of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** @return number of reasons. */
    public static int count()
    {
        return VALUES.length;
    }
}
