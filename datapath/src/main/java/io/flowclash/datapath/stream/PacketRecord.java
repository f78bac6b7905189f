package io.flowclash.datapath.stream;

import io.flowclash.datapath.flow.Tuple;
import org.agrona.MutableDirectBuffer;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.*;

/**
 * Flyweight over one packet record (layout in {@link PacketRecordDescriptor}). Wrap it over a record and read or
 * write fields in place; it never copies and never allocates. One instance per thread: a flyweight is not
 * thread safe, the buffer underneath follows the publication rule of {@link PacketStream}.
 */
public final class PacketRecord
{
    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Point the flyweight at a record.
     *
     * @param buffer holding records.
     * @param offset byte offset of the record.
     * @return this.
     */
    public PacketRecord wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the byte offset of the wrapped record. */
    public int offset()
    {
        return offset;
    }

    /** @return virtual time in ns. */
    public long timestampNs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }

    /** @param value virtual time in ns. @return this. */
    public PacketRecord timestampNs(final long value)
    {
        buffer.putLong(offset + TIMESTAMP_OFFSET, value);
        return this;
    }

    /** @return high tuple word, see {@link Tuple}. */
    public long tupleHi()
    {
        return buffer.getLong(offset + TUPLE_HI_OFFSET);
    }

    /** @return low tuple word, see {@link Tuple}. */
    public long tupleLo()
    {
        return buffer.getLong(offset + TUPLE_LO_OFFSET);
    }

    /**
     * @param hi high tuple word.
     * @param lo low tuple word.
     * @return this.
     */
    public PacketRecord tuple(final long hi, final long lo)
    {
        buffer.putLong(offset + TUPLE_HI_OFFSET, hi);
        buffer.putLong(offset + TUPLE_LO_OFFSET, lo);
        return this;
    }

    /** @return the socket cookie. */
    public long socketCookie()
    {
        return buffer.getLong(offset + SOCKET_COOKIE_OFFSET);
    }

    /** @param value socket cookie. @return this. */
    public PacketRecord socketCookie(final long value)
    {
        buffer.putLong(offset + SOCKET_COOKIE_OFFSET, value);
        return this;
    }

    /** @return batch id. */
    public long batchId()
    {
        return buffer.getLong(offset + BATCH_ID_OFFSET);
    }

    /** @param value batch id. @return this. */
    public PacketRecord batchId(final long value)
    {
        buffer.putLong(offset + BATCH_ID_OFFSET, value);
        return this;
    }

    /** @return lookup id. */
    public int lookupId()
    {
        return buffer.getInt(offset + LOOKUP_ID_OFFSET);
    }

    /** @param value lookup id. @return this. */
    public PacketRecord lookupId(final int value)
    {
        buffer.putInt(offset + LOOKUP_ID_OFFSET, value);
        return this;
    }

    /** @return DNS query id, 0..65535. */
    public int queryId()
    {
        return buffer.getShort(offset + QUERY_ID_OFFSET) & 0xFFFF;
    }

    /** @param value DNS query id. @return this. */
    public PacketRecord queryId(final int value)
    {
        buffer.putShort(offset + QUERY_ID_OFFSET, (short)value);
        return this;
    }

    /** @return DNS qtype, 0..65535. */
    public int queryType()
    {
        return buffer.getShort(offset + QUERY_TYPE_OFFSET) & 0xFFFF;
    }

    /** @param value DNS qtype. @return this. */
    public PacketRecord queryType(final int value)
    {
        buffer.putShort(offset + QUERY_TYPE_OFFSET, (short)value);
        return this;
    }

    /** @return {@link PacketRecordDescriptor#DIR_ORIGINAL} or {@link PacketRecordDescriptor#DIR_REPLY}. */
    public byte direction()
    {
        return buffer.getByte(offset + DIRECTION_OFFSET);
    }

    /** @param value direction. @return this. */
    public PacketRecord direction(final byte value)
    {
        buffer.putByte(offset + DIRECTION_OFFSET, value);
        return this;
    }

    /** @return index within the batch. */
    public int batchIndex()
    {
        return buffer.getByte(offset + BATCH_INDEX_OFFSET) & 0xFF;
    }

    /** @return packets in the batch. */
    public int batchSize()
    {
        return buffer.getByte(offset + BATCH_SIZE_OFFSET) & 0xFF;
    }

    /**
     * @param index place in the batch.
     * @param size  packets in the batch, 1..255.
     * @return this.
     */
    public PacketRecord batch(final int index, final int size)
    {
        buffer.putByte(offset + BATCH_INDEX_OFFSET, (byte)index);
        buffer.putByte(offset + BATCH_SIZE_OFFSET, (byte)size);
        return this;
    }

    /** @return flags. */
    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET);
    }

    /** @param value flags. @return this. */
    public PacketRecord flags(final int value)
    {
        buffer.putInt(offset + FLAGS_OFFSET, value);
        return this;
    }

    /** Zero the record's padding bytes (byte 51 and the reserved word) so streams are byte-identical. @return this. */
    public PacketRecord clearReserved()
    {
        buffer.putByte(offset + BATCH_SIZE_OFFSET + 1, (byte)0);
        buffer.putLong(offset + RESERVED_OFFSET, 0L);
        return this;
    }

    /** @return the reserved word (zero in a valid record). */
    public long reserved()
    {
        return buffer.getLong(offset + RESERVED_OFFSET);
    }

    /**
     * Append the record in a one-line, {@code conntrack}-like form.
     *
     * @param sb to append to.
     * @return the builder.
     */
    public StringBuilder appendTo(final StringBuilder sb)
    {
        sb.append("t=").append(timestampNs()).append("ns ")
            .append(directionName(direction())).append(' ')
            .append(Tuple.protocolName(Tuple.protocol(tupleLo()))).append(' ');
        Tuple.appendTo(sb, tupleHi(), tupleLo());
        return sb.append(" cookie=").append(socketCookie())
            .append(" batch=").append(batchId()).append('[').append(batchIndex()).append('/').append(batchSize())
            .append("] lookup=").append(lookupId())
            .append(" qid=").append(queryId())
            .append(" qtype=").append(queryTypeName(queryType()))
            .append(" flags=0x").append(Integer.toHexString(flags()));
    }

    @Override
    public String toString()
    {
        return buffer == null ? "PacketRecord[unwrapped]" : appendTo(new StringBuilder(160)).toString();
    }
}
