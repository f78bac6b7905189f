package io.flowclash.cli;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.conntrack.ConnDescriptor;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.nat.BackendSelectors;
import io.flowclash.datapath.resolver.LookupRun;
import io.flowclash.datapath.resolver.LookupStats;
import io.flowclash.datapath.resolver.ResolverKind;
import io.flowclash.datapath.resolver.ResolverOptions;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.run.Runner;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.stream.StreamFile;
import io.flowclash.datapath.workload.DnsLookupsWorkload;
import io.flowclash.datapath.workload.Durations;
import io.flowclash.datapath.workload.Workload;
import io.flowclash.datapath.workload.Workloads;
import io.flowclash.io.SafeOutput;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code flowclash run}: one stream through one or more designs, side by side.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Run a workload through datapath designs side by side and report what each did.",
        "Counters named as conntrack -S names them, verdicts by reason, lookups the clients saw stall,",
        "entries left (and hidden reply-only ones)."},
    footer = {
        "%nRace modes (for packets sent together, with --dispatch spread):",
        "  real     each packet on its own worker thread, released together (needs --workers 2 or more)",
        "  always   interleaved step by step: every lookup before any confirm (race 1), reproducible",
        "  never    one after the other",
        "  p=X      'always' with probability X per batch (seeded), else 'never'",
        "%nExamples:",
        "  flowclash run --design 'nf-*' --race always --backends 2",
        "  flowclash run --design nf-clash-insert --workload dns-pairs:sockets=10000 --race real --workers 2 --json",
        "  flowclash run --design all --workload dns-lookups --race always --resolver musl",
        "  flowclash run --design nf-same-origin --workload dns-lookups:clients=100 --resolv-options single-request-reopen",
        "%nWith --workload dns-lookups the resolvers send (glibc or musl, in virtual time) and the first table is",
        "each design's lookup latency: lookups, answered, partial, failed, p50/p90/p99/p99.9/max ms, share over 1 s."})
