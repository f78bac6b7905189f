package io.flowclash.cli;

import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.kernel.KernelCommit;
import io.flowclash.datapath.kernel.KernelDesignTable;
import io.flowclash.datapath.kernel.KernelMatch;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The {@code --kernel X} option's one meaning everywhere: a release string ({@code uname -r} of the node, or
 * {@code running} for this machine's) to the design of {@link KernelDesignTable}, and how that answer is printed.
 */
final class KernelOption
{
    /** Help text shared by every command that takes {@code --kernel}. */
    static final String HELP = "Kernel release (uname -r of the node, e.g. 5.10.0-28-amd64; 'running' for this " +
        "machine's) instead of a design id: runs the design that models it (see 'flowclash designs --kernel X').";

    private KernelOption()
    {
    }

    /**
     * @param release a release string or {@code running}.
     * @return what the table says about it.
     * @throws io.flowclash.datapath.FlowclashException when the string is not a kernel release.
     */
    static KernelMatch resolve(final String release)
    {
        return KernelDesignTable.resolve(release.equals("running") ? System.getProperty("os.version") : release);
    }

    /**
     * One line on stderr when a command runs a design chosen by {@code --kernel}, so the choice and any
     * uncertainty are never silent.
     *
     * @param err   standard error.
     * @param match the table's answer.
     */
    static void announce(final PrintWriter err, final KernelMatch match)
    {
        err.println(summary(match));
    }

    /**
     * @param match the table's answer.
     * @return {@code kernel X runs D (era)}, with the reasons when uncertain.
     */
    static String summary(final KernelMatch match)
    {
        return String.format(Locale.ROOT, "kernel %s runs %s (%s)%s", match.release(), match.designId(),
            match.era(), match.isUncertain() ? "; uncertain: " + String.join("; ", match.uncertain()) : "");
    }

    /**
     * The full answer of {@code designs --kernel X}.
     *
     * @param out   where to print.
     * @param match the table's answer.
     */
    static void printText(final PrintWriter out, final KernelMatch match)
    {
        out.printf(Locale.ROOT, "kernel %s runs %s (%s)%s%n", match.release(), match.designId(), match.era(),
            match.isUncertain() ? " [uncertain]" : "");
        final String rule = clashRule(match.designId());
        out.printf(Locale.ROOT, "  on a clash: %s%n", rule);
        out.println("  has:");
        for (final KernelCommit c : match.has())
        {
            out.printf(Locale.ROOT, "    %-20s %-26s %s (%s)%n", c.id(), "mainline " + c.mainline(), c.title(),
                c.kernelFunctions());
        }
        if (match.has().isEmpty())
        {
            out.println("    none of the deciding commits");
        }
        out.println("  lacks:");
        for (final KernelCommit c : match.lacks())
        {
            out.printf(Locale.ROOT, "    %-20s %-26s %s%n", c.id(), "mainline " + c.mainline(), c.title());
        }
        for (final String n : match.notes())
        {
            out.printf(Locale.ROOT, "  note: %s%n", n);
        }
        for (final String u : match.uncertain())
        {
            out.printf(Locale.ROOT, "  uncertain: %s%n", u);
        }
        if (!match.isUncertain())
        {
            out.println("  certain: no boundary between designs falls near this branch (a release marked assumed or not " +
                "verified above is far from it)");
        }
        out.printf(Locale.ROOT, "  /proc/net/stat/nf_conntrack (%s): %s%n", match.layout().kernels(),
            match.layout().procHeader());
        out.printf(Locale.ROOT, "  conntrack -S names: %s%n", String.join(" ", match.layout().conntrackSNames()));
    }

    /**
     * @param match the table's answer.
     * @return it as JSON.
     */
    static String json(final KernelMatch match)
    {
        final Json j = new Json().beginObject()
            .field("kernel", match.release().text())
            .field("design", match.designId())
            .field("era", match.era())
            .field("clash", clashRule(match.designId()))
            .field("uncertain", match.isUncertain())
            .name("has").beginArray();
        for (final KernelCommit c : match.has())
        {
            j.beginObject().field("commit", c.id()).field("title", c.title()).field("mainline", c.mainline())
                .field("stable", c.stableNote()).endObject();
        }
        j.endArray().name("lacks").beginArray();
        for (final KernelCommit c : match.lacks())
        {
            j.beginObject().field("commit", c.id()).field("title", c.title()).field("mainline", c.mainline())
                .endObject();
        }
        j.endArray().name("notes").beginArray();
        for (final String n : match.notes())
        {
            j.value(n);
        }
        j.endArray().name("uncertainReasons").beginArray();
        for (final String u : match.uncertain())
        {
            j.value(u);
        }
        j.endArray().field("procHeader", match.layout().procHeader())
            .field("conntrackS", String.join(" ", match.layout().conntrackSNames()));
        return j.endObject().toString();
    }

    private static String clashRule(final String designId)
    {
        for (final Designs.Design d : Designs.all())
        {
            if (d.id().equals(designId))
            {
                return d.clashRule();
            }
        }
        return "(design " + designId + " is not in this build's registry)";
    }
}
