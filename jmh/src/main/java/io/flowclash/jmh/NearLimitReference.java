package io.flowclash.jmh;

import org.agrona.collections.Long2LongHashMap;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The near-limit reference every table figure is divided by: a bare Agrona {@link Long2LongHashMap#get} (open
 * addressing, one {@code long} key, one hash, one probe when the key is where it hashes, no concurrency) over as many
 * keys as the benchmark's table holds, every get a hit, the keys visited in arrival order or shuffled once (a fixed
 * permutation, so that every key is visited once per round in both orders). Benchmarks run it as a row of their own
 * {@code @Param} list ({@link #ARRIVAL}, {@link #RANDOM}) so that the reference and the designs come from one JMH run
 * and each ratio is computed within it; absolute figures do not travel between machines.
 *
 * <p>Not thread safe: one instance per benchmark thread.
 */
public final class NearLimitReference
{
    /** Row id: keys visited in the order they were inserted. */
    public static final String ARRIVAL = "ref-agrona-arrival";
    /** Row id: keys visited in a random permutation. */
    public static final String RANDOM = "ref-agrona-random";
    /** Both row ids, in the order benchmarks list them. */
    public static final List<String> IDS = List.of(ARRIVAL, RANDOM);
    /** Value {@link #get} returns for a key that is not in the map (never, if the map is whole). */
    public static final long MISSING = -1L;

    private final Long2LongHashMap map = new Long2LongHashMap(MISSING);
    private final long[] keys;
    private final int[] visit;
    private final int mask;
    private int cursor;

    /**
     * @param flows  keys, a power of two.
     * @param random true to visit the keys shuffled, false in arrival order.
     * @throws IllegalArgumentException if {@code flows} is not a power of two.
     */
    public NearLimitReference(final int flows, final boolean random)
    {
        if (flows <= 0 || Integer.bitCount(flows) != 1)
        {
            throw new IllegalArgumentException("flows must be a power of two: " + flows);
        }
        keys = new long[flows];
        visit = new int[flows];
        for (int i = 0; i < flows; i++)
        {
            keys[i] = 0x0AF4_0000_0000_0000L | ((long)i * 0x9E37_79B9L & 0xFFFF_FFFFL);
            map.put(keys[i], i);
            visit[i] = i;
        }
        if (random)
        {
            final SplittableRandom r = new SplittableRandom(3);
            for (int i = flows - 1; i > 0; i--)
            {
                final int j = r.nextInt(i + 1);
                final int t = visit[i];
                visit[i] = visit[j];
                visit[j] = t;
            }
        }
        mask = flows - 1;
    }

    /**
     * @param id a row id.
     * @return true if it is one of {@link #IDS}.
     */
    public static boolean isReference(final String id)
    {
        return IDS.contains(id);
    }

    /**
     * @param id    {@link #ARRIVAL} or {@link #RANDOM}.
     * @param flows keys, a power of two.
     * @return the reference.
     * @throws IllegalArgumentException for another id.
     */
    public static NearLimitReference of(final String id, final int flows)
    {
        if (!isReference(id))
        {
            throw new IllegalArgumentException("not a reference row: " + id + " (known: " + IDS + ")");
        }
        return new NearLimitReference(flows, id.equals(RANDOM));
    }

    /** @return the value of the next key in the visiting order: its index, or {@link #MISSING}. */
    public long get()
    {
        return map.get(keys[visit[cursor++ & mask]]);
    }
}
