package io.flowclash.datapath.stream;

import java.nio.charset.StandardCharsets;

/**
 * Layout of a stream file: a header, then the records (layout in {@link PacketRecordDescriptor}) starting at a
 * 64-byte aligned offset so that a mapped record never straddles a cache line. All numbers little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  magic "FLOWCLSH" (8 ASCII bytes)             | 0
 *  +-------------------------------+-------------------------------+
 *  |        format version         |  header length (records at)   | 8
 *  +-------------------------------+-------------------------------+
 *  |         record length         |     workload spec length      | 16
 *  +-------------------------------+-------------------------------+
 *  |                       record count (long)                     | 24
 *  +---------------------------------------------------------------+
 *  |                       workload seed (long)                    | 32
 *  +---------------------------------------------------------------+
 *  |          records CRC32C (unsigned, in a long)                 | 40
 *  +-------------------------------+-------------------------------+
 *  |     checksum block length     |     checksum block count      | 48
 *  +-------------------------------+-------------------------------+
 *  |  header CRC32C (this = 0)     |        reserved, zero         | 56
 *  +-------------------------------+-------------------------------+
 *  |  workload spec, UTF-8 ...                                     | 64
 *  +---------------------------------------------------------------+
 *  |  CRC32C of each checksum block of the records (int each) ...  |
 *  +---------------------------------------------------------------+
 *  |  zero padding to a multiple of 64                             |
 *  +---------------------------------------------------------------+
 *  |  records ...                                                  | header length
 * </pre>
 *
 * The per-block checksums let a corrupt file be reported with the offset of the damaged block, not just
 * "somewhere"; the header CRC covers every header byte, spec and block table included.
 */
public final class StreamFileDescriptor
{
    /** The magic bytes. */
    public static final byte[] MAGIC = "FLOWCLSH".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the format version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_OFFSET = 12;
    /** Offset of the record length. */
    public static final int RECORD_LENGTH_OFFSET = 16;
    /** Offset of the spec length. */
    public static final int SPEC_LENGTH_OFFSET = 20;
    /** Offset of the record count. */
    public static final int RECORD_COUNT_OFFSET = 24;
    /** Offset of the seed. */
    public static final int SEED_OFFSET = 32;
    /** Offset of the records checksum. */
    public static final int RECORDS_CHECKSUM_OFFSET = 40;
    /** Offset of the checksum block length. */
    public static final int BLOCK_LENGTH_OFFSET = 48;
    /** Offset of the checksum block count. */
    public static final int BLOCK_COUNT_OFFSET = 52;
    /** Offset of the header checksum. */
    public static final int HEADER_CHECKSUM_OFFSET = 56;
    /** Offset of the reserved int. */
    public static final int RESERVED_OFFSET = 60;
    /** Offset of the workload spec. */
    public static final int SPEC_OFFSET = 64;
    /** Length of the fixed part of the header. */
    public static final int FIXED_HEADER_LENGTH = 64;

    /** Bytes per checksum block of the records (1 MiB). */
    public static final int BLOCK_LENGTH = 1 << 20;
    /** Longest workload spec accepted. */
    public static final int MAX_SPEC_LENGTH = 4096;
    /** Header alignment: records start at a multiple of this. */
    public static final int ALIGNMENT = 64;

    private StreamFileDescriptor()
    {
    }

    /**
     * @param recordsLength bytes of records.
     * @return checksum blocks needed.
     */
    public static int blockCount(final long recordsLength)
    {
        return (int)((recordsLength + BLOCK_LENGTH - 1) / BLOCK_LENGTH);
    }

    /**
     * @param specLength bytes of the spec.
     * @param blockCount checksum blocks.
     * @return the header length, aligned.
     */
    public static int headerLength(final int specLength, final int blockCount)
    {
        final long unaligned = (long)SPEC_OFFSET + specLength + 4L * blockCount;
        return (int)((unaligned + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
    }

    /**
     * @param specLength bytes of the spec.
     * @return offset of the block checksum table.
     */
    public static int blockTableOffset(final int specLength)
    {
        return SPEC_OFFSET + specLength;
    }
}
