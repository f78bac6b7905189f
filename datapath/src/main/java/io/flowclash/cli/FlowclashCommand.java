package io.flowclash.cli;

import io.flowclash.datapath.FlowclashException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code flowclash} command: entry point and error policy.
 *
 * <p>Exit status: 0 success; 2 a usage error or bad input (one line on stderr, never a stack trace);
 * 1 an internal error (a bug: the stack trace is printed so it can be reported).
 */
@Command(
    name = "flowclash",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A laboratory for the Linux conntrack UDP insertion race and the datapaths that avoid it.",
    subcommands = {
        StreamCommand.class,
        DesignsCommand.class,
        RunCommand.class,
        ExploreCommand.class,
        CompareCommand.class,
        KernelLabCommand.class,
        DiagnoseCommand.class,
        CommandLine.HelpCommand.class
    })
public final class FlowclashCommand implements Runnable
{
    /** Exit status for usage errors and bad input. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for internal errors. */
    public static final int EXIT_INTERNAL = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand");
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        Progress.stderrIsTerminal = Progress.fd2IsTerminal();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Run the command with the given streams (tests call this in process).
     *
     * @param args command line.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit status.
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine cli = new CommandLine(new FlowclashCommand());
        cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST,
            FlowclashCommand::commandList);
        final String workloads = StreamCommand.workloadHelp();
        cli.getSubcommands().get("stream").getSubcommands().get("gen").getCommandSpec().usageMessage()
            .footer(workloads);
        final CommandLine.Model.UsageMessageSpec run = cli.getSubcommands().get("run").getCommandSpec().usageMessage();
        final String[] runFooter = run.footer();
        final String[] withWorkloads = java.util.Arrays.copyOf(runFooter, runFooter.length + 1);
        withWorkloads[runFooter.length] = workloads;
        run.footer(withWorkloads);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, arguments) ->
        {
            final CommandLine cmd = ex.getCommandLine();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage()) +
                " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (ex instanceof FlowclashException)
            {
                err.println("flowclash: " + oneLine(ex.getMessage()));
                return EXIT_USAGE;
            }
            err.println("flowclash: internal error: " + ex);
            ex.printStackTrace(err);
            return EXIT_INTERNAL;
        });
        return cli.execute(args);
    }

    /**
     * The top-level list of commands: each with the first sentence of its description, whole (picocli's default
     * shows the first description line, which stops mid-sentence).
     */
    private static String commandList(final CommandLine.Help help)
    {
        final java.util.Map<String, CommandLine.Help> subcommands = help.subcommands();
        if (subcommands.isEmpty())
        {
            return "";
        }
        final int nameWidth = 2 + subcommands.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        final int width = help.commandSpec().usageMessage().width();
        final CommandLine.Help.TextTable table = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
            new CommandLine.Help.Column(nameWidth, 2, CommandLine.Help.Column.Overflow.SPAN),
            new CommandLine.Help.Column(width - nameWidth, 1, CommandLine.Help.Column.Overflow.WRAP));
        for (final java.util.Map.Entry<String, CommandLine.Help> e : subcommands.entrySet())
        {
            final CommandLine.Model.UsageMessageSpec usage = e.getValue().commandSpec().usageMessage();
            final String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
            table.addRowValues(e.getKey(), firstSentence(String.join(" ", summary)));
        }
        return table.toString();
    }

    static String firstSentence(final String text)
    {
        final String t = text.replace("%n", " ").trim();
        for (int i = 0; i < t.length(); i++)
        {
            if (t.charAt(i) == '.' && (i + 1 == t.length() || t.charAt(i + 1) == ' '))
            {
                return t.substring(0, i + 1);
            }
        }
        return t.endsWith(".") ? t : t + ".";
    }

    private static String oneLine(final String message)
    {
        return message == null ? "error" : message.replace('\n', ' ').replace('\r', ' ');
    }
}
