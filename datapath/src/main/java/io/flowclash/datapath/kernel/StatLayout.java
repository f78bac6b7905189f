package io.flowclash.datapath.kernel;

import java.util.Arrays;
import java.util.List;

/**
 * The two counter files of one kernel era, in that kernel's order and names:
 * <ul>
 *     <li>{@code /proc/net/stat/nf_conntrack} ({@code ct_cpu_seq_show} in {@code nf_conntrack_standalone.c}): a
 *     header line, then one row per possible CPU of {@code %08x} fields; two spaces after {@code entries} and after
 *     {@code icmp_error}. {@code entries} is the namespace's count, repeated on every row.</li>
 *     <li>{@code conntrack -S} (conntrack-tools {@code nfct_stats_cb} over {@code ctnetlink_ct_stat_cpu_fill_info}):
 *     {@code cpu=%-4u} and a tab, then {@code name=%u } for each attribute the kernel sent, in
 *     {@code enum ctattr_stats_cpu} order.</li>
 * </ul>
 * Column changes: {@code searched} became {@code clashres} in 5.10 (bc92470413f3 and its /proc follow-up),
 * {@code delete_list} became {@code chainlength} in 5.15 (d7e7747ac5c2); {@code new}, {@code ignore} (5.10) and
 * {@code delete} print a literal 0 once the kernel stopped counting them. Verified at source: the header and row
 * formats of the 3.x/4.x, 5.10 and 5.15+ {@code ct_cpu_seq_show}, the 5.10 "remove ignore stats" patch, and
 * conntrack-tools' {@code attr2name} table.
 *
 * <p>Assumption (not settled at source): the release that stopped sending {@code searched}, {@code new},
 * {@code delete}, {@code delete_list} over ctnetlink (the "hot path stats" removal; the 4.x ctnetlink code read has
 * both shapes, the release was not read; a pre-4.15 {@code nf_conntrack_common.h} has them gone) is taken as 4.9,
 * as the model's eras take it ({@link KernelCommit#HOTPATH_STATS_REMOVED}). Before it those four print with their
 * values; after it {@code /proc} still has their columns, printed 0.
 */
public enum StatLayout
{
    /** 3.x - 4.8: every counter counted and sent. */
    ALL_STATS("3.x - 4.8 [4.8 boundary assumed]",
        procSearchedHeader(),
        new String[] {"entries", "searched", "found", "new", "invalid", "ignore", "delete", "delete_list", "insert",
            "insert_failed", "drop", "early_drop", "error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"searched", "found", "new", "invalid", "ignore", "delete", "delete_list", "insert",
            "insert_failed", "drop", "early_drop", "error", "search_restart"}),
    /** 4.9 - 5.9: the hot path counters gone from ctnetlink; /proc unchanged; ignore= still sent. */
    HOTPATH_REMOVED("4.9 - 5.9 [4.9 boundary assumed]",
        procSearchedHeader(),
        new String[] {"entries", null, "found", null, "invalid", "ignore", null, null, "insert",
            "insert_failed", "drop", "early_drop", "error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "error",
            "search_restart"}),
    /** 5.10 - 5.14: clashres in searched's column, clash_resolve= sent, ignore gone (bc92470413f3). */
    CLASHRES("5.10 - 5.14",
        new String[] {"entries", "clashres", "found", "new", "invalid", "ignore", "delete", "delete_list", "insert",
            "insert_failed", "drop", "early_drop", "icmp_error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"entries", "clash_resolve", "found", null, "invalid", null, null, null, "insert",
            "insert_failed", "drop", "early_drop", "error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"found", "invalid", "insert", "insert_failed", "drop", "early_drop", "error", "search_restart",
            "clash_resolve"}),
    /** 5.15 - current: chainlength in delete_list's column, chaintoolong= sent (d7e7747ac5c2). */
    CHAINLENGTH("5.15 - current",
        new String[] {"entries", "clashres", "found", "new", "invalid", "ignore", "delete", "chainlength", "insert",
            "insert_failed", "drop", "early_drop", "icmp_error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"entries", "clash_resolve", "found", null, "invalid", null, null, "chaintoolong", "insert",
            "insert_failed", "drop", "early_drop", "error", "expect_new", "expect_create", "expect_delete",
            "search_restart"},
        new String[] {"found", "invalid", "insert", "insert_failed", "drop", "early_drop", "error", "search_restart",
            "clash_resolve", "chaintoolong"});

