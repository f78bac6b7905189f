package io.flowclash.datapath.flow;

/**
 * An IPv4 5-tuple packed into two {@code long}s, so that a flow's identity never needs an object.
 *
 * <pre>
 *   hi:  63                              32 31                               0
 *       +----------------------------------+----------------------------------+
 *       |          source address          |       destination address        |
 *       +----------------------------------+----------------------------------+
 *   lo:  63              48 47             32 31      24 23                     0
 *       +-----------------+-----------------+----------+------------------------+
 *       |   source port   |    dest port    |  proto   |   zero (reserved)      |
 *       +-----------------+-----------------+----------+------------------------+
 * </pre>
 *
 * The kernel's {@code nf_conntrack_tuple} holds the same fields ({@code src.u3}, {@code src.u.udp.port},
 * {@code dst.u3}, {@code dst.u.udp.port}, {@code dst.protonum}); zone and netns are not modelled (one of each).
 * Two tuples are equal iff both words are equal. {@link #invertHi}/{@link #invertLo} give the tuple of the
 * opposite direction ({@code nf_ct_invert_tuple}). All methods are static and allocation free except the
 * formatting ones.
 */
public final class Tuple
{
    /** IANA protocol number of UDP. */
    public static final int PROTO_UDP = 17;
    /** IANA protocol number of TCP. */
    public static final int PROTO_TCP = 6;

    private static final long PORT_MASK = 0xFFFFL;
    private static final long PROTO_MASK = 0xFFL;
    private static final int SRC_PORT_SHIFT = 48;
    private static final int DST_PORT_SHIFT = 32;
    private static final int PROTO_SHIFT = 24;
    private static final long ADDRESS_MASK = 0xFFFF_FFFFL;

    private Tuple()
    {
    }

    /**
     * @param srcAddress source address, host order.
     * @param dstAddress destination address, host order.
     * @return the high word of the packed tuple.
     */
    public static long hi(final int srcAddress, final int dstAddress)
    {
        return ((long)srcAddress << 32) | (dstAddress & ADDRESS_MASK);
    }

    /**
     * @param srcPort  source port, 0..65535.
     * @param dstPort  destination port, 0..65535.
     * @param protocol IANA protocol number, 0..255.
     * @return the low word of the packed tuple.
     */
    public static long lo(final int srcPort, final int dstPort, final int protocol)
    {
        return ((srcPort & PORT_MASK) << SRC_PORT_SHIFT) |
            ((dstPort & PORT_MASK) << DST_PORT_SHIFT) |
            ((protocol & PROTO_MASK) << PROTO_SHIFT);
    }

    /** @param hi high word. @return source address. */
    public static int srcAddress(final long hi)
    {
        return (int)(hi >>> 32);
    }

    /** @param hi high word. @return destination address. */
    public static int dstAddress(final long hi)
    {
        return (int)hi;
    }

    /** @param lo low word. @return source port. */
    public static int srcPort(final long lo)
    {
        return (int)((lo >>> SRC_PORT_SHIFT) & PORT_MASK);
    }

    /** @param lo low word. @return destination port. */
    public static int dstPort(final long lo)
    {
        return (int)((lo >>> DST_PORT_SHIFT) & PORT_MASK);
    }

    /** @param lo low word. @return IANA protocol number. */
    public static int protocol(final long lo)
    {
        return (int)((lo >>> PROTO_SHIFT) & PROTO_MASK);
    }

    /** @param hi high word. @return the high word with source and destination address swapped. */
    public static long invertHi(final long hi)
    {
        return Long.rotateLeft(hi, 32);
    }

    /** @param lo low word. @return the low word with source and destination port swapped. */
    public static long invertLo(final long lo)
    {
        final long ports = lo >>> DST_PORT_SHIFT;
        final long swapped = ((ports & PORT_MASK) << 16) | (ports >>> 16);
        return (swapped << DST_PORT_SHIFT) | (lo & ((1L << DST_PORT_SHIFT) - 1));
    }

    /** @param hi high word. @param address new destination. @return the high word with the destination replaced. */
    public static long withDstAddress(final long hi, final int address)
    {
        return (hi & ~ADDRESS_MASK) | (address & ADDRESS_MASK);
    }

    /** @param hi high word. @param address new source. @return the high word with the source replaced. */
    public static long withSrcAddress(final long hi, final int address)
    {
        return (hi & ADDRESS_MASK) | ((long)address << 32);
    }

    /** @param lo low word. @param port new destination port. @return the low word with the port replaced. */
    public static long withDstPort(final long lo, final int port)
    {
        return (lo & ~(PORT_MASK << DST_PORT_SHIFT)) | ((port & PORT_MASK) << DST_PORT_SHIFT);
    }

    /** @param lo low word. @param port new source port. @return the low word with the port replaced. */
    public static long withSrcPort(final long lo, final int port)
    {
        return (lo & ~(PORT_MASK << SRC_PORT_SHIFT)) | ((port & PORT_MASK) << SRC_PORT_SHIFT);
    }

    /**
     * A seeded 64-bit hash of the tuple. Each table picks its own seed (as the kernel seeds
     * {@code hash_conntrack_raw} with a random {@code nf_conntrack_hash_rnd}), so collisions cannot be planned.
     * The words are combined with an odd multiplier and a rotation, then one round of the murmur3 64-bit
     * finaliser spreads every input bit over the output. Not a keyed PRF: the seed varies bucket placement
     * between tables, it does not make collisions unforgeable (the kernel's siphash does, since 5.15).
     *
     * @param hi   high word.
     * @param lo   low word.
     * @param seed per-table seed.
     * @return the hash.
     */
    public static long hash(final long hi, final long lo, final long seed)
    {
        return mix64((hi * 0x9E37_79B9_7F4A_7C15L) ^ Long.rotateLeft(lo, 29) ^ seed);
    }

    /**
     * The murmur3 fmix64 finaliser.
     *
     * @param value to mix.
     * @return the mixed value.
     */
    public static long mix64(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }

    /**
     * Append the tuple in the kernel's style: {@code src=10.0.0.1 dst=10.96.0.10 sport=40000 dport=53}.
     *
     * @param sb to append to.
     * @param hi high word.
     * @param lo low word.
     * @return the builder.
     */
    public static StringBuilder appendTo(final StringBuilder sb, final long hi, final long lo)
    {
        sb.append("src=");
        Ipv4.appendTo(sb, srcAddress(hi));
        sb.append(" dst=");
        Ipv4.appendTo(sb, dstAddress(hi));
        return sb.append(" sport=").append(srcPort(lo)).append(" dport=").append(dstPort(lo));
    }

    /**
     * @param hi high word.
     * @param lo low word.
     * @return the tuple in the kernel's style, see {@link #appendTo}.
     */
    public static String format(final long hi, final long lo)
    {
        return appendTo(new StringBuilder(64), hi, lo).toString();
    }

    /**
     * @param protocol IANA number.
     * @return {@code udp}, {@code tcp} or the number, as {@code conntrack -L} prints it.
     */
    public static String protocolName(final int protocol)
    {
        switch (protocol)
        {
            case PROTO_UDP:
                return "udp";
            case PROTO_TCP:
                return "tcp";
            default:
                return Integer.toString(protocol);
        }
    }
}
