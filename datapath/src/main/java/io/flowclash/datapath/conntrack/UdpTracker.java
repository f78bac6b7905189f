package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.PacketContext;

import static io.flowclash.datapath.conntrack.ConnDescriptor.*;

/**
 * The UDP tracker, {@code net/netfilter/nf_conntrack_proto_udp.c}: {@code nf_conntrack_udp_packet} per era
 * (timeouts, stream state, ASSURED) and the timeout refresh it calls ({@code nf_ct_refresh_acct}). Runs for every
 * tracked packet, new or established, from {@link ConntrackIn}.
 *
 * <p>Thread safety: stateless apart from the table; a refresh of a confirmed entry is an opaque store by any worker
 * (the kernel's WRITE_ONCE), status bits are set atomically.
 */
final class UdpTracker
{
    private final ConntrackEra era;
    private final StripedLockConntrackTable table;

    UdpTracker(final ConntrackEra era, final StripedLockConntrackTable table)
    {
        this.era = era;
        this.table = table;
    }

    /**
     * {@code nf_conntrack_udp_packet}: stream state after a reply, else the unreplied timeout.
     *
     * <pre>
     *   new entry (5.0+, d535c8a69c19):   stream_ts = now + 2 s
     *   SEEN_REPLY:  timeout = stream (120 s; 180 s before 294304e4c522, 5.0) if past stream_ts, else 30 s
     *                NAT_CLASH: return (c46172147ebb: never ASSURED; before it the entry never got here alive)
     *                set ASSURED (5.16+, b7b1d02fc439: only when the stream timeout was used)
     *   else:        5.6 - 5.8.7, a NAT_CLASH entry's first reply: nf_ct_kill (nf_conntrack_udp_refresh_unreplied)
     *                otherwise timeout = 30 s
     * </pre>
     *
     * @param ctx    the packet (attached to the entry).
     * @param c      the entry.
     * @param status its status bits as read at the lookup (SEEN_REPLY is set after this, as nf_conntrack_in does).
     * @param isNew  true for the packet that created the entry.
     */
    void packet(final PacketContext ctx, final int c, final int status, final boolean isNew)
    {
        final long now = ctx.now();
        if (isNew && era.streamAfterDelay)
        {
            table.setField(c, STREAM_TS, now + ConntrackEra.STREAM_DELAY_NS); // d535c8a69c19
        }
        if ((status & IPS_SEEN_REPLY) != 0)
        {
            final boolean stream = !era.streamAfterDelay || now > table.field(c, STREAM_TS);
            refresh(ctx, c, status, stream ? era.streamTimeoutNs : ConntrackEra.UDP_TIMEOUT_NS);
            if ((status & IPS_NAT_CLASH) != 0)
            {
                return; // c46172147ebb: "never set ASSURED for IPS_NAT_CLASH, they time out soon"
            }
            if ((status & IPS_ASSURED) == 0 && (!era.assuredOnlyInStream || stream))
            {
                table.setStatus(c, IPS_ASSURED);
            }
        }
        else if (era.killClashOnReply && ctx.connDirection() == DIR_REPLY && (status & IPS_NAT_CLASH) != 0)
        {
            // 6a757c07e51f until c46172147ebb (5.8.8, 5.9-rc3): nf_conntrack_udp_refresh_unreplied: the first reply of
            // a NAT_CLASH entry (ESTABLISHED_REPLY, SEEN_REPLY not yet set) kills it instead of refreshing; the
            // packet itself is still accepted and de-NATed through the entry it holds (read in c46172147ebb's diff)
            table.kill(c, ctx.worker());
        }
        else
        {
            refresh(ctx, c, status, ConntrackEra.UDP_TIMEOUT_NS);
        }
    }

    /**
     * {@code __nf_ct_refresh_acct}: relative while unconfirmed, absolute after, written only if it changes
     * ({@code if (READ_ONCE(ct->timeout) != extra_jiffies) WRITE_ONCE(...)}, read); FIXED_TIMEOUT never changes.
     */
    private void refresh(final PacketContext ctx, final int c, final int status, final long timeoutNs)
    {
        if ((status & IPS_FIXED_TIMEOUT) != 0)
        {
            return;
        }
        if (ctx.unconfirmedEntry())
        {
            table.setField(c, TIMEOUT, timeoutNs);
            return;
        }
        final long timeout = ctx.now() + timeoutNs;
        if (table.timeout(c) != timeout)
        {
            table.setTimeout(c, timeout);
        }
    }
}
