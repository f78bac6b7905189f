package io.flowclash.datapath.stream;

/**
 * Layout of one packet record: 64 bytes, little-endian (native order of the buffers we use), one cache line.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   timestamp, virtual ns (long)                | 0
 *  +---------------------------------------------------------------+
 *  |              tuple hi: src address | dst address              | 8
 *  +---------------------------------------------------------------+
 *  |         tuple lo: sport | dport | proto | 0                   | 16
 *  +---------------------------------------------------------------+
 *  |                    socket cookie (long)                       | 24
 *  +---------------------------------------------------------------+
 *  |          batch id: equal ids left at the same instant         | 32
 *  +-------------------------------+-------------------------------+
 *  |        lookup id (int)        |  DNS query id | DNS qtype     | 40
 *  +-------+-------+-------+-------+-------------------------------+
 *  |  dir  | b.idx | b.size|  0    |          flags (int)          | 48
 *  +-------+-------+-------+-------+-------------------------------+
 *  |                        reserved, zero                         | 56
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A batch is the set of packets that leave at the same virtual instant from one socket (two threads, or one
 * {@code sendmmsg}): they share {@code batch id}, and {@code b.idx} is a packet's place in it (0-based) of
 * {@code b.size}. The DNS qtype is the wire value (1 = A, 28 = AAAA, 0 = not DNS).
 */
public final class PacketRecordDescriptor
{
    /** Bytes per record. */
    public static final int RECORD_LENGTH = 64;
    /** log2 of {@link #RECORD_LENGTH}. */
    public static final int RECORD_LENGTH_SHIFT = 6;

    /** Offset of the virtual timestamp in ns. */
    public static final int TIMESTAMP_OFFSET = 0;
    /** Offset of the high tuple word. */
    public static final int TUPLE_HI_OFFSET = 8;
    /** Offset of the low tuple word. */
    public static final int TUPLE_LO_OFFSET = 16;
    /** Offset of the socket cookie. */
    public static final int SOCKET_COOKIE_OFFSET = 24;
    /** Offset of the batch id. */
    public static final int BATCH_ID_OFFSET = 32;
    /** Offset of the lookup id. */
    public static final int LOOKUP_ID_OFFSET = 40;
    /** Offset of the DNS query id (unsigned 16 bits). */
    public static final int QUERY_ID_OFFSET = 44;
    /** Offset of the DNS query type (unsigned 16 bits). */
    public static final int QUERY_TYPE_OFFSET = 46;
    /** Offset of the direction byte. */
    public static final int DIRECTION_OFFSET = 48;
    /** Offset of the index within the batch. */
    public static final int BATCH_INDEX_OFFSET = 49;
    /** Offset of the batch size. */
    public static final int BATCH_SIZE_OFFSET = 50;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 52;
    /** Offset of the reserved word, always zero. */
    public static final int RESERVED_OFFSET = 56;

    /** Direction: client to service (the kernel's IP_CT_DIR_ORIGINAL). */
    public static final byte DIR_ORIGINAL = 0;
    /** Direction: service to client (IP_CT_DIR_REPLY). */
    public static final byte DIR_REPLY = 1;

    /** DNS qtype of a non-DNS packet. */
    public static final short QTYPE_NONE = 0;
    /** DNS qtype A. */
    public static final short QTYPE_A = 1;
    /** DNS qtype AAAA. */
    public static final short QTYPE_AAAA = 28;

    /** Flag: the first packet the socket sends (a new 5-tuple as far as the client knows). */
    public static final int FLAG_FIRST_ON_SOCKET = 1;
    /** Flag: a resolver retransmission of an earlier query. */
    public static final int FLAG_RETRANSMIT = 1 << 1;
    /** All flags this format version defines; others must be zero. */
    public static final int KNOWN_FLAGS = FLAG_FIRST_ON_SOCKET | FLAG_RETRANSMIT;

    private PacketRecordDescriptor()
    {
    }

    /**
     * @param index record index.
     * @return byte offset of the record in a records buffer.
     */
    public static long recordOffset(final long index)
    {
        return index << RECORD_LENGTH_SHIFT;
    }

    /**
     * @param qtype DNS qtype.
     * @return {@code A}, {@code AAAA}, {@code -} for none, or the number.
     */
    public static String queryTypeName(final int qtype)
    {
        switch (qtype)
        {
            case QTYPE_A:
                return "A";
            case QTYPE_AAAA:
                return "AAAA";
            case QTYPE_NONE:
                return "-";
            default:
                return Integer.toString(qtype);
        }
    }

    /**
     * @param direction direction byte.
     * @return {@code original} or {@code reply}.
     */
    public static String directionName(final int direction)
    {
        return direction == DIR_ORIGINAL ? "original" : direction == DIR_REPLY ? "reply" : "dir" + direction;
    }
}
