package io.flowclash.datapath.kernel;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.DatapathCounters;

import java.util.ArrayList;
import java.util.List;

/**
 * A design's counters written as {@code /proc/net/stat/nf_conntrack} of a kernel era: the header, then one row per
 * worker (the model's "CPU") in {@code %08x}, with {@code entries} repeated on every row, exactly as
 * {@code ct_cpu_seq_show} prints them, so that a model run can be diffed against a node. A column whose counter the
 * model does not count prints 0 and is named on the comment line above the header; a column the kernel itself
 * prints as a literal 0 in that era prints 0 without comment.
 */
public final class ProcStatWriter
{
    private ProcStatWriter()
    {
    }

    /**
     * @param counters the design's per-worker counters (writers stopped).
     * @param entries  entries in the table, hidden reply-only ones included (the kernel's count has them).
     * @param layout   the kernel era's layout.
     * @return a comment line, the header and one row per worker, each ending in a newline.
     */
    public static String write(final DatapathCounters counters, final long entries, final StatLayout layout)
    {
        final List<String> columns = layout.procColumns();
        final Counter[] source = new Counter[columns.size()];
        final List<String> notModelled = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++)
        {
            final String name = layout.procSource(c);
            if (name == null || name.equals("entries"))
            {
                continue;
            }
            source[c] = counterNamed(name);
            if (source[c] == null)
            {
                notModelled.add(columns.get(c));
            }
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("# layout of Linux ").append(layout.kernels()).append("; one row per worker (CPU)");
        if (!notModelled.isEmpty())
        {
            sb.append("; not counted by the model, printed 0: ").append(String.join(" ", notModelled));
        }
        sb.append('\n').append(layout.procHeader()).append('\n');
        final long[] row = new long[columns.size()];
        for (int w = 0; w < counters.workers(); w++)
        {
            for (int c = 0; c < columns.size(); c++)
            {
                final String name = layout.procSource(c);
                if ("entries".equals(name))
                {
                    row[c] = entries;
                }
                else
                {
                    row[c] = source[c] == null ? 0 : counters.get(w, source[c]);
                }
            }
            layout.appendProcRow(sb, row).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param kernelName a counter's kernel name.
     * @return the model's counter of that name, or null if the model has none.
     */
    public static Counter counterNamed(final String kernelName)
    {
        for (int i = 0; i < Counter.count(); i++)
        {
            if (Counter.of(i).kernelName().equals(kernelName))
            {
                return Counter.of(i);
            }
        }
        return null;
    }

    /**
     * The layout a design prints with {@code run --proc} when no {@code --kernel} is given: that of a release its
     * era covers (the LTS release where the era has one).
     *
     * @param designId a design id.
     * @return the layout.
     */
    public static StatLayout layoutOf(final String designId)
    {
        return StatLayout.of(KernelRelease.parse(representative(designId)));
    }

    /**
     * @param designId a design id.
     * @return a release the design models (the Cilium designs: the newest era, their host kernel).
     */
    static String representative(final String designId)
    {
        switch (designId)
        {
            case KernelDesignTable.NF_DROP:
                return "4.4";
            case KernelDesignTable.NF_NONAT_MERGE_4_7:
                return "4.7";
            case KernelDesignTable.NF_NONAT_MERGE:
                return "4.14";
            case KernelDesignTable.NF_MERGE:
                return "4.19";
            case KernelDesignTable.NF_SAME_ORIGIN:
                return "5.4";
            case KernelDesignTable.NF_CLASH_INSERT_5_6:
                return "5.6";
            case KernelDesignTable.NF_CLASH_INSERT_5_9:
                return "5.9";
            case KernelDesignTable.NF_CLASH_INSERT_5_10:
                return "5.10";
            case KernelDesignTable.NF_CLASH_INSERT_5_15:
                return "5.15";
            case KernelDesignTable.NF_CLASH_INSERT:
                return "6.1";
            default:
                return "6.12";
        }
    }
}
