package io.flowclash.cli;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.Reason;
import io.flowclash.lab.KernelLab;
import io.flowclash.lab.LabResponder;
import io.flowclash.lab.LabSender;
import io.flowclash.lab.ModelComparison;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code flowclash kernel-lab}: the real kernel beside the model.
 */
@Command(
    name = "kernel-lab",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Race real UDP datagrams through this machine's kernel (network namespaces, veth, an nft DNAT to N",
        "backends), read its conntrack counters, and set them beside the model's for the same workload.",
        "Linux and root only; every address lives inside namespaces the run creates, removed afterwards."},
    footer = {
        "%nModes: spin (two threads busy-wait, then send: the race), park (blocking barrier: a futex wake-up apart),",
        "one-thread (both datagrams from one thread: the sendmmsg/same-CPU case, never races).",
        "Emulation of old kernels on this one (a chain at postrouting priority 2147483647): same-origin drops",
        "what 5.0-5.5 dropped (clashes split across backends); drop drops every clash (<= 4.18).",
        "See docs/kernel-lab.md."},
    subcommands = {KernelLabCommand.Responder.class, KernelLabCommand.Sender.class, KernelLabCommand.Resolve.class})
public final class KernelLabCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--placement", paramLabel = "WHERE", defaultValue = "out",
        description = "out (DNAT in OUTPUT of the client's namespace) or pre (pod -> node PREROUTING -> backends) " +
            "(default: ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "2000", description = "Socket pairs (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--backends", paramLabel = "N", defaultValue = "2", description = "Backends, 1..8 (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "spin",
        description = "spin, park or one-thread (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--replies", description = "Echo backends; the sender waits for both replies.")
    boolean replies;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "50",
        description = "Reply timeout per pair (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--notrack", description = "NOTRACK the DNS traffic as NodeLocal DNSCache does (a local server on the VIP).")
    boolean notrack;

    @Option(names = "--emulate", paramLabel = "ERA", defaultValue = "none",
        description = "none, same-origin (5.0-5.5 drops) or drop (<= 4.18 drops) (default: ${DEFAULT-VALUE}).")
    String emulate;

    @Option(names = "--lookups", paramLabel = "N", defaultValue = "0",
        description = "Instead of the race sender: N real glibc getaddrinfo(AF_UNSPEC) lookups of a test name " +
            "served by dnsmasq on the backends (needs dnsmasq-base) (default: ${DEFAULT-VALUE}: race sender).")
    int lookups;

    @Option(names = "--resolv-options", paramLabel = "OPT", defaultValue = "default",
        description = "resolv.conf options for --lookups: default, single-request or single-request-reopen " +
            "(default: ${DEFAULT-VALUE}).")
    String resolvOptions;

    @Option(names = "--cleanup", description = "Remove what earlier runs left (namespaces " + KernelLab.PREFIX +
        "xxxxxx-*, their processes, /etc/netns entries) and exit.")
    boolean cleanup;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public void run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (cleanup)
        {
            final List<String> removed = KernelLab.cleanup();
            out.println(removed.isEmpty() ? "nothing to clean up" : "removed " + String.join(" ", removed));
            return;
        }
        check(List.of("out", "pre").contains(placement), "--placement '" + placement + "' is not out or pre");
        check(List.of("spin", "park", "one-thread").contains(mode), "--mode '" + mode + "' is not spin, park or one-thread");
        check(List.of("none", "same-origin", "drop").contains(emulate),
            "--emulate '" + emulate + "' is not none, same-origin or drop");
        check(pairs >= 1 && pairs <= 40_000, "--pairs must be 1..40000, got " + pairs);
        check(backends >= 1 && backends <= 8, "--backends must be 1..8, got " + backends);
        check(timeoutMs >= 1 && timeoutMs <= 10_000, "--timeout-ms must be 1..10000, got " + timeoutMs);
        check(lookups >= 0 && lookups <= 100_000, "--lookups must be 0..100000, got " + lookups);
        check(List.of("default", "single-request", "single-request-reopen").contains(resolvOptions),
            "--resolv-options '" + resolvOptions + "' is not default, single-request or single-request-reopen");
        final KernelLab.Readings k = KernelLab.run(new KernelLab.Options(placement, lookups > 0 ? lookups : pairs,
            backends, mode, replies, timeoutMs, notrack, emulate, lookups, resolvOptions));
        final ModelComparison c = ModelComparison.of(k);
        if (json)
        {
            out.println(json(c));
        }
        else
        {
            text(out, c);
        }
    }

    private static void check(final boolean ok, final String message)
    {
        if (!ok)
        {
            throw new FlowclashException(message);
        }
    }

    private static void text(final PrintWriter out, final ModelComparison c)
    {
        final KernelLab.Readings k = c.kernel();
        final KernelLab.Options o = k.options();
        out.printf(Locale.ROOT, "kernel lab %s: placement %s, %s, %d backend(s), %s%s%s; kernel %s%n%n",
            k.name(), o.placement(), o.resolver() ? o.lookups() + " lookups" : o.pairs() + " pairs", o.backends(),
            o.resolver() ? "dnsmasq" : "mode " + o.mode() + ", " + (o.replies() ? "echo" : "sink"),
            o.notrack() ? ", NOTRACK" : "", o.emulate().equals("none") ? "" : ", emulating " + o.emulate(),
            System.getProperty("os.version"));
        if (k.resolverLine() != null)
        {
            final Map<String, String> r = io.flowclash.lab.KernelLab.keyValues(k.resolverLine());
            out.printf(Locale.ROOT, "glibc getaddrinfo(AF_UNSPEC) through the VIP, resolv.conf options: %s%n",
                o.resolvOptions());
            out.printf(Locale.ROOT, "  lookups %s, failed %s, one family only %s, slower than 1 s %s%n",
                r.get("lookups"), r.get("failed"), r.get("partial"), r.get("slow"));
            out.printf(Locale.ROOT, "  latency us: p50 %s, p99 %s, max %s%n", r.get("p50us"), r.get("p99us"),
                r.get("maxus"));
            out.printf(Locale.ROOT, "  clash_resolve %d, new conntracks (nft DNAT counter - clash_resolve) %d, " +
                "entries %d%n", k.clashResolve(), k.dnatCounter() - k.clashResolve(), k.entriesCount());
            return;
        }
        out.printf(Locale.ROOT, "%-42s %12s %14s%n", "", "kernel", ModelComparison.THIS_KERNEL);
        row(out, "pairs", o.pairs(), c.model().lookups());
        row(out, "clashes (clash_resolve)", k.clashResolve(), c.model().counter(io.flowclash.datapath.Counter.CLASH_RESOLVE));
        row(out, "  merged onto the winner (same backend)", c.kernelMerged(), c.model().reason(Reason.ACCEPT_MERGED));
        row(out, "  split across backends (NAT_CLASH insert)", c.kernelSplit(), c.model().reason(Reason.ACCEPT_CLASH_INSERTED));
        row(out, "hidden entries (conntrack -C minus -L)", k.entriesCount() - k.entriesListed(), c.model().hiddenEntries());
        row(out, "entries listed (conntrack -L)", k.entriesListed(), c.model().entries());
        row(out, "drop / insert_failed", k.stat().getOrDefault("drop", 0L) + k.stat().getOrDefault("insert_failed", 0L),
            c.model().dropped());
        out.printf(Locale.ROOT, "%-42s %12d %14s%n", "nft DNAT counter (= pairs + clash_resolve)", k.dnatCounter(),
            "(" + (o.pairs() + k.clashResolve()) + ")");
        out.printf(Locale.ROOT, "%-42s %12d%n", "datagrams the backends received", k.received());
        if (k.rcvbufErrors() > 0)
        {
            out.printf(Locale.ROOT, "%-42s %12d%n", "  dropped at the responder's full buffer", k.rcvbufErrors());
        }
        out.printf(Locale.ROOT, "%-42s %12d%n", "pairs split across backends (responder)", k.split());
        if (o.replies())
        {
            out.printf(Locale.ROOT, "%-42s %12s%n", "replies / lost / wrong source",
                k.replies() + " / " + k.lostReplies() + " / " + k.badSource());
        }
        out.printf(Locale.ROOT, "%-42s %12s%n", "send errors (EPERM)", k.senderErrors() + " (" + k.senderEperm() + ")");
        out.printf(Locale.ROOT, "%nold eras for the clashes this kernel saw:%n");
        out.printf(Locale.ROOT, "  5.0-5.5 (nf-same-origin) drops the split ones:   predicted %d", c.predictedSameOriginDrops());
        if (o.emulate().equals("same-origin"))
        {
            out.printf(Locale.ROOT, ", emulated kernel dropped %d", k.natclashDrops());
        }
        out.printf(Locale.ROOT, "  (model run at the same clash rate: %d)%n", c.sameOrigin().dropped());
        out.printf(Locale.ROOT, "  <= 4.18 (nf-nonat-merge) drops every clash:      predicted %d", c.predictedDropEraDrops());
        if (o.emulate().equals("drop"))
        {
            out.printf(Locale.ROOT, ", emulated kernel dropped %d", k.natclashDrops() + k.mergedDrops());
        }
        out.printf(Locale.ROOT, "  (model run at the same clash rate: %d)%n", c.drop().dropped());
        out.printf(Locale.ROOT, "%n/proc/net/stat/nf_conntrack delta:");
        for (final Map.Entry<String, Long> e : k.stat().entrySet())
        {
            out.printf(Locale.ROOT, " %s=%d", e.getKey(), e.getValue());
        }
        out.printf(Locale.ROOT, "%nsender: %s%n", k.sender());
    }

    private static void row(final PrintWriter out, final String label, final long kernel, final long model)
    {
        out.printf(Locale.ROOT, "%-42s %12d %14d%n", label, kernel, model);
    }

    private static String json(final ModelComparison c)
    {
        final KernelLab.Readings k = c.kernel();
        final KernelLab.Options o = k.options();
        final Json j = new Json().beginObject()
            .field("run", k.name()).field("kernel", System.getProperty("os.version"))
            .field("placement", o.placement()).field("pairs", o.pairs()).field("backends", o.backends())
            .field("mode", o.mode()).field("replies", o.replies()).field("notrack", o.notrack())
            .field("emulate", o.emulate())
            .name("kernelReadings").beginObject()
            .field("clashResolve", k.clashResolve()).field("merged", c.kernelMerged()).field("split", c.kernelSplit())
            .field("entriesCount", k.entriesCount()).field("entriesListed", k.entriesListed())
            .field("dnatCounter", k.dnatCounter()).field("natclashDrops", k.natclashDrops())
            .field("mergedDrops", k.mergedDrops()).field("received", k.received())
            .field("rcvbufErrors", k.rcvbufErrors())
            .field("responderSplit", k.split()).field("replies", k.replies()).field("lostReplies", k.lostReplies())
            .field("badSource", k.badSource()).field("sendErrors", k.senderErrors()).field("eperm", k.senderEperm())
            .field("elapsedNs", k.elapsedNs()).field("resolver", k.resolverLine()).name("stat").beginObject();
        for (final Map.Entry<String, Long> e : k.stat().entrySet())
        {
            j.field(e.getKey(), e.getValue());
        }
        j.endObject().endObject().name("model").beginObject()
            .field("design", ModelComparison.THIS_KERNEL)
            .field("clashResolve", c.model().counter(io.flowclash.datapath.Counter.CLASH_RESOLVE))
            .field("merged", c.model().reason(Reason.ACCEPT_MERGED))
            .field("split", c.model().reason(Reason.ACCEPT_CLASH_INSERTED))
            .field("hiddenEntries", c.model().hiddenEntries()).field("entries", c.model().entries())
            .field("dropped", c.model().dropped()).endObject()
            .name("oldEras").beginObject()
            .field("sameOriginPredictedDrops", c.predictedSameOriginDrops())
            .field("sameOriginModelDrops", c.sameOrigin().dropped())
            .field("dropEraPredictedDrops", c.predictedDropEraDrops())
            .field("dropEraModelDrops", c.drop().dropped())
            .endObject().endObject();
        return j.toString();
    }

    /** Runs inside the backend namespace (started by the lab). */
    @Command(name = "responder", hidden = true, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, description = "Lab UDP responder (internal).")
    static final class Responder implements Runnable
    {
        @Option(names = "--addresses", required = true, split = ",")
        List<String> addresses;

        @Option(names = "--port", defaultValue = "53")
        int port;

        @Option(names = "--mode", defaultValue = "sink")
        String mode;

        @Override
        public void run()
        {
            try
            {
                LabResponder.run(addresses, port, mode.equals("echo"));
            }
            catch (final java.io.IOException ex)
            {
                throw new FlowclashException("responder: " + ex.getMessage(), ex);
            }
        }
    }

    /** Runs inside the client namespace (started by the lab). */
    @Command(name = "sender", hidden = true, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, description = "Lab race sender (internal).")
    static final class Sender implements Runnable
    {
        @Option(names = "--pairs", required = true)
        int pairs;

        @Option(names = "--mode", defaultValue = "spin")
        String mode;

        @Option(names = "--first-port", defaultValue = "20000")
        int firstPort;

        @Option(names = "--timeout-ms", defaultValue = "50")
        int timeoutMs;

        @Option(names = "--replies", negatable = true, defaultValue = "false")
        boolean replies;

        @Override
        public void run()
        {
            try
            {
                LabSender.run(pairs, mode, "10.96.0.10", 53, firstPort, replies, timeoutMs);
            }
            catch (final Exception ex)
            {
                throw new FlowclashException("sender: " + ex, ex);
            }
        }
    }

    /** Runs inside the client namespace (started by the lab). */
    @Command(name = "resolve", hidden = true, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, description = "Lab glibc lookups (internal).")
    static final class Resolve implements Runnable
    {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--lookups", required = true)
        int lookups;

        @Override
        public void run()
        {
            try
            {
                io.flowclash.lab.LabResolver.run(name, lookups);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new FlowclashException("resolve: interrupted");
            }
        }
    }
}
