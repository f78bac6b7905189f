package io.flowclash.datapath.conntrack;

/**
 * Layout of one conntrack entry ({@code struct nf_conn}) in the table's {@code long[]} pool: 8 longs, one cache
 * line, so that a lookup that matches touches one line of the entry.
 *
 * <pre>
 *   slot 0  ORIGINAL tuple hi     tuplehash[IP_CT_DIR_ORIGINAL].tuple
 *   slot 1  ORIGINAL tuple lo
 *   slot 2  REPLY tuple hi        tuplehash[IP_CT_DIR_REPLY].tuple (rewritten by NAT)
 *   slot 3  REPLY tuple lo
 *   slot 4  timeout               relative while unconfirmed, absolute (virtual ns) once confirmed
 *   slot 5  status                IPS_* bits, set atomically (set_bit)
 *   slot 6  udp stream_ts         5.0+: first packet time + 2 s
 *   slot 7  aux                   chosen backend index (model bookkeeping)
 * </pre>
 *
 * A node is one direction of an entry in a bucket chain: {@code node = entry * 2 + direction}, so the node's tuple
 * is at slot {@code direction * 2}. Status bit numbers are the kernel's ({@code enum ip_conntrack_status}).
 */
public final class ConnDescriptor
{
    /** Longs per entry. */
    public static final int STRIDE = 8;
    /** log2 of {@link #STRIDE}. */
    public static final int STRIDE_SHIFT = 3;

    /** Slot of the ORIGINAL tuple high word. */
    public static final int ORIG_HI = 0;
    /** Slot of the ORIGINAL tuple low word. */
    public static final int ORIG_LO = 1;
    /** Slot of the REPLY tuple high word. */
    public static final int REPLY_HI = 2;
    /** Slot of the REPLY tuple low word. */
    public static final int REPLY_LO = 3;
    /** Slot of the timeout. */
    public static final int TIMEOUT = 4;
    /** Slot of the status bits. */
    public static final int STATUS = 5;
    /** Slot of the UDP stream timestamp. */
    public static final int STREAM_TS = 6;
    /** Slot of the backend index. */
    public static final int AUX = 7;

    /** Direction of the ORIGINAL node. */
    public static final int DIR_ORIGINAL = 0;
    /** Direction of the REPLY node. */
    public static final int DIR_REPLY = 1;

    /** IPS_SEEN_REPLY. */
    public static final int IPS_SEEN_REPLY = 1 << 1;
    /** IPS_ASSURED. */
    public static final int IPS_ASSURED = 1 << 2;
    /** IPS_CONFIRMED. */
    public static final int IPS_CONFIRMED = 1 << 3;
    /** IPS_SRC_NAT. */
    public static final int IPS_SRC_NAT = 1 << 4;
    /** IPS_DST_NAT. */
    public static final int IPS_DST_NAT = 1 << 5;
    /** IPS_SRC_NAT_DONE. */
    public static final int IPS_SRC_NAT_DONE = 1 << 7;
    /** IPS_DST_NAT_DONE. */
    public static final int IPS_DST_NAT_DONE = 1 << 8;
    /** IPS_DYING. */
    public static final int IPS_DYING = 1 << 9;
    /** IPS_FIXED_TIMEOUT. */
    public static final int IPS_FIXED_TIMEOUT = 1 << 10;
    /** IPS_NAT_CLASH: reuses the bit of IPS_UNTRACKED, 12 (6a757c07e51f). */
    public static final int IPS_NAT_CLASH = 1 << 12;
    /** IPS_NAT_DONE_MASK. */
    public static final int IPS_NAT_DONE_MASK = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;

    private ConnDescriptor()
    {
    }

    /**
     * @param status IPS bits.
     * @return the bits as {@code conntrack -L} shows the interesting ones, e.g. {@code [ASSURED]}.
     */
    public static String statusFlags(final int status)
    {
        final StringBuilder sb = new StringBuilder();
        if ((status & IPS_SEEN_REPLY) == 0)
        {
            sb.append("[UNREPLIED] ");
        }
        if ((status & IPS_ASSURED) != 0)
        {
            sb.append("[ASSURED] ");
        }
        if ((status & IPS_NAT_CLASH) != 0)
        {
            sb.append("[NAT_CLASH] ");
        }
        if ((status & IPS_DYING) != 0)
        {
            sb.append("[DYING] ");
        }
        return sb.toString().trim();
    }
}
