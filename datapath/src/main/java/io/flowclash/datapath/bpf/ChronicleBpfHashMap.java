package io.flowclash.datapath.bpf;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.io.SafeOutput;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The "pinned" storage engine: a BPF hash map kept in a Chronicle Map persisted to a file, as a map pinned in bpffs
 * survives the agent that made it: close it (or end the JVM) and open the same file again, from any process, and
 * every entry is there. Same semantics as {@link OffHeapBpfHashMap} through {@link BpfHashMap}; Chronicle Map
 * serialises writers per segment and reads lock-free, so values are never torn.
 *
 * <p>Differences, stated: keys and values travel as 16-byte arrays (Chronicle copies them; this engine allocates
 * per operation, the off-heap one does not); {@code max_entries} is enforced by a size check before a new key
 * (Chronicle's own bound is a sizing hint); the LRU reference bit lives in the value's second word and eviction
 * walks entries in Chronicle's order clearing bits until it finds a clear one (an approximate CLOCK without a
 * persistent hand).
 *
 * <p>Chronicle's usage analytics are switched off before its first class loads (here and by the JVM flags of the
 * parent POM), and the {@code chronicle-analytics} artifact is excluded from the build: nothing contacts any host.
 */
public final class ChronicleBpfHashMap implements BpfHashMap
{
    static
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 16;
    private static final long REF = 1;

    /** Chronicle's persisted layout ({@code SizePrefixedBlob}): checksum (8 bytes), then the size word. */
    private static final int SIZE_WORD_OFFSET = 8;
    private static final int HEADER_PREFIX_LENGTH = 12;
    private static final int SIZE_MASK = (1 << 30) - 1;
    /** Chronicle's {@code MAX_BOOTSTRAPPING_HEADER_SIZE} is 16 KiB; a longer header is corrupt. */
    private static final int MAX_HEADER_LENGTH = 16 * 1024;
    private static final String HEADER_TYPE = "!net.openhft.chronicle.map.VanillaChronicleMap {";

    private final ChronicleMap<byte[], byte[]> map;
    private final int maxEntries;
    private final boolean lru;
    private final Path file;

    private ChronicleBpfHashMap(final ChronicleMap<byte[], byte[]> map, final int maxEntries, final boolean lru,
        final Path file)
    {
        this.map = map;
        this.maxEntries = maxEntries;
        this.lru = lru;
        this.file = file;
    }

