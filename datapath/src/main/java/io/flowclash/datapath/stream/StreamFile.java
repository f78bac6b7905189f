package io.flowclash.datapath.stream;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.io.SafeOutput;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.RECORD_LENGTH;
import static io.flowclash.datapath.stream.StreamFileDescriptor.*;

/**
 * A stream file (layout in {@link StreamFileDescriptor}): {@link #save} writes one atomically, {@link #open}
 * validates one completely and memory-maps its records read-only.
 *
 * <p>Opening never trusts the file: every header field is range-checked, the header and every block of
 * records is checksummed, and the first problem is reported as a {@link StreamFormatException} naming the file,
 * the offset and what was expected. Saving writes a temporary file beside the target, forces it to disk and
 * renames it into place, so a crash or error never leaves a half-written file under the target's name.
 */
public final class StreamFile implements AutoCloseable
{
    /** Records are written 8 MiB at a time, so that a progress line can follow a large save. */
    private static final int WRITE_CHUNK = 8 << 20;

    private final Path path;
    private final int version;
    private final int headerLength;
    private final String spec;
    private final long seed;
    private final long recordsChecksum;
    private final int blockCount;
    private final MappedByteBuffer mapped;
    private final PacketStream stream;

    private StreamFile(
        final Path path,
        final int version,
        final int headerLength,
        final String spec,
        final long seed,
        final long recordsChecksum,
        final int blockCount,
        final MappedByteBuffer mapped,
        final PacketStream stream)
    {
        this.path = path;
        this.version = version;
        this.headerLength = headerLength;
        this.spec = spec;
        this.seed = seed;
        this.recordsChecksum = recordsChecksum;
        this.blockCount = blockCount;
        this.mapped = mapped;
        this.stream = stream;
    }

    /** @return the file. */
    public Path path()
    {
        return path;
    }

    /** @return the file's format version. */
    public int version()
    {
        return version;
    }

    /** @return bytes before the first record. */
    public int headerLength()
    {
        return headerLength;
    }

    /** @return the canonical workload spec the stream was generated from. */
    public String spec()
    {
        return spec;
    }

    /** @return the workload seed. */
    public long seed()
    {
        return seed;
    }

    /** @return the CRC32C over all record bytes (verified on open). */
    public long recordsChecksum()
    {
        return recordsChecksum;
    }

    /** @return checksum blocks (each verified on open). */
    public int blockCount()
    {
        return blockCount;
    }

    /** @return the records, mapped read-only; all published. */
    public PacketStream stream()
    {
        return stream;
    }

    @Override
    public void close()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Save the published records of a stream.
     *
     * @param target where the file goes: a regular file (replaced atomically) or a new name in an existing
     *               directory; anything else is refused ({@link SafeOutput}).
     * @param stream records to save (its published count).
     * @param spec   canonical workload spec.
     * @param seed   workload seed.
     * @return the records checksum written.
     */
    public static long save(final Path target, final PacketStream stream, final String spec, final long seed)
    {
        return save(target, stream, spec, seed, new AtomicLong());
    }

    /**
     * Save the published records of a stream, counting the records written for a progress line.
     *
     * @param target  where the file goes (see {@link #save(Path, PacketStream, String, long)}).
     * @param stream  records to save (its published count).
     * @param spec    canonical workload spec.
     * @param seed    workload seed.
     * @param written records written so far, updated as the write goes (readable from any thread).
     * @return the records checksum written.
     */
    public static long save(final Path target, final PacketStream stream, final String spec, final long seed,
        final AtomicLong written)
    {
        final int count = stream.count();
        final long recordsLength = (long)count * RECORD_LENGTH;
        final byte[] specBytes = spec.getBytes(StandardCharsets.UTF_8);
        if (specBytes.length > MAX_SPEC_LENGTH)
        {
            throw new FlowclashException("workload spec is " + specBytes.length + " bytes, longest allowed is " +
                MAX_SPEC_LENGTH);
        }
        final int blocks = StreamFileDescriptor.blockCount(recordsLength);
        final int headerLength = StreamFileDescriptor.headerLength(specBytes.length, blocks);
        final ByteBuffer records = recordsView(stream.buffer(), recordsLength);

        final ByteBuffer header = ByteBuffer.allocate(headerLength).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(HEADER_LENGTH_OFFSET, headerLength);
        header.putInt(RECORD_LENGTH_OFFSET, RECORD_LENGTH);
        header.putInt(SPEC_LENGTH_OFFSET, specBytes.length);
        header.putLong(RECORD_COUNT_OFFSET, count);
        header.putLong(SEED_OFFSET, seed);
        header.putInt(BLOCK_LENGTH_OFFSET, BLOCK_LENGTH);
        header.putInt(BLOCK_COUNT_OFFSET, blocks);
        header.put(SPEC_OFFSET, specBytes);
        final int table = blockTableOffset(specBytes.length);
        for (int b = 0; b < blocks; b++)
        {
            header.putInt(table + 4 * b, (int)crc(records, (long)b * BLOCK_LENGTH,
                Math.min(BLOCK_LENGTH, recordsLength - (long)b * BLOCK_LENGTH)));
        }
        final long recordsChecksum = crc(records, 0, recordsLength);
        header.putLong(RECORDS_CHECKSUM_OFFSET, recordsChecksum);
        header.putInt(HEADER_CHECKSUM_OFFSET, (int)crc(header, 0, headerLength));

        SafeOutput.writeFile(target, "stream file", channel ->
        {
            writeFully(channel, header.clear());
            final ByteBuffer chunk = records.duplicate();
            for (long at = 0; at < recordsLength; at += WRITE_CHUNK)
            {
                chunk.limit((int)Math.min(recordsLength, at + WRITE_CHUNK)).position((int)at);
                writeFully(channel, chunk);
                written.lazySet(chunk.limit() / RECORD_LENGTH);
            }
        });
        return recordsChecksum;
    }

