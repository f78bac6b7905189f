package io.flowclash.cli;

import io.flowclash.datapath.BuildInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts a class in a child JVM the way the {@code flowclash} jar runs: this JVM's {@code java}, the project's JVM
 * flags ({@link BuildInfo#JVM_ARGS}, from the parent POM) and the test class path.
 */
final class ChildJvm
{
    /**
     * Run the child with SIGINT at its default disposition ({@code env --default-signal}, GNU coreutils 8.31+). A
     * build started as a background job of a non-interactive shell inherits SIGINT as ignored (POSIX), the JVM then
     * installs no handler for it, and a test that sends SIGINT would see the child run on to exit 0 (seen on a
     * clean-clone CI run started with {@code &}). The command itself rightly honours an inherited ignore.
     */
    static final List<String> DEFAULT_SIGNALS = List.of("env", "--default-signal=INT");

    private ChildJvm()
    {
    }

    /**
     * @param heap      {@code -Xmx} value, e.g. {@code 512m}.
     * @param mainClass class to run.
     * @param args      its arguments.
     * @return a process builder, not started.
     */
    static ProcessBuilder builder(final String heap, final String mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(DEFAULT_SIGNALS);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + heap);
        for (final String flag : BuildInfo.JVM_ARGS.trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command);
    }
}
