package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flowclash diagnose} through the real command, on the samples of {@code ConntrackStatsParserTest} (one of
 * them this machine's {@code /proc/net/stat/nf_conntrack}, copied).
 */
class DiagnoseCommandTest
{
    @TempDir
    Path dir;

    private Path sample(final String name) throws IOException
    {
        try (InputStream in = getClass().getResourceAsStream("/io/flowclash/datapath/kernel/" + name))
        {
            final Path p = dir.resolve(name);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    @Test
    void shouldDiagnoseTheCopiedProcFile() throws IOException
    {
        final StreamCommandTest.Result r = run("diagnose", "--kernel", "6.18.44-fc-v1045",
            sample("proc-6.18-this-machine.txt").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("kernel 6.18.44-fc-v1045 runs nf-reverse-merge")
            .contains("clash_resolve").contains("lost packets: 0");
    }

    @Test
    void shouldGiveRatesFromTwoSnapshotsInOneFile() throws IOException
    {
        final StreamCommandTest.Result r = run("diagnose", "--kernel", "4.19.0", "--interval", "4",
            sample("conntrack-S-4.x-two-snapshots.txt").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("two snapshots 4.000 s apart").contains("clashes in 4.000 s: 20 (5.000/s)")
            .contains("lost packets: 3 (0.750/s)");
        final StreamCommandTest.Result noInterval = run("diagnose", "--kernel", "4.19.0",
            sample("conntrack-S-4.x-two-snapshots.txt").toString());
        assertThat(noInterval.status()).isEqualTo(2);
        assertThat(noInterval.err()).contains("--interval");
    }

    @Test
    void shouldGiveRatesFromTwoFilesByTheirModificationTimes() throws IOException
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        Files.writeString(a, "cpu=0   \tfound=0 insert_failed=5 drop=5 \n");
        Files.writeString(b, "cpu=0   \tfound=0 insert_failed=15 drop=15 \n");
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(b, FileTime.fromMillis(1_010_000));
        final StreamCommandTest.Result r = run("diagnose", "--kernel", "5.4.0", a.toString(), b.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("modification times: 10.0 s");
        assertThat(r.out()).contains("lost packets: 10 (1.000/s)");
    }

    @Test
    void shouldReadStandardInput() throws IOException
    {
        final InputStream saved = System.in;
        try
        {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(sample("conntrack-S-5.15-one-snapshot.txt"))));
            final StreamCommandTest.Result r = run("diagnose", "--kernel", "5.15.0-91-generic");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).contains("conntrack -S, 4 CPU(s), one snapshot").contains("lost packets: 18");
        }
        finally
        {
            System.setIn(saved);
        }
    }

    @Test
    void shouldRefuseAMalformedFileInOneLineNamingLineAndColumn() throws IOException
    {
        final Path bad = dir.resolve("bad");
        Files.writeString(bad, "entries  found drop\n00000001  00000002 00000003\n00000001  0000000x 00000003\n",
            StandardCharsets.UTF_8);
        final StreamCommandTest.Result r = run("diagnose", "--kernel", "5.4", bad.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).isEqualTo("flowclash: " + bad + ": line 3, column 18: found '0000000x' is not " +
            "a hex number");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldRefuseWhatIsNotARegularFileOrTooManySnapshots() throws IOException
    {
        assertThat(run("diagnose", "--kernel", "5.4", dir.toString()).err()).contains("not a regular file");
        assertThat(run("diagnose", "--kernel", "5.4", dir.resolve("none").toString()).err()).contains("no such file");
        final Path three = dir.resolve("three");
        Files.writeString(three, "cpu=0   \tdrop=1 \ncpu=0   \tdrop=2 \ncpu=0   \tdrop=3 \n");
        final StreamCommandTest.Result r = run("diagnose", "--kernel", "5.4", "--interval", "1", three.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("3 snapshots (at lines 1, 2, 3)");
        final Path nul = dir.resolve("nul");
        Files.write(nul, new byte[] {'c', 0, 'x'});
        assertThat(run("diagnose", "--kernel", "5.4", nul.toString()).err()).contains("NUL");
    }
}
