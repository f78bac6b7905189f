package io.flowclash.datapath.bpf;

import io.flowclash.datapath.FlowclashException;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

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