    /**
     * Open, validate and map a stream file.
     *
     * @param path the file.
     * @return the open file; close it to unmap.
     * @throws StreamFormatException when the file is truncated, corrupt, foreign or newer.
     * @throws FlowclashException    when the file cannot be read at all.
     */
    public static StreamFile open(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            return open(path, channel);
        }
        catch (final NoSuchFileException ex)
        {
            throw new FlowclashException("stream file '" + path + "': no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new FlowclashException("stream file '" + path + "': permission denied");
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("stream file '" + path + "': cannot read: " + ex.getMessage(), ex);
        }
    }

    private static StreamFile open(final Path path, final FileChannel channel) throws IOException
    {
        if (Files.isDirectory(path))
        {
            throw new StreamFormatException(path, 0, "is a directory, expected a flowclash stream file");
        }
        final long size = channel.size();
        if (size == 0)
        {
            throw new StreamFormatException(path, 0, "empty file (0 bytes), expected a flowclash stream header");
        }
        final ByteBuffer fixed = ByteBuffer.allocate(FIXED_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, fixed, 0);
        final int got = fixed.position();

        final int magicBytes = Math.min(got, MAGIC.length);
        for (int i = 0; i < magicBytes; i++)
        {
            if (fixed.get(MAGIC_OFFSET + i) != MAGIC[i])
            {
                throw new StreamFormatException(path, MAGIC_OFFSET,
                    "expected magic \"FLOWCLSH\", found " + printable(fixed, magicBytes) +
                    ": not a flowclash stream file");
            }
        }
        if (got < FIXED_HEADER_LENGTH)
        {
            throw new StreamFormatException(path, got, "file ends after " + got + " bytes, expected at least the " +
                FIXED_HEADER_LENGTH + "-byte fixed header: truncated");
        }

        final int version = fixed.getInt(VERSION_OFFSET);
        if (version > VERSION)
        {
            throw new StreamFormatException(path, VERSION_OFFSET, "format version " + version +
                " is newer than this flowclash reads (" + VERSION + "): upgrade flowclash");
        }
        if (version < 1)
        {
            throw new StreamFormatException(path, VERSION_OFFSET, "expected format version 1.." + VERSION +
                ", found " + version + ": corrupt header");
        }
        final int recordLength = fixed.getInt(RECORD_LENGTH_OFFSET);
        if (recordLength != RECORD_LENGTH)
        {
            throw new StreamFormatException(path, RECORD_LENGTH_OFFSET, "expected record length " + RECORD_LENGTH +
                ", found " + recordLength + ": corrupt header");
        }
        final int specLength = fixed.getInt(SPEC_LENGTH_OFFSET);
        if (specLength < 0 || specLength > MAX_SPEC_LENGTH)
        {
            throw new StreamFormatException(path, SPEC_LENGTH_OFFSET, "expected a workload spec length 0.." +
                MAX_SPEC_LENGTH + ", found " + specLength + ": corrupt header");
        }
        final long count = fixed.getLong(RECORD_COUNT_OFFSET);
        if (count < 0 || count > PacketStream.MAX_RECORDS)
        {
            throw new StreamFormatException(path, RECORD_COUNT_OFFSET, "expected a record count 0.." +
                PacketStream.MAX_RECORDS + ", found " + count + ": corrupt header");
        }
        final long recordsLength = count * RECORD_LENGTH;
        final int blockLength = fixed.getInt(BLOCK_LENGTH_OFFSET);
        if (blockLength != BLOCK_LENGTH)
        {
            throw new StreamFormatException(path, BLOCK_LENGTH_OFFSET, "expected checksum block length " +
                BLOCK_LENGTH + ", found " + blockLength + ": corrupt header");
        }
        final int blocks = fixed.getInt(BLOCK_COUNT_OFFSET);
        if (blocks != StreamFileDescriptor.blockCount(recordsLength))
        {
            throw new StreamFormatException(path, BLOCK_COUNT_OFFSET, "expected " + StreamFileDescriptor.blockCount(recordsLength) +
                " checksum blocks for " + count + " records, found " + blocks + ": corrupt header");
        }
        final int headerLength = fixed.getInt(HEADER_LENGTH_OFFSET);
        if (headerLength != StreamFileDescriptor.headerLength(specLength, blocks))
        {
            throw new StreamFormatException(path, HEADER_LENGTH_OFFSET, "expected header length " +
                StreamFileDescriptor.headerLength(specLength, blocks) + ", found " + headerLength + ": corrupt header");
        }
        if (size < headerLength)
        {
            throw new StreamFormatException(path, size, "file ends after " + size + " bytes, expected the " +
                headerLength + "-byte header (" + FIXED_HEADER_LENGTH + " fixed, then the workload spec and the " +
                "checksum table): truncated");
        }

        final ByteBuffer header = ByteBuffer.allocate(headerLength).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header, 0);
        final int storedHeaderCrc = header.getInt(HEADER_CHECKSUM_OFFSET);
        header.putInt(HEADER_CHECKSUM_OFFSET, 0);
        final int headerCrc = (int)crc(header, 0, headerLength);
        if (headerCrc != storedHeaderCrc)
        {
            throw new StreamFormatException(path, HEADER_CHECKSUM_OFFSET, "header checksum mismatch: expected " +
                hex(storedHeaderCrc) + ", computed " + hex(headerCrc) + " over bytes 0.." + (headerLength - 1) +
                ": corrupt header");
        }

