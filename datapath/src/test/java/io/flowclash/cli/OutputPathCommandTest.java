package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the real command: every output path ({@code --out}, {@code --pin-dir}) is a regular file or a new name in
 * an existing directory, else one line with the OS cause and exit 2, and nothing is touched or left behind.
 */
public class OutputPathCommandTest
{
    @TempDir
    Path dir;

    private static void assertOneLineExit2(final StreamCommandTest.Result r, final String... contains)
    {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).doesNotContain("Exception").contains(contains);
    }

    private static Path mkfifo(final Path path) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("mkfifo").isZero();
        return path;
    }

    private long entries() throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.count();
        }
    }

    /**
     * The device the test writes to: a copy of {@code /dev/full} (character device 1:7) made with {@code mknod} in
     * the test's folder when the test runs as root, so that a regression replaces the copy and not the machine's
     * device (it did once, on main); else {@code /dev/full} itself, which a non-root user cannot replace.
     */
    public static Path devFull(final Path dir) throws IOException, InterruptedException
    {
        final Path copy = dir.resolve("full");
        final Process p = new ProcessBuilder("mknod", "-m", "666", copy.toString(), "c", "1", "7")
            .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() == 0)
        {
            return copy;
        }
        assertThat(Files.isWritable(Path.of("/dev"))).as("not root: /dev is not writable").isFalse();
        return Path.of("/dev/full");
    }

    @Test
    void shouldNotReplaceDevFull() throws Exception
    {
        final Path full = devFull(dir);
        final StreamCommandTest.Result r = run("stream", "gen", "-w", "dns-pairs:sockets=100", "--out", full.toString());
        assertOneLineExit2(r, "'" + full + "'", "character device, not a regular file");
        assertThat(Files.isRegularFile(full)).isFalse();
        assertThat(Files.exists(full)).isTrue();
    }

    @Test
    void shouldNotReplaceAFifo() throws Exception
    {
        final Path fifo = mkfifo(dir.resolve("pipe.fcs"));
        final StreamCommandTest.Result r = run("stream", "gen", "-w", "dns-pairs:sockets=100", "--out", fifo.toString());
        assertOneLineExit2(r, "FIFO (named pipe), not a regular file");
        assertThat(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    void shouldNotCreateMissingDirectories()
    {
        final Path out = dir.resolve("nonexistent/dir/x.fcs");
        final StreamCommandTest.Result r = run("stream", "gen", "-w", "dns-pairs:sockets=100", "--out", out.toString());
        assertOneLineExit2(r, "does not exist (No such file or directory)");
        assertThat(dir.resolve("nonexistent")).doesNotExist();
    }

    @Test
    void shouldSayTheOsCauseForProcAndForAnEmptyPath()
    {
        final StreamCommandTest.Result proc = run("stream", "gen", "-w", "dns-pairs:sockets=100", "--out", "/proc/x.fcs");
        assertOneLineExit2(proc, "'/proc/x.fcs'", "No such file or directory");
        final StreamCommandTest.Result empty = run("stream", "gen", "-w", "dns-pairs:sockets=100", "--out", "");
        assertOneLineExit2(empty, "empty path");
        assertThat(empty.err()).doesNotContain("directory");
    }

    @Test
    void shouldRefuseAFileAsPinDirectoryWithTheCause() throws IOException
    {
        final Path good = dir.resolve("good.fcs");
        assertThat(run("stream", "gen", "-w", "dns-pairs:sockets=20", "--out", good.toString()).status()).isZero();
        final byte[] before = Files.readAllBytes(good);
        final StreamCommandTest.Result r = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
            "--pin-dir", good.toString());
        assertOneLineExit2(r, "pin directory '" + good + "': it is a regular file, not a directory");
        assertThat(Files.readAllBytes(good)).isEqualTo(before);

        final Path nested = dir.resolve("a/b/pins");
        final StreamCommandTest.Result missing = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
            "--pin-dir", nested.toString());
        assertOneLineExit2(missing, "does not exist (No such file or directory)");
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void shouldLeaveNoTemporaryFileAfterAWrite() throws IOException
    {
        final Path out = dir.resolve("ok.fcs");
        assertThat(run("stream", "gen", "-w", "dns-pairs:sockets=20", "--out", out.toString()).status()).isZero();
        assertThat(run("stream", "gen", "-w", "dns-pairs:sockets=30", "--out", out.toString()).status()).isZero();
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    void shouldRefuseSpecialFilesAsHlogAndReportDirectories() throws Exception
    {
        final Path fifo = mkfifo(dir.resolve("pipe"));
        final StreamCommandTest.Result hlog = run("run", "--design", "nf-drop", "--race", "always",
            "-w", "dns-lookups:clients=5,lookups=1", "--hlog", fifo.toString());
        assertOneLineExit2(hlog, "'" + fifo + "': it is a FIFO (named pipe), not a directory");
        final Path full = devFull(dir);
        final StreamCommandTest.Result report = run("compare", "--quiet", "--out", full.toString());
        assertOneLineExit2(report, full.toString(), "not a directory");
        final StreamCommandTest.Result missing = run("compare", "--quiet", "--out",
            dir.resolve("no/such/report").toString());
        assertOneLineExit2(missing, "no/such", "does not exist");
        assertThat(Files.isRegularFile(full)).isFalse();
        assertThat(dir.resolve("no")).doesNotExist();
        assertThat(entries()).isEqualTo(2);
    }
}
