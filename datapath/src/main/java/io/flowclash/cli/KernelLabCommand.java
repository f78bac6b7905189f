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

import io.flowclash.lab.LabOutput;

import java.io.PrintWriter;
import java.util.ArrayList;
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
    subcommands = {KernelLabCommand.Responder.class, KernelLabCommand.Sender.class})
public final class KernelLabCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--placement", paramLabel = "WHERE", defaultValue = "out",
        description = "out (DNAT in OUTPUT of the client's namespace) or pre (pod -> node PREROUTING -> backends) " +
            "(default: ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "2000", description = "Socket pairs, 1..40000 (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--backends", paramLabel = "N", defaultValue = "2", description = "Backends, 1..8 (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "spin",
        description = "spin, park or one-thread (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--replies", description = "Echo backends; the sender waits for both replies.")
    boolean replies;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "50",
        description = "Reply timeout per pair, ms, 1..10000 (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--notrack", description = "NOTRACK the DNS traffic as NodeLocal DNSCache does (a local server on the VIP).")
    boolean notrack;

    @Option(names = "--emulate", paramLabel = "ERA", defaultValue = "none",
        description = "none, same-origin (5.0-5.5 drops) or drop (<= 4.18 drops) (default: ${DEFAULT-VALUE}).")
    String emulate;

    @Option(names = "--lookups", paramLabel = "N", defaultValue = "0",
        description = "Instead of the race sender: N real resolver getaddrinfo(AF_UNSPEC) lookups of a test name " +
            "served by dnsmasq on the backends (needs dnsmasq-base), 0..100000 (default: ${DEFAULT-VALUE}: race " +
            "sender; 3 with --matrix).")
    int lookups;

    @Option(names = "--resolver", paramLabel = "LIB", defaultValue = "glibc",
        description = "glibc (gcc) or musl (musl-gcc -static): the lookup program is built at run time from one C " +
            "file (default: ${DEFAULT-VALUE}).")
    String resolver;

    @Option(names = "--resolv-options", paramLabel = "OPT", defaultValue = "default",
        description = "resolv.conf options for --lookups, space separated: single-request, single-request-reopen, " +
            "timeout:S, attempts:N, or default for none (default: ${DEFAULT-VALUE}).")
    String resolvOptions;

    @Option(names = "--race-share", paramLabel = "X", defaultValue = "0",
        description = "Share of lookups the race injector races, 0..1 (each lookup with this probability, chosen " +
            "by a hash of its source port; 1 races all): an NFQUEUE rule after DNAT, before confirm, and a queue " +
            "reader that holds a lookup's first query until its second has confirmed (needs iptables, " +
            "libnetfilter-queue-dev) (default: ${DEFAULT-VALUE}: no injector).")
    double raceShare;

    @Option(names = "--race-order", paramLabel = "ORDER", defaultValue = "second-first",
        description = "second-first (the held first query clashes at confirm) or first-second " +
            "(default: ${DEFAULT-VALUE}).")
    String raceOrder;

    @Option(names = "--race-hold-ms", paramLabel = "MS", defaultValue = "100",
        description = "How long the injector holds a first query waiting for the second, 1..900 " +
            "(default: ${DEFAULT-VALUE}).")
    int holdMs;

    @Option(names = "--lb", paramLabel = "LB", defaultValue = "nft",
        description = "nft (kube-proxy's DNAT rule) or socket (a cgroup BPF socket LB: connect4/sendmsg4/recvmsg4, " +
            "backend = socket cookie %% n; needs clang, bpftool, libbpf-dev, cgroup v2) (default: ${DEFAULT-VALUE}).")
    String lb;

    @Option(names = "--shared-process", description = "All lookups in one process (default: each in a new " +
        "process, as short-lived commands do; glibc switches a process to single-request for good after a " +
        "lookup that got one answer of two, so in one process only its first raced lookup stalls).")
    boolean sharedProcess;

    @Option(names = "--scenario", paramLabel = "SPEC",
        description = "One table row, repeatable: key=value,... over the options above (emulate, resolver, " +
            "options (joined with +), share, lb, notrack, placement, backends, lookups).")
    List<String> scenarios;

    @Option(names = "--matrix", description = "The stall matrix: every era x resolver x option x LB row that " +
        "shows the 5 s stall and its fixes (with --race-share 1 unless given, and 3 lookups unless given).")
    boolean matrix;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Also write the JSON to FILE (a new path or a regular file in an existing directory) and " +
            "the lookup latencies as an HdrHistogram log beside it (FILE without .json, plus .hlog).")
    java.nio.file.Path outFile;

    @Option(names = "--cleanup", description = "Remove what runs whose owner is dead left (namespaces " +
        KernelLab.PREFIX + "xxxxxx-*, their processes, cgroups, bpffs mounts, /etc/netns entries) and exit; a " +
        "live run is left alone.")
    boolean cleanup;

    @Option(names = "--all", description = "With --cleanup: also remove the resources of runs still alive.")
    boolean all;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public void run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (cleanup)
        {
            final io.flowclash.lab.LabState.Cleanup c = KernelLab.cleanup(all);
            if (json)
            {
                final Json j = new Json().beginObject().name("removed").beginArray();
                c.removed().forEach(j::value);
                j.endArray().name("leftAlive").beginArray();
                c.skipped().forEach(j::value);
                out.println(j.endArray().endObject());
            }
            else
            {
                out.println(c.removed().isEmpty() ? "nothing to clean up" : "removed " + String.join(" ", c.removed()));
                if (!c.skipped().isEmpty())
                {
                    out.println("left alone (their owner is running; --all removes them too): " +
                        String.join(" ", c.skipped()));
                }
            }
            return;
        }
        check(!all, "--all needs --cleanup");
        if (outFile != null)
        {
            LabOutput.check(outFile);
        }
        final boolean table = matrix || scenarios != null && !scenarios.isEmpty();
        final int n = lookups == 0 && table ? 3 : lookups;
        final double share = table && raceShare == 0 && matrix ? 1.0 : raceShare;
        final KernelLab.Options base = validate(new KernelLab.Options(placement, n > 0 ? n : pairs, backends, mode,
            replies, timeoutMs, notrack, emulate, n, resolvOptions, resolver, share, raceOrder, holdMs, lb, !sharedProcess));
        if (!table)
        {
            final KernelLab.Readings k = KernelLab.run(base);
            if (base.resolver())
            {
                final List<Row> rows = List.of(new Row(k, io.flowclash.lab.LookupPrediction.of(k)));
                print(out, rows);
                return;
            }
            final ModelComparison c = ModelComparison.of(k);
            if (outFile != null)
            {
                LabOutput.write(outFile, json(c), List.of());
            }
            if (json)
            {
                out.println(json(c));
            }
            else
            {
                text(out, c);
            }
            return;
        }
        final List<KernelLab.Options> list = new ArrayList<>();
        for (final String sc : matrix ? MATRIX : scenarios)
        {
            list.add(validate(scenario(base, sc)));
        }
        for (final KernelLab.Options o : list)
        {
            KernelLab.checkPrerequisites(o); // every tool of every row before the first row runs
        }
        final List<Row> rows = new ArrayList<>();
        int i = 0;
        for (final KernelLab.Options o : list)
        {
            if (!json && System.console() != null)
            {
                System.err.printf(Locale.ROOT, "kernel lab: scenario %d/%d: %s%n", ++i, list.size(), describe(o));
            }
            final KernelLab.Readings k = KernelLab.run(o);
            rows.add(new Row(k, io.flowclash.lab.LookupPrediction.of(k)));
        }
        print(out, rows);
    }

    /** The stall matrix (issue 12): each row over the base options. */
    static final List<String> MATRIX = List.of(
        "emulate=drop,resolver=glibc", "emulate=drop,resolver=musl",
        "emulate=drop,resolver=glibc,options=single-request",
        "emulate=drop,resolver=glibc,options=single-request-reopen",
        "emulate=drop,resolver=glibc,options=timeout:1",
        "emulate=same-origin,resolver=glibc", "emulate=none,resolver=glibc", "emulate=none,resolver=musl",
        "emulate=none,resolver=glibc,notrack=true", "emulate=drop,resolver=glibc,lb=socket",
        "emulate=none,resolver=glibc,lb=socket");

    /** One row of the table: the kernel's readings and the model's prediction. */
    record Row(KernelLab.Readings kernel, io.flowclash.lab.LookupPrediction model)
    {
    }

    private void print(final PrintWriter out, final List<Row> rows)
    {
        final String j = tableJson(rows);
        if (outFile != null)
        {
            LabOutput.write(outFile, j, rows.stream().map(r -> r.kernel().latencyUs()).toList());
        }
        if (json)
        {
            out.println(j);
            return;
        }
        out.printf(Locale.ROOT, "kernel lab on %s (model of this kernel: %s); raced share by the NFQUEUE injector, " +
            "latencies real%n", System.getProperty("os.version"), ModelComparison.thisKernelNote());
        out.printf(Locale.ROOT, "%-4s %-19s %-6s %-5s %-27s %5s %4s %9s %8s %8s %8s %5s %5s %5s %5s %6s | %s%n",
            "plc", "era", "lb", "lib", "resolv.conf options", "share", "n", "ok/pt/fl", "p50 ms", "p99 ms", "max ms",
            "clash", "dnat", "ncl", "mrgd", "raced", "model: design, prediction");
        for (final Row r : rows)
        {
            final KernelLab.Readings k = r.kernel();
            final KernelLab.Options o = k.options();
            final org.HdrHistogram.Histogram h = k.latencyUs();
            final long failed = k.lookup("failed");
            final long partial = k.lookup("partial");
            out.printf(Locale.ROOT, "%-4s %-19s %-6s %-5s %-27s %5.2f %4d %9s %8.1f %8.1f %8.1f %5d %5d %5d %5d %6d" +
                    " | %s: %s%n",
                o.placement(), era(o), o.lb(), o.resolverName(), o.resolvOptions() + (o.notrack() ? " NOTRACK" : ""),
                o.raceShare(), o.lookups(), (o.lookups() - failed - partial) + "/" + partial + "/" + failed,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3,
                k.clashResolve(), k.dnatCounter(), k.natclash(), k.mergedDrops(), k.injector("paired"),
                r.model().design(), r.model().outcome());
        }
        out.printf(Locale.ROOT, "%nok/pt/fl: lookups answered with A and AAAA / with one family only / failed. " +
            "clash: clash_resolve (/proc/net/stat/nf_conntrack);%ndnat: nft counter on the DNAT rule (packets that " +
            "made a new conntrack); ncl: nft counter on NAT_CLASH packets (split losers; dropped when an era is " +
            "emulated);%nmrgd: merged losers dropped by the <= 4.18 emulation; raced: lookups whose two queries the " +
            "injector held and released in order.%nModel: the resolver model (glibc or musl, same options) in virtual " +
            "time over the era's design, the raced share racing; latencies in ms. The real rows also carry the " +
            "injector's hold%n(--race-hold-ms, 100) for each first query held alone (single-request: one, " +
            "single-request-reopen: two per lookup), which the model does not have.%n");
    }

    private static String era(final KernelLab.Options o)
    {
        return switch (o.emulate())
        {
            case "drop" -> "emulated <= 4.18";
            case "same-origin" -> "emulated 5.0-5.5";
            default -> "real " + System.getProperty("os.version").replaceAll("-.*", "");
        };
    }

    private static String describe(final KernelLab.Options o)
    {
        return era(o) + ", " + o.lb() + ", " + o.resolverName() + " " + o.resolvOptions() +
            (o.notrack() ? ", NOTRACK" : "") + ", share " + o.raceShare() + ", " + o.lookups() + " lookups";
    }

    private static String tableJson(final List<Row> rows)
    {
        final Json j = new Json().beginObject().field("kernel", System.getProperty("os.version"))
            .field("thisKernelModel", ModelComparison.thisKernelNote()).name("scenarios").beginArray();
        for (final Row r : rows)
        {
            final KernelLab.Readings k = r.kernel();
            final KernelLab.Options o = k.options();
            final org.HdrHistogram.Histogram h = k.latencyUs();
            j.beginObject().field("run", k.name()).field("placement", o.placement()).field("era", era(o))
                .field("emulate", o.emulate()).field("lb", o.lb()).field("resolver", o.resolverName())
                .field("resolvOptions", o.resolvOptions()).field("notrack", o.notrack())
                .field("raceShare", o.raceShare()).field("raceOrder", o.raceOrder()).field("backends", o.backends())
                .field("lookups", o.lookups()).field("answered", o.lookups() - k.lookup("failed") - k.lookup("partial"))
                .field("partial", k.lookup("partial")).field("failed", k.lookup("failed"))
                .field("slowerThan1s", k.lookup("slow"))
                .field("p50Us", h.getValueAtPercentile(50)).field("p99Us", h.getValueAtPercentile(99))
                .field("maxUs", h.getMaxValue())
                .name("kernel").beginObject().field("clashResolve", k.clashResolve())
                .field("clashResolveSource", k.clashResolveSource())
                .field("dnatCounter", k.dnatCounter()).field("natclashPackets", k.natclash())
                .field("mergedDrops", k.mergedDrops()).field("entriesCount", k.entriesCount())
                .field("entriesListed", k.entriesListed()).name("stat").beginObject();
            for (final Map.Entry<String, Long> e : k.stat().entrySet())
            {
                j.field(e.getKey(), e.getValue());
            }
            j.endObject().endObject().name("injector").beginObject();
            for (final Map.Entry<String, String> e : KernelLab.keyValues(k.injectorLine() == null ? "" :
                k.injectorLine()).entrySet())
            {
                j.field(e.getKey(), Long.parseLong(e.getValue()));
            }
            j.endObject();
            if (k.socketLb() != null)
            {
                j.name("socketLb").beginObject().field("connect4", k.socketLb()[0]).field("sendmsg4", k.socketLb()[1])
                    .field("recvmsg4", k.socketLb()[2]).field("recvmsg4Miss", k.socketLb()[3])
                    .field("revNatEntries", k.socketLb()[4]).endObject();
            }
            j.name("model").beginObject().field("design", r.model().design()).field("racing", r.model().racing())
                .field("stalled", r.model().stalled()).field("clashResolve", r.model().clashes())
                .field("retryTimerUs", r.model().timerUs()).field("outcome", r.model().outcome())
                .field("p50Us", r.model().latency().getValueAtPercentile(50))
                .field("p99Us", r.model().latency().getValueAtPercentile(99))
                .field("maxUs", r.model().latency().getMaxValue()).endObject();
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    private static KernelLab.Options scenario(final KernelLab.Options b, final String spec)
    {
        String placement = b.placement();
        int backends = b.backends();
        String emulate = b.emulate();
        boolean notrack = b.notrack();
        String resolverName = b.resolverName();
        String options = b.resolvOptions();
        double share = b.raceShare();
        String lb = b.lb();
        int lookups = b.lookups();
        for (final String kv : spec.split(","))
        {
            final String[] p = kv.split("=", 2);
            check(p.length == 2, "--scenario '" + spec + "': '" + kv + "' is not key=value");
            final String v = p[1].trim();
            try
            {
                switch (p[0].trim())
                {
                    case "placement" -> placement = v;
                    case "backends" -> backends = Integer.parseInt(v);
                    case "emulate" -> emulate = v;
                    case "notrack" -> notrack = Boolean.parseBoolean(v);
                    case "resolver" -> resolverName = v;
                    case "options" -> options = v.replace('+', ' ');
                    case "share" -> share = Double.parseDouble(v);
                    case "lb" -> lb = v;
                    case "lookups" -> lookups = Integer.parseInt(v);
                    default -> throw new FlowclashException("--scenario '" + spec + "': unknown key '" + p[0] +
                        "' (known: placement, backends, emulate, notrack, resolver, options, share, lb, lookups)");
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new FlowclashException("--scenario '" + spec + "': '" + v + "' is not a number");
            }
        }
        check(lookups > 0, "--scenario rows are lookup rows: give --lookups N (or lookups=N)");
        return new KernelLab.Options(placement, lookups, backends, b.mode(), b.replies(), b.timeoutMs(), notrack,
            emulate, lookups, options, resolverName, share, b.raceOrder(), b.holdMs(), lb, b.freshProcess());
    }

    private static KernelLab.Options validate(final KernelLab.Options o)
    {
        check(List.of("out", "pre").contains(o.placement()), "--placement '" + o.placement() + "' is not out or pre");
        check(List.of("spin", "park", "one-thread").contains(o.mode()),
            "--mode '" + o.mode() + "' is not spin, park or one-thread");
        check(List.of("none", "same-origin", "drop").contains(o.emulate()),
            "--emulate '" + o.emulate() + "' is not none, same-origin or drop");
        check(o.pairs() >= 1 && o.pairs() <= 40_000, "--pairs must be 1..40000, got " + o.pairs());
        check(o.backends() >= 1 && o.backends() <= 8, "--backends must be 1..8, got " + o.backends());
        check(o.timeoutMs() >= 1 && o.timeoutMs() <= 10_000, "--timeout-ms must be 1..10000, got " + o.timeoutMs());
        check(o.lookups() >= 0 && o.lookups() <= 100_000, "--lookups must be 0..100000, got " + o.lookups());
        check(o.resolvOptions().equals("default") ||
                o.resolvOptions().matches("(single-request|single-request-reopen|timeout:\\d{1,2}|attempts:\\d)" +
                    "( (single-request|single-request-reopen|timeout:\\d{1,2}|attempts:\\d))*"),
            "--resolv-options '" + o.resolvOptions() + "' is not default or a list of single-request, " +
                "single-request-reopen, timeout:S, attempts:N");
        check(List.of("glibc", "musl").contains(o.resolverName()),
            "--resolver '" + o.resolverName() + "' is not glibc or musl");
        check(!o.resolverName().equals("musl") || !o.resolvOptions().contains("single-request"),
            "--resolver musl and --resolv-options single-request conflict: musl reads only ndots:, attempts: and " +
                "timeout:");
        check(o.raceShare() >= 0 && o.raceShare() <= 1, "--race-share must be 0..1, got " + o.raceShare());
        check(List.of("second-first", "first-second").contains(o.raceOrder()),
            "--race-order '" + o.raceOrder() + "' is not second-first or first-second");
        check(o.holdMs() >= 1 && o.holdMs() <= 900, "--race-hold-ms must be 1..900, got " + o.holdMs());
        check(List.of("nft", "socket").contains(o.lb()), "--lb '" + o.lb() + "' is not nft or socket");
        check(o.resolver() || o.resolvOptions().equals("default") && o.resolverName().equals("glibc"),
            "--resolv-options and --resolver need --lookups (they configure the lookup program)");
        check(o.resolver() || o.raceShare() == 0 && o.lb().equals("nft"),
            "--race-share and --lb socket need --lookups (the race sender races by itself)");
        check(!o.notrack() || o.emulate().equals("none"),
            "--notrack and --emulate conflict: NOTRACK traffic never reaches conntrack, so no era applies");
        return o;
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
        out.printf(Locale.ROOT, "%-42s %12s %14s%n", "", "kernel", ModelComparison.THIS_KERNEL);
        row(out, "pairs", o.pairs(), c.model().lookups());
        row(out, "clashes (clash_resolve)", k.clashResolve(), c.model().counter(io.flowclash.datapath.Counter.CLASH_RESOLVE));
        row(out, "  merged onto the winner (same backend)", c.kernelMerged(), c.model().reason(Reason.ACCEPT_MERGED));
        row(out, "  split across backends (nft NAT_CLASH counter)", c.kernelSplit(),
            c.model().reason(Reason.ACCEPT_CLASH_INSERTED));
        row(out, "hidden entries still counted (-C minus -L)", k.entriesCount() - k.entriesListed(),
            c.model().hiddenEntries());
        row(out, "entries listed (conntrack -L)", k.entriesListed(), c.model().entries());
        row(out, "drop / insert_failed", k.stat().getOrDefault("drop", 0L) + k.stat().getOrDefault("insert_failed", 0L),
            c.model().dropped());
        // NOTRACK traffic never reaches the nat hook: the DNAT rule counts nothing there
        out.printf(Locale.ROOT, "%-42s %12d %14s%n", o.notrack() ? "nft DNAT counter (NOTRACK: nothing is DNATed)" :
            "nft DNAT counter (= pairs + clash_resolve)", k.dnatCounter(),
            "(" + (o.notrack() ? 0 : o.pairs() + k.clashResolve()) + ")");
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
        out.printf(Locale.ROOT, "%-42s %12s%n", "failed sends / of them EPERM", k.senderErrors() + " / " +
            k.senderEperm());
        out.printf(Locale.ROOT, "  (EPERM: a drop in the sender's own POSTROUTING, the out placement under an " +
            "emulated era)%n");
        out.printf(Locale.ROOT, "split readings: the nft counter counts each split loser's packet as it passes and " +
            "never expires;%nthe responder counts pairs whose datagrams reached two backends; -C minus -L counts " +
            "NAT_CLASH entries%nonly while they live (1 s) and until a dump reaps them.%n");
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
            .field("clashResolve", k.clashResolve()).field("clashResolveSource", k.clashResolveSource())
            .field("merged", c.kernelMerged()).field("split", c.kernelSplit())
            .field("splitSource", "nft counter on NAT_CLASH packets (does not expire)")
            .field("entriesCount", k.entriesCount()).field("entriesListed", k.entriesListed())
            .field("dnatCounter", k.dnatCounter()).field("natclashPackets", k.natclash())
            .field("natclashDrops", k.natclashDrops())
            .field("mergedDrops", k.mergedDrops()).field("received", k.received())
            .field("rcvbufErrors", k.rcvbufErrors())
            .field("responderSplit", k.split()).field("hiddenEntriesStillCounted", k.entriesCount() - k.entriesListed());
        if (o.replies())
        {
            j.field("replies", k.replies()).field("lostReplies", k.lostReplies()).field("badSource", k.badSource());
        }
        j.field("sendErrors", k.senderErrors()).field("eperm", k.senderEperm())
            .field("elapsedNs", k.elapsedNs()).name("stat").beginObject();
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
}
