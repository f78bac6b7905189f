package io.flowclash.datapath.kernel;

import io.flowclash.datapath.FlowclashException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a node's counter dumps: {@code /proc/net/stat/nf_conntrack} (a header line of names, then one row of hex
 * numbers per CPU, as {@code ct_cpu_seq_show} prints them) or {@code conntrack -S} (one {@code cpu=N name=value ...}
 * line per CPU, any era's names, as conntrack-tools' {@code nfct_stats_cb} prints them). One input may hold several
 * snapshots one after the other: for /proc each header line starts one, for {@code conntrack -S} a CPU number seen
 * again does. Blank lines are skipped. Anything else is an error naming the source, line and column.
 */
public final class ConntrackStatsParser
{
    private ConntrackStatsParser()
    {
    }

    /**
     * @param text   the input.
     * @param source where it came from, for error messages (a file name, or {@code stdin}).
     * @return its snapshots, in order (at least one).
     * @throws FlowclashException one line: source, line, column and what is wrong.
     */
    public static List<ConntrackStatsSnapshot> parse(final String text, final String source)
    {
        final String[] lines = text.split("\r?\n", -1);
        int first = 0;
        while (first < lines.length && lines[first].isBlank())
        {
            first++;
        }
        if (first == lines.length)
        {
            throw new FlowclashException(source + ": empty: expected /proc/net/stat/nf_conntrack or conntrack -S output");
        }
        final String head = lines[first].stripLeading();
        if (head.startsWith("entries"))
        {
            return parseProc(lines, first, source);
        }
        if (head.startsWith("cpu="))
        {
            return parseConntrackS(lines, first, source);
        }
        throw error(source, first, column(lines[first], 0),
            "neither a /proc/net/stat/nf_conntrack header (entries ...) nor a conntrack -S line (cpu=N ...)");
    }

    private static List<ConntrackStatsSnapshot> parseProc(final String[] lines, final int first, final String source)
    {
        final List<ConntrackStatsSnapshot> out = new ArrayList<>();
        List<String> header = null;
        int headerLine = 0;
        final List<long[]> rows = new ArrayList<>();
        for (int i = first; i < lines.length; i++)
        {
            final String line = lines[i];
            if (line.isBlank())
            {
                continue;
            }
            final List<int[]> spans = tokens(line);
            final String t0 = token(line, spans.get(0));
            if (t0.equals("entries"))
            {
                if (header != null)
                {
                    out.add(proc(header, rows, headerLine, source, i));
                    rows.clear();
                }
                header = new ArrayList<>();
                final Set<String> seen = new HashSet<>();
                for (final int[] s : spans)
                {
                    final String name = token(line, s);
                    if (!StatLayout.PROC_ALL_COLUMNS.contains(name))
                    {
                        throw error(source, i, s[0] + 1, "'" + name + "' is not a /proc/net/stat/nf_conntrack " +
                            "column of any kernel (known: " + String.join(" ", StatLayout.PROC_ALL_COLUMNS) + ")");
                    }
                    if (!seen.add(name))
                    {
                        throw error(source, i, s[0] + 1, "column '" + name + "' appears twice in the header");
                    }
                    header.add(name);
                }
                headerLine = i;
                continue;
            }
            if (spans.size() != header.size())
            {
                final int col = spans.size() > header.size() ? spans.get(header.size())[0] + 1 : line.length() + 1;
                throw error(source, i, col, spans.size() + " fields, but the header (line " + (headerLine + 1) +
                    ") names " + header.size());
            }
            final long[] row = new long[spans.size()];
            for (int c = 0; c < spans.size(); c++)
            {
                final String tok = token(line, spans.get(c));
                row[c] = hex(tok, source, i, spans.get(c)[0] + 1, header.get(c));
            }
            rows.add(row);
        }
        out.add(proc(header, rows, headerLine, source, lines.length));
        return out;
    }

    private static ConntrackStatsSnapshot proc(final List<String> header, final List<long[]> rows, final int headerLine,
        final String source, final int nextLine)
    {
        if (rows.isEmpty())
        {
            throw error(source, Math.min(nextLine, headerLine + 1), 1, "a header (line " + (headerLine + 1) +
                ") with no CPU rows after it");
        }
        final List<String> names = new ArrayList<>();
        for (final String h : header)
        {
            names.add(procToCounter(h));
        }
        final int[] cpus = new int[rows.size()];
        for (int i = 0; i < cpus.length; i++)
        {
            cpus[i] = i;
        }
        return new ConntrackStatsSnapshot(ConntrackStatsSnapshot.Format.PROC, List.copyOf(header), List.copyOf(names),
            cpus, rows.toArray(new long[0][]), headerLine + 1);
    }

    /**
     * @param column a /proc column name.
     * @return the {@code conntrack -S} name of the same counter.
     */
    public static String procToCounter(final String column)
    {
        switch (column)
        {
            case "clashres":
                return "clash_resolve";
            case "chainlength":
                return "chaintoolong";
            case "icmp_error":
                return "error";
            default:
                return column;
        }
    }

