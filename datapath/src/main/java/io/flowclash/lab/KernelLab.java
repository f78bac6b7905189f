package io.flowclash.lab;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.FlowclashException;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kernel-lab run: check every tool, build the helpers, build namespaces, veths and nft rules (and, as asked,
 * the race injector and the cgroup BPF socket LB); start the server in the backend namespace and the client in
 * the client namespace; read the NAT namespace's conntrack counters, entries and nft counters; tear everything
 * down. Names carry a prefix unique to the run ({@value #PREFIX} + 6 hex digits), and everything made is written
 * down first in the run's record ({@link LabState}), so two runs never collide, teardown undoes exactly the record,
 * and {@link #cleanup} after a SIGKILL removes only runs whose owner is dead.
 *
 * <p>Addresses (all inside the run's namespaces): service VIP 10.96.0.10:53, backends 10.0.0.2 and up; {@code out}:
 * client 10.0.0.1 in the namespace that holds the DNAT (OUTPUT, like a host process); {@code pre}: pod 10.0.1.2,
 * node 10.0.1.1 / 10.0.0.1 forwarding with the DNAT in PREROUTING, backends behind it (pod to CoreDNS).
 */
public final class KernelLab
{
    /** Prefix of every namespace, interface, table and cgroup a run creates. */
    public static final String PREFIX = "fcl";
    static final String VIP = "10.96.0.10";
    static final int PORT = 53;
    private static final int FIRST_PORT = 20000;
    private static final int VIP_INT = 0x0a60000a;
    private static final int BACKEND0_INT = 0x0a000002;

    /**
     * Run options: one scenario.
     *
     * @param placement     out or pre.
     * @param pairs         socket pairs (race sender) or lookups.
     * @param backends      backends.
     * @param mode          race sender: spin, park or one-thread.
     * @param replies       race sender: echo and wait for replies.
     * @param timeoutMs     race sender: reply timeout.
     * @param notrack       NOTRACK rules.
     * @param emulate       none, same-origin or drop.
     * @param lookups       real resolver lookups (0: race sender).
     * @param resolvOptions resolv.conf options line ("default" for none), e.g. {@code single-request timeout:1}.
     * @param resolverName  glibc or musl.
     * @param raceShare     share of lookups the race injector races, 0..1 (0: no injector).
     * @param raceOrder     second-first (the held first query loses at confirm) or first-second.
     * @param holdMs        how long the injector holds a first query waiting for the second.
     * @param lb            nft (DNAT rule) or socket (cgroup BPF socket LB, the DNAT rule still loaded).
     * @param freshProcess  each lookup in a new process (glibc's single-request fallback is per process).
     */
    public record Options(String placement, int pairs, int backends, String mode, boolean replies, int timeoutMs,
        boolean notrack, String emulate, int lookups, String resolvOptions, String resolverName, double raceShare,
        String raceOrder, int holdMs, String lb, boolean freshProcess)
    {
        /**
         * Options of a race run (no resolver lookups).
         *
         * @param placement out or pre.
         * @param pairs     socket pairs.
         * @param backends  backends.
         * @param mode      spin, park or one-thread.
         * @param replies   echo and wait for replies.
         * @param timeoutMs reply timeout.
         * @param notrack   NOTRACK rules.
         * @param emulate   none, same-origin or drop.
         */
        public Options(final String placement, final int pairs, final int backends, final String mode,
            final boolean replies, final int timeoutMs, final boolean notrack, final String emulate)
        {
            this(placement, pairs, backends, mode, replies, timeoutMs, notrack, emulate, 0, "default", "glibc", 0,
                "second-first", 100, "nft", true);
        }

        /**
         * Options of a lookup run.
         *
         * @param placement     out or pre.
         * @param backends      backends.
         * @param emulate       none, same-origin or drop.
         * @param notrack       NOTRACK rules.
         * @param resolverName  glibc or musl.
         * @param resolvOptions resolv.conf options or "default".
         * @param lookups       lookups.
         * @param raceShare     raced share 0..1.
         * @param lb            nft or socket.
         * @return the options.
         */
        public static Options lookups(final String placement, final int backends, final String emulate,
            final boolean notrack, final String resolverName, final String resolvOptions, final int lookups,
            final double raceShare, final String lb)
        {
            return new Options(placement, lookups, backends, "one-thread", true, 200, notrack, emulate, lookups,
                resolvOptions, resolverName, raceShare, "second-first", 100, lb, true);
        }

        /** @return true for real resolver lookups against dnsmasq instead of the race sender. */
        public boolean resolver()
        {
            return lookups > 0;
        }

        /** @return how many lookups the injector is expected to race: lookups x share (exact for 0 and 1). */
        public long racedLookups()
        {
            return Math.round(lookups * raceShare);
        }
    }

    /** The test name dnsmasq answers (A and AAAA). */
    static final String TEST_NAME = "web.kl.lab";

    /**
     * What the kernel did.
     *
     * @param name          the run's name.
     * @param options       its options.
     * @param stat          /proc/net/stat/nf_conntrack delta of the NAT namespace.
     * @param entriesCount  conntrack -C (hidden NAT_CLASH entries included until reaped).
     * @param entriesListed conntrack -L.
     * @param dnatCounter   nft counter on the DNAT rule.
     * @param natclash      nft counter on original-direction packets of NAT_CLASH entries (dropped when emulating).
     * @param mergedDrops   nft counter of merged losers dropped by the drop emulation.
     * @param received      datagrams the responder received.
     * @param rcvbufErrors  Udp RcvbufErrors of the backend namespace.
     * @param split         responder: pairs whose datagrams reached two backends.
     * @param sender        the race sender's or the lookup program's summary line.
     * @param senderEperm   sends that failed with EPERM.
     * @param senderErrors  sends that failed.
     * @param replies       replies received (race sender with replies).
     * @param lostReplies   replies lost.
     * @param badSource     replies not from the VIP.
     * @param elapsedNs     race sender's elapsed time.
     * @param resolverLine  the lookup program's summary line, or null.
     * @param latencyUs     lookup latencies in microseconds, or null.
     * @param injectorLine  the race injector's counters line, or null.
     * @param socketLb      socket LB counters (connect4, sendmsg4, recvmsg4, recvmsg4 misses, rev-NAT entries), or
     *                      null.
     */
    public record Readings(
        String name, Options options, Map<String, Long> stat, long entriesCount, long entriesListed,
        long dnatCounter, long natclash, long mergedDrops, long received, long rcvbufErrors, long split,
        String sender, long senderEperm, long senderErrors, long replies, long lostReplies, long badSource,
        long elapsedNs, String resolverLine, Histogram latencyUs, String injectorLine, long[] socketLb)
    {
        /**
         * @return clash_resolve of the run: the kernel's counter where it has one (5.10+); on older kernels the
         * clashes from the DNAT counter (packets that made a new conntrack: one per flow plus one per clash) minus
         * the flows ({@code conntrack -L}, which lists no hidden NAT_CLASH entry).
         */
        public long clashResolve()
        {
            final Long c = stat.get("clashres");
            return c != null ? c : Math.max(0, dnatCounter - entriesListed);
        }

        /** @return where {@link #clashResolve} came from. */
        public String clashResolveSource()
        {
            return stat.containsKey("clashres") ? "clashres" : "nft DNAT counter - conntrack -L";
        }

        /** @return the natclash nft counter under its emulation meaning: drops of split losers. */
        public long natclashDrops()
        {
            return options.emulate().equals("none") ? 0 : natclash;
        }

        /** @return the injector's counter, or 0. */
        public long injector(final String key)
        {
            return injectorLine == null ? 0 : Long.parseLong(keyValues(injectorLine).getOrDefault(key, "0"));
        }

        /** @return the lookup program's counter, or 0. */
        public long lookup(final String key)
        {
            return resolverLine == null ? 0 : Long.parseLong(keyValues(resolverLine).getOrDefault(key, "0"));
        }
    }

    private final String name;
    private final Options options;
    private final List<Process> children = new ArrayList<>();
    private final Thread hook;
    private LabState state;
    private boolean tornDown;
    private volatile boolean stopping;

    private KernelLab(final Options options)
    {
        this.options = options;
        this.name = PREFIX + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        this.hook = new Thread(() ->
        {
            stopping = true;
            teardown();
            // the hook says it, not the main thread: the JVM halts once the hooks are done, maybe before the main
            // thread could print anything (and a child killed by the teardown is no "failed child")
            System.err.println("flowclash: kernel lab " + name + ": stopped by a signal; everything it made is " +
                "removed");
            System.err.flush();
        }, "flowclash-lab-teardown");
    }

    /**
     * Refuse to start unless this is Linux, we are root, and ip, nft and conntrack are installed.
     *
     * @throws FlowclashException with one line saying what is missing and how to get it.
     */
    public static void checkPrerequisites()
    {
        checkPrerequisites(new Options("out", 1, 1, "spin", false, 1, false, "none"));
    }

    /**
     * Refuse to start unless this is Linux, we are root, and every tool these options need is on PATH.
     *
     * @param options what will run.
     * @throws FlowclashException with one line saying what is missing and how to get it.
     */
    public static void checkPrerequisites(final Options options)
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            throw new FlowclashException("kernel lab needs Linux (network namespaces, nftables, conntrack)");
        }
        if (!isRoot())
        {
            throw new FlowclashException("kernel lab needs root (it creates network namespaces): run it as root");
        }
        LabTools.check(options);
    }

    static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/self/status")))
            {
                if (line.startsWith("Uid:"))
                {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        }
        catch (final IOException ignore)
        {
            // not Linux-like
        }
        return false;
    }

    /**
     * Remove what runs whose owner is dead left (their namespaces, processes, cgroups, bpffs mounts, /etc/netns
     * entries, built helpers), and namespaces named like ours that no record claims.
     *
     * @param all also remove the resources of runs that are still alive.
     * @return what was removed and which live runs were left alone.
     */
    public static LabState.Cleanup cleanup(final boolean all)
    {
        checkPrerequisites();
        return LabState.cleanup(all);
    }

    /**
     * Run once and tear down.
     *
     * @param options what to run.
     * @return the readings.
     */
    public static Readings run(final Options options)
    {
        checkPrerequisites(options);
        final KernelLab lab = new KernelLab(options);
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try
        {
            return lab.execute();
        }
        catch (final FlowclashException ex)
        {
            if (lab.stopping)
            {
                awaitHalt(); // the shutdown hook tears down and reports; the JVM halts when it is done
            }
            throw ex;
        }
        finally
        {
            lab.teardown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(lab.hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running or has run
            }
        }
    }

    /** Park the main thread while the JVM shuts down, so that it prints nothing of its own. */
    private static void awaitHalt()
    {
        while (true)
        {
            try
            {
                Thread.sleep(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private String ns(final String role)
    {
        return name + "-" + role;
    }

    private static String mac(final int a, final int b)
    {
        return String.format("02:fc:00:00:%02x:%02x", a, b);
    }

    private Readings execute()
    {
        state = LabState.create(name);
        // every helper is built before anything is made in the kernel: a compiler error leaves nothing behind
        final Path lookupProgram = options.resolver() ? LabBuild.lookup(state.buildDir(), options.resolverName()) :
            null;
        final Path injectorProgram = options.raceShare() > 0 ? LabBuild.injector(state.buildDir()) : null;
        final Path lbObject = options.lb().equals("socket") ?
            LabBuild.socketLb(state.buildDir(), VIP_INT, BACKEND0_INT, options.backends()) : null;
        final boolean out = options.placement().equals("out");
        final String client = out ? ns("cli") : ns("pod");
        final String nat = out ? ns("cli") : ns("node");
        final String backend = out ? ns("srv") : ns("be");
        final List<String> backendAddresses = new ArrayList<>();
        for (int b = 0; b < options.backends(); b++)
        {
            backendAddresses.add("10.0.0." + (2 + b));
        }
        topology(out, client, nat, backend, backendAddresses);
        // must be loaded before anything turns conntrack on in the namespace: this chain at INT_MAX then runs
        // after the conntrack confirm hook (docs/kernel-lab.md); it always counts NAT_CLASH packets
        nft(nat, emulationRules(out));
        nft(nat, natRules(out));
        Process injector = null;
        if (injectorProgram != null)
        {
            // after the nat hook (-100) and before confirm (INT_MAX): filter OUTPUT / FORWARD at priority 0
            // only lookups the nft chooser marked (0x2): a first query that reaches the queue is raced
            Shell.inNetns(nat, "iptables", "-w", "-A", out ? "OUTPUT" : "FORWARD", "-p", "udp", "--dport", "53",
                "-m", "conntrack", "--ctstate", "NEW", "-m", "mark", "--mark", "0x2/0x2", "-j", "NFQUEUE",
                "--queue-num", "0");
            injector = start("race injector", List.of("ip", "netns", "exec", nat, injectorProgram.toString(), "0",
                Integer.toString(options.holdMs()), options.raceOrder()));
            awaitLine(injector, "ready", "race injector");
        }
        final SocketLb lb = lbObject != null ? SocketLb.attach(state, lbObject) : null;
        final List<String> listen = options.notrack() ? withVip(backendAddresses) : backendAddresses;
        final Process responder;
        if (options.resolver())
        {
            responder = startDnsmasq(backend, listen, client);
            awaitUdpListeners(backend, listen);
        }
        else
        {
            responder = startChild(backend, "responder", "--addresses", String.join(",", listen),
                "--mode", options.replies() ? "echo" : "sink");
            awaitLine(responder, "ready", "responder");
        }
        final ConntrackStat before = ConntrackStat.parse(Shell.inNetns(nat, "cat", "/proc/net/stat/nf_conntrack"));
        Histogram latency = null;
        final String senderLine;
        if (options.resolver())
        {
            final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", client, lookupProgram.toString(),
                TEST_NAME, Integer.toString(options.lookups()), options.freshProcess() ? "fresh" : "shared"));
            final Process p = start(options.resolverName() + " lookup program", lb == null ? cmd :
                joinCgroup(lb.cgroup(), cmd));
            latency = new Histogram(120_000_000L, 3);
            senderLine = readLookups(p, latency);
        }
        else
        {
            final Process sender = startChild(client, "sender", "--pairs", Integer.toString(options.pairs()),
                "--mode", options.mode(), "--first-port", Integer.toString(FIRST_PORT),
                "--timeout-ms", Integer.toString(options.timeoutMs()),
                options.replies() ? "--replies" : "--no-replies");
            senderLine = lastLine(sender, "race sender");
        }
        final ConntrackStat after = ConntrackStat.parse(Shell.inNetns(nat, "cat", "/proc/net/stat/nf_conntrack"));
        final long count = Long.parseLong(Shell.inNetns(nat, "conntrack", "-C").trim()); // before -L, which reaps
        final long listed = Shell.inNetns(nat, "conntrack", "-L", "-p", "udp").lines().filter(l -> !l.isBlank())
            .count();
        final Map<String, Long> counters = nftCounters(nat);
        String injectorLine = null;
        if (injector != null)
        {
            injector.toHandle().destroy(); // SIGTERM, streams kept open: it releases what it holds, prints counters
            injectorLine = lastLine(injector, "race injector");
        }
        long[] lbStats = null;
        if (lb != null)
        {
            final long[] s4 = lb.stats();
            lbStats = new long[]{s4[0], s4[1], s4[2], s4[3], lb.revNatEntries()};
        }
        String responderLine = "";
        if (options.resolver())
        {
            responder.destroy();
        }
        else
        {
            try
            {
                responder.getOutputStream().close();
            }
            catch (final IOException ignore)
            {
                // it is gone: its line is missing and reported below
            }
            responderLine = lastLine(responder, "responder");
        }
        final long rcvbufErrors = udpRcvbufErrors(backend);
        final Map<String, String> s = keyValues(senderLine);
        final Map<String, String> r = keyValues(responderLine);
        long received = 0;
        for (final String v : r.getOrDefault("received", "").split(","))
        {
            if (!v.isEmpty())
            {
                received += Long.parseLong(v);
            }
        }
        return new Readings(name, options, after.minus(before).values(), count, listed,
            counters.getOrDefault("dnatted", 0L), counters.getOrDefault("natclash", 0L),
            counters.getOrDefault("merged", 0L), received, rcvbufErrors, Long.parseLong(r.getOrDefault("split", "0")),
            senderLine,
            Long.parseLong(s.getOrDefault("eperm", "0")), Long.parseLong(s.getOrDefault("sendErrors", "0")),
            Long.parseLong(s.getOrDefault("replies", "0")), Long.parseLong(s.getOrDefault("lost", "0")),
            Long.parseLong(s.getOrDefault("badSource", "0")), Long.parseLong(s.getOrDefault("elapsedNs", "0")),
            options.resolver() ? senderLine : null, latency, injectorLine, lbStats);
    }

    private void topology(final boolean out, final String client, final String nat, final String backend,
        final List<String> backendAddresses)
    {
        if (out)
        {
            addNetns(client);
            addNetns(backend);
            link(name + "c0", client, mac(1, 1), name + "s0", backend, mac(1, 2));
            Shell.run("ip", "-n", client, "addr", "add", "10.0.0.1/24", "dev", name + "c0");
            Shell.run("ip", "-n", client, "route", "add", "10.96.0.0/12", "dev", name + "c0");
            for (final String a : backendAddresses)
            {
                Shell.run("ip", "-n", backend, "addr", "add", a + "/24", "dev", name + "s0");
                Shell.run("ip", "-n", client, "neigh", "replace", a, "lladdr", mac(1, 2), "dev", name + "c0",
                    "nud", "permanent");
            }
            Shell.run("ip", "-n", backend, "neigh", "replace", "10.0.0.1", "lladdr", mac(1, 1), "dev", name + "s0",
                "nud", "permanent");
            if (options.notrack())
            {
                Shell.run("ip", "-n", backend, "addr", "add", VIP + "/32", "dev", name + "s0");
                Shell.run("ip", "-n", client, "neigh", "replace", VIP, "lladdr", mac(1, 2), "dev", name + "c0",
                    "nud", "permanent");
            }
            return;
        }
        addNetns(client);
        addNetns(nat);
        addNetns(backend);
        link(name + "p0", client, mac(2, 1), name + "n0", nat, mac(2, 2));
        link(name + "n1", nat, mac(3, 1), name + "b0", backend, mac(3, 2));
        Shell.run("ip", "-n", client, "addr", "add", "10.0.1.2/24", "dev", name + "p0");
        Shell.run("ip", "-n", client, "route", "add", "default", "via", "10.0.1.1");
        Shell.run("ip", "-n", nat, "addr", "add", "10.0.1.1/24", "dev", name + "n0");
        Shell.run("ip", "-n", nat, "addr", "add", "10.0.0.1/24", "dev", name + "n1");
        Shell.inNetns(nat, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        Shell.run("ip", "-n", client, "neigh", "replace", "10.0.1.1", "lladdr", mac(2, 2), "dev", name + "p0",
            "nud", "permanent");
        Shell.run("ip", "-n", nat, "neigh", "replace", "10.0.1.2", "lladdr", mac(2, 1), "dev", name + "n0",
            "nud", "permanent");
        for (final String a : backendAddresses)
        {
            Shell.run("ip", "-n", backend, "addr", "add", a + "/24", "dev", name + "b0");
            Shell.run("ip", "-n", nat, "neigh", "replace", a, "lladdr", mac(3, 2), "dev", name + "n1",
                "nud", "permanent");
        }
        Shell.run("ip", "-n", backend, "route", "add", "default", "via", "10.0.0.1");
        Shell.run("ip", "-n", backend, "neigh", "replace", "10.0.0.1", "lladdr", mac(3, 1), "dev", name + "b0",
            "nud", "permanent");
        if (options.notrack())
        {
            Shell.run("ip", "-n", backend, "addr", "add", VIP + "/32", "dev", name + "b0");
            Shell.run("ip", "-n", nat, "route", "add", VIP + "/32", "via", "10.0.0.2");
        }
    }

    /** Wrap a command so that its process joins the cgroup first and only then enters the namespace. */
    private static List<String> joinCgroup(final Path cgroup, final List<String> cmd)
    {
        final List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
            "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /** dnsmasq binds after it starts: wait until every address listens on UDP 53 (no lookup is spent on it). */
    private static void awaitUdpListeners(final String ns, final List<String> addresses)
    {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until)
        {
            final String udp = Shell.inNetns(ns, "cat", "/proc/net/udp");
            boolean all = true;
            for (final String a : addresses)
            {
                final String[] q = a.split("\\.");
                final String hex = String.format("%02X%02X%02X%02X:0035", Integer.parseInt(q[3]),
                    Integer.parseInt(q[2]), Integer.parseInt(q[1]), Integer.parseInt(q[0]));
                all &= udp.contains(hex);
            }
            if (all)
            {
                return;
            }
            sleep(20);
        }
        throw new FlowclashException("kernel lab: dnsmasq did not listen on " + String.join(",", addresses) +
            " within 10 s");
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Read the lookup program's lines: one per lookup (its latency into the histogram), then its summary. */
    private String readLookups(final Process p, final Histogram latency)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            String last = null;
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("lookup "))
                {
                    final long us = Long.parseLong(keyValues(line).get("us"));
                    latency.recordValue(Math.min(us, latency.getHighestTrackableValue()));
                }
                else
                {
                    last = line;
                }
            }
            return finished(p, last, options.resolverName() + " lookup program");
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: lost the lookup program: " + ex.getMessage(), ex);
        }
    }

    /** {@code Udp: RcvbufErrors} of a namespace: datagrams the kernel delivered to a full socket buffer. */
    private static long udpRcvbufErrors(final String ns)
    {
        final String[] lines = Shell.inNetns(ns, "cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++)
        {
            if (lines[i].startsWith("Udp:") && lines[i + 1].startsWith("Udp:"))
            {
                final List<String> names = Arrays.asList(lines[i].trim().split("\\s+"));
                final String[] values = lines[i + 1].trim().split("\\s+");
                final int at = names.indexOf("RcvbufErrors");
                return at > 0 && at < values.length ? Long.parseLong(values[at]) : 0;
            }
        }
        return 0;
    }

    private static List<String> withVip(final List<String> addresses)
    {
        final List<String> all = new ArrayList<>(addresses);
        all.add(VIP);
        return all;
    }

    /**
     * dnsmasq from Debian's dnsmasq-base, listening only on the backend addresses, answering A and AAAA for the
     * test name from a hosts file; the client namespace's resolv.conf points at the VIP.
     */
    private Process startDnsmasq(final String ns, final List<String> listen, final String client)
    {
        try
        {
            final Path dir = state.dir();
            final Path hosts = Files.writeString(dir.resolve("hosts"),
                "10.1.2.3 " + TEST_NAME + "\nfd00:1::3 " + TEST_NAME + "\n");
            final Path etcNetns = Paths.get("/etc/netns");
            if (!Files.isDirectory(etcNetns))
            {
                state.record("rmdir", etcNetns.toString()); // made by this run: removed again if empty
            }
            final Path etc = etcNetns.resolve(client);
            state.record("etc", etc.toString());
            Files.createDirectories(etc);
            final String opts = options.resolvOptions().equals("default") ? "" :
                "options " + options.resolvOptions() + "\n";
            Files.writeString(etc.resolve("resolv.conf"), "nameserver " + VIP + "\n" + opts);
            final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "dnsmasq", "-k",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts,
                "--listen-address=" + String.join(",", listen), "--bind-interfaces", "--user=root",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--cache-size=1000",
                "--log-facility=" + dir.resolve("dnsmasq.log")));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dnsmasq.out").toFile()).start();
            children.add(p);
            return p;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot start dnsmasq: " + ex.getMessage(), ex);
        }
    }

    private String natRules(final boolean out)
    {
        final StringBuilder map = new StringBuilder();
        for (int b = 0; b < options.backends(); b++)
        {
            map.append(b == 0 ? "" : ", ").append(b).append(" : 10.0.0.").append(2 + b);
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("table ip ").append(name).append(" {\n counter dnatted {}\n");
        if (options.notrack())
        {
            // NodeLocal DNSCache: raw -j NOTRACK for the local DNS address, before conntrack (-300)
            sb.append(" chain raw_pre {\n  type filter hook prerouting priority -300;\n  ip daddr ").append(VIP)
                .append(" udp dport 53 notrack\n  ip saddr ").append(VIP).append(" udp sport 53 notrack\n }\n")
                .append(" chain raw_out {\n  type filter hook output priority -300;\n  ip daddr ").append(VIP)
                .append(" udp dport 53 notrack\n  ip saddr ").append(VIP).append(" udp sport 53 notrack\n }\n");
        }
        if (options.raceShare() > 0)
        {
            // the race injector's chooser: after DNAT, on packets that made a new unconfirmed conntrack, a hash of
            // the source address and port (both queries of a socket alike) picks the raced share; mark bit 0x2
            final long below = Math.round(options.raceShare() * 1_000_000);
            sb.append(" chain race_choose {\n  type filter hook ").append(out ? "output" : "prerouting")
                .append(" priority -98; policy accept;\n  udp dport 53 ct state new ct status & 0x8 == 0 ")
                .append(below >= 1_000_000 ? "" : "jhash ip saddr . udp sport mod 1000000 seed 0x5eed lt " + below +
                    " ").append("meta mark set meta mark | 0x2\n }\n");
        }
        // nft 1.0.6 rejects "priority dstnat" on output: -100 is the same number (docs/kernel-lab.md)
        sb.append(" chain nat {\n  type nat hook ").append(out ? "output" : "prerouting").append(" priority -100;\n  ")
            .append("ip daddr ").append(VIP).append(" udp dport 53 counter name dnatted ")
            .append("dnat to numgen random mod ").append(options.backends()).append(" map { ").append(map)
            .append(" }\n }\n}\n");
        return sb.toString();
    }

    /**
     * The monitor and emulation table. Always: a counter of original-direction packets whose conntrack is a
     * NAT_CLASH entry (status bit 12, 0x1000), which are the split losers, counted when they pass and never
     * expiring; with an emulated era it drops them (5.0-5.5). The drop era also marks every packet that made a new,
     * still unconfirmed conntrack (after the nat hook; a later packet of the flow before any reply is also "new" but
     * finds the entry confirmed) and drops the second such packet on one conntrack: every clash, merged or not.
     */
    private String emulationRules(final boolean out)
    {
        final String verdict = options.emulate().equals("none") ? "" : " drop";
        final StringBuilder sb = new StringBuilder("table ip ").append(name).append("emu {\n counter natclash {}\n")
            .append(" counter merged {}\n chain post_confirm {\n  type filter hook postrouting priority 2147483647; ")
            .append("policy accept;\n  ct direction original ct status & 0x1000 == 0x1000 counter name natclash")
            .append(verdict).append('\n');
        if (options.emulate().equals("drop"))
        {
            sb.append("  meta mark & 0x1 == 0x1 ct mark 0x1 counter name merged drop\n")
                .append("  meta mark & 0x1 == 0x1 ct mark set 0x1\n }\n")
                .append(" chain mark_new {\n  type filter hook ").append(out ? "output" : "prerouting")
                .append(" priority -99; policy accept;\n  udp dport 53 ct state new ct status & 0x8 == 0 ")
                .append("meta mark set meta mark | 0x1\n"); // IPS_CONFIRMED (bit 3) clear: it made this conntrack
        }
        return sb.append(" }\n}\n").toString();
    }

    private static void nft(final String ns, final String rules)
    {
        Shell.run(List.of("ip", "netns", "exec", ns, "nft", "-f", "-"), rules);
    }

    private static Map<String, Long> nftCounters(final String ns)
    {
        final Map<String, Long> counters = new LinkedHashMap<>();
        final Matcher m = Pattern.compile("counter (\\w+) \\{\\s*packets (\\d+)")
            .matcher(Shell.inNetns(ns, "nft", "list", "counters"));
        while (m.find())
        {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    private void addNetns(final String ns)
    {
        state.record("netns", ns);
        Shell.run("ip", "netns", "add", ns);
        Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    private static void link(final String a, final String nsA, final String macA, final String b, final String nsB,
        final String macB)
    {
        // a veth made in the root namespace is moved at once; if the move fails, the next line removes it
        Shell.run("ip", "link", "add", a, "address", macA, "type", "veth", "peer", "name", b, "address", macB);
        try
        {
            Shell.run("ip", "link", "set", a, "netns", nsA);
            Shell.run("ip", "link", "set", b, "netns", nsB);
        }
        catch (final FlowclashException ex)
        {
            Shell.tryRun(List.of("ip", "link", "del", a), null);
            Shell.tryRun(List.of("ip", "link", "del", b), null);
            throw ex;
        }
        Shell.run("ip", "-n", nsA, "link", "set", a, "up");
        Shell.run("ip", "-n", nsB, "link", "set", b, "up");
    }

    private Process startChild(final String ns, final String role, final String... args)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
            Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(Arrays.asList(BuildInfo.JVM_ARGS.split(" ")));
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xss512k", "-cp", System.getProperty("java.class.path"),
            "io.flowclash.cli.FlowclashCommand", "kernel-lab", role));
        cmd.addAll(Arrays.asList(args));
        return start(role, cmd);
    }

    private synchronized Process start(final String role, final List<String> cmd)
    {
        if (tornDown)
        {
            throw new FlowclashException("kernel lab: stopped");
        }
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            children.add(p);
            return p;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot start the " + role + ": " + ex.getMessage(), ex);
        }
    }

    private void awaitLine(final Process p, final String expected, final String role)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            final String line = in.readLine();
            if (!expected.equals(line))
            {
                throw new FlowclashException("kernel lab: the " + role + " did not start (" + (line == null ?
                    exitText(p) : "said '" + line + "'") + ")");
            }
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: the " + role + " did not start: " + ex.getMessage(), ex);
        }
    }

    private String lastLine(final Process p, final String role)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            String last = null;
            String line;
            while ((line = in.readLine()) != null)
            {
                last = line;
            }
            return finished(p, last, role);
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: lost the " + role + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the child's last line once it has exited 0; else one line on how it ended. */
    private String finished(final Process p, final String last, final String role)
    {
        try
        {
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                throw new FlowclashException("kernel lab: the " + role + " did not exit within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FlowclashException("kernel lab: interrupted");
        }
        if (stopping)
        {
            throw new FlowclashException("kernel lab: stopped by a signal");
        }
        if (p.exitValue() != 0 || last == null)
        {
            throw new FlowclashException("kernel lab: the " + role + " " + exitText(p) + "; everything the run " +
                "made is removed");
        }
        return last;
    }

    private static String exitText(final Process p)
    {
        if (p.isAlive())
        {
            return "is still running";
        }
        final int e = p.exitValue();
        return e > 128 ? "was killed by signal " + (e - 128) : "exited with status " + e;
    }

    /** @param line key=value words. @return them as a map. */
    public static Map<String, String> keyValues(final String line)
    {
        final Map<String, String> kv = new LinkedHashMap<>();
        for (final String part : line.trim().split("\\s+"))
        {
            final int eq = part.indexOf('=');
            if (eq > 0)
            {
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return kv;
    }

    /**
     * Kill the children, then undo the run's record in reverse order (cgroups, bpffs, namespaces with their veths,
     * nft tables and iptables rules, /etc/netns entries) and remove the record with the built helpers.
     */
    synchronized void teardown()
    {
        if (tornDown)
        {
            return;
        }
        tornDown = true;
        for (final Process p : children)
        {
            p.destroyForcibly();
        }
        for (final Process p : children)
        {
            try
            {
                p.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (state != null)
        {
            LabState.undo(state.dir(), new ArrayList<>());
        }
    }
}
