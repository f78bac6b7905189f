package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.cli.CompareCommand;
import io.flowclash.datapath.FlowclashException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The report folder: every file there, the JSON parses, every figure the Markdown and HTML show is one of the
 * JSON's, the HTML stands alone, an earlier report is replaced whole, and a failure leaves nothing.
 */
class ReportWriterTest
{
    private static ObjectNode doc;
    private static final List<ReportWriter.Hlog> HLOGS = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void build()
    {
        System.setProperty("java.awt.headless", "true");
        final List<Scenario> scenarios = new ArrayList<>();
        for (final Scenario s : ScenarioMatrix.build(List.of(Resolver.GLIBC, Resolver.MUSL),
            List.of("always", "p=0.3"), "dns-lookups:clients=50,lookups=3"))
        {
            scenarios.add(s.withLatencyLog());
        }
        doc = ComparisonResults.build("test", scenarios, CompareCommand.runner(),
            ComparisonResults.readInputs(List.of(ReportFixtures.jmhFile()), List.of()),
            done -> { }, HLOGS);
    }

    private JsonNode write(final Path out) throws IOException
    {
        final Path lab = Files.writeString(dir.resolve("lab.json"), ReportFixtures.LAB_JSON);
        final Path table = Files.writeString(dir.resolve("table.json"), ReportFixtures.LAB_TABLE_JSON);
        final ObjectNode d = doc.deepCopy();
        d.set("kernelLab", ComparisonResults.readInputs(List.of(), List.of(lab, table)).get("kernelLab"));
        return ReportWriter.write(d, HLOGS, out);
    }

    @Test
    void shouldWriteEveryPartAndRenderOnlyFiguresOfTheJson() throws IOException
    {
        final Path out = dir.resolve("report");
        final JsonNode written = write(out);
        for (final String f : List.of("index.html", "report.md", "results.json"))
        {
            assertThat(out.resolve(f)).isRegularFile();
        }
        assertThat(out.resolve("hlog")).isDirectory();
        assertThat(written.get("hlogs").size()).isEqualTo(HLOGS.size())
            .isEqualTo(2 * 2 * 9 * io.flowclash.datapath.design.Designs.all().size());
        for (final JsonNode h : written.get("hlogs"))
        {
            assertThat(Files.readString(out.resolve(h.asText()))).contains("#[StartTime: ");
        }
        final JsonNode parsed = ComparisonResults.mapper().readTree(out.resolve("results.json").toFile());
        assertThat(parsed).isEqualTo(written);
        assertThat(parsed.get("schema").asText()).isEqualTo(ComparisonResults.SCHEMA);
        assertThat(parsed.get("machine").get("cpus").asInt()).isPositive();
        assertThat(chartIds(parsed)).containsExactlyInAnyOrderElementsOf(expectedCharts(parsed));
        assertThat(parsed.get("kernelLab").get(1).get("runs").size()).isEqualTo(2);
        for (final JsonNode c : parsed.get("charts"))
        {
            assertThat(out.resolve(c.get("svg").asText())).isNotEmptyFile();
            assertThat(out.resolve(c.get("png").asText())).isNotEmptyFile();
            assertThat(c.get("caption").asText()).isNotBlank().doesNotContain("\n");
        }

        final List<Double> numbers = new ArrayList<>();
        final List<String> strings = new ArrayList<>();
        leaves(parsed, numbers, strings);
        final String md = Files.readString(out.resolve("report.md"));
        final String html = Files.readString(out.resolve("index.html"));
        final String htmlText = html.replaceAll("(?s)<svg.*?</svg>", " ").replaceAll("(?s)<style>.*?</style>", " ")
            .replaceAll("<h[1-6]>|</h[1-6]>", " ").replaceAll("<[^>]+>", " ").replace("&quot;", "\"")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        assertFiguresFrom(md, numbers, strings, "report.md");
        assertFiguresFrom(htmlText, numbers, strings, "index.html");
        // the same tables in both
        assertThat(count(md, "\n| `")).isPositive().isEqualTo(count(html.replace("<td class=\"t\">", "<td>"),
            "<tr><td><code>"));
    }

    @Test
    void shouldStandAloneWithoutScriptOrAnythingFromAHost() throws IOException
    {
        final Path out = dir.resolve("report");
        write(out);
        final String html = Files.readString(out.resolve("index.html"));
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
            .doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase("@import")
            .doesNotContainIgnoringCase("@font-face").doesNotContain("src=").doesNotContain("url(http");
        // the only host names are SVG's namespace names, which nothing fetches
        final Matcher m = Pattern.compile("https?://[^\"' )]+").matcher(html);
        while (m.find())
        {
            assertThat(m.group()).isIn("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink");
        }
        assertThat(count(html, "<svg")).isEqualTo(ComparisonResults.mapper()
            .readTree(out.resolve("results.json").toFile()).get("charts").size());
        assertThat(html).contains("@media print");
    }

