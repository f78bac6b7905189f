package io.flowclash.cli;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.explore.InterleavingExplorer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code flowclash explore}: the exact outcome set of a design for k racing packets and n backends.
 *
 * <p>Before it starts, the command estimates the state space (see {@link #estimateStates}) and refuses, with the
 * estimate, an exploration whose memo would not fit in the heap, unless {@code --max-states} bounds it.
 */
@Command(
    name = "explore",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Every interleaving of K racing packets of one flow through a design's steps: the exact outcome set.",
        "Runs every order of the steps of K packets of one socket flow, for every choice of backend, through",
        "a design's real step methods, and prints each distinct outcome with how many interleavings reach it and",
        "one witness (the backend choices and the step sequence)."},
    footer = {
        "%nState space: estimated before the run as N^K backend choices x (S+1)^K step positions x K! orders",
        "(S = steps of one packet), at about " + ExploreCommand.BYTES_PER_STATE + " bytes of heap per state; an",
        "exploration whose estimate does not fit in the heap is refused unless --max-states bounds it.",
        "%nReproduce a witness: the step sequence is a schedule for the design's step(); see docs/proofs.md."})
public final class ExploreCommand implements Runnable
{
    /**
     * Heap per distinct state expanded (memo key, tally and witness strings): measured, nf-drop with 3 packets and
     * 3 backends expands 12,150 states and completes in a 24 MB heap but not in 16 MB, so about 2 KB per state.
     */
    static final long BYTES_PER_STATE = 2048;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--design"}, paramLabel = "ID", description = "Design id (this or --kernel).")
    String design;

    @Option(names = "--kernel", paramLabel = "RELEASE", description = KernelOption.HELP)
    String kernel;

    @Option(names = {"-k", "--packets"}, paramLabel = "K", defaultValue = "2",
        description = "Racing packets, 1..4 (default: ${DEFAULT-VALUE}).")
    int packets;

    @Option(names = {"-b", "--backends"}, paramLabel = "N", defaultValue = "2",
        description = "Service backends, 1..4 (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--replies", description = "Follow each accepted query with its backend's reply.")
    boolean replies;

    @Option(names = "--max-states", paramLabel = "N",
        description = "Expand at most N distinct states (stop with an error beyond); needed when the estimate " +
            "does not fit in the heap; N itself must fit.")
    Long maxStates;

    @Option(names = "--json", description = "Print as JSON (not with --replay).")
    boolean json;

    @Option(names = "--replay", paramLabel = "WITNESS",
        description = "Re-run one witness as printed (\"backends A=b0 B=b1: A.lookup ...\") and print its outcome.")
    String replay;

    @CommandLine.Mixin
    Progress.Options progressOptions = new Progress.Options();

    @Override
    public void run()
    {
        progressOptions.check(spec.commandLine());
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
            if (json)
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--json and --replay conflict: a replay prints one outcome as text; give one");
            }
            spec.commandLine().getOut().println(
                InterleavingExplorer.replay(design, packets, backends, replies, replay));
            return;
        }
        if (maxStates != null && maxStates < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-states must be 1 or more, got " +
                maxStates);
        }
        InterleavingExplorer.checkRange(packets, backends);
        // one packet through one backend: S states, the design's steps per packet (cheap: S replays)
        final long steps = InterleavingExplorer.explore(design, 1, 1, replies).states();
        final long estimate = estimateStates(packets, backends, steps);
        final long heap = Runtime.getRuntime().maxMemory();
        final long budget;
        if (maxStates == null)
        {
            if (estimate > heap / BYTES_PER_STATE)
            {
                throw new FlowclashException(String.format(Locale.ROOT, "explore %s -k %d -b %d: an estimated " +
                    "%,d distinct states need about %s of heap, more than the %s this JVM has: give fewer packets " +
                    "or backends, a larger heap (-Xmx), or --max-states N to stop after N states", design, packets,
                    backends, estimate, bytes(estimate * BYTES_PER_STATE), bytes(heap)));
            }
            budget = Long.MAX_VALUE;
        }
        else
        {
            if (maxStates > heap / BYTES_PER_STATE)
            {
                throw new FlowclashException(String.format(Locale.ROOT, "--max-states %,d needs about %s of heap, " +
                    "more than the %s this JVM has: give at most %,d", maxStates, bytes(maxStates * BYTES_PER_STATE),
                    bytes(heap), heap / BYTES_PER_STATE));
            }
            budget = maxStates;
        }
        final InterleavingExplorer.Budget limit = new InterleavingExplorer.Budget(budget, new AtomicLong());
        final InterleavingExplorer.Exploration e;
        try (Progress progress = Progress.start(spec.commandLine(), progressOptions))
        {
            progress.phase("explore " + design + " -k " + packets + " -b " + backends + " (estimated " +
                String.format(Locale.ROOT, "%,d", Math.min(estimate, budget)) + " states)", "states",
                Math.min(estimate, budget), limit.statesSeen()::get);
            e = InterleavingExplorer.explore(design, packets, backends, replies, limit);
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (json)
        {
            out.println(json(e, estimate));
            return;
        }
        out.printf(Locale.ROOT, "%s: %s of one socket flow, %s%s: %s (%s expanded, estimate %,d) in %.1f ms, %s%n%n",
            e.design(), plural(e.packets(), "packet"), plural(e.backends(), "backend"),
            e.replies() ? ", then replies" : "", plural(e.interleavings(), "interleaving"),
            plural(e.states(), "distinct state"), estimate, e.elapsedNs() / 1e6,
            plural(e.outcomes().size(), "distinct outcome"));
        int i = 1;
        for (final InterleavingExplorer.Outcome o : e.outcomes())
        {
            out.printf(Locale.ROOT, "outcome %d%s: %s%s%n  %s%n  witness: %s%n%n", i++,
                o.anyDrop() ? " (DROP)" : "", plural(o.interleavings(), "interleaving"),
                o.conserved() ? "" : " CONSERVATION VIOLATED", o.description(), o.witness());
        }
    }

    /**
     * The state-space estimate: N^K backend choices, (S+1)^K positions of K packets in their S steps, and K! for
     * the orders in which the packets' earlier steps can have left different states at the same positions. Checked
     * against the counts expanded for K, N in 1..3 (e.g. nf-drop K=3 N=3: 34,992 estimated, 12,150 expanded).
     *
     * @param packets  K.
     * @param backends N.
     * @param steps    S.
     * @return the estimate (saturating at {@link Long#MAX_VALUE}).
     */
    static long estimateStates(final int packets, final int backends, final long steps)
    {
        long estimate = 1;
        try
        {
            for (int j = 1; j <= packets; j++)
            {
                estimate = Math.multiplyExact(estimate, Math.multiplyExact((long)backends, steps + 1));
                estimate = Math.multiplyExact(estimate, j);
            }
            return estimate;
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    static String plural(final long n, final String noun)
    {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    static String bytes(final long n)
    {
        if (n >= 1L << 30)
        {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double)(1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (double)(1L << 20));
    }

    private static String json(final InterleavingExplorer.Exploration e, final long estimate)
    {
        final Json j = new Json().beginObject()
            .field("design", e.design()).field("packets", e.packets()).field("backends", e.backends())
            .field("replies", e.replies()).field("interleavings", e.interleavings())
            .field("distinctStates", e.states()).field("estimatedStates", estimate).field("elapsedNs", e.elapsedNs())
            .name("outcomes").beginArray();
        for (final InterleavingExplorer.Outcome o : e.outcomes())
        {
            j.beginObject().field("outcome", o.description()).field("interleavings", o.interleavings())
                .field("drop", o.anyDrop()).field("conserved", o.conserved()).field("witness", o.witness());
            ExploreOutcomeFields.append(j, o.description());
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }
}
