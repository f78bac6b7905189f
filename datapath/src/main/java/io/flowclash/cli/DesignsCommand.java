package io.flowclash.cli;

import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.nat.BackendSelectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code flowclash designs}: the registry, with the kernel versions or systems each design models.
 */
@Command(
    name = "designs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "List the datapath designs (ids for --design) and the backend selectors.")
public final class DesignsCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--kernel", paramLabel = "RELEASE",
        description = "Say which design a kernel release runs and why (the commits it has and lacks, what is " +
            "uncertain, its counter files): uname -r of the node, or 'running'.")
    String kernel;

    @Override
    public void run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (kernel != null)
        {
            final io.flowclash.datapath.kernel.KernelMatch match = KernelOption.resolve(kernel);
            if (json)
            {
                out.println(KernelOption.json(match));
            }
            else
            {
                KernelOption.printText(out, match);
            }
            return;
        }
        if (json)
        {
            final Json j = new Json().beginObject().name("designs").beginArray();
            for (final Designs.Design d : Designs.all())
            {
                j.beginObject().field("id", d.id()).field("models", d.models()).field("clash", d.clashRule())
                    .field("canDropOnClash", d.canDropOnClash()).endObject();
            }
            j.endArray().name("selectors").beginObject();
            for (final Map.Entry<String, String> e : BackendSelectors.descriptions().entrySet())
            {
                j.field(e.getKey(), e.getValue());
            }
            out.println(j.endObject().endObject());
            return;
        }
        // every row in full: the id, then what it models and what it does on a clash, each wrapped, never cut
        for (final Designs.Design d : Designs.all())
        {
            out.println(d.id());
            out.print(wrap("models      " + d.models(), "            "));
            out.print(wrap("on a clash  " + d.clashRule(), "            "));
        }
        out.println();
        out.println("selectors (--selector):");
        for (final Map.Entry<String, String> e : BackendSelectors.descriptions().entrySet())
        {
            out.printf(Locale.ROOT, "  %-8s %s%n", e.getKey(), e.getValue());
        }
    }

    /** @return the text as lines of at most 100 columns, indented by two, continuation lines by {@code indent}. */
    static String wrap(final String text, final String indent)
    {
        final StringBuilder sb = new StringBuilder("  ");
        int column = 2;
        boolean first = true;
        for (final String word : text.split(" "))
        {
            if (!first && column + 1 + word.length() > 100)
            {
                sb.append(System.lineSeparator()).append("  ").append(indent);
                column = 2 + indent.length();
            }
            else if (!first)
            {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
            first = false;
        }
        return sb.append(System.lineSeparator()).toString();
    }
}
