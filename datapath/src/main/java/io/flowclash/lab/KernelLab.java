package io.flowclash.lab;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.FlowclashException;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kernel-lab run: build namespaces, veths and nft rules; start the responder in the backend namespace and the
 * race sender in the client namespace (this same jar, through {@code ip netns exec}); read the NAT namespace's
 * conntrack counters, entries and nft counters; tear everything down. Names carry a prefix unique to the run
 * ({@value #PREFIX} + 6 hex digits), so two runs never collide and {@link #cleanup} can find leftovers.
 *
 * <p>Addresses (all inside the run's namespaces): service VIP 10.96.0.10:53, backends 10.0.0.2 and up; {@code out}:
 * client 10.0.0.1 in the namespace that holds the DNAT (OUTPUT, like a host process); {@code pre}: pod 10.0.1.2,
 * node 10.0.1.1 / 10.0.0.1 forwarding with the DNAT in PREROUTING, backends behind it (pod to CoreDNS).
 */
public final class KernelLab
{
    /** Prefix of every namespace, interface and table a run creates. */
    public static final String PREFIX = "fcl";
    static final String VIP = "10.96.0.10";
    static final int PORT = 53;
    private static final int FIRST_PORT = 20000;

    /** Run options. */
    public record Options(String placement, int pairs, int backends, String mode, boolean replies, int timeoutMs,
        boolean notrack, String emulate, int lookups, String resolvOptions)
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
            this(placement, pairs, backends, mode, replies, timeoutMs, notrack, emulate, 0, "default");
        }

        /** @return true for real glibc lookups against dnsmasq instead of the race sender. */
        public boolean resolver()
        {
            return lookups > 0;
        }
    }

    /** The test name dnsmasq answers (A and AAAA). */
    static final String TEST_NAME = "web.kl.lab";

    /** What the kernel did. */
    public record Readings(
        String name, Options options, Map<String, Long> stat, long entriesCount, long entriesListed,
        long dnatCounter, long natclashDrops, long mergedDrops, long received, long rcvbufErrors, long split,
        String sender,
        long senderEperm, long senderErrors, long replies, long lostReplies, long badSource, long elapsedNs,
        String resolverLine)
    {
        /** @return clash_resolve of the run (clashes the kernel resolved by merge or reply-only insert). */
        public long clashResolve()
        {
            return stat.getOrDefault("clashres", 0L);
        }
    }

    private final String name;
    private final Options options;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();
    private final List<Path> tempDirs = new ArrayList<>();
    private final List<Path> etcDirs = new ArrayList<>();
    private final Thread hook;
    private boolean tornDown;

    private KernelLab(final Options options)
    {
        this.options = options;
        this.name = PREFIX + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        this.hook = new Thread(this::teardown, "flowclash-lab-teardown");
    }

    /**
     * Refuse to start unless this is Linux, we are root, and ip, nft and conntrack are installed.
     *
     * @throws FlowclashException with one line saying what is missing and how to get it.
     */
    public static void checkPrerequisites()
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            throw new FlowclashException("kernel lab needs Linux (network namespaces, nftables, conntrack)");
        }
        if (!isRoot())
        {
            throw new FlowclashException("kernel lab needs root (it creates network namespaces): run it with sudo");
        }
        for (final String[] tool : new String[][]{{"ip", "iproute2"}, {"nft", "nftables"}, {"conntrack", "conntrack"}})
        {
            if (!Shell.has(tool[0]))
            {
                throw new FlowclashException("kernel lab needs '" + tool[0] + "': install it with " +
                    "'apt-get install -y " + tool[1] + "'");
            }
        }
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
     * Remove what earlier runs left (namespaces named {@value #PREFIX}xxxxxx-*, their processes, /etc/netns).
     *
     * @return the namespaces removed.
     */
    public static List<String> cleanup()
    {
        checkPrerequisites();
        final List<String> removed = new ArrayList<>();
        final Pattern ours = Pattern.compile("^(" + PREFIX + "[0-9a-f]{6}-[a-z]+)\\b.*");
        for (final String line : Shell.run("ip", "netns", "list").split("\n"))
        {
            final Matcher m = ours.matcher(line.trim());
            if (m.matches())
            {
                deleteNetns(m.group(1));
                removed.add(m.group(1));
            }
        }
        return removed;
    }

    private static void deleteNetns(final String ns)
    {
        final Shell.Result pids = Shell.tryRun(List.of("ip", "netns", "pids", ns), null);
        for (final String pid : pids.out().trim().split("\\s+"))
        {
            if (!pid.isEmpty())
            {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Shell.tryRun(List.of("ip", "netns", "del", ns), null);
        deleteRecursively(Paths.get("/etc/netns", ns));
    }

    private static void deleteRecursively(final Path p)
    {
        if (!Files.exists(p))
        {
            return;
        }
        try (var walk = Files.walk(p))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // best effort; reported by --cleanup's next run
        }
    }

    /**
     * Run once and tear down.
     *
     * @param options what to run.
     * @return the readings.
     */
    public static Readings run(final Options options)
    {
        checkPrerequisites();
        final KernelLab lab = new KernelLab(options);
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try
        {
            return lab.execute();
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
        final boolean out = options.placement().equals("out");
        final String client = out ? ns("cli") : ns("pod");
        final String nat = out ? ns("cli") : ns("node");
        final String backend = out ? ns("srv") : ns("be");
        final List<String> backendAddresses = new ArrayList<>();
        for (int b = 0; b < options.backends(); b++)
        {
            backendAddresses.add("10.0.0." + (2 + b));
        }
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
        }
        else
        {
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
        if (!options.emulate().equals("none"))
        {
            // must be loaded before anything turns conntrack on in the namespace: this chain at INT_MAX then runs
            // after the conntrack confirm hook (kernel-lab.md, exp 4)
            nft(nat, emulationRules());
        }
        nft(nat, natRules(out));
        final List<String> listen = options.notrack() ? withVip(backendAddresses) : backendAddresses;
        final Process responder = options.resolver() ? startDnsmasq(backend, listen, client) :
            startChild(backend, "responder", "--addresses", String.join(",", listen),
                "--mode", options.replies() ? "echo" : "sink");
        if (!options.resolver())
        {
            awaitLine(responder, "ready");
        }
        final ConntrackStat before = ConntrackStat.parse(Shell.inNetns(nat, "cat", "/proc/net/stat/nf_conntrack"));
        final Process sender = options.resolver() ?
            startChild(client, "resolve", "--name", TEST_NAME, "--lookups", Integer.toString(options.lookups())) :
            startChild(client, "sender", "--pairs", Integer.toString(options.pairs()),
                "--mode", options.mode(), "--first-port", Integer.toString(FIRST_PORT),
                "--timeout-ms", Integer.toString(options.timeoutMs()), options.replies() ? "--replies" : "--no-replies");
        final String senderLine = lastLine(sender);
        final ConntrackStat after = ConntrackStat.parse(Shell.inNetns(nat, "cat", "/proc/net/stat/nf_conntrack"));
        final long count = Long.parseLong(Shell.inNetns(nat, "conntrack", "-C").trim()); // before -L, which reaps
        final long listed = Shell.inNetns(nat, "conntrack", "-L", "-p", "udp").lines().filter(l -> !l.isBlank()).count();
        final Map<String, Long> counters = nftCounters(nat);
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
            responderLine = lastLine(responder);
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
            options.resolver() ? senderLine : null);
    }

    /**
     * dnsmasq from Debian's dnsmasq-base, listening only on the backend addresses, answering A and AAAA for the
     * test name from a hosts file; the client namespace's resolv.conf points at the VIP.
     */
    private Process startDnsmasq(final String ns, final List<String> listen, final String client)
    {
        if (!Shell.has("dnsmasq"))
        {
            throw new FlowclashException("kernel lab resolver lookups need 'dnsmasq': install it with " +
                "'apt-get install -y dnsmasq-base'");
        }
        try
        {
            final Path dir = Files.createTempDirectory(name + "-dns");
            tempDirs.add(dir);
            final Path hosts = Files.writeString(dir.resolve("hosts"),
                "10.1.2.3 " + TEST_NAME + "\nfd00:1::3 " + TEST_NAME + "\n");
            final Path etcNetns = Paths.get("/etc/netns");
            if (!Files.exists(etcNetns))
            {
                Files.createDirectories(etcNetns);
                etcDirs.add(etcNetns); // ours: removed at teardown if empty
            }
            final Path etc = etcNetns.resolve(client);
            Files.createDirectories(etc);
            etcDirs.add(0, etc);
            final String opts = options.resolvOptions().equals("default") ? "" :
                "options " + options.resolvOptions() + "\n";
            Files.writeString(etc.resolve("resolv.conf"), "nameserver " + VIP + "\n" + opts);
            final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "dnsmasq", "-k",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts,
                "--listen-address=" + String.join(",", listen), "--bind-interfaces", "--user=root",
                "--pid-file=" + dir.resolve("pid"), "--cache-size=1000", "--log-facility=" + dir.resolve("log")));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out").toFile()).start();
            children.add(p);
            return p;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot start dnsmasq: " + ex.getMessage(), ex);
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

    private String natRules(final boolean out)
    {
        final StringBuilder map = new StringBuilder();
        for (int b = 0; b < options.backends(); b++)
        {
            map.append(b == 0 ? "" : ", ").append(b).append(" : 10.0.0.").append(2 + b);
        }
        final String mark = options.emulate().equals("drop") ? "meta mark set 0x1 " : "";
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
        // nft 1.0.6 rejects "priority dstnat" on output: -100 is the same number (kernel-lab.md)
        sb.append(" chain nat {\n  type nat hook ").append(out ? "output" : "prerouting").append(" priority -100;\n  ")
            .append("ip daddr ").append(VIP).append(" udp dport 53 counter name dnatted ").append(mark)
            .append("dnat to numgen random mod ").append(options.backends()).append(" map { ").append(map)
            .append(" }\n }\n}\n");
        return sb.toString();
    }

    private String emulationRules()
    {
        final StringBuilder sb = new StringBuilder("table ip ").append(name).append("emu {\n counter natclash {}\n")
            .append(" counter merged {}\n chain post_confirm {\n  type filter hook postrouting priority 2147483647; ")
            .append("policy accept;\n  ct direction original ct status & 0x1000 == 0x1000 counter name natclash drop\n");
        if (options.emulate().equals("drop"))
        {
            sb.append("  meta mark 0x1 ct mark 0x1 counter name merged drop\n  meta mark 0x1 ct mark set 0x1\n");
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
        Shell.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    private static void link(final String a, final String nsA, final String macA, final String b, final String nsB,
        final String macB)
    {
        Shell.run("ip", "link", "add", a, "address", macA, "type", "veth", "peer", "name", b, "address", macB);
        Shell.run("ip", "link", "set", a, "netns", nsA);
        Shell.run("ip", "link", "set", b, "netns", nsB);
        Shell.run("ip", "-n", nsA, "link", "set", a, "up");
        Shell.run("ip", "-n", nsB, "link", "set", b, "up");
    }

    private Process startChild(final String ns, final String role, final String... args)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
            Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(Arrays.asList(BuildInfo.JVM_ARGS.split(" ")));
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xss512k", "-Dsun.net.inetaddr.ttl=0",
            "-Dsun.net.inetaddr.negative.ttl=0", "-cp", System.getProperty("java.class.path"),
            "io.flowclash.cli.FlowclashCommand", "kernel-lab", role));
        cmd.addAll(Arrays.asList(args));
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

    private static void awaitLine(final Process p, final String expected)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            final String line = in.readLine();
            if (!expected.equals(line))
            {
                throw new FlowclashException("kernel lab: the responder did not start (said '" + line + "')");
            }
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: the responder did not start: " + ex.getMessage(), ex);
        }
    }

    private static String lastLine(final Process p)
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
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0 || last == null)
            {
                throw new FlowclashException("kernel lab: a child process failed (exit " +
                    (p.isAlive() ? "none" : Integer.toString(p.exitValue())) + ")");
            }
            return last;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: lost a child process: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FlowclashException("kernel lab: interrupted");
        }
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

    /** Kill the children, delete the namespaces (their veths and nft tables go with them), remove /etc/netns. */
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
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final String ns : namespaces)
        {
            deleteNetns(ns);
        }
        for (final Path p : etcDirs)
        {
            if (p.getFileName().toString().startsWith(PREFIX))
            {
                deleteRecursively(p);
            }
            else
            {
                p.toFile().delete(); // /etc/netns, only if we created it and it is empty now
            }
        }
        for (final Path p : tempDirs)
        {
            deleteRecursively(p);
        }
    }


}
