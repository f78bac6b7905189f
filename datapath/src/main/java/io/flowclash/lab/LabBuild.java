package io.flowclash.lab;

import io.flowclash.datapath.FlowclashException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the lab's C and BPF helpers at run time, in the run's own build folder (removed at teardown): the lookup
 * program against glibc ({@code gcc}) and against musl ({@code musl-gcc -static}), the race injector's queue reader
 * ({@code gcc -lnetfilter_queue}) and the socket LB ({@code clang -target bpf}). Sources ship in the jar beside this
 * class.
 */
final class LabBuild
{
    private LabBuild()
    {
    }

    /**
     * @param dir      the build folder.
     * @param resolver glibc or musl.
     * @return the lookup program.
     */
    static Path lookup(final Path dir, final String resolver)
    {
        final Path src = source(dir, "lookup.c");
        final Path out = dir.resolve("lookup-" + resolver);
        if (resolver.equals("musl"))
        {
            compile(List.of("musl-gcc", "-static", "-O2", "-o", out.toString(), src.toString()));
        }
        else
        {
            compile(List.of("gcc", "-O2", "-o", out.toString(), src.toString()));
        }
        return out;
    }

    /** @param dir the build folder. @return the queue reader. */
    static Path injector(final Path dir)
    {
        final Path src = source(dir, "race_injector.c");
        final Path out = dir.resolve("race_injector");
        compile(List.of("gcc", "-O2", "-o", out.toString(), src.toString(), "-lnetfilter_queue"));
        return out;
    }

    /**
     * @param dir      the build folder.
     * @param vip      the service address, host order.
     * @param backend0 the first backend, host order (the others follow it).
     * @param backends how many.
     * @return the BPF object.
     */
    static Path socketLb(final Path dir, final int vip, final int backend0, final int backends)
    {
        final Path src = source(dir, "sock_lb.c");
        final Path out = dir.resolve("sock_lb.o");
        final List<String> cmd = new ArrayList<>(List.of("clang", "-O2", "-g", "-target", "bpf",
            "-I/usr/include/x86_64-linux-gnu", "-I/usr/include/aarch64-linux-gnu",
            String.format("-DVIP=0x%08x", vip), String.format("-DBACKEND0=0x%08x", backend0),
            "-DBACKENDS=" + backends, "-c", src.toString(), "-o", out.toString()));
        compile(cmd);
        return out;
    }

    private static Path source(final Path dir, final String name)
    {
        final Path to = dir.resolve(name);
        try (InputStream in = LabBuild.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new FlowclashException("kernel lab: " + name + " is missing from the jar");
            }
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return to;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("kernel lab: cannot write " + to + ": " + ex, ex);
        }
    }

    private static void compile(final List<String> cmd)
    {
        final Shell.Result r = Shell.tryRun(cmd, null);
        if (r.exit() != 0)
        {
            throw new FlowclashException("kernel lab: building a helper failed: '" + String.join(" ", cmd) + "': " +
                r.err().trim().replace('\n', ' '));
        }
    }
}
