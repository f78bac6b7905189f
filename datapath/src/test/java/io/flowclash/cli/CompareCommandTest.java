package io.flowclash.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.report.ComparisonResults;
import io.flowclash.report.ReportWriter;
import io.flowclash.report.Resolver;
import io.flowclash.report.Scenario;
import io.flowclash.report.ScenarioMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flowclash compare}: the matrix's figures are those of single {@code flowclash run} invocations; bad input
 * files and bad {@code --out} targets give one line, exit 2, and leave nothing behind.
 */
class CompareCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveTheFiguresOfSingleRunsOfEachDesign() throws IOException
    {
        final List<Scenario> scenarios = new ArrayList<>();
        for (final Scenario s : ScenarioMatrix.build(List.of(Resolver.GLIBC, Resolver.MUSL), List.of("always", "p=0.2"),
            "dns-lookups:clients=60,lookups=3"))
        {
            if (s.backends() != 3)
            {
                scenarios.add(s.withLatencyLog());
            }
        }
        scenarios.addAll(ScenarioMatrix.build(List.of(Resolver.GLIBC_SINGLE_REQUEST_REOPEN), List.of("always"),
            "dns-lookups:clients=60,lookups=3").subList(0, 2));
        final int logged = scenarios.size() - 2;
        final List<ReportWriter.Hlog> hlogs = new ArrayList<>();
        final ObjectNode doc = ComparisonResults.build("test", scenarios, CompareCommand.runner(),
            ComparisonResults.readInputs(List.of(), List.of()), done -> { }, hlogs);
        assertThat(doc.get("scenarios").size()).isEqualTo(scenarios.size());
        long dropped = 0;
        long slow = 0;
        int compared = 0;
        for (int i = 0; i < scenarios.size(); i++)
        {
            final Scenario s = scenarios.get(i);
            final JsonNode row = doc.get("scenarios").get(i);
            assertThat(row.get("id").asText()).isEqualTo(s.id());
            assertThat(row.get("results").size()).as(s.id()).isEqualTo(io.flowclash.datapath.design.Designs.all().size());
            for (final JsonNode matrix : row.get("results"))
            {
                final String design = matrix.get("design").asText();
                // the same scenario as its own run of this design alone
                final List<String> args = new ArrayList<>(s.runArgs());
                args.set(args.indexOf("--design") + 1, design);
                args.add(0, "run");
                args.add("--json");
                final StreamCommandTest.Result single = run(args.toArray(new String[0]));
                assertThat(single.status()).as(single.err()).isZero();
                final JsonNode alone = ComparisonResults.mapper().readTree(single.out()).get("results").get(0);
                final ObjectNode a = alone.deepCopy();
                final ObjectNode m = matrix.deepCopy();
                a.remove("wallNs");
                m.remove("wallNs");
                m.remove("report");
                assertThat(m).as("%s %s", s.id(), design).isEqualTo(a);
                final long total = alone.get("lookups").get("total").asLong();
                assertThat(total).isEqualTo(180);
                assertThat(matrix.get("report").get("slowLookups").asLong())
                    .isEqualTo(Math.round(alone.get("slowShare").asDouble() * total));
                // the latency log written beside it holds the same histogram as the run's figures (recorded to 3
                // significant digits)
                final JsonNode points = matrix.get("report").path("latencyPercentilesMs");
                assertThat(points.isArray()).as("latency points of %s", s.id()).isEqualTo(s.latencyLog());
                for (final JsonNode p : points)
                {
                    if (p.get("percentile").asDouble() == 50)
                    {
                        assertThat(p.get("ms").asDouble()).isEqualTo(significant(alone.get("latencyMs").get("p50")));
                    }
                    if (p.get("percentile").asDouble() == 99)
                    {
                        assertThat(p.get("ms").asDouble()).isEqualTo(significant(alone.get("latencyMs").get("p99")));
                    }
                }
                slow += matrix.get("report").get("slowLookups").asLong();
                dropped += matrix.get("dropped").asLong();
                compared++;
            }
        }
        assertThat(compared).isEqualTo(scenarios.size() * io.flowclash.datapath.design.Designs.all().size());
        assertThat(dropped).as("the matrix has drops to compare").isPositive();
        assertThat(slow).as("the matrix has slow lookups to compare").isPositive();
        assertThat(hlogs).hasSize(logged * io.flowclash.datapath.design.Designs.all().size());
    }

    private static double significant(final JsonNode ms)
    {
        return new java.math.BigDecimal(ms.asDouble()).round(new java.math.MathContext(3)).doubleValue();
    }

    @Test
    void shouldAccountForEveryPacketWhenRacesAreReal()
    {
        final List<Scenario> scenarios = ScenarioMatrix.build(List.of(Resolver.MUSL), List.of("real"),
            "dns-lookups:clients=30,lookups=2").subList(0, 2);
        final ObjectNode doc = ComparisonResults.build("test", scenarios, CompareCommand.runner(),
            ComparisonResults.readInputs(List.of(), List.of()), done -> { }, new ArrayList<>());
        for (final JsonNode s : doc.get("scenarios"))
        {
            for (final JsonNode r : s.get("results"))
            {
                assertThat(r.get("accepted").asLong() + r.get("dropped").asLong()).as(r.get("design").asText())
                    .isEqualTo(r.get("processed").asLong());
                assertThat(r.get("lookups").get("total").asLong()).isEqualTo(60);
            }
        }
    }

    @Test
    void shouldRefuseBadJmhFilesWithOneLineNamingFileAndField() throws IOException
    {
        final Path notJson = Files.writeString(dir.resolve("not.json"), "# Run complete. Total time: 00:01:02\n");
        final Path wrong = Files.writeString(dir.resolve("wrong.json"),
            "[{\"benchmark\":\"a.B.c\",\"mode\":\"thrpt\",\"primaryMetric\":" +
                "{\"score\":\"fast\",\"scoreUnit\":\"ops/us\"}}]");
        final Path unit = Files.writeString(dir.resolve("unit.json"),
            "[{\"benchmark\":\"a.B.c\",\"mode\":\"thrpt\",\"primaryMetric\":" +
                "{\"score\":1.5,\"scoreUnit\":\"furlongs\"}}]");
        final Path object = Files.writeString(dir.resolve("object.json"), "{\"benchmark\":\"a.B.c\"}");
        refused(List.of("--jmh", dir.resolve("missing.json").toString()), "missing.json", "no such file");
        refused(List.of("--jmh", dir.toString()), dir.toString(), "not a regular file");
        refused(List.of("--jmh", notJson.toString()), "not.json", "not JSON");
        refused(List.of("--jmh", wrong.toString()), "wrong.json", "[0].primaryMetric.score: expected a number");
        refused(List.of("--jmh", unit.toString()), "unit.json", "[0].primaryMetric.scoreUnit: unit 'furlongs'");
        refused(List.of("--jmh", object.toString()), "object.json", "expected an array");
    }

    @Test
    void shouldRefuseBadKernelLabFilesWithOneLineNamingFileAndField() throws IOException
    {
        final Path noReadings = Files.writeString(dir.resolve("lab1.json"),
            "{\"run\":\"fclab-1\",\"kernel\":\"6.1\",\"pairs\":10,\"backends\":2,\"model\":{}}");
        final Path negative = Files.writeString(dir.resolve("lab2.json"), io.flowclash.report.ReportFixtures
            .LAB_JSON.replace("\"entriesCount\":2209", "\"entriesCount\":-3"));
        final Path truncated = Files.writeString(dir.resolve("lab3.json"), "{\"run\":\"fclab-1\",");
        refused(List.of("--kernel-lab", noReadings.toString()), "lab1.json", "kernelReadings: missing");
        refused(List.of("--kernel-lab", negative.toString()), "lab2.json",
            "kernelReadings.entriesCount: expected a count");
        refused(List.of("--kernel-lab", truncated.toString()), "lab3.json", "not JSON");
        final Path table = Files.writeString(dir.resolve("lab4.json"), io.flowclash.report.ReportFixtures
            .LAB_TABLE_JSON.replace("\"stalled\":0,", ""));
        refused(List.of("--kernel-lab", table.toString()), "lab4.json", "scenarios[1].model.stalled: missing");
        // a good JMH file before a bad lab file: still nothing written
        refused(List.of("--jmh", io.flowclash.report.ReportFixtures.jmhFile().toString(), "--kernel-lab",
            noReadings.toString()), "lab1.json", "kernelReadings: missing");
    }

    @Test
    void shouldRefuseAnOutThatIsNotNewEmptyOrAReport() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("afile"), "keep me");
        final StreamCommandTest.Result r = run("compare", "--out", file.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).contains("afile").contains("not a directory").doesNotContain("\n");
        assertThat(Files.readString(file)).isEqualTo("keep me");

        final Path other = Files.createDirectory(dir.resolve("photos"));
        Files.writeString(other.resolve("cat.jpg"), "meow");
        final StreamCommandTest.Result r2 = run("compare", "--out", other.toString());
        assertThat(r2.status()).isEqualTo(2);
        assertThat(r2.err().trim()).contains("photos").contains("not touching it").doesNotContain("\n");
        assertThat(Files.readString(other.resolve("cat.jpg"))).isEqualTo("meow");
        try (Stream<Path> s = Files.list(other))
        {
            assertThat(s.count()).isEqualTo(1);
        }

        final StreamCommandTest.Result r3 = run("compare", "--out", dir.resolve("no/such/parent").toString());
        assertThat(r3.status()).isEqualTo(2);
        assertThat(r3.err().trim()).contains("does not exist");
    }

    @Test
    void shouldSayInItsHelpHowBigEachMatrixIs()
    {
        final StreamCommandTest.Result r = run("compare", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains(ScenarioMatrix.quick().size() + " scenarios")
            .contains(ScenarioMatrix.full().size() + " scenarios").contains("default: flowclash-report");
        // quick keeps the logs the latency charts draw: race always, no workaround, 2 backends, each resolver
        assertThat(ScenarioMatrix.quick().stream().filter(Scenario::latencyLog).map(Scenario::id))
            .containsExactly("glibc-always-b2-none", "glibc-sr-always-b2-none", "glibc-srr-always-b2-none",
                "musl-always-b2-none");
        assertThat(ScenarioMatrix.full()).allMatch(Scenario::latencyLog);
        // each line as written fits picocli's 80 columns, so that its wrapping never breaks a line mid-sentence
        final picocli.CommandLine.Model.UsageMessageSpec usage =
            new picocli.CommandLine(new CompareCommand()).getCommandSpec().usageMessage();
        final List<String> lines = new ArrayList<>(List.of(usage.description()));
        lines.addAll(List.of(usage.footer()));
        assertThat(lines).allSatisfy(l -> assertThat(l.replace("%n", "")).hasSizeLessThanOrEqualTo(80));
    }

    @Test
    void shouldRefuseQuickAndFullTogether()
    {
        final StreamCommandTest.Result r = run("compare", "--quick", "--full", "--out", dir.resolve("r").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("r"))).isFalse();
    }

    private void refused(final List<String> options, final String file, final String message) throws IOException
    {
        final Path out = dir.resolve("report");
        final List<String> args = new ArrayList<>(List.of("compare", "--out", out.toString()));
        args.addAll(options);
        final StreamCommandTest.Result r = run(args.toArray(new String[0]));
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(file).contains(message);
        assertThat(r.err().trim()).as("one line").doesNotContain("\n");
        assertThat(r.out()).isEmpty();
        assertThat(Files.exists(out)).as("no report folder").isFalse();
        try (Stream<Path> s = Files.list(dir))
        {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary folder left")
                .noneMatch(n -> n.startsWith(".report"));
        }
    }
}