    @Test
    void shouldReplaceAnEarlierReportWhole() throws IOException
    {
        final Path out = dir.resolve("report");
        write(out);
        Files.writeString(out.resolve("charts").resolve("stale.svg"), "<svg/>");
        final JsonNode second = write(out);
        assertThat(out.resolve("charts").resolve("stale.svg")).doesNotExist();
        assertThat(ComparisonResults.mapper().readTree(out.resolve("results.json").toFile())).isEqualTo(second);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void shouldLeaveNothingWhenRenderingFails() throws IOException
    {
        final Path out = dir.resolve("report");
        final ObjectNode broken = doc.deepCopy();
        broken.remove("verdicts");
        assertThatThrownBy(() -> ReportWriter.write(broken, List.of(), out)).isInstanceOf(RuntimeException.class);
        assertThat(out).doesNotExist();
        assertThat(leftovers()).isEmpty();

        // and an earlier report stays as it was
        write(out);
        final String before = Files.readString(out.resolve("results.json"));
        assertThatThrownBy(() -> ReportWriter.write(broken, List.of(), out)).isInstanceOf(RuntimeException.class);
        assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void shouldNotTouchADirectoryThatIsNotAReport() throws IOException
    {
        final Path out = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(out.resolve("results.json"), "{\"schema\":\"something-else\"}");
        assertThatThrownBy(() -> ReportWriter.write(doc.deepCopy(), List.of(), out))
            .isInstanceOf(FlowclashException.class).hasMessageContaining("not touching it");
        assertThat(Files.readString(out.resolve("results.json"))).isEqualTo("{\"schema\":\"something-else\"}");
    }

    private static List<String> chartIds(final JsonNode doc)
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode c : doc.get("charts"))
        {
            ids.add(c.get("id").asText());
        }
        return ids;
    }

    /**
     * The charts the report promises, from what the document holds: per family, a latency percentile plot when every
     * pair races ({@code race always}; every scenario here keeps its latency logs) and a slow-lookup chart when
     * every pair races or the resolver is glibc's default; one drops and hidden entries chart; a throughput chart per
     * JMH file with {@code DatapathBenchmark} rows; a kernel vs model chart per kernel-lab file.
     */
    private static List<String> expectedCharts(final JsonNode doc)
    {
        final Map<String, JsonNode> families = new java.util.LinkedHashMap<>();
        for (final JsonNode s : doc.get("scenarios"))
        {
            families.putIfAbsent(s.get("family").asText(), s);
        }
        final List<String> ids = new ArrayList<>();
        for (final Map.Entry<String, JsonNode> f : families.entrySet())
        {
            final boolean always = f.getValue().get("race").asText().equals("always");
            if (always)
            {
                ids.add("latency-" + ReportCharts.slug(f.getKey()));
            }
            if (always || f.getValue().get("resolver").asText().equals(Resolver.GLIBC.id()))
            {
                ids.add("slow-lookups-" + ReportCharts.slug(f.getKey()));
            }
        }
        ids.add("drops-hidden");
        for (int i = 0; i < doc.get("jmh").size(); i++)
        {
            boolean datapath = false;
            for (final JsonNode b : doc.get("jmh").get(i).get("benchmarks"))
            {
                datapath |= b.get("benchmark").asText().startsWith(Throughput.DATAPATH + ".");
            }
            if (datapath)
            {
                ids.add("throughput-" + i);
            }
        }
        for (int i = 0; i < doc.get("kernelLab").size(); i++)
        {
            ids.add("kernel-vs-model-" + i);
        }
        // the families of this matrix: always and p=0.3 for glibc and musl
        assertThat(families).hasSize(4);
        return ids;
    }

    private List<String> leftovers() throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".report")).toList();
        }
    }

    private static int count(final String s, final String what)
    {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1))
        {
            n++;
        }
        return n;
    }

    private static void leaves(final JsonNode n, final List<Double> numbers, final List<String> strings)
    {
        if (n.isNumber())
        {
            numbers.add(n.asDouble());
        }
        else if (n.isTextual())
        {
            strings.add(n.asText());
        }
        else if (n.isContainerNode())
        {
            for (final Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); )
            {
                final Map.Entry<String, JsonNode> e = it.next();
                strings.add(e.getKey());
                leaves(e.getValue(), numbers, strings);
            }
            if (n.isArray())
            {
                for (final JsonNode c : n)
                {
                    leaves(c, numbers, strings);
                }
            }
        }
    }

    /**
     * Every number shown is a number of the JSON: take out the JSON's strings that hold digits (ids, versions,
     * commands, captions), longest first; every number token left must be one of the JSON's numbers.
     */
    private static void assertFiguresFrom(final String text, final List<Double> numbers, final List<String> strings,
        final String what)
    {
        String rest = text;
        final List<String> withDigits = new ArrayList<>();
        for (final String s : strings)
        {
            if (s.matches("(?s).*[0-9].*"))
            {
                withDigits.add(s);
            }
        }
        withDigits.sort((a, b) -> b.length() - a.length());
        for (final String s : withDigits)
        {
            rest = rest.replace(s, " ");
        }
        final Matcher m = Pattern.compile("-?[0-9]+(\\.[0-9]+)?").matcher(rest);
        int checked = 0;
        while (m.find())
        {
            final double v = Double.parseDouble(m.group());
            assertThat(numbers.stream().anyMatch(x -> Math.abs(x - v) < 1e-9))
                .as("%s shows %s (at ...%s...), which is not a figure of results.json", what, m.group(),
                    rest.substring(Math.max(0, m.start() - 60), Math.min(rest.length(), m.end() + 20)))
                .isTrue();
            checked++;
        }
        assertThat(checked).as("figures checked in %s", what).isGreaterThan(100);
    }
}
