package io.flowclash.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /proc/net/stat/nf_conntrack} of one namespace: a header line of column names, then one row of hex numbers
 * per CPU. Rows are summed, except {@code entries}, which every row repeats (the namespace's count).
 */
final class ConntrackStat
{
    private final Map<String, Long> values;

    private ConntrackStat(final Map<String, Long> values)
    {
        this.values = values;
    }

    static ConntrackStat parse(final String text)
    {
        final String[] lines = text.trim().split("\n");
        final String[] names = lines[0].trim().split("\\s+");
        final Map<String, Long> sums = new LinkedHashMap<>();
        for (final String n : names)
        {
            sums.put(n, 0L);
        }
        for (int i = 1; i < lines.length; i++)
        {
            final String[] cells = lines[i].trim().split("\\s+");
            for (int c = 0; c < Math.min(cells.length, names.length); c++)
            {
                final long v = Long.parseLong(cells[c], 16);
                if (names[c].equals("entries"))
                {
                    sums.put(names[c], v);
                }
                else
                {
                    sums.merge(names[c], v, Long::sum);
                }
            }
        }
        return new ConntrackStat(sums);
    }

    /** @param name a column ({@code clashres} is printed as clash_resolve by conntrack -S). @return its value or 0. */
    long get(final String name)
    {
        return values.getOrDefault(name, 0L);
    }

    /** @param before an earlier reading. @return this minus before, per column ({@code entries} as is). */
    ConntrackStat minus(final ConntrackStat before)
    {
        final Map<String, Long> d = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> e : values.entrySet())
        {
            d.put(e.getKey(), e.getKey().equals("entries") ? e.getValue() : e.getValue() - before.get(e.getKey()));
        }
        return new ConntrackStat(d);
    }

    Map<String, Long> values()
    {
        return values;
    }
}
