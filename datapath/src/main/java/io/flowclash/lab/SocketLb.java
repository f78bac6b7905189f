package io.flowclash.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real socket LB of a run: a cgroup v2 the run creates, a private bpffs mounted in the run's folder, the
 * {@code sock_lb.c} programs loaded there with {@code bpftool prog loadall} and attached to the cgroup as
 * {@code connect4}, {@code sendmsg4} and {@code recvmsg4}. Client processes join the cgroup before they enter the
 * client namespace ({@code ip netns exec} remounts /sys). Removing the cgroup releases the attachments; unmounting
 * the bpffs releases the pins.
 */
final class SocketLb
{
    static final List<String> HOOKS = List.of("connect4", "sendmsg4", "recvmsg4");

    private final Path cgroup;
    private final Path bpffs;

    private SocketLb(final Path cgroup, final Path bpffs)
    {
        this.cgroup = cgroup;
        this.bpffs = bpffs;
    }

    /**
     * @param state  the run's record (the cgroup and the mount are written down before they are made).
     * @param object the built BPF object.
     * @return the attached LB.
     */
    static SocketLb attach(final LabState state, final Path object)
    {
        final Path cgroup = LabTools.cgroup2().resolve(state.name());
        final Path bpffs = state.dir().resolve("bpffs");
        state.record("cgroup", cgroup.toString());
        Shell.run("mkdir", cgroup.toString());
        state.record("mount", bpffs.toString());
        Shell.run("mkdir", bpffs.toString());
        Shell.run("mount", "-t", "bpf", "bpf", bpffs.toString());
        Shell.run("bpftool", "prog", "loadall", object.toString(), bpffs.resolve("p").toString(), "pinmaps",
            bpffs.resolve("maps").toString());
        for (final String hook : HOOKS)
        {
            Shell.run("bpftool", "cgroup", "attach", cgroup.toString(), hook, "pinned",
                bpffs.resolve("p").resolve("fc_" + hook).toString());
        }
        return new SocketLb(cgroup, bpffs);
    }

    /** @return the cgroup clients must join. */
    Path cgroup()
    {
        return cgroup;
    }

    /**
     * @return the program's counters: connect4 and sendmsg4 translations, recvmsg4 reverse translations and
     * reverse misses (replies from port 53 with no reverse entry).
     */
    long[] stats()
    {
        final long[] v = new long[4];
        final Matcher m = Pattern.compile("\"formatted\":\\{\"key\":(\\d+),\"value\":(\\d+)\\}")
            .matcher(Shell.run("bpftool", "-j", "map", "dump", "pinned", bpffs.resolve("maps").resolve("fc_stats")
                .toString()));
        while (m.find())
        {
            final int k = Integer.parseInt(m.group(1));
            if (k < v.length)
            {
                v[k] = Long.parseLong(m.group(2));
            }
        }
        return v;
    }

    /** @return the reverse-NAT entries (socket cookie, backend) in the LRU map. */
    long revNatEntries()
    {
        final String dump = Shell.run("bpftool", "-j", "map", "dump", "pinned",
            bpffs.resolve("maps").resolve("fc_revnat").toString());
        return Pattern.compile("\"key\":").matcher(dump).results().count();
    }
}
