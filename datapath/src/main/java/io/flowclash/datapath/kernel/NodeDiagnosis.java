package io.flowclash.datapath.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a node's counters mean on its kernel: for the era of {@link KernelMatch#designId()}, which counters count
 * clashes, which count lost packets, and, from two snapshots, their rates. The reading of each counter follows the
 * kernel function that bumps it:
 * <ul>
 *     <li>&lt; 4.7 ({@code __nf_conntrack_confirm}): a clash is {@code insert_failed} and the packet is dropped;
 *     {@code drop} is not counted on that path.</li>
 *     <li>4.7 - 5.9 ({@code nf_ct_resolve_clash}, 71d8c47fc653): every clash counts {@code insert_failed}, merged
 *     or not; an unresolved one also counts {@code drop}. So {@code insert_failed - drop} clashes were merged and
 *     lost nothing. 5.6 - 5.9 (6a757c07e51f): a clash resolved by the reply-only insert counts nothing at all.</li>
 *     <li>5.10+ (bc92470413f3): a resolved clash (merge or reply-only insert) counts {@code clash_resolve}; only an
 *     unresolved one counts {@code insert_failed} and {@code drop}. 5.15+ (d7e7747ac5c2): a chain too long counts
 *     {@code chaintoolong} and {@code insert_failed} and drops the packet without {@code drop}.</li>
 *     <li>Every era: {@code drop} also counts packets for which {@code nf_conntrack_in} could not get an entry
 *     (table full and nothing to evict: the kernel logs "table full, dropping packet"), so the loss read from it is
 *     an upper bound for clash losses; {@code early_drop} counts evictions to make room.</li>
 * </ul>
 *
 * @param match      the kernel's design.
 * @param first      the first (or only) snapshot.
 * @param second     the later snapshot, or null.
 * @param seconds    the seconds between them (0 with one snapshot).
 * @param readings   one line per counter that matters.
 * @param clashes    clashes seen (window or total), -1 where this kernel does not count them all.
 * @param harmless   clashes that lost nothing.
 * @param lost       packets lost to clashes (upper bound, see above).
 * @param warnings   layout mismatches between the file and the kernel named.
 */
