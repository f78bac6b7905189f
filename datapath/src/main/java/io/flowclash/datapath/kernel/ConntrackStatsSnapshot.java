package io.flowclash.datapath.kernel;

import java.util.List;

/**
 * One reading of a node's conntrack counters, from {@code /proc/net/stat/nf_conntrack} or {@code conntrack -S}: one
 * row per CPU. Names are the {@code conntrack -S} names ({@code clashres} read as {@code clash_resolve},
 * {@code chainlength} as {@code chaintoolong}, {@code icmp_error} as {@code error}); {@link #fileNames()} keeps the
 * names as the file had them. Immutable.
 *
 * @param format    which file it came from.
 * @param fileNames the names as written in the file, in its order.
 * @param names     the same names as {@code conntrack -S} spells them.
 * @param cpus      the CPU number of each row.
 * @param values    {@code values[row][column]}.
 * @param firstLine the line of the input where this snapshot starts (1-based).
 */
public record ConntrackStatsSnapshot(Format format, List<String> fileNames, List<String> names, int[] cpus,
    long[][] values, int firstLine)
{
    /** Which file a snapshot came from. */
    public enum Format
    {
        /** {@code /proc/net/stat/nf_conntrack}: hex, header line. */
        PROC,
        /** {@code conntrack -S}: {@code cpu=N name=value ...} per line. */
        CONNTRACK_S
    }

    /**
     * @param name a {@code conntrack -S} name.
     * @return true if the file has it.
     */
    public boolean has(final String name)
    {
        return names.contains(name);
    }

    /**
     * @param name a {@code conntrack -S} name (or {@code entries}).
     * @return the sum over CPUs ({@code entries}: the value of the first row, which every row repeats); 0 if absent.
     */
    public long total(final String name)
    {
        final int c = names.indexOf(name);
        if (c < 0)
        {
            return 0;
        }
        if (name.equals("entries"))
        {
            return values.length == 0 ? 0 : values[0][c];
        }
        long sum = 0;
        for (final long[] row : values)
        {
            sum += row[c];
        }
        return sum;
    }

    /**
     * The increase of a counter from an earlier snapshot, summed per CPU with 32-bit wrap-around (the kernel's
     * counters are {@code unsigned int}).
     *
     * @param before the earlier snapshot (same CPUs).
     * @param name   a {@code conntrack -S} name.
     * @return this minus before; for {@code entries} the change of the count (may be negative).
     */
    public long increaseSince(final ConntrackStatsSnapshot before, final String name)
    {
        if (name.equals("entries"))
        {
            return total(name) - before.total(name);
        }
        final int c = names.indexOf(name);
        final int b = before.names.indexOf(name);
        if (c < 0 || b < 0)
        {
            return 0;
        }
        long sum = 0;
        for (int row = 0; row < values.length; row++)
        {
            sum += (values[row][c] - before.values[row][b]) & 0xffffffffL;
        }
        return sum;
    }
}
