package io.flowclash.lab;

import io.flowclash.datapath.FlowclashException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's system commands ({@code ip}, {@code nft}, {@code conntrack}) with a timeout and captured output.
 */
final class Shell
{
    private Shell()
    {
    }

    /** @param command command and arguments. @return stdout; throws with the command and its stderr on failure. */
    static String run(final String... command)
    {
        return run(Arrays.asList(command), null);
    }

    /** @param netns namespace to run in. @param command command. @return stdout. */
    static String inNetns(final String netns, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(Arrays.asList(command));
        return run(full, null);
    }

    /**
     * @param command command and arguments.
     * @param stdin   text for standard input, or null.
     * @return stdout.
     */
    static String run(final List<String> command, final String stdin)
    {
        final Result r = tryRun(command, stdin);
        if (r.exit != 0)
        {
            throw new FlowclashException("kernel lab: '" + String.join(" ", command) + "' failed (exit " + r.exit +
                "): " + r.err.trim().replace('\n', ' '));
        }
        return r.out;
    }

    /** Outcome of a command. */
    record Result(int exit, String out, String err)
    {
    }

    static Result tryRun(final List<String> command, final String stdin)
    {
        try
        {
            final Process p = new ProcessBuilder(command).start();
            if (stdin != null)
            {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final Thread errPump = pump(p.getErrorStream(), err);
            p.getInputStream().transferTo(out);
            errPump.join();
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return new Result(124, out.toString(StandardCharsets.UTF_8), "timed out");
            }
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            return new Result(127, "", ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(130, "", "interrupted");
        }
    }

    static Thread pump(final InputStream in, final ByteArrayOutputStream to)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                in.transferTo(to);
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
        }, "flowclash-lab-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** @return the PATH the lab's commands are started with (this process's). */
    static String path()
    {
        return System.getenv().getOrDefault("PATH", "");
    }

    /**
     * @param tool a command name.
     * @param path a PATH value: only these directories are looked in, as the commands' start will.
     * @return true if an executable of that name is on it.
     */
    static boolean has(final String tool, final String path)
    {
        for (final String dir : path.split(":"))
        {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Paths.get(dir, tool)))
            {
                return true;
            }
        }
        return false;
    }
}
