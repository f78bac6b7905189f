package io.flowclash.cli;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.kernel.ConntrackStatsParser;
import io.flowclash.datapath.kernel.ConntrackStatsSnapshot;
import io.flowclash.datapath.kernel.KernelMatch;
import io.flowclash.datapath.kernel.NodeDiagnosis;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code flowclash diagnose}: read a node's conntrack counters and say what they mean on its kernel.
 */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Read a node's conntrack counters (conntrack -S, or /proc/net/stat/nf_conntrack) and say, for its kernel's",
        "era, which counters mean clashes, which mean lost packets, their rates, and the design that models it."},
    footer = {
        "%nInput: one snapshot (totals) or two (rates): two files, or one input holding two dumps one after the",
        "other (a /proc header or a repeated cpu= starts the next), with --interval giving the seconds between",
        "them. No FILE, or '-', reads standard input. At most " + DiagnoseCommand.MAX_BYTES + " bytes per input.",
        "%nExamples:",
        "  conntrack -S > a; sleep 10; conntrack -S > b; flowclash diagnose --kernel $(uname -r) --interval 10 a b",
        "  (cat /proc/net/stat/nf_conntrack; sleep 5; cat /proc/net/stat/nf_conntrack) |",
        "      flowclash diagnose --kernel 5.15.0-91-generic --interval 5",
        "  ssh node conntrack -S | flowclash diagnose --kernel 4.19.0-21-amd64"})
public final class DiagnoseCommand implements Runnable
{
    /** Largest input read (a dump of 4096 CPUs is well below it). */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "RELEASE", required = true,
        description = "The node's kernel release (uname -r on the node; 'running' for this machine's).")
    String kernel;

    @Option(names = "--interval", paramLabel = "SECONDS",
        description = "Seconds between the two snapshots (needed with two; with two files and no --interval the " +
            "difference of their modification times is used).")
    Double interval;

    @Parameters(paramLabel = "FILE", arity = "0..2",
        description = "One or two dumps (conntrack -S or /proc/net/stat/nf_conntrack); '-' or none: stdin.")
    List<String> files = new ArrayList<>();

    @Override
    public void run()
    {
        final KernelMatch match = KernelOption.resolve(kernel);
        if (interval != null && !(interval > 0) || interval != null && interval.isInfinite())
        {
            throw new FlowclashException("--interval " + interval + ": must be a positive number of seconds");
        }
        final List<ConntrackStatsSnapshot> snapshots = new ArrayList<>();
        final List<String> names = files.isEmpty() ? List.of("-") : files;
        for (final String f : names)
        {
            snapshots.addAll(ConntrackStatsParser.parse(read(f), f.equals("-") ? "stdin" : f));
        }
        if (snapshots.size() > 2)
        {
            throw new FlowclashException(String.join(" ", names) + ": " + snapshots.size() + " snapshots (at lines " +
                firstLines(snapshots) + "): diagnose takes one or two");
        }
        double seconds = 0;
        String secondsFrom = "";
        if (snapshots.size() == 2)
        {
            final ConntrackStatsSnapshot a = snapshots.get(0);
            final ConntrackStatsSnapshot b = snapshots.get(1);
            if (a.format() != b.format())
            {
                throw new FlowclashException("the two snapshots are of different files (" + a.format() + ", " +
                    b.format() + "): give two of the same kind");
            }
            if (!Arrays.equals(a.cpus(), b.cpus()))
            {
                throw new FlowclashException("the two snapshots have different CPUs (" + Arrays.toString(a.cpus()) +
                    " and " + Arrays.toString(b.cpus()) + ")");
            }
            if (interval != null)
            {
                seconds = interval;
            }
            else if (names.size() == 2 && !names.contains("-"))
            {
                seconds = mtimeSeconds(names.get(0), names.get(1));
                secondsFrom = "interval from the files' modification times: " + seconds + " s";
            }
            else
            {
                throw new FlowclashException("two snapshots need --interval SECONDS (the time between them)");
            }
        }
        else if (interval != null)
        {
            throw new FlowclashException("--interval given, but the input holds one snapshot: give two for rates");
        }
        final NodeDiagnosis d = NodeDiagnosis.of(match, snapshots.get(0),
            snapshots.size() == 2 ? snapshots.get(1) : null, seconds);
        if (!secondsFrom.isEmpty())
        {
            spec.commandLine().getErr().println("flowclash diagnose: " + secondsFrom);
        }
        spec.commandLine().getOut().print(d.toText());
        spec.commandLine().getOut().flush();
    }

    private static String firstLines(final List<ConntrackStatsSnapshot> snapshots)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ConntrackStatsSnapshot s : snapshots)
        {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.firstLine());
        }
        return sb.toString();
    }

    private static double mtimeSeconds(final String first, final String second)
    {
        try
        {
            final long a = Files.getLastModifiedTime(Path.of(first)).toMillis();
            final long b = Files.getLastModifiedTime(Path.of(second)).toMillis();
            if (b <= a)
            {
                throw new FlowclashException(second + " is not newer than " + first +
                    ": give --interval SECONDS");
            }
            return (b - a) / 1000.0;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("cannot read the modification time of " + first + " or " + second + ": " +
                ex.getMessage() + "; give --interval SECONDS");
        }
    }

    private String read(final String name)
    {
        try
        {
            if (name.equals("-"))
            {
                return text(System.in, "stdin");
            }
            final Path p = Path.of(name);
            if (!Files.exists(p))
            {
                throw new FlowclashException(name + ": no such file");
            }
            if (!Files.isRegularFile(p))
            {
                throw new FlowclashException(name + ": not a regular file");
            }
            if (!Files.isReadable(p))
            {
                throw new FlowclashException(name + ": cannot be read");
            }
            try (InputStream in = Files.newInputStream(p))
            {
                return text(in, name);
            }
        }
        catch (final IOException ex)
        {
            throw new FlowclashException(name + ": cannot be read: " + ex.getMessage());
        }
    }

    private static String text(final InputStream in, final String name) throws IOException
    {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0)
        {
            buf.write(chunk, 0, n);
            if (buf.size() > MAX_BYTES)
            {
                throw new FlowclashException(name + ": more than " + MAX_BYTES + " bytes: not a counter dump");
            }
        }
        final byte[] bytes = buf.toByteArray();
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == 0)
            {
                throw new FlowclashException(name + ": byte " + i + " is NUL: a binary file, not a counter dump");
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
