package io.flowclash.io;

import io.flowclash.datapath.FlowclashException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SafeOutput} against real special files: a FIFO made with {@code mkfifo}, {@code /dev/full}, a directory,
 * links to them, a missing parent; and the atomic write, with no temporary file left on any path.
 */
public class SafeOutputTest
{
    @TempDir
    Path dir;

    public static Path mkfifo(final Path path) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("mkfifo").isZero();
        assertThat(Files.isRegularFile(path)).isFalse();
        return path;
    }

    private List<Path> listing() throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.sorted().toList();
        }
    }

    @Test
    void shouldRefuseAFifoAndLeaveIt() throws Exception
    {
        final Path fifo = mkfifo(dir.resolve("pipe.fcs"));
        assertThatThrownBy(() -> SafeOutput.writeString(fifo, "stream file", "x"))
            .isInstanceOf(FlowclashException.class)
            .hasMessage("cannot write stream file '" + fifo + "': it is a FIFO (named pipe), not a regular file");
        assertThat(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(listing()).containsExactly(fifo);
    }

    @Test
    void shouldRefuseDevFullAndLeaveTheDevice() throws Exception
    {
        assertThatThrownBy(() -> SafeOutput.checkFile(Path.of("/dev/full"), "stream file"))
            .isInstanceOf(FlowclashException.class)
            .hasMessage("cannot write stream file '/dev/full': it is a character device, not a regular file");
        // writes go to a mknod copy of /dev/full when root, so that a regression cannot replace the real one
        final Path full = io.flowclash.cli.OutputPathCommandTest.devFull(dir);
        assertThatThrownBy(() -> SafeOutput.writeString(full, "stream file", "x"))
            .isInstanceOf(FlowclashException.class)
            .hasMessage("cannot write stream file '" + full + "': it is a character device, not a regular file");
        assertThat(Files.isRegularFile(full)).isFalse();
        assertThat(Files.exists(full)).isTrue();
    }

    @Test
    void shouldRefuseAMissingParentAndCreateNothing()
    {
        final Path target = dir.resolve("nonexistent/dir/x.fcs");
        assertThatThrownBy(() -> SafeOutput.writeString(target, "stream file", "x"))
            .isInstanceOf(FlowclashException.class)
            .hasMessageContaining("directory '" + dir.resolve("nonexistent/dir") + "' does not exist")
            .hasMessageContaining("No such file or directory");
        assertThat(dir.resolve("nonexistent")).doesNotExist();
    }

    @Test
    void shouldRefuseADirectoryAndAParentThatIsAFile() throws IOException
    {
        final Path sub = Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> SafeOutput.writeString(sub, "stream file", "x"))
            .hasMessage("cannot write stream file '" + sub + "': it is a directory, not a regular file");
        final Path file = Files.writeString(dir.resolve("plain"), "keep");
        assertThatThrownBy(() -> SafeOutput.writeString(file.resolve("x.fcs"), "stream file", "x"))
            .hasMessageContaining("is a regular file, not a directory (Not a directory)");
        assertThat(Files.readString(file)).isEqualTo("keep");
        assertThat(listing()).containsExactly(file, sub);
    }

    @Test
    void shouldRefuseAnEmptyPath()
    {
        assertThatThrownBy(() -> SafeOutput.writeString(Path.of(""), "stream file", "x"))
            .hasMessage("cannot write stream file '': empty path, expected a file name");
        assertThatThrownBy(() -> SafeOutput.ensureDirectory(Path.of(""), "pin directory"))
            .hasMessage("cannot use pin directory '': empty path, expected a directory name");
    }

    @Test
    void shouldRefuseLinksToSpecialFilesButFollowALinkToARegularFile() throws Exception
    {
        final Path fifo = mkfifo(dir.resolve("pipe"));
        final Path toFifo = Files.createSymbolicLink(dir.resolve("to-pipe"), fifo);
        assertThatThrownBy(() -> SafeOutput.writeString(toFifo, "stream file", "x"))
            .hasMessage("cannot write stream file '" + toFifo +
                "': it is a symbolic link to a FIFO (named pipe), not a regular file");
        final Path toDev = Files.createSymbolicLink(dir.resolve("to-full"),
            io.flowclash.cli.OutputPathCommandTest.devFull(dir));
        assertThatThrownBy(() -> SafeOutput.writeString(toDev, "stream file", "x"))
            .hasMessageContaining("symbolic link to a character device");
        final Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThatThrownBy(() -> SafeOutput.writeString(dangling, "stream file", "x"))
            .hasMessageContaining("symbolic link to a missing file");
        assertThat(dir.resolve("nowhere")).doesNotExist();

        final Path real = Files.writeString(dir.resolve("real.txt"), "old");
        final Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real);
        SafeOutput.writeString(link, "text", "new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("new");
    }

    @Test
    void shouldReplaceARegularFileAtomicallyKeepingItsMode() throws IOException
    {
        final Path target = Files.writeString(dir.resolve("out.json"), "old");
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        SafeOutput.writeString(target, "json file", "new content");
        assertThat(Files.readString(target)).isEqualTo("new content");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
            .isEqualTo("rw-rw----");
        final Path created = SafeOutput.writeString(dir.resolve("new.json"), "json file", "{}");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(created)))
            .isEqualTo("rw-r--r--");
        assertThat(listing()).containsExactly(created, target);
        assertThat(SafeOutput.registeredTemps()).isZero();
    }

    @Test
    void shouldRemoveTheTemporaryFileWhenTheWriterFailsAndKeepTheOldContent() throws IOException
    {
        final Path target = Files.writeString(dir.resolve("keep.fcs"), "old");
        final Path[] seen = new Path[1];
        assertThatThrownBy(() -> SafeOutput.writeFile(target, "stream file", channel ->
        {
            channel.write(java.nio.ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            try (Stream<Path> s = Files.list(dir))
            {
                seen[0] = s.filter(p -> p.getFileName().toString().endsWith(SafeOutput.TEMP_SUFFIX)).findFirst()
                    .orElseThrow();
            }
            throw new IOException("No space left on device");
        })).isInstanceOf(FlowclashException.class)
            .hasMessage("cannot write stream file '" + target + "': No space left on device");
        assertThat(seen[0].getFileName().toString()).startsWith(".keep.fcs.").endsWith(".flowclash-tmp");
        assertThat(seen[0]).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(listing()).containsExactly(target);
        assertThat(SafeOutput.registeredTemps()).isZero();

        assertThatThrownBy(() -> SafeOutput.writeFile(dir.resolve("boom"), "stream file", channel ->
        {
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(listing()).containsExactly(target);
    }

    @Test
    void shouldSayTheOsCauseWhenTheTemporaryFileCannotBeCreated()
    {
        assertThatThrownBy(() -> SafeOutput.writeString(Path.of("/proc/x.fcs"), "stream file", "x"))
            .isInstanceOf(FlowclashException.class)
            .hasMessageStartingWith("cannot write stream file '/proc/x.fcs': cannot create a temporary file in '/proc': ")
            .hasMessageEndingWith("No such file or directory");
    }

    @Test
    void shouldCheckAndMakeAPinDirectoryWithOneMkdir() throws Exception
    {
        final Path pins = SafeOutput.ensureDirectory(dir.resolve("pins"), "pin directory");
        assertThat(pins).isDirectory();
        assertThat(SafeOutput.ensureDirectory(pins, "pin directory")).isEqualTo(pins);
        final Path file = Files.writeString(dir.resolve("good.fcs"), "x");
        assertThatThrownBy(() -> SafeOutput.ensureDirectory(file, "pin directory"))
            .hasMessage("cannot use pin directory '" + file + "': it is a regular file, not a directory");
        assertThatThrownBy(() -> SafeOutput.ensureDirectory(dir.resolve("a/b"), "pin directory"))
            .hasMessageContaining("directory '" + dir.resolve("a") + "' does not exist");
        assertThat(dir.resolve("a")).doesNotExist();
        final Path full = io.flowclash.cli.OutputPathCommandTest.devFull(dir);
        assertThatThrownBy(() -> SafeOutput.ensureDirectory(full, "pin directory"))
            .hasMessage("cannot use pin directory '" + full + "': it is a character device, not a directory");
    }

    @Test
    void shouldWriteAFolderAtomicallyAndIntoAnExistingOne() throws IOException
    {
        final Path report = dir.resolve("report");
        SafeOutput.writeDirectory(report, "report directory", tmp ->
        {
            assertThat(tmp.getParent()).isEqualTo(dir);
            assertThat(report).doesNotExist();
            Files.writeString(tmp.resolve("index.html"), "one");
            Files.createDirectory(tmp.resolve("charts"));
            Files.writeString(tmp.resolve("charts/a.svg"), "svg");
        });
        assertThat(Files.readString(report.resolve("index.html"))).isEqualTo("one");
        Files.writeString(report.resolve("mine.txt"), "user's file");
        SafeOutput.writeDirectory(report, "report directory", tmp ->
        {
            Files.writeString(tmp.resolve("index.html"), "two");
            Files.createDirectory(tmp.resolve("charts"));
            Files.writeString(tmp.resolve("charts/b.svg"), "svg2");
        });
        assertThat(Files.readString(report.resolve("index.html"))).isEqualTo("two");
        assertThat(Files.readString(report.resolve("mine.txt"))).isEqualTo("user's file");
        assertThat(report.resolve("charts/a.svg")).exists();
        assertThat(report.resolve("charts/b.svg")).exists();
        assertThat(listing()).containsExactly(report);

        assertThatThrownBy(() -> SafeOutput.writeDirectory(dir.resolve("failed"), "report directory", tmp ->
        {
            Files.writeString(tmp.resolve("half.html"), "x");
            throw new IOException("No space left on device");
        })).hasMessage("cannot write report directory '" + dir.resolve("failed") + "': No space left on device");
        assertThat(listing()).containsExactly(report);
        assertThat(SafeOutput.registeredTemps()).isZero();
    }
}
