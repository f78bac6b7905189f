package io.flowclash.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flowclash run --workload dns-lookups} through the real command: the latency table, JSON, .hlog files,
 * and bad input (one line, exit 2).
 */
class RunLookupsCommandTest
{
    private static final String SMALL = "dns-lookups:clients=200,lookups=3";

    @TempDir
    Path dir;

    @Test
    void shouldPrintEveryDesignsLatencyTableSideBySide()
    {
        final StreamCommandTest.Result r = run("run", "--design", "all", "--workload", SMALL, "--race", "always",
            "--resolver", "musl", "--max-entries", "65536", "--map-entries", "65536");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("resolver musl (options timeout:5 attempts:2)");
        assertThat(r.out()).as("the echoed workload names the resolver that ran").contains("resolver=musl")
            .doesNotContain("resolver=glibc");
        for (final io.flowclash.datapath.design.Designs.Design d : io.flowclash.datapath.design.Designs.all())
        {
            final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(d.id()) +
                "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+([0-9.]+)\\s+")
                .matcher(r.out());
            assertThat(m.find()).as("latency row of %s in%n%s", d.id(), r.out()).isTrue();
            final long total = Long.parseLong(m.group(1));
            assertThat(total).isEqualTo(600);
            assertThat(Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)) + Long.parseLong(m.group(4)))
                .as("answered + partial + failed for " + d.id()).isEqualTo(total);
            final double maxMs = Double.parseDouble(m.group(5));
            if (d.canDropOnClash())
            {
                assertThat(maxMs).as(d.id()).isEqualTo(2500.2); // musl's resend at 2.5 s, answered 200 us later
            }
            else
            {
                assertThat(maxMs).as(d.id()).isEqualTo(0.2);
            }
        }
    }

    @Test
    void shouldCarryLookupsAndLatencyInJson()
    {
        final StreamCommandTest.Result r = run("run", "--design", "nf-same-origin,nf-clash-insert", "--workload",
            SMALL, "--race", "always", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"resolver\":{\"kind\":\"glibc\",\"timeoutSeconds\":5,\"attempts\":2");
        assertThat(r.out()).containsPattern("\"lookups\":\\{\"total\":600,\"answered\":600,\"partial\":0," +
            "\"failed\":0\\},\"latencyMs\":\\{\"p50\":[0-9.]+,\"p90\":[0-9.]+,\"p99\":[0-9.]+,\"p999\":[0-9.]+," +
            "\"max\":[0-9.]+\\},\"slowShare\":[0-9.E-]+");
        assertThat(r.out()).contains("\"max\":5000.4"); // nf-same-origin: 5 s + two replies
        assertThat(r.out()).contains("\"p999\":0.2,\"max\":0.2},\"slowShare\":0.0"); // nf-clash-insert
    }

    @Test
    void shouldWriteOneReadableHlogPerDesign() throws IOException
    {
        final Path out = dir.resolve("hlogs");
        final StreamCommandTest.Result r = run("run", "--design", "nf-drop,cilium-tc", "--workload", SMALL,
            "--race", "always", "--hlog", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        for (final String design : new String[]{"nf-drop", "cilium-tc"})
        {
            final Path f = out.resolve(design + ".hlog");
            assertThat(f).isRegularFile();
            final HistogramLogReader reader = new HistogramLogReader(f.toFile());
            final Histogram h = (Histogram)reader.nextIntervalHistogram();
            assertThat(h.getTotalCount()).isEqualTo(600);
            assertThat(h.getMaxValue()).isGreaterThanOrEqualTo(design.equals("nf-drop") ? 5_000_000_000L : 200_000L);
            reader.close();
        }
        try (var files = Files.list(out))
        {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("nf-drop.hlog",
                "cilium-tc.hlog");
        }
    }

    @Test
    void shouldRefuseBadResolverInputWithOneLineAndExit2() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        final String[][] cases = {
            {"--resolver", "bionic"},
            {"--resolv-options", "rotate"},
            {"--resolver", "musl", "--resolv-options", "single-request"},
            {"--resolver", "musl", "--resolv-options", "single-request-reopen"},
            {"--resolv-options", "timeout:0"},
            {"--resolv-options", "timeout:-1"},
            {"--resolv-options", "attempts:two"},
            {"--hlog", file.toString()},
        };
        for (final String[] c : cases)
        {
            final String[] args = new String[c.length + 4];
            args[0] = "run";
            args[1] = "--workload";
            args[2] = SMALL;
            args[3] = "--design=nf-drop";
            System.arraycopy(c, 0, args, 4, c.length);
            final StreamCommandTest.Result r = run(args);
            assertThat(r.status()).as(String.join(" ", c) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(run("run", "--workload", SMALL, "--resolver", "bionic").err())
            .contains("unknown resolver 'bionic' (known: glibc, musl)");
        assertThat(run("run", "--workload", SMALL, "--resolver", "musl", "--resolv-options", "single-request").err())
            .contains("musl does not support 'single-request'");
        assertThat(run("run", "--workload", "dns-lookups:resolver=musl,options=single-request-reopen").err())
            .contains("musl does not support 'single-request-reopen'");
        assertThat(run("run", "--workload", "dns-pairs:sockets=10", "--resolver", "glibc").err())
            .contains("--resolver needs --workload dns-lookups");
        assertThat(run("run", "--workload", "dns-lookups:resolver=glibc", "--resolver", "musl").err())
            .contains("give it once");
        assertThat(run("stream", "gen", "--workload", "dns-lookups", "--out", dir.resolve("x.fcs").toString()).status())
            .isEqualTo(2);
        assertThat(dir.resolve("x.fcs")).doesNotExist();
    }
}