public final class RunCommand implements Runnable
{
    /** Upper bound of {@code --jobs}. */
    static final int MAX_JOBS = 256;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--design"}, paramLabel = "IDS", defaultValue = "nf-*",
        description = "Design ids: a comma list, a prefix glob such as nf-*, or all (default: ${DEFAULT-VALUE}).")
    String design;

    @Option(names = {"-w", "--workload"}, paramLabel = "SPEC", defaultValue = Workloads.DEFAULT_SPEC,
        description = "Workload spec (default: ${DEFAULT-VALUE}); the workloads are listed below.")
    String workload;

    @Option(names = "--stream", paramLabel = "FILE",
        description = "Run a saved stream file instead of a workload (not with --workload).")
    Path streamFile;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
        description = "Workers standing for CPUs, 1.." + DatapathConfig.MAX_WORKERS + " (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--race", paramLabel = "MODE", defaultValue = "real",
        description = "real, always, never or p=X (default: ${DEFAULT-VALUE}).")
    String race;

    @Option(names = "--dispatch", paramLabel = "HOW", defaultValue = "spread",
        description = "spread (packets sent together go to different workers) or same-cpu (one worker, in " +
            "order: one sendmmsg through one softirq) (default: ${DEFAULT-VALUE}).")
    String dispatch;

    @Option(names = "--backends", paramLabel = "N", defaultValue = "2",
        description = "Service backends, 0.." + DatapathConfig.MAX_BACKENDS + " (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--selector", paramLabel = "NAME", defaultValue = "random",
        description = "Backend selection: random (iptables statistic), rr, sh, dh (default: ${DEFAULT-VALUE}).")
    String selector;

    @Option(names = "--notrack", description = "NOTRACK service traffic, as NodeLocal DNSCache does.")
    boolean notrack;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
        description = "Seed of the datapath (backend and port draws) and of p=X (default: ${DEFAULT-VALUE}); " +
            "the workload's seed is in its spec.")
    long seed;

    @Option(names = "--reply-delay", paramLabel = "DURATION", defaultValue = "200us",
        description = "Responder delay in virtual time: 0, or a whole number with ns, us, ms or s " +
            "(default: ${DEFAULT-VALUE}).")
    String replyDelay;

    @Option(names = {"--conntrack-max", "--max-entries"}, paramLabel = "N", defaultValue = "262144",
        description = "nf_conntrack_max: entries of the conntrack table of the nf-* designs and of cilium-socklb's " +
            "host conntrack, 1.." + DatapathConfig.MAX_CONNTRACK_ENTRIES + " (not the BPF maps: --map-entries) " +
            "(default: ${DEFAULT-VALUE}).")
    int maxEntries;

    @Option(names = "--map-entries", paramLabel = "N", defaultValue = "262144",
        description = "max_entries of the cilium-* designs' BPF maps, 1.." + DatapathConfig.MAX_MAP_ENTRIES +
            " (not the conntrack table: --conntrack-max) (default: ${DEFAULT-VALUE}).")
    int mapEntries;

    @Option(names = "--map-type", paramLabel = "TYPE", defaultValue = "lru",
        description = "lru (evicts when full) or hash (E2BIG when full) for the BPF maps (default: ${DEFAULT-VALUE}).")
    String mapType;

    @Option(names = "--pin-dir", paramLabel = "DIR",
        description = "Keep the BPF maps in Chronicle Map files in DIR (pinned; reopened if present) " +
            "instead of off-heap memory.")
    Path pinDir;

    @Option(names = "--resolver", paramLabel = "NAME",
        description = "Resolver model of dns-lookups: glibc or musl (default: the workload's resolver=, glibc).")
    String resolver;

    @Option(names = "--resolv-options", paramLabel = "OPTS",
        description = "resolv.conf options of dns-lookups, comma-separated: single-request, single-request-reopen " +
            "(glibc only), timeout:N (seconds, at least 1; both libraries cap it at 30), attempts:N (at least 1; " +
            "glibc caps it at 5, musl at 10) (default: none, i.e. timeout:5 attempts:2).")
    String resolvOptions;

    @Option(names = "--hlog", paramLabel = "DIR",
        description = "dns-lookups: write each design's lookup latency histogram (ns) to DIR/<design>.hlog, " +
            "HdrHistogram's log format (DIR is created if its parent exists).")
    Path hlog;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
        description = "Designs run at once, each on a thread of its own, 1.." + MAX_JOBS + " (default: the cores, " +
            "at most the designs; always 1 with --race real, whose workers are threads, and with --pin-dir). The " +
            "counts do not depend on it; each design's wall ms is then measured beside the others.")
    int jobs;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--dump", description = "List each design's table at the end, conntrack -L style.")
    boolean dump;

    @CommandLine.Mixin
    Progress.Options progressOptions = new Progress.Options();

    @Option(names = "--kernel", paramLabel = "RELEASE", description = KernelOption.HELP + " Not with --design.")
    String kernel;

    @Option(names = "--proc", description = "Print each design's counters as /proc/net/stat/nf_conntrack of its " +
        "kernel (--kernel's, else the design's era): header, then one row per worker (CPU) in hex, to diff " +
        "against a node.")
    boolean proc;

    @Override
    public void run()
    {
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (streamFile != null && parsed.hasMatchedOption("--workload"))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--stream and --workload conflict: the stream file holds its workload; give one");
        }
        final RaceMode raceMode = RaceMode.parse(race);
        if (workers == 1 && raceMode.kind() == RaceMode.Kind.REAL && dispatch.equals("spread"))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers 1 and --race real" +
                (parsed.hasMatchedOption("--race") ? "" : " (the default)") + " conflict: real races need " +
                "--workers 2 or more; with one worker give --race always, never or p=X");
        }
        progressOptions.check(spec.commandLine());
        if (pinDir != null)
        {
            SafeOutput.checkDirectory(pinDir, "pin directory"); // refuse a bad --pin-dir before any work
        }
        if (!dispatch.equals("spread") && !dispatch.equals("same-cpu"))
        {
            throw new FlowclashException("--dispatch '" + dispatch + "' is not spread or same-cpu");
        }
        final long delay;
        try
        {
            delay = replyDelay.trim().equals("0") ? 0 : Durations.parseNs(replyDelay);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new FlowclashException("--reply-delay: " + ex.getMessage());
        }
        BackendSelectors.create(selector, 1); // validates the name
        if (!mapType.equals("lru") && !mapType.equals("hash"))
        {
            throw new FlowclashException("--map-type '" + mapType + "' is not lru or hash");
        }
        if (proc && json)
        {
            throw new FlowclashException("--proc prints the /proc layout as text: not with --json");
        }
        io.flowclash.datapath.kernel.KernelMatch kernelMatch = null;
        if (kernel != null)
        {
            if (this.spec.commandLine().getParseResult().hasMatchedOption("--design"))
            {
                throw new FlowclashException("--kernel and --design both name the design: give one");
            }
            kernelMatch = KernelOption.resolve(kernel);
            design = kernelMatch.designId();
            KernelOption.announce(this.spec.commandLine().getErr(), kernelMatch);
        }
        final List<Designs.Design> designs = Designs.select(design);
        final DatapathConfig.Builder base = DatapathConfig.builder()
            .backends(backends).selector(selector).notrack(notrack).maxEntries(maxEntries).workers(workers).seed(seed)
            .mapEntries(mapEntries).mapLru(mapType.equals("lru")).pinDirectory(pinDir);

        final String spec;
        final PacketStream stream;
        StreamFile file = null;
        DnsLookupsWorkload lookups = null;
        ResolverOptions resolverOptions = null;
        if (streamFile == null)
        {
            final Workload w = Workloads.parse(workload);
            if (w instanceof DnsLookupsWorkload)
            {
                lookups = (DnsLookupsWorkload)w;
                resolverOptions = resolverOptions(lookups);
            }
        }
        if (lookups == null && (resolver != null || resolvOptions != null || hlog != null))
        {
            throw new FlowclashException((resolver != null ? "--resolver" : resolvOptions != null ?
                "--resolv-options" : "--hlog") + " needs --workload dns-lookups (resolvers send its packets)");
        }
        final Path hlogDir = hlog == null ? null : SafeOutput.checkDirectory(hlog, "--hlog directory");
        if (lookups != null)
        {
            // the spec as it runs: a --resolver given on the command line replaces the spec's default resolver=
            spec = resolver == null ? lookups.spec() : lookups.spec().replaceFirst("(^|[:,])resolver=[^,]*",
                "$1resolver=" + resolverOptions.kind().id());
            base.service(lookups.serviceAddress(), lookups.servicePort());
            stream = null;
        }
        else if (streamFile != null)
        {
            file = StreamFile.open(streamFile);
            stream = file.stream();
            spec = file.spec();
        }
        else
        {
            final Workload w = Workloads.parse(workload);
            spec = w.spec();
            base.service(w.serviceAddress(), w.servicePort());
            stream = Workloads.generate(w);
        }
        if (file != null)
        {
            final Workload w = Workloads.parse(file.spec());
            base.service(w.serviceAddress(), w.servicePort());
        }
        final RunOptions options = new RunOptions(raceMode, dispatch.equals("same-cpu"), delay, 1_000_000_000L, seed);
        final List<RunResult> results = new ArrayList<>();
        final List<String> dumps = new ArrayList<>();
        final List<String> procs = new ArrayList<>();
        final DatapathConfig config = base.build();
        final int parallel = jobs(designs.size(), raceMode, parsed);
        final DesignJob[] work = new DesignJob[designs.size()];
        for (int k = 0; k < work.length; k++)
        {
            work[k] = new DesignJob(designs.get(k), config, options, stream, lookups, resolverOptions, kernelMatch);
        }
        try (Progress progress = Progress.start(spec().commandLine(), progressOptions))
        {
            if (parallel == 1)
            {
                final java.util.concurrent.atomic.AtomicInteger finished =
                    new java.util.concurrent.atomic.AtomicInteger();
                for (int k = 0; k < work.length; k++)
                {
                    final String what = "design " + (k + 1) + "/" + work.length + " " + work[k].design.id();
                    if (lookups != null)
                    {
                        progress.phase(what + " (dns-lookups)", "designs", work.length, finished::get);
                    }
                    else
                    {
                        final DesignJob job = work[k];
                        progress.phase(what, "packets", stream.count(), job::packetsFed);
                    }
                    work[k].call();
                    finished.incrementAndGet();
                }
            }
            else
            {
                runConcurrently(work, parallel, progress, lookups == null ? stream.count() : 0);
            }
            for (final DesignJob job : work)
            {
                results.add(job.result);
                if (dump)
                {
                    dumps.add(job.dump);
                }
                if (proc)
                {
                    procs.add(job.proc);
                }
            }
        }
        finally
        {
            if (file != null)
            {
                file.close();
            }
        }
        if (hlogDir != null)
        {
            writeHlogs(hlog, spec, resolverOptions, results);
        }
        final PrintWriter out = spec().commandLine().getOut();
        if (json)
        {
            out.println(json(spec, options, resolverOptions, results, dumps));
        }
        else
        {
            text(out, spec, options, resolverOptions, results, dumps);
        }
        for (int i = 0; i < procs.size() && !json; i++)
        {
            out.printf(Locale.ROOT, "%n# %s counters as /proc/net/stat/nf_conntrack%n%s", results.get(i).design(),
                procs.get(i));
        }
    }

    /**
     * @return how many designs run at once: {@code --jobs}, else the cores (at most the designs); 1 under
     * {@code --race real} (its workers are threads of their own) and with {@code --pin-dir} (the designs would
     * share the pinned map files).
     */
    private int jobs(final int designs, final RaceMode raceMode, final CommandLine.ParseResult parsed)
    {
        final boolean given = parsed.hasMatchedOption("--jobs");
        if (given && (jobs < 1 || jobs > MAX_JOBS))
        {
            throw new FlowclashException("--jobs " + jobs + " is not in 1.." + MAX_JOBS);
        }
        final boolean threads = raceMode.kind() == RaceMode.Kind.REAL && dispatch.equals("spread") && workers > 1;
        if (given && jobs > 1 && (threads || pinDir != null))
        {
            throw new FlowclashException("--jobs " + jobs + " and " + (threads ? "--race real" : "--pin-dir") +
                " conflict: " + (threads ? "real races run each design on worker threads of its own"
                : "the designs would share the pinned map files") + "; give --jobs 1 or leave it out");
        }
        if (threads || pinDir != null)
        {
            return 1;
        }
        final int want = given ? jobs : Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(want, designs));
    }

    /**
     * Run the designs on {@code parallel} threads of their own; each design's run is independent of the others
     * (its own datapath, runner and random streams over the shared read-only stream), so its counts are the same
     * as when run alone. The first failure is thrown at once; designs still running are abandoned (daemon
     * threads, interrupted; they do not check it) and their results never read.
     */
    private static void runConcurrently(final DesignJob[] work, final int parallel, final Progress progress,
        final long packetsPerDesign)
    {
        final java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        final String what = work.length + " designs, " + parallel + " at a time";
        if (packetsPerDesign > 0)
        {
            progress.phase(what, "packets", packetsPerDesign * work.length, () ->
            {
                long sum = 0;
                for (final DesignJob job : work)
                {
                    sum += job.packetsFed();
                }
                return sum;
            });
        }
        else
        {
            progress.phase(what + " (dns-lookups)", "designs", work.length, finished::get);
        }
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallel,
            r ->
            {
                final Thread t = new Thread(r, "flowclash-design");
                t.setDaemon(true);
                return t;
            });
        try
        {
            final java.util.concurrent.CompletionService<DesignJob> done =
                new java.util.concurrent.ExecutorCompletionService<>(pool);
            for (final DesignJob job : work)
            {
                done.submit(() ->
                {
                    job.call();
                    finished.incrementAndGet();
                    return job;
                });
            }
            for (int k = 0; k < work.length; k++)
            {
                try
                {
                    done.take().get();
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    final Throwable cause = ex.getCause();
                    if (cause instanceof RuntimeException)
                    {
                        throw (RuntimeException)cause;
                    }
                    if (cause instanceof Error)
                    {
                        throw (Error)cause;
                    }
                    throw new IllegalStateException(cause);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new FlowclashException("interrupted while the designs ran");
                }
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /**
     * One design's run: its datapath made, the stream (or the resolvers) run through it, closed. {@link #call}
     * runs on one thread; {@link #result}, {@link #dump} and {@link #proc} are written there and read by the
     * command's thread only after it (the same thread, or after {@code Future.get}, which orders them);
     * {@link #packetsFed} may be read from the progress thread at any time.
     */
    private final class DesignJob
    {
        final Designs.Design design;
        private final DatapathConfig config;
        private final RunOptions options;
        private final PacketStream stream;
        private final DnsLookupsWorkload lookups;
        private final ResolverOptions resolverOptions;
        private final io.flowclash.datapath.kernel.KernelMatch kernelMatch;
        private volatile Runner runner;
        RunResult result;
        String dump;
        String proc;

        DesignJob(final Designs.Design design, final DatapathConfig config, final RunOptions options,
            final PacketStream stream, final DnsLookupsWorkload lookups, final ResolverOptions resolverOptions,
            final io.flowclash.datapath.kernel.KernelMatch kernelMatch)
        {
            this.design = design;
            this.config = config;
            this.options = options;
            this.stream = stream;
            this.lookups = lookups;
            this.resolverOptions = resolverOptions;
            this.kernelMatch = kernelMatch;
        }

        /** @return packets fed so far (any thread). */
        long packetsFed()
        {
            final Runner r = runner;
            return r == null ? 0 : r.packetsFed();
        }

        void call()
        {
            try (Datapath dp = design.create(config))
            {
                if (lookups != null)
                {
                    result = LookupRun.run(dp, options, lookups, resolverOptions);
                }
                else
                {
                    final Runner r = new Runner(dp, options);
                    runner = r;
                    result = r.run(stream);
                }
                if (RunCommand.this.dump)
                {
                    dump = RunCommand.this.dump(dp, result.endNs());
                }
                if (RunCommand.this.proc)
                {
                    proc = io.flowclash.datapath.kernel.ProcStatWriter.write(dp.counters(),
                        result.entries() + result.hiddenEntries(), kernelMatch != null ? kernelMatch.layout()
                        : io.flowclash.datapath.kernel.ProcStatWriter.layoutOf(design.id()));
                }
            }
        }
    }

    private ResolverOptions resolverOptions(final DnsLookupsWorkload w)
    {
        if (resolver != null && workload.contains("resolver="))
        {
            throw new FlowclashException("resolver given both in the workload spec and as --resolver: give it once");
        }
        if (resolvOptions != null && w.hasOptions())
        {
            throw new FlowclashException("resolver options given both in the workload spec and as " +
                "--resolv-options: give them once");
        }
        return w.resolverOptions(resolver == null ? null : ResolverKind.parse(resolver), resolvOptions);
    }

    /**
     * The latency table: one row per design, side by side.
     *
     * @param out     where to print.
     * @param results results of a {@code dns-lookups} run.
     */
    static void latencyTable(final PrintWriter out, final List<RunResult> results)
    {
        out.printf(Locale.ROOT, "%-20s %9s %9s %8s %8s %10s %10s %10s %10s %10s %7s%n", "design", "lookups",
            "answered", "partial", "failed", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", ">1 s");
        for (final RunResult r : results)
        {
            final LookupStats s = r.lookupStats();
            out.printf(Locale.ROOT, "%-20s %9d %9d %8d %8d %10.3f %10.3f %10.3f %10.3f %10.3f %6.2f%%%n", r.design(),
                s.total(), s.answered(), s.partial(), s.failed(), s.percentileMs(50), s.percentileMs(90),
                s.percentileMs(99), s.percentileMs(99.9), s.maxMs(), 100.0 * s.slowShare());
        }
    }

    /** One {@code <design>.hlog} per design (HdrHistogram log format, one interval spanning the run). */
    private static void writeHlogs(final Path dir, final String spec, final ResolverOptions ro,
        final List<RunResult> results)
    {
        SafeOutput.writeDirectory(dir, "--hlog directory", tmp ->
        {
            for (final RunResult r : results)
            {
                try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp.resolve(r.design() + ".hlog")), false,
                    StandardCharsets.UTF_8))
                {
                    final HistogramLogWriter w = new HistogramLogWriter(ps);
                    final LookupStats s = r.lookupStats();
                    w.outputComment("flowclash run: design " + r.design() + ", workload " + spec + ", resolver " + ro +
                        "; lookup durations in virtual ns; the max column is in ms");
                    w.outputLogFormatVersion();
                    w.outputStartTime(0);
                    w.outputLegend();
                    w.outputIntervalHistogram(s.firstStartNs() / 1e9, s.lastEndNs() / 1e9, s.histogram(), 1e6);
                }
            }
        });
    }

    private CommandLine.Model.CommandSpec spec()
    {
        return spec;
    }

    private static final Counter[] BPF = {
        Counter.MAP_UPDATE, Counter.MAP_EVICT, Counter.MAP_E2BIG, Counter.MAP_ENOENT,
        Counter.REVNAT_MISS};

    private static final Counter[] CONNTRACK_S = {
        Counter.FOUND, Counter.INSERT, Counter.INSERT_FAILED, Counter.DROP, Counter.EARLY_DROP,
        Counter.SEARCH_RESTART, Counter.CLASH_RESOLVE, Counter.CHAINTOOLONG};

    private void text(final PrintWriter out, final String spec, final RunOptions o, final ResolverOptions ro,
        final List<RunResult> results, final List<String> dumps)
    {
        final RunResult first = results.get(0);
        out.printf(Locale.ROOT, "workload %s%n", spec);
        if (ro != null)
        {
            out.printf(Locale.ROOT, "resolver %s (options %s); race %s, dispatch %s, workers %d, backends %d (%s)%s, " +
                "reply delay %s, seed %d%n%n", ro.kind(), ro.optionsLine(), o.race(), dispatch, workers, backends,
                selector, notrack ? ", NOTRACK" : "", replyDelay, seed);
            out.printf(Locale.ROOT, "lookup latency (virtual time; one lookup = one getaddrinfo, A and AAAA):%n");
            latencyTable(out, results);
            out.printf(Locale.ROOT, "%n%-20s %9s %9s %9s%n", "design", "queries", "sockets", "replies");
            for (final RunResult r : results)
            {
                out.printf(Locale.ROOT, "%-20s %9d %9d %9d%n", r.design(), r.queries(), r.sockets(), r.replies());
            }
            out.printf(Locale.ROOT, "%n(below, \"lookups stalled\" = lookups over 1 s)%n%n");
        }
        else
        {
            out.printf(Locale.ROOT, "%,d queries in %,d lookups; race %s, dispatch %s, workers %d, backends %d (%s)%s, " +
                "reply delay %s, seed %d%n%n", first.queries(), first.lookups(), o.race(), dispatch, workers, backends,
                selector, notrack ? ", NOTRACK" : "", replyDelay, seed);
        }
        out.printf(Locale.ROOT, "%-20s %9s %9s %9s %8s %16s %9s %7s %9s%n", "design", "processed", "accepted",
            "dropped", "raced", "lookups stalled", "entries", "hidden", "wall ms");
        for (final RunResult r : results)
        {
            out.printf(Locale.ROOT, "%-20s %9d %9d %9d %8d %9d %5.1f%% %9d %7d %9.1f%n", r.design(), r.processed(),
                r.accepted(), r.dropped(), r.racedBatches(), r.lookupsStalled(),
                r.lookups() == 0 ? 0.0 : 100.0 * r.lookupsStalled() / r.lookups(), r.entries(), r.hiddenEntries(),
                r.wallNs() / 1e6);
        }
        out.printf(Locale.ROOT, "%nconntrack -S (summed over workers):%n");
        for (final RunResult r : results)
        {
            final StringBuilder sb = new StringBuilder();
            for (final Counter c : CONNTRACK_S)
            {
                sb.append(' ').append(c.kernelName()).append('=').append(r.counter(c));
            }
            out.printf(Locale.ROOT, "%-20s%s%n", r.design(), sb);
        }
        boolean maps = false;
        for (final RunResult r : results)
        {
            for (final Counter c : BPF)
            {
                maps |= r.counter(c) != 0;
            }
        }
        if (maps)
        {
            out.printf(Locale.ROOT, "%nbpf maps (%s, max_entries %d%s):%n", mapType, mapEntries,
                pinDir == null ? ", off-heap" : ", pinned in " + pinDir);
            for (final RunResult r : results)
            {
                final StringBuilder sb = new StringBuilder();
                long any = 0;
                for (final Counter c : BPF)
                {
                    sb.append(' ').append(c.kernelName()).append('=').append(r.counter(c));
                    any |= r.counter(c);
                }
                if (any != 0)
                {
                    out.printf(Locale.ROOT, "%-20s%s%n", r.design(), sb);
                }
            }
        }
        out.printf(Locale.ROOT, "%nverdicts (packets by reason; processed = accepted + dropped):%n");
        for (final RunResult r : results)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Reason.count(); i++)
            {
                final long n = r.reason(Reason.of(i));
                if (n != 0)
                {
                    sb.append(' ').append(Reason.of(i).label()).append('=').append(n);
                }
            }
            out.printf(Locale.ROOT, "%-20s%s%n", r.design(), sb);
        }
        for (int i = 0; i < dumps.size(); i++)
        {
            out.printf(Locale.ROOT, "%n# %s table at the end (conntrack -L)%n%s", results.get(i).design(), dumps.get(i));
        }
    }

    private String json(final String spec, final RunOptions o, final ResolverOptions ro, final List<RunResult> results,
        final List<String> dumps)
    {
        final Json j = new Json().beginObject()
            .field("workload", spec);
        if (ro != null)
        {
            j.name("resolver").beginObject()
                .field("kind", ro.kind().id())
                .field("timeoutSeconds", ro.timeoutSeconds())
                .field("attempts", ro.attempts())
                .field("singleRequest", ro.singleRequest())
                .field("singleRequestReopen", ro.singleRequestReopen())
                .endObject();
        }
        j
            .field("race", o.race().toString())
            .field("dispatch", dispatch)
            .field("workers", workers)
            .field("backends", backends)
            .field("selector", selector)
            .field("notrack", notrack)
            .field("replyDelayNs", o.replyDelayNs())
            .field("seed", seed)
            .name("results").beginArray();
        for (int i = 0; i < results.size(); i++)
        {
            final RunResult r = results.get(i);
            j.beginObject()
                .field("design", r.design())
                .field("models", Designs.get(r.design()).models())
                .field("processed", r.processed())
                .field("accepted", r.accepted())
                .field("dropped", r.dropped())
                .field("queries", r.queries())
                .field("replies", r.replies())
                .field("racedBatches", r.racedBatches())
                .name("lookups").beginObject();
            final LookupStats s = r.lookupStats();
            if (s != null)
            {
                j.field("total", s.total()).field("answered", s.answered()).field("partial", s.partial())
                    .field("failed", s.failed()).endObject()
                    .name("latencyMs").beginObject()
                    .field("p50", s.percentileMs(50)).field("p90", s.percentileMs(90)).field("p99", s.percentileMs(99))
                    .field("p999", s.percentileMs(99.9)).field("max", s.maxMs()).endObject()
                    .field("slowShare", s.slowShare())
                    .field("sockets", r.sockets())
                    .field("clashedBatches", r.clashedBatches());
            }
            else
            {
                j.field("total", r.lookups()).field("complete", r.lookupsComplete())
                    .field("stalled", r.lookupsStalled()).endObject();
            }
            j
                .field("entries", r.entries())
                .field("hiddenEntries", r.hiddenEntries())
                .field("wallNs", r.wallNs())
                .name("counters").beginObject();
            for (int c = 0; c < Counter.count(); c++)
            {
                j.field(Counter.of(c).kernelName(), r.counter(Counter.of(c)));
            }
            j.endObject().name("verdicts").beginObject();
            for (int k = 0; k < Reason.count(); k++)
            {
                j.field(Reason.of(k).label(), r.reason(Reason.of(k)));
            }
            j.endObject();
            if (!dumps.isEmpty())
            {
                j.field("dump", dumps.get(i));
            }
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    static String dump(final Datapath dp, final long now)
    {
        final StringBuilder visible = new StringBuilder();
        final StringBuilder hidden = new StringBuilder();
        dp.forEachEntry(now, (oh, ol, rh, rl, status, expires, isHidden) ->
        {
            final StringBuilder sb = isHidden ? hidden : visible;
            sb.append(String.format(Locale.ROOT, "%-8s %d %d ", Tuple.protocolName(Tuple.protocol(ol)),
                Tuple.protocol(ol), Math.max(0, (expires - now) / 1_000_000_000L)));
            Tuple.appendTo(sb, oh, ol);
            if ((status & ConnDescriptor.IPS_SEEN_REPLY) == 0)
            {
                sb.append(" [UNREPLIED]");
            }
            sb.append(' ');
            Tuple.appendTo(sb, rh, rl);
            final String flags = ConnDescriptor.statusFlags(status & ~ConnDescriptor.IPS_SEEN_REPLY)
                .replace("[UNREPLIED]", "").trim();
            if (!flags.isEmpty())
            {
                sb.append(' ').append(flags);
            }
            sb.append('\n');
        });
        if (hidden.length() > 0)
        {
            visible.append("# hidden reply-only entries (NAT_CLASH; conntrack -L does not list them):\n").append(hidden);
        }
        return visible.toString();
    }
}