    /** Every name conntrack-tools can print, in {@code enum ctattr_stats_cpu} order (then its unknownN names). */
    public static final List<String> CONNTRACK_S_ALL_NAMES = List.of("searched", "found", "new", "invalid", "ignore",
        "delete", "delete_list", "insert", "insert_failed", "drop", "early_drop", "error", "search_restart",
        "clash_resolve", "chaintoolong", "unknown1", "unknown2", "unknown3", "unknown4");

    /** Every column name a {@code /proc/net/stat/nf_conntrack} header of any era has. */
    public static final List<String> PROC_ALL_COLUMNS = List.of("entries", "searched", "clashres", "found", "new",
        "invalid", "ignore", "delete", "delete_list", "chainlength", "insert", "insert_failed", "drop", "early_drop",
        "icmp_error", "expect_new", "expect_create", "expect_delete", "search_restart");

    private final String kernels;
    private final String[] procColumns;
    private final String[] procSources;
    private final String[] conntrackSNames;

    StatLayout(final String kernels, final String[] procColumns, final String[] procSources,
        final String[] conntrackSNames)
    {
        this.kernels = kernels;
        this.procColumns = procColumns;
        this.procSources = procSources;
        this.conntrackSNames = conntrackSNames;
    }

    private static String[] procSearchedHeader()
    {
        return new String[] {"entries", "searched", "found", "new", "invalid", "ignore", "delete", "delete_list",
            "insert", "insert_failed", "drop", "early_drop", "icmp_error", "expect_new", "expect_create",
            "expect_delete", "search_restart"};
    }

    /** @return the kernel releases with this layout. */
    public String kernels()
    {
        return kernels;
    }

    /** @return the {@code /proc/net/stat/nf_conntrack} header names, in order. */
    public List<String> procColumns()
    {
        return Arrays.asList(procColumns);
    }

    /**
     * @param column index into {@link #procColumns()}.
     * @return the counter (kernel name, as {@code conntrack -S} and the model name it) the kernel prints in that
     * column, {@code entries} for the count, or null where this kernel prints a literal 0.
     */
    public String procSource(final int column)
    {
        return procSources[column];
    }

    /** @return the {@code conntrack -S} names this kernel sends, in print order. */
    public List<String> conntrackSNames()
    {
        return Arrays.asList(conntrackSNames);
    }

    /** @return the header line exactly as {@code ct_cpu_seq_show} prints it (no newline). */
    public String procHeader()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < procColumns.length; i++)
        {
            if (i > 0)
            {
                sb.append(i == 1 || i == 13 ? "  " : " ");
            }
            sb.append(procColumns[i]);
        }
        return sb.toString();
    }

    /**
     * Append one row as {@code ct_cpu_seq_show} prints it: {@code %08x} fields, two spaces after the first and after
     * the thirteenth.
     *
     * @param sb     to append to.
     * @param values one value per column.
     * @return the builder.
     */
    public StringBuilder appendProcRow(final StringBuilder sb, final long[] values)
    {
        for (int i = 0; i < procColumns.length; i++)
        {
            if (i > 0)
            {
                sb.append(i == 1 || i == 13 ? "  " : " ");
            }
            final String hex = Long.toHexString(values[i] & 0xffffffffL);
            for (int pad = hex.length(); pad < 8; pad++)
            {
                sb.append('0');
            }
            sb.append(hex);
        }
        return sb;
    }

    /**
     * @param release a kernel release.
     * @return its layout.
     */
    public static StatLayout of(final KernelRelease release)
    {
        if (release.atLeast(5, 15))
        {
            return CHAINLENGTH;
        }
        if (release.atLeast(5, 10))
        {
            return CLASHRES;
        }
        if (release.atLeast(4, 9))
        {
            return HOTPATH_REMOVED;
        }
        return ALL_STATS;
    }
}