    /**
     * Open the map pinned at a file, creating it if it does not exist.
     *
     * @param file       where the map lives.
     * @param maxEntries {@code max_entries}.
     * @param lru        LRU hash or plain hash.
     * @return the map.
     */
    public static ChronicleBpfHashMap pin(final Path file, final int maxEntries, final boolean lru)
    {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            validate(file);
        }
        try
        {
            final ChronicleMap<byte[], byte[]> map = ChronicleMapBuilder.of(byte[].class, byte[].class)
                .name("flowclash-bpf-" + (lru ? "lru" : "hash"))
                .constantKeySizeBySample(new byte[KEY_LENGTH])
                .constantValueSizeBySample(new byte[VALUE_LENGTH])
                .entries(Math.max(16, maxEntries))
                .createPersistedTo(file.toFile());
            return new ChronicleBpfHashMap(map, maxEntries, lru, file);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new FlowclashException("cannot open pinned map '" + file + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * Check a pinned map file before Chronicle maps it, so that a damaged file is refused at once in one line
     * (Chronicle itself waits a minute for a "not ready" header and then blames a crashed or hung process).
     *
     * <p>The layout checked is Chronicle Map's persisted format (its {@code spec/3-memory-layout.md} and
     * {@code spec/5-initialization.md}; {@code SizePrefixedBlob} and {@code ChronicleMapBuilder.headerChecksum}
     * in the source): bytes 0..7 the XXH64 (r39) hash of bytes 8..12+n, bytes 8..11 the size word (n in the low 30
     * bits; a word {@code <= 0} is "not ready": creation never finished), bytes 12..12+n the self-bootstrapping
     * header in text wire, {@code !net.openhft.chronicle.map.VanillaChronicleMap {...}}. Checked here: the file is
     * a regular file, long enough for the size word and the header, ready, its header checksum matches, the header
     * names a Chronicle Map, and the file is at least as long as the header's
     * {@code actualSegments * (segmentHeaderSize + tierSize)} (segment headers and main segments area). Chronicle
     * has a checksum for the header and one per entry ({@code checksumEntries: true}, verified by Chronicle on
     * access), so no checksum of our own is added; what is not checked is the content of the segment areas (lock
     * words, hash lookups), which Chronicle reads as it goes.
     *
     * @param file the pinned map file.
     * @throws FlowclashException naming the file and the first problem.
     */
    public static void validate(final Path file)
    {
        final String where = "pinned map '" + file + "': ";
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw new FlowclashException(where + "not a regular file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size == 0)
            {
                throw new FlowclashException(where + "empty file (0 bytes), expected a Chronicle Map; " +
                    "remove it to start an empty map");
            }
            if (size < HEADER_PREFIX_LENGTH)
            {
                throw new FlowclashException(where + "file ends after " + size + " bytes, expected at least " +
                    HEADER_PREFIX_LENGTH + " (checksum and size word): truncated");
            }
            final ByteBuffer prefix = ByteBuffer.allocate(HEADER_PREFIX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0);
            final int sizeWord = prefix.getInt(SIZE_WORD_OFFSET);
            if (sizeWord <= 0)
            {
                throw new FlowclashException(where + String.format("size word 0x%08x at offset 8 is not ready: " +
                    "the file's creation never finished (or the file is not a Chronicle Map): corrupt", sizeWord));
            }
            final int headerLength = sizeWord & SIZE_MASK;
            if (headerLength > MAX_HEADER_LENGTH)
            {
                throw new FlowclashException(where + "header length " + headerLength + " at offset 8 is over " +
                    MAX_HEADER_LENGTH + " bytes: corrupt");
            }
            if (size < HEADER_PREFIX_LENGTH + headerLength)
            {
                throw new FlowclashException(where + "file ends after " + size + " bytes, expected a " +
                    (HEADER_PREFIX_LENGTH + headerLength) + "-byte header (12-byte prefix and " + headerLength +
                    " bytes): truncated");
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER_PREFIX_LENGTH + headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            final long stored = header.getLong(0);
            final long computed = LongHashFunction.xx_r39().hashBytes(header, SIZE_WORD_OFFSET, headerLength + 4);
            if (stored != computed)
            {
                throw new FlowclashException(where + String.format("header checksum mismatch: expected 0x%016x " +
                    "(XXH64 at offset 0), computed 0x%016x over bytes 8..%d: corrupt header", stored, computed,
                    HEADER_PREFIX_LENGTH + headerLength - 1));
            }
            final String text = new String(header.array(), HEADER_PREFIX_LENGTH, headerLength,
                StandardCharsets.ISO_8859_1);
            if (!text.startsWith(HEADER_TYPE))
            {
                throw new FlowclashException(where + "header does not start with " + HEADER_TYPE +
                    ": not a Chronicle Map");
            }
            final long minimum = (long)HEADER_PREFIX_LENGTH + headerLength +
                headerField(text, "actualSegments", where) *
                (headerField(text, "segmentHeaderSize", where) + headerField(text, "tierSize", where));
            if (size < minimum)
            {
                throw new FlowclashException(where + "file ends after " + size + " bytes, expected at least " +
                    minimum + " (header, segment headers and main segments area): truncated");
            }
        }
        catch (final IOException ex)
        {
            throw new FlowclashException(where + "cannot read: " + SafeOutput.cause(ex), ex);
        }
    }

    private static long headerField(final String header, final String name, final String where)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\n\\s*" + name + ": (\\d{1,12}),")
            .matcher(header);
        if (!m.find())
        {
            throw new FlowclashException(where + "header has no " + name + ": corrupt header");
        }
        return Long.parseLong(m.group(1));
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

    /** @return the file the map is pinned at. */
    public Path file()
    {
        return file;
    }

    private static byte[] key(final long k0, final long k1)
    {
        return ByteBuffer.allocate(KEY_LENGTH).order(ByteOrder.LITTLE_ENDIAN).putLong(k0).putLong(k1).array();
    }

    private static byte[] value(final long value, final long flags)
    {
        return ByteBuffer.allocate(VALUE_LENGTH).order(ByteOrder.LITTLE_ENDIAN).putLong(value).putLong(flags).array();
    }

    private static long word(final byte[] bytes, final int index)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(index * 8);
    }

    @Override
    public int update(final long k0, final long k1, final long value, final int flags)
    {
        if (flags != BPF_ANY && flags != BPF_NOEXIST && flags != BPF_EXIST)
        {
            return EINVAL;
        }
        final byte[] key = key(k0, k1);
        final byte[] val = value(value, 0);
        if (flags == BPF_EXIST)
        {
            return map.replace(key, val) != null ? OK : ENOENT;
        }
        if (map.containsKey(key))
        {
            if (flags == BPF_NOEXIST)
            {
                return EEXIST;
            }
            map.put(key, val);
            return OK;
        }
        boolean evicted = false;
        if (map.size() >= maxEntries)
        {
            if (!lru || !evictOne())
            {
                return E2BIG;
            }
            evicted = true;
        }
        if (flags == BPF_NOEXIST)
        {
            if (map.putIfAbsent(key, val) != null)
            {
                return EEXIST;
            }
        }
        else
        {
            map.put(key, val);
        }
        return evicted ? OK_EVICTED : OK;
    }

    private boolean evictOne()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            final byte[][] victim = new byte[1][];
            map.forEachEntryWhile(entry ->
            {
                final byte[] v = entry.value().get();
                if ((word(v, 1) & REF) != 0)
                {
                    entry.doReplaceValue(entry.context().wrapValueAsData(value(word(v, 0), 0)));
                    return true;
                }
                victim[0] = entry.key().get();
                return false;
            });
            if (victim[0] != null)
            {
                map.remove(victim[0]);
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean lookup(final long k0, final long k1, final long[] out)
    {
        final byte[] key = key(k0, k1);
        final byte[] v = map.get(key);
        if (v == null)
        {
            return false;
        }
        if (lru && (word(v, 1) & REF) == 0)
        {
            map.replace(key, v, value(word(v, 0), REF));
        }
        out[0] = word(v, 0);
        return true;
    }

    @Override
    public int delete(final long k0, final long k1)
    {
        return map.remove(key(k0, k1)) != null ? OK : ENOENT;
    }

    @Override
    public int size()
    {
        return (int)Math.min(Integer.MAX_VALUE, map.longSize());
    }

    @Override
    public int maxEntries()
    {
        return maxEntries;
    }

    @Override
    public boolean lru()
    {
        return lru;
    }

    @Override
    public void forEach(final EntryVisitor visitor)
    {
        map.forEach((k, v) -> visitor.entry(word(k, 0), word(k, 1), word(v, 0)));
    }

    @Override
    public void close()
    {
        if (!map.isClosed())
        {
            map.close();
        }
    }
}