public record NodeDiagnosis(KernelMatch match, ConntrackStatsSnapshot first, ConntrackStatsSnapshot second,
    double seconds, List<Reading> readings, long clashes, long harmless, long lost, List<String> warnings)
{
    /**
     * One counter's value and meaning.
     *
     * @param name     the {@code conntrack -S} name.
     * @param total    its value in the last snapshot (summed over CPUs).
     * @param increase the increase between the snapshots, -1 with one snapshot.
     * @param meaning  what it counts on this kernel.
     */
    public record Reading(String name, long total, long increase, String meaning)
    {
    }

    /**
     * @param match   the kernel's design.
     * @param first   the first (or only) snapshot.
     * @param second  a later snapshot, or null.
     * @param seconds seconds between them (ignored with one snapshot; must be &gt; 0 with two).
     * @return the diagnosis.
     */
    public static NodeDiagnosis of(final KernelMatch match, final ConntrackStatsSnapshot first,
        final ConntrackStatsSnapshot second, final double seconds)
    {
        final String d = match.designId();
        final boolean before47 = d.equals(KernelDesignTable.NF_DROP);
        final boolean clashResolve = match.has().contains(KernelCommit.CLASH_RESOLVE_COUNTER);
        final boolean chainLimit = match.has().contains(KernelCommit.CHAIN_LIMIT);
        final boolean silentInsert = match.has().contains(KernelCommit.CLASH_INSERT) && !clashResolve;
        final ConntrackStatsSnapshot last = second == null ? first : second;

        final List<Reading> readings = new ArrayList<>();
        if (clashResolve)
        {
            readings.add(reading("clash_resolve", first, second,
                "clashes resolved: merged onto the winner or inserted reply-only (NAT_CLASH, 1 s); nothing lost"));
        }
        if (before47)
        {
            readings.add(reading("insert_failed", first, second,
                "clashes: each one dropped the losing packet (lost)"));
        }
        else if (clashResolve)
        {
            readings.add(reading("insert_failed", first, second, chainLimit ?
                "clashes not resolved (lost, also in drop) plus inserts refused for a too long chain " +
                    "(lost, in chaintoolong)" : "clashes not resolved: the packet was dropped (also in drop)"));
        }
        else
        {
            readings.add(reading("insert_failed", first, second, silentInsert ?
                "clashes merged onto the winner (nothing lost) plus clashes not resolved (lost, also in drop); " +
                    "clashes resolved by the reply-only insert count nothing" :
                "every clash: merged onto the winner (nothing lost) or not resolved (lost, also in drop)"));
        }
        readings.add(reading("drop", first, second, before47 ?
            "packets dropped because no entry could be allocated (table full); clash drops are not counted here" :
            "packets dropped: clashes not resolved, plus entries that could not be allocated (table full)"));
        if (chainLimit)
        {
            readings.add(reading("chaintoolong", first, second,
                "inserts refused for a bucket chain too long: packet dropped (counted in insert_failed, not drop)"));
        }
        readings.add(reading("early_drop", first, second,
            "entries evicted to make room for a new one (table full)"));
        readings.add(reading("entries", first, second, "entries in the table now (not summed over CPUs)"));

        final long insertFailed = amount(first, second, "insert_failed");
        final long drop = amount(first, second, "drop");
        final long resolved = amount(first, second, "clash_resolve");
        final long chain = amount(first, second, "chaintoolong");
        final long clashes;
        final long harmless;
        final long lost;
        if (before47)
        {
            clashes = insertFailed;
            harmless = 0;
            lost = insertFailed;
        }
        else if (clashResolve)
        {
            final long unresolved = Math.max(0, insertFailed - chain);
            clashes = resolved + unresolved;
            harmless = resolved;
            lost = Math.min(drop, unresolved) + chain;
        }
        else
        {
            clashes = silentInsert ? -1 : insertFailed;
            harmless = Math.max(0, insertFailed - drop);
            lost = Math.min(drop, insertFailed);
        }
        return new NodeDiagnosis(match, first, second, second == null ? 0 : seconds, List.copyOf(readings), clashes,
            harmless, lost, warnings(match, last));
    }

    private static long amount(final ConntrackStatsSnapshot first, final ConntrackStatsSnapshot second,
        final String name)
    {
        return second == null ? first.total(name) : second.increaseSince(first, name);
    }

    private static Reading reading(final String name, final ConntrackStatsSnapshot first,
        final ConntrackStatsSnapshot second, final String meaning)
    {
        final ConntrackStatsSnapshot last = second == null ? first : second;
        return new Reading(name, last.total(name), second == null ? -1 : second.increaseSince(first, name), meaning);
    }

    private static List<String> warnings(final KernelMatch match, final ConntrackStatsSnapshot s)
    {
        final List<String> w = new ArrayList<>();
        final StatLayout layout = match.layout();
        final List<String> expected = s.format() == ConntrackStatsSnapshot.Format.PROC ?
            layout.procColumns() : layout.conntrackSNames();
        final List<String> missing = new ArrayList<>();
        final List<String> extra = new ArrayList<>();
        for (final String e : expected)
        {
            if (!s.fileNames().contains(e))
            {
                missing.add(e);
            }
        }
        for (final String f : s.fileNames())
        {
            if (!expected.contains(f) && !f.startsWith("unknown"))
            {
                extra.add(f);
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty())
        {
            final String file = s.format() == ConntrackStatsSnapshot.Format.PROC ? "/proc/net/stat/nf_conntrack" :
                "conntrack -S";
            w.add("the " + file + " names do not match " + match.release() + " (" + layout.kernels() + ")" +
                (extra.isEmpty() ? "" : ": has " + String.join(" ", extra)) +
                (missing.isEmpty() ? "" : "; lacks " + String.join(" ", missing)) +
                ": is --kernel the node's kernel? (clashres/clash_resolve are 5.10+, chainlength/chaintoolong " +
                "5.15+, ignore= is gone in 5.10; a distribution kernel may have backported them)");
        }
        if (s.format() == ConntrackStatsSnapshot.Format.PROC && !s.has("clash_resolve") &&
            match.has().contains(KernelCommit.CLASH_RESOLVE_COUNTER))
        {
            w.add("no clashres column: resolved clashes cannot be read from this file");
        }
        return List.copyOf(w);
    }

    /** @return the report as text lines. */
    public String toText()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "kernel %s runs %s (%s)%s%n", match.release(), match.designId(),
            match.era(), match.isUncertain() ? " [uncertain]" : ""));
        for (final String u : match.uncertain())
        {
            sb.append("  uncertain: ").append(u).append('\n');
        }
        final ConntrackStatsSnapshot last = second == null ? first : second;
        sb.append(String.format(Locale.ROOT, "input: %s, %d CPU(s), %s%n",
            first.format() == ConntrackStatsSnapshot.Format.PROC ? "/proc/net/stat/nf_conntrack" : "conntrack -S",
            last.cpus().length, second == null ? "one snapshot (totals since the counters started: boot or netns " +
                "creation; give two snapshots for rates)" :
                String.format(Locale.ROOT, "two snapshots %.3f s apart", seconds)));
        for (final String w : warnings)
        {
            sb.append("  warning: ").append(w).append('\n');
        }
        sb.append('\n');
        if (second == null)
        {
            sb.append(String.format(Locale.ROOT, "%-14s %12s  %s%n", "counter", "total", "meaning on this kernel"));
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "%-14s %12s %12s %12s  %s%n", "counter", "total", "increase",
                "per s", "meaning on this kernel"));
        }
        for (final Reading r : readings)
        {
            final String absent = r.name().equals("entries") || last.has(r.name()) ? "" : " (not in the input)";
            if (second == null)
            {
                sb.append(String.format(Locale.ROOT, "%-14s %12d  %s%s%n", r.name(), r.total(), r.meaning(), absent));
            }
            else
            {
                sb.append(String.format(Locale.ROOT, "%-14s %12d %12d %12.3f  %s%s%n", r.name(), r.total(),
                    r.increase(), r.increase() / seconds, r.meaning(), absent));
            }
        }
        sb.append('\n');
        final String span = second == null ? "in total" : String.format(Locale.ROOT, "in %.3f s", seconds);
        if (clashes < 0)
        {
            sb.append(String.format(Locale.ROOT, "clashes %s: at least %d (this kernel does not count clashes " +
                "resolved by the reply-only insert)%n", span, harmless + lost));
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "clashes %s: %d%s%n", span, clashes, rate(clashes)));
        }
        sb.append(String.format(Locale.ROOT, "  lost nothing: %d%s%n", harmless, rate(harmless)));
        sb.append(String.format(Locale.ROOT, "  lost packets: %d%s%s%n", lost, rate(lost),
            lost > 0 ? " (a DNS client waits its retry timer: 5 s glibc, 2.5 s musl)" : ""));
        sb.append(String.format(Locale.ROOT, "model this node with: flowclash run --design %s (or --kernel %s)%n",
            match.designId(), match.release()));
        return sb.toString();
    }

    private String rate(final long n)
    {
        return second == null || seconds <= 0 ? "" : String.format(Locale.ROOT, " (%.3f/s)", n / seconds);
    }
}
