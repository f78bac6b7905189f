package io.flowclash.lab;

import io.flowclash.datapath.FlowclashException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The preflight: every tool, header and kernel interface a run will use, checked before the run creates
 * anything, against the same {@code PATH} the run's commands are started with (the lab does not look anywhere
 * else, so a tool that passed the check is a tool the run finds).
 */
final class LabTools
{
    /** cgroup v2 mount points tried, in order. */
    private static final List<String> CGROUP2 = List.of("/sys/fs/cgroup/unified", "/sys/fs/cgroup");

    private LabTools()
    {
    }

    /** One requirement: a command on PATH or a file, and the Debian package that provides it. */
    record Need(String what, boolean command, String pkg)
    {
    }

    /**
     * @param o a run's options.
     * @return everything it needs, in the order checked.
     */
    static List<Need> needs(final KernelLab.Options o)
    {
        final List<Need> n = new ArrayList<>(List.of(new Need("ip", true, "iproute2"), new Need("nft", true, "nftables"),
            new Need("conntrack", true, "conntrack"), new Need("sysctl", true, "procps")));
        if (o.resolver())
        {
            n.add(new Need("dnsmasq", true, "dnsmasq-base"));
            if (o.resolverName().equals("musl"))
            {
                n.add(new Need("musl-gcc", true, "musl-tools"));
            }
            else
            {
                n.add(new Need("gcc", true, "gcc"));
                n.add(new Need("/usr/include/netdb.h", false, "libc6-dev"));
            }
        }
        if (o.raceShare() > 0)
        {
            n.add(new Need("iptables", true, "iptables"));
            n.add(new Need("gcc", true, "gcc"));
            n.add(new Need("/usr/include/libnetfilter_queue/libnetfilter_queue.h", false, "libnetfilter-queue-dev"));
        }
        if (o.lb().equals("socket"))
        {
            n.add(new Need("clang", true, "clang"));
            n.add(new Need("bpftool", true, "bpftool"));
            n.add(new Need("/usr/include/bpf/bpf_helpers.h", false, "libbpf-dev"));
            n.add(new Need("mount", true, "mount"));
            n.add(new Need("umount", true, "mount"));
        }
        return n;
    }

    /**
     * @param o    a run's options.
     * @param path the PATH to look in.
     * @return the first requirement not met, or null.
     */
    static Need missing(final KernelLab.Options o, final String path)
    {
        for (final Need need : needs(o))
        {
            if (need.command() ? !Shell.has(need.what(), path) : !Files.isRegularFile(Paths.get(need.what())))
            {
                return need;
            }
        }
        return null;
    }

    /**
     * @param o a run's options.
     * @throws FlowclashException with one line naming what is missing and the package that has it.
     */
    static void check(final KernelLab.Options o)
    {
        final Need need = missing(o, Shell.path());
        if (need != null)
        {
            throw new FlowclashException("kernel lab needs " + (need.command() ? "'" + need.what() + "' on PATH" :
                need.what()) + ": install it with 'apt-get install -y " + need.pkg() + "'");
        }
        if (o.lb().equals("socket") && cgroup2() == null)
        {
            throw new FlowclashException("kernel lab --lb socket needs cgroup v2 mounted (tried " +
                String.join(", ", CGROUP2) + ")");
        }
    }

    /** @return the cgroup v2 mount point, or null. */
    static Path cgroup2()
    {
        for (final String m : CGROUP2)
        {
            if (Files.isRegularFile(Paths.get(m, "cgroup.procs")) && Files.isRegularFile(Paths.get(m,
                "cgroup.subtree_control")))
            {
                return Paths.get(m);
            }
        }
        return null;
    }
}
