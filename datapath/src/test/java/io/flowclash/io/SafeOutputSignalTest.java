package io.flowclash.io;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real child JVM writing through {@link SafeOutput} is sent a real SIGINT or SIGTERM while its temporary file
 * and temporary folder exist: it must end with both removed and the targets never created.
 */
class SafeOutputSignalTest
{
    @TempDir
    Path dir;

    /**
     * The child: starts a file write and a folder write, says READY with their temporary paths, then blocks.
     *
     * @param args target file, target folder.
     */
    public static void main(final String[] args)
    {
        final Path file = Path.of(args[0]);
        final Path folder = Path.of(args[1]);
        final Thread folderWriter = new Thread(() -> SafeOutput.writeDirectory(folder, "report directory", tmp ->
        {
            Files.writeString(tmp.resolve("index.html"), "partial");
            System.out.println("FOLDER " + tmp);
            System.out.flush();
            block();
        }));
        folderWriter.setDaemon(true);
        folderWriter.start();
        SafeOutput.writeFile(file, "stream file", channel ->
        {
            channel.write(ByteBuffer.wrap(new byte[1 << 20]));
            while (!folderStarted(folder))
            {
                block(10);
            }
            System.out.println("READY");
            System.out.flush();
            block();
        });
    }

    private static boolean folderStarted(final Path folder)
    {
        try (Stream<Path> s = Files.list(folder.getParent()))
        {
            return s.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString().endsWith(SafeOutput.TEMP_SUFFIX));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void block()
    {
        block(Long.MAX_VALUE);
    }

    private static void block(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void shouldRemoveTemporaryFilesOnSignal(final String signal) throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        // env --default-signal=INT: a build run as a background job inherits SIGINT as ignored (see ChildJvm)
        final Process child = new ProcessBuilder("env", "--default-signal=INT", java, "-cp",
            System.getProperty("java.class.path"), SafeOutputSignalTest.class.getName(),
            dir.resolve("out.fcs").toString(), dir.resolve("report").toString())
            .redirectErrorStream(true).start();
        try
        {
            final BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
            String line;
            long temps = 0;
            while ((line = r.readLine()) != null && !line.equals("READY"))
            {
                assertThat(line).startsWith("FOLDER ");
            }
            assertThat(line).as("child output").isEqualTo("READY");
            try (Stream<Path> s = Files.list(dir))
            {
                temps = s.filter(p -> p.getFileName().toString().endsWith(SafeOutput.TEMP_SUFFIX)).count();
            }
            assertThat(temps).as("temporary file and folder exist before the signal").isEqualTo(2);

            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
            assertThat(kill.waitFor()).isZero();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child ended").isTrue();
            assertThat(child.exitValue()).isEqualTo(signal.equals("INT") ? 130 : 143);
            try (Stream<Path> s = Files.list(dir))
            {
                assertThat(s.toList()).as("nothing left after SIG" + signal).isEmpty();
            }
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}