    private static List<ConntrackStatsSnapshot> parseConntrackS(final String[] lines, final int first,
        final String source)
    {
        final List<ConntrackStatsSnapshot> out = new ArrayList<>();
        List<String> names = null;
        final List<long[]> rows = new ArrayList<>();
        final List<Integer> cpus = new ArrayList<>();
        int start = first;
        for (int i = first; i < lines.length; i++)
        {
            final String line = lines[i];
            if (line.isBlank())
            {
                continue;
            }
            final List<int[]> spans = tokens(line);
            final String t0 = token(line, spans.get(0));
            if (!t0.startsWith("cpu="))
            {
                throw error(source, i, spans.get(0)[0] + 1, "expected cpu=N at the start of a conntrack -S line, " +
                    "found '" + t0 + "'");
            }
            final long cpu = decimal(t0.substring(4), source, i, spans.get(0)[0] + 5, "cpu");
            if (cpus.contains((int)cpu))
            {
                out.add(conntrackS(names, rows, cpus, start));
                names = null;
                rows.clear();
                cpus.clear();
                start = i;
            }
            final List<String> lineNames = new ArrayList<>();
            final long[] row = new long[spans.size() - 1];
            for (int c = 1; c < spans.size(); c++)
            {
                final String tok = token(line, spans.get(c));
                final int eq = tok.indexOf('=');
                final int col = spans.get(c)[0] + 1;
                if (eq <= 0)
                {
                    throw error(source, i, col, "'" + tok + "' is not name=value");
                }
                final String name = tok.substring(0, eq);
                if (!StatLayout.CONNTRACK_S_ALL_NAMES.contains(name))
                {
                    throw error(source, i, col, "'" + name + "' is not a conntrack -S counter (known: " +
                        String.join(" ", StatLayout.CONNTRACK_S_ALL_NAMES) + ")");
                }
                if (lineNames.contains(name))
                {
                    throw error(source, i, col, "'" + name + "' appears twice on the line");
                }
                lineNames.add(name);
                row[c - 1] = decimal(tok.substring(eq + 1), source, i, col + eq + 1, name);
            }
            if (names == null)
            {
                names = lineNames;
            }
            else if (!names.equals(lineNames))
            {
                throw error(source, i, spans.size() > 1 ? spans.get(1)[0] + 1 : 1, "counters " + lineNames +
                    " differ from the first line of this snapshot (line " + (start + 1) + "): " + names);
            }
            rows.add(row);
            cpus.add((int)cpu);
        }
        out.add(conntrackS(names, rows, cpus, start));
        return out;
    }

    private static ConntrackStatsSnapshot conntrackS(final List<String> names, final List<long[]> rows,
        final List<Integer> cpus, final int start)
    {
        final int[] c = new int[cpus.size()];
        for (int i = 0; i < c.length; i++)
        {
            c[i] = cpus.get(i);
        }
        return new ConntrackStatsSnapshot(ConntrackStatsSnapshot.Format.CONNTRACK_S, List.copyOf(names),
            List.copyOf(names), c, rows.toArray(new long[0][]), start + 1);
    }

    private static long hex(final String tok, final String source, final int line, final int col, final String name)
    {
        if (tok.isEmpty() || tok.length() > 8)
        {
            throw error(source, line, col, name + " '" + tok + "' is not a 32-bit hex number (%08x)");
        }
        long v = 0;
        for (int k = 0; k < tok.length(); k++)
        {
            final int d = Character.digit(tok.charAt(k), 16);
            if (d < 0)
            {
                throw error(source, line, col + k, name + " '" + tok + "' is not a hex number");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static long decimal(final String tok, final String source, final int line, final int col,
        final String name)
    {
        if (tok.isEmpty() || tok.length() > 10)
        {
            throw error(source, line, col, name + " '" + tok + "' is not a 32-bit unsigned number");
        }
        long v = 0;
        for (int k = 0; k < tok.length(); k++)
        {
            final char ch = tok.charAt(k);
            if (ch < '0' || ch > '9')
            {
                throw error(source, line, col + k, name + " '" + tok + "' is not a decimal number");
            }
            v = v * 10 + (ch - '0');
        }
        if (v > 0xffffffffL)
        {
            throw error(source, line, col, name + " " + tok + " does not fit 32 bits");
        }
        return v;
    }

    private static List<int[]> tokens(final String line)
    {
        final List<int[]> spans = new ArrayList<>();
        int i = 0;
        while (i < line.length())
        {
            while (i < line.length() && Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            final int s = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            if (i > s)
            {
                spans.add(new int[] {s, i});
            }
        }
        return spans;
    }

    private static String token(final String line, final int[] span)
    {
        return line.substring(span[0], span[1]);
    }

    private static int column(final String line, final int from)
    {
        int i = from;
        while (i < line.length() && Character.isWhitespace(line.charAt(i)))
        {
            i++;
        }
        return i + 1;
    }

    private static FlowclashException error(final String source, final int line, final int column,
        final String what)
    {
        return new FlowclashException(source + ": line " + (line + 1) + ", column " + column + ": " + what);
    }
}
