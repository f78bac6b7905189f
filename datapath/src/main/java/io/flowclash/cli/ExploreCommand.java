package io.flowclash.cli;

import io.flowclash.datapath.explore.InterleavingExplorer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code flowclash explore}: the exact outcome set of a design for k racing packets and n backends.
 */
@Command(
    name = "explore",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Run every interleaving of the steps of K packets of one socket flow, for every choice of backend, through",
        "a design's real step methods, and print each distinct outcome with how many interleavings reach it and",
        "one witness (the backend choices and the step sequence)."},
    footer = {"%nReproduce a witness: the step sequence is a schedule for the design's step(); see docs/proofs.md."})
public final class ExploreCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--design"}, paramLabel = "ID", description = "Design id (this or --kernel).")
    String design;

    @Option(names = "--kernel", paramLabel = "RELEASE", description = KernelOption.HELP)
    String kernel;

    @Option(names = {"-k", "--packets"}, paramLabel = "K", defaultValue = "2",
        description = "Racing packets, 1..4 (default: ${DEFAULT-VALUE}).")
    int packets;

    @Option(names = {"-n", "--backends"}, paramLabel = "N", defaultValue = "2",
        description = "Service backends, 1..4 (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--replies", description = "Follow each accepted query with its backend's reply.")
    boolean replies;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--replay", paramLabel = "WITNESS",
        description = "Re-run one witness as printed (\"backends A=b0 B=b1: A.lookup ...\") and print its outcome.")
    String replay;

    @Override
    public void run()
    {
        if ((design == null) == (kernel == null))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "give exactly one of --design ID and --kernel RELEASE");
        }
        if (kernel != null)
        {
            final io.flowclash.datapath.kernel.KernelMatch match = KernelOption.resolve(kernel);
            design = match.designId();
            KernelOption.announce(spec.commandLine().getErr(), match);
        }
        if (replay != null)
        {
            spec.commandLine().getOut().println(
                InterleavingExplorer.replay(design, packets, backends, replies, replay));
            return;
        }
        final InterleavingExplorer.Exploration e =
            InterleavingExplorer.explore(design, packets, backends, replies);
        final PrintWriter out = spec.commandLine().getOut();
        if (json)
        {
            final Json j = new Json().beginObject()
                .field("design", e.design()).field("packets", e.packets()).field("backends", e.backends())
                .field("replies", e.replies()).field("interleavings", e.interleavings())
                .field("distinctStates", e.states()).field("elapsedNs", e.elapsedNs())
                .name("outcomes").beginArray();
            for (final InterleavingExplorer.Outcome o : e.outcomes())
            {
                j.beginObject().field("outcome", o.description()).field("interleavings", o.interleavings())
                    .field("drop", o.anyDrop()).field("conserved", o.conserved()).field("witness", o.witness())
                    .endObject();
            }
            out.println(j.endArray().endObject());
            return;
        }
        out.printf(Locale.ROOT, "%s: %d packets of one socket flow, %d backend(s)%s: %,d interleavings " +
            "(%,d distinct states expanded) in %.1f ms, %d distinct outcome(s)%n%n", e.design(), e.packets(),
            e.backends(), e.replies() ? ", then replies" : "", e.interleavings(), e.states(), e.elapsedNs() / 1e6,
            e.outcomes().size());
        int i = 1;
        for (final InterleavingExplorer.Outcome o : e.outcomes())
        {
            out.printf(Locale.ROOT, "outcome %d%s: %,d interleavings%s%n  %s%n  witness: %s%n%n", i++,
                o.anyDrop() ? " (DROP)" : "", o.interleavings(), o.conserved() ? "" : " CONSERVATION VIOLATED",
                o.description(), o.witness());
        }
    }
}
