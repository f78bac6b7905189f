package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.flowclash.cli.RunCommandTest.concat;
import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the real command: progress on stderr for long work when asked ({@code --progress}; a terminal is the
 * other case, which in-process tests are not), nothing on stderr otherwise or with {@code --quiet}, and stdout
 * the same either way.
 */
class ProgressCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFormatCountRateAndTimeLeft()
    {
        assertThat(Progress.line("design 2/9 nf-merge", "packets", 1_200_000, 2_000_000, 400_000_000L))
            .isEqualTo("design 2/9 nf-merge: 1,200,000/2,000,000 packets (60%), 3.0 M packets/s, 0:00 left");
        assertThat(Progress.line("saving x.fcs", "records", 10, 1000, 1_000_000_000L))
            .isEqualTo("saving x.fcs: 10/1,000 records (1%), 10 records/s, 1:39 left");
        assertThat(Progress.line("", "states", 5, 0, 1_000_000_000L)).isEqualTo("5 states, 5 states/s");
    }

    @Test
    void shouldEndEveryPhaseOfALogWithItsFinalCountHoweverShortItWas()
    {
        final java.io.StringWriter text = new java.io.StringWriter();
        final picocli.CommandLine cmd = new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create());
        cmd.setErr(new java.io.PrintWriter(text, true));
        final Progress.Options options = new Progress.Options();
        options.progress = true;
        try (Progress progress = Progress.start(cmd, options))
        {
            progress.phase("first", "things", 10, () -> 10);
            progress.phase("second", "things", 5, () -> 3);
            progress.close();
        }
        final java.util.List<String> lines = text.toString().lines().collect(java.util.stream.Collectors.toList());
        assertThat(lines.stream().filter(l -> l.startsWith("first: ")).reduce((a, b) -> b))
            .hasValueSatisfying(l -> assertThat(l).startsWith("first: 10/10 things (100%), "));
        assertThat(lines).last().asString().startsWith("second: 3/5 things (60%), ").doesNotContain("left");
        assertThat(lines.stream().filter(l -> l.startsWith("second: 3/5"))).as("closed twice, ended once").hasSize(1);
        assertThat(lines.indexOf(lines.stream().filter(l -> l.startsWith("second: ")).findFirst().orElseThrow()))
            .as("the first phase ends before the second is shown").isGreaterThan(lines.indexOf(
                lines.stream().filter(l -> l.startsWith("first: 10/10")).findFirst().orElseThrow()));
    }

    @Test
    void shouldReportDesignsAndPacketsOfARunOnlyWhenAsked()
    {
        final String[] base = {"run", "--design", "nf-drop,nf-merge", "-w", "dns-pairs:sockets=40000",
            "--race", "always"};
        final StreamCommandTest.Result quiet = run(base);
        assertThat(quiet.status()).as(quiet.err()).isZero();
        assertThat(quiet.err()).as("stderr is not a terminal: no progress").isEmpty();
        final String[] withProgress = concat(base, new String[] {"--progress"});
        final StreamCommandTest.Result shown = run(concat(withProgress, new String[] {"--jobs", "2"}));
        assertThat(shown.status()).as(shown.err()).isZero();
        assertThat(shown.err().lines()).isNotEmpty()
            .allMatch(l -> l.matches("2 designs, 2 at a time: [\\d,]+/160,000 packets \\(\\d+%\\), .+ packets/s.*"));
        final StreamCommandTest.Result single = run(concat(withProgress, new String[] {"--jobs", "1"}));
        assertThat(single.status()).as(single.err()).isZero();
        assertThat(single.err().lines()).isNotEmpty()
            .allMatch(l -> l.matches(
                "design [12]/2 nf-(drop|merge): [\\d,]+/80,000 packets \\(\\d+%\\), .+ packets/s.*"));
        assertThat(shown.out().substring(shown.out().indexOf("conntrack -S")))
            .isEqualTo(quiet.out().substring(quiet.out().indexOf("conntrack -S")));
        assertThat(run(concat(withProgress, new String[] {"--quiet"})).status()).isEqualTo(2);
    }

    @Test
    void shouldReportStatesOfAnExplorationAndRecordsOfAGeneration()
    {
        final StreamCommandTest.Result explore = run("explore", "-d", "nf-drop", "-k", "3", "-b", "2", "--progress");
        assertThat(explore.status()).as(explore.err()).isZero();
        assertThat(explore.err().lines()).isNotEmpty()
            .allMatch(l -> l.startsWith("explore nf-drop -k 3 -b 2 (estimated 10,368 states): ") &&
                l.contains("/10,368 states ("));
        final StreamCommandTest.Result gen = run("stream", "gen", "-w", "pairs-storm:sockets=300000", "--out",
            dir.resolve("s.fcs").toString(), "--progress");
        assertThat(gen.status()).as(gen.err()).isZero();
        assertThat(gen.err().lines()).isNotEmpty()
            .allMatch(l -> l.matches("(generating|saving) s\\.fcs: [\\d,]+/600,000 records .*"));
        final StreamCommandTest.Result quiet = run("stream", "gen", "-w", "pairs-storm:sockets=1000", "--out",
            dir.resolve("q.fcs").toString(), "--quiet");
        assertThat(quiet.status()).isZero();
        assertThat(quiet.err()).isEmpty();
    }
}
