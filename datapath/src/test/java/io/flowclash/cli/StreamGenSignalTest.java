package io.flowclash.cli;

import io.flowclash.io.SafeOutput;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real command in a child JVM: {@code stream gen} of a large workload is sent SIGINT or SIGTERM while its
 * temporary file exists (seen in the folder before the signal); it must end by the signal with the folder empty:
 * no temporary file (on main it left a 640 MB {@code .x.fcs.NNN.tmp}) and no half-written target. The workload is the
 * issue's 640 MB one: saving it takes seconds, so the signal lands while saving even on an idle machine (with
 * 190 MB the save could finish first, and the child exited 0 before the signal).
 */
class StreamGenSignalTest
{
    @TempDir
    Path dir;

    private List<Path> listing() throws Exception
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void shouldLeaveNothingWhenKilledWhileSaving(final String signal) throws Exception
    {
        final Path out = dir.resolve("x.fcs");
        final Path log = Files.createTempFile("flowclash-signal-test", ".log");
        final Process child = ChildJvm.builder("1536m", FlowclashCommand.class.getName(), "stream", "gen", "--quiet", "--workload", "pairs-storm:sockets=5000000", "--out", out.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            Path temp = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (temp == null && child.isAlive() && System.nanoTime() < deadline)
            {
                for (final Path p : listing())
                {
                    if (p.getFileName().toString().startsWith(".x.fcs."))
                    {
                        temp = p;
                    }
                }
                Thread.onSpinWait();
            }
            assertThat(temp).as("the temporary file appeared while the child was saving; child said: %s",
                Files.readString(log)).isNotNull();
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
            assertThat(kill.waitFor()).isZero();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child ended").isTrue();
            assertThat(child.exitValue()).as("ended by SIG" + signal).isEqualTo(signal.equals("INT") ? 130 : 143);
            assertThat(listing()).as("nothing left after SIG" + signal).isEmpty();
            assertThat(temp.getFileName().toString()).as(".gitignore matches it").endsWith(SafeOutput.TEMP_SUFFIX);
        }
        finally
        {
            child.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
