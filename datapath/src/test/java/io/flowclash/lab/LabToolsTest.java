package io.flowclash.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The preflight looks only where the run's commands will be found, and names every tool a scenario needs. */
class LabToolsTest
{
    private static void tool(final Path dir, final String name) throws Exception
    {
        Files.writeString(dir.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void shouldReportConntrackMissingFromPathEvenIfItIsInSbin(@TempDir final Path bin) throws Exception
    {
        tool(bin, "ip");
        tool(bin, "nft");
        // /usr/sbin/conntrack may exist on this machine: the run would not find it through this PATH either
        final LabTools.Need need = LabTools.missing(new KernelLab.Options("out", 1, 1, "spin", false, 1, false,
            "none"), bin.toString());
        assertThat(need).isNotNull();
        assertThat(need.what()).isEqualTo("conntrack");
        assertThat(need.pkg()).isEqualTo("conntrack");
    }

    @Test
    void shouldNeedTheInjectorMuslAndSocketLbToolsOnlyWhenAsked()
    {
        final KernelLab.Options plain = new KernelLab.Options("out", 1, 1, "spin", false, 1, false, "none");
        assertThat(LabTools.needs(plain)).extracting(LabTools.Need::what)
            .doesNotContain("iptables", "musl-gcc", "clang", "bpftool", "dnsmasq");
        final KernelLab.Options all = KernelLab.Options.lookups("out", 2, "drop", false, "musl", "default", 3, 1.0,
            "socket");
        assertThat(LabTools.needs(all)).extracting(LabTools.Need::what)
            .contains("dnsmasq", "musl-gcc", "iptables", "/usr/include/libnetfilter_queue/libnetfilter_queue.h",
                "clang", "bpftool", "/usr/include/bpf/bpf_helpers.h");
    }
}