        final long expectedSize = headerLength + recordsLength;
        if (size < expectedSize)
        {
            throw new StreamFormatException(path, size, "file ends after " + size + " bytes, expected " +
                expectedSize + " (" + count + " records of " + RECORD_LENGTH + " bytes after the " + headerLength +
                "-byte header): truncated");
        }
        if (size > expectedSize)
        {
            throw new StreamFormatException(path, expectedSize, "expected end of file after " + count +
                " records, found " + (size - expectedSize) + " more bytes: corrupt or appended to");
        }

        final byte[] specBytes = new byte[specLength];
        header.get(SPEC_OFFSET, specBytes);
        final String spec = new String(specBytes, StandardCharsets.UTF_8);
        final long seed = header.getLong(SEED_OFFSET);
        final long storedRecordsCrc = header.getLong(RECORDS_CHECKSUM_OFFSET);

        MappedByteBuffer mapped = null;
        final UnsafeBuffer buffer;
        if (recordsLength > 0)
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, headerLength, recordsLength);
            buffer = new UnsafeBuffer(mapped);
        }
        else
        {
            buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORD_LENGTH));
        }
        try
        {
            final ByteBuffer records = recordsView(buffer, recordsLength);
            final int table = blockTableOffset(specLength);
            for (int b = 0; b < blocks; b++)
            {
                final long start = (long)b * BLOCK_LENGTH;
                final long length = Math.min(BLOCK_LENGTH, recordsLength - start);
                final int stored = header.getInt(table + 4 * b);
                final int computed = (int)crc(records, start, length);
                if (stored != computed)
                {
                    throw new StreamFormatException(path, headerLength + start, "records checksum mismatch in block " +
                        b + " (bytes " + (headerLength + start) + ".." + (headerLength + start + length - 1) +
                        "): expected " + hex(stored) + ", computed " + hex(computed) + ": corrupt records");
                }
            }
            final long recordsCrc = crc(records, 0, recordsLength);
            if (recordsCrc != storedRecordsCrc)
            {
                throw new StreamFormatException(path, RECORDS_CHECKSUM_OFFSET, "records checksum mismatch: expected " +
                    hex(storedRecordsCrc) + ", computed " + hex(recordsCrc) + ": corrupt records");
            }
            final PacketStream stream = PacketStream.wrap(buffer, (int)count, (int)count);
            return new StreamFile(path, version, headerLength, spec, seed, recordsCrc, blocks, mapped, stream);
        }
        catch (final RuntimeException ex)
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
            throw ex;
        }
    }

    private static ByteBuffer recordsView(final UnsafeBuffer buffer, final long recordsLength)
    {
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer == null)
        {
            throw new IllegalStateException("stream buffer is not backed by a ByteBuffer");
        }
        final ByteBuffer view = byteBuffer.duplicate();
        view.clear().limit((int)recordsLength);
        return view;
    }

    private static long crc(final ByteBuffer buffer, final long start, final long length)
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer view = buffer.duplicate();
        view.limit((int)(start + length)).position((int)start);
        crc.update(view);
        return crc.getValue();
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                return;
            }
            at += read;
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    private static String printable(final ByteBuffer buffer, final int length)
    {
        final StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.get(i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            {
                sb.append((char)b);
            }
            else
            {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.append('"').toString();
    }

    private static String hex(final long value)
    {
        return String.format("0x%08x", value & 0xFFFF_FFFFL);
    }
}
