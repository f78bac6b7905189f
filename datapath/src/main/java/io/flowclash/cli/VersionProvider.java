package io.flowclash.cli;

import io.flowclash.datapath.BuildInfo;
import picocli.CommandLine;

/**
 * {@code --version} for every subcommand.
 */
public final class VersionProvider implements CommandLine.IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        return new String[]{
            "flowclash " + BuildInfo.VERSION,
            "JVM: ${java.version} (${java.vendor} ${java.vm.name})"
        };
    }
}
