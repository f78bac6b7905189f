package io.flowclash.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removing what the lab makes: namespaces (with the processes still in them; their veths, nft tables and
 * iptables rules go with them), cgroups (processes killed first; attached BPF programs are released with the
 * cgroup), private bpffs mounts (pins go with the mount), files. Each returns whether it removed something.
 */
final class Resources
{
    private Resources()
    {
    }

    static boolean deleteNetns(final String ns)
    {
        if (!Files.exists(Paths.get("/run/netns", ns)))
        {
            deleteRecursively(Paths.get("/etc/netns", ns));
            return false;
        }
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
        return true;
    }

    static boolean deleteCgroup(final Path cgroup)
    {
        if (!Files.isDirectory(cgroup))
        {
            return false;
        }
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                for (final String pid : Files.readAllLines(cgroup.resolve("cgroup.procs")))
                {
                    if (!pid.isBlank())
                    {
                        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Files.delete(cgroup); // rmdir: only once empty
                return true;
            }
            catch (final IOException | NumberFormatException busy)
            {
                sleep();
            }
        }
        return false;
    }

    static boolean unmount(final Path mountPoint)
    {
        if (!Files.isDirectory(mountPoint))
        {
            return false;
        }
        Shell.tryRun(List.of("umount", mountPoint.toString()), null);
        deleteRecursively(mountPoint);
        return true;
    }

    static void deleteIfEmpty(final Path dir)
    {
        try
        {
            Files.deleteIfExists(dir);
        }
        catch (final IOException notEmpty)
        {
            // another run (or the user) has an entry in it: left alone
        }
    }

    static void deleteRecursively(final Path p)
    {
        if (!Files.exists(p))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(p))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // best effort; reported by the next --cleanup
        }
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
