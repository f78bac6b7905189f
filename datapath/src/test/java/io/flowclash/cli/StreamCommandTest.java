package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the real command ({@link FlowclashCommand#execute}, the code {@code main} runs) and checks its output,
 * its one-line errors and its exit statuses.
 */
class StreamCommandTest
{
    @TempDir
    Path dir;

    record Result(int status, String out, String err)
    {
    }

    static Result run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int status = FlowclashCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void shouldGenerateThenInspect()
    {
        final Path file = dir.resolve("d.fcs");
        final Result gen = run("stream", "gen", "--workload", "dns-pairs:sockets=100", "--out", file.toString());
        assertThat(gen.status()).as(gen.err()).isZero();
        assertThat(gen.out()).contains("200 records");
        final Result inspect = run("stream", "inspect", file.toString());
        assertThat(inspect.status()).as(inspect.err()).isZero();
        assertThat(inspect.out())
            .contains("records       200")
            .contains("A 100  AAAA 100  other 0")
            .contains("original 200  reply 0")
            .contains("verified")
            .contains("#0 t=0ns original udp src=10.244.");
        final Result json = run("stream", "inspect", "--json", "-n", "1", file.toString());
        assertThat(json.status()).isZero();
        assertThat(json.out()).startsWith("{\"file\":").contains("\"records\":200").contains("\"checksumState\":\"verified\"")
            .contains("\"byQueryType\":{\"A\":100,\"AAAA\":100,\"other\":0}");
    }

    @Test
    void shouldExitTwoWithOneLineForEachBadFile() throws IOException
    {
        final Path good = dir.resolve("good.fcs");
        assertThat(run("stream", "gen", "-w", "dns-pairs:sockets=50", "-o", good.toString()).status()).isZero();
        final byte[] bytes = Files.readAllBytes(good);

        final byte[] flipped = bytes.clone();
        flipped[bytes.length - 3] ^= 0x01;
        final byte[] foreign = bytes.clone();
        foreign[1] = 'X';
        final byte[] newer = bytes.clone();
        newer[8] = 2;
        final Object[][] cases = {
            {"truncated", Arrays.copyOf(bytes, bytes.length / 2), "truncated"},
            {"flipped", flipped, "records checksum mismatch"},
            {"foreign", foreign, "not a flowclash stream file"},
            {"newer", newer, "format version 2 is newer"},
            {"empty", new byte[0], "empty file"},
        };
        for (final Object[] c : cases)
        {
            final Path file = Files.write(dir.resolve(c[0] + ".fcs"), (byte[])c[1]);
            final Result r = run("stream", "inspect", file.toString());
            assertThat(r.status()).as((String)c[0]).isEqualTo(2);
            assertThat(r.out()).as((String)c[0]).isEmpty();
            assertThat(r.err().lines()).as((String)c[0]).hasSize(1);
            assertThat(r.err()).as((String)c[0]).startsWith("flowclash: stream file '" + file + "': offset ")
                .contains((String)c[2]).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void shouldExitTwoWithOneLineForBadOptionsAndValues()
    {
        final Result unknown = run("stream", "gen", "--frobnicate", "-o", "x");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err().lines()).hasSize(1);
        assertThat(unknown.err()).contains("--frobnicate");

        final Result badWorkload = run("stream", "gen", "-w", "dns-pairs:sockets=-1", "-o", dir.resolve("x").toString());
        assertThat(badWorkload.status()).isEqualTo(2);
        assertThat(badWorkload.err().lines()).hasSize(1);
        assertThat(badWorkload.err()).contains("sockets=-1 is outside");
        assertThat(dir.resolve("x")).doesNotExist();

        final Result badSeed = run("stream", "gen", "--seed", "x1", "-o", "x");
        assertThat(badSeed.status()).isEqualTo(2);
        assertThat(badSeed.err().lines()).hasSize(1);

        final Result missing = run("stream", "inspect", dir.resolve("nope.fcs").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");

        final Result noSub = run("stream");
        assertThat(noSub.status()).isEqualTo(2);
    }

    @Test
    void shouldAnswerHelpAndVersionEverywhere()
    {
        for (final String[] cmd : new String[][]{{}, {"stream"}, {"stream", "gen"}, {"stream", "inspect"},
            {"run"}, {"designs"}, {"explore"}, {"kernel-lab"}, {"kernel-lab", "responder"}, {"kernel-lab", "sender"},
            {"kernel-lab", "resolve"}})
        {
            final String[] help = Arrays.copyOf(cmd, cmd.length + 1);
            help[cmd.length] = "--help";
            final Result h = run(help);
            assertThat(h.status()).isZero();
            assertThat(h.out()).contains("Usage:");
            final String[] version = Arrays.copyOf(cmd, cmd.length + 1);
            version[cmd.length] = "--version";
            final Result v = run(version);
            assertThat(v.status()).isZero();
            assertThat(v.out()).startsWith("flowclash ");
        }
    }
}
