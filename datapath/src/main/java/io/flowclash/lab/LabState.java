package io.flowclash.lab;

import io.flowclash.datapath.FlowclashException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one lab run made, written down before each thing is made, so that a run killed with SIGKILL can be cleaned
 * up later and a live run never is. Each run has a directory {@code /run/flowclash-lab/<name>/}: an {@code owner}
 * file (the run's pid and the process start time, so a reused pid is not taken for the owner) and a
 * {@code resources} file, one line per thing made ({@code netns NAME}, {@code cgroup PATH}, {@code mount PATH},
 * {@code etc PATH}, {@code rmdir PATH} for a folder the run made that others may share, removed only if empty); the run's built helpers live in its {@code build} folder. Lines are appended before the thing
 * is created, so the record is never behind the machine.
 *
 * <p>Concurrency: one run appends to its own files only (from the thread that builds the topology);
 * {@link #cleanup} of another process reads them and acts only when their owner is dead.
 */
public final class LabState
{
    /** Where every run's record lives. */
    static final Path ROOT = Paths.get(System.getProperty("flowclash.lab.state", "/run/flowclash-lab"));
    private static final Pattern RUN_NAME = Pattern.compile(KernelLab.PREFIX + "[0-9a-f]{6}");

    private final String name;
    private final Path dir;

    private LabState(final String name, final Path dir)
    {
        this.name = name;
        this.dir = dir;
    }

    /**
     * Create the record of a new run owned by this process.
     *
     * @param name the run's name.
     * @return the record.
     */
    static LabState create(final String name)
    {
        final Path dir = ROOT.resolve(name);
        try
        {
            Files.createDirectories(ROOT);
            Files.createDirectory(dir);
            Files.createDirectory(dir.resolve("build"));
            final ProcessHandle self = ProcessHandle.current();
            Files.writeString(dir.resolve("owner"), self.pid() + " " + startTime(self).orElse("?") + "\n");
            Files.writeString(dir.resolve("resources"), "");
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot write the run's record in " + dir + ": " + ex, ex);
        }
        return new LabState(name, dir);
    }

    /** @return the folder for helpers built by this run. */
    Path buildDir()
    {
        return dir.resolve("build");
    }

    /** @return the run's own folder. */
    Path dir()
    {
        return dir;
    }

    /**
     * Write down a resource before making it.
     *
     * @param kind netns, cgroup, mount or etc.
     * @param what its name or path.
     */
    void record(final String kind, final String what)
    {
        try
        {
            Files.writeString(dir.resolve("resources"), kind + " " + what + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot record " + kind + " " + what + " in " + dir + ": " + ex,
                ex);
        }
    }

    private static Optional<String> startTime(final ProcessHandle p)
    {
        return p.info().startInstant().map(i -> Long.toString(i.toEpochMilli()));
    }

    /**
     * @param dir a run's folder.
     * @return true if the process that wrote its owner file is still running (same pid and start time).
     */
    static boolean ownerAlive(final Path dir)
    {
        try
        {
            final String[] owner = Files.readString(dir.resolve("owner")).trim().split(" ");
            final Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(owner[0]));
            return p.isPresent() && p.get().isAlive() && startTime(p.get()).map(owner[1]::equals).orElse(false);
        }
        catch (final IOException | RuntimeException ex)
        {
            return false; // no readable owner: not a live run's
        }
    }

    /**
     * Undo everything a run's record lists, in reverse order of making, and remove the record.
     *
     * @param dir     the run's folder.
     * @param removed names of what was removed are added here.
     */
    static void undo(final Path dir, final List<String> removed)
    {
        final List<String> lines = new ArrayList<>();
        try
        {
            lines.addAll(Files.readAllLines(dir.resolve("resources")));
        }
        catch (final IOException ignore)
        {
            // no list: only the folder to remove
        }
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            final String[] kv = lines.get(i).split(" ", 2);
            if (kv.length < 2)
            {
                continue;
            }
            switch (kv[0])
            {
                case "netns" ->
                {
                    if (Resources.deleteNetns(kv[1]))
                    {
                        removed.add(kv[1]);
                    }
                }
                case "cgroup" ->
                {
                    if (Resources.deleteCgroup(Paths.get(kv[1])))
                    {
                        removed.add(kv[1]);
                    }
                }
                case "mount" ->
                {
                    if (Resources.unmount(Paths.get(kv[1])))
                    {
                        removed.add(kv[1]);
                    }
                }
                case "etc" -> Resources.deleteRecursively(Paths.get(kv[1]));
                case "rmdir" -> Resources.deleteIfEmpty(Paths.get(kv[1]));
                default ->
                {
                    // a line of a newer version: left alone
                }
            }
        }
        Resources.deleteRecursively(dir);
    }

    /**
     * Remove the leftovers of runs whose owner is dead (or of every run with {@code all}), and namespaces named
     * like ours that no record claims (made by a version without records, or whose record was removed by hand).
     *
     * @param all also remove live runs' resources.
     * @return what was removed; and, for live runs left alone, nothing.
     */
    static Cleanup cleanup(final boolean all)
    {
        final List<String> removed = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final List<String> claimed = new ArrayList<>();
        if (Files.isDirectory(ROOT))
        {
            try (Stream<Path> runs = Files.list(ROOT))
            {
                for (final Path run : runs.sorted(Comparator.naturalOrder()).toList())
                {
                    final String runName = run.getFileName().toString();
                    if (!RUN_NAME.matcher(runName).matches())
                    {
                        continue;
                    }
                    claimed.add(runName);
                    if (!all && ownerAlive(run))
                    {
                        skipped.add(runName);
                        continue;
                    }
                    undo(run, removed);
                }
            }
            catch (final IOException ex)
            {
                throw new FlowclashException("kernel lab: cannot read " + ROOT + ": " + ex, ex);
            }
        }
        final Pattern ours = Pattern.compile("^((" + KernelLab.PREFIX + "[0-9a-f]{6})-[a-z]+)\\b.*");
        for (final String line : Shell.run("ip", "netns", "list").split("\n"))
        {
            final Matcher m = ours.matcher(line.trim());
            if (m.matches() && (!claimed.contains(m.group(2)) || all && !removed.contains(m.group(1))))
            {
                if (Resources.deleteNetns(m.group(1)))
                {
                    removed.add(m.group(1));
                }
            }
        }
        return new Cleanup(removed, skipped);
    }

    /**
     * @param removed namespaces, cgroups and mounts removed.
     * @param skipped runs left alone because their owner is alive.
     */
    public record Cleanup(List<String> removed, List<String> skipped)
    {
    }

    /** @return the run's name. */
    String name()
    {
        return name;
    }
}
