package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.io.SafeOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes the report folder through {@link SafeOutput}: everything goes into a temporary directory beside the target,
 * which is renamed into place only once complete, so that a failure (or a signal) never leaves a half-written
 * report. The target must be a new path in an existing directory, an empty directory, or an earlier report (a
 * directory whose {@code results.json} carries {@link ComparisonResults#SCHEMA}); anything else is refused,
 * untouched.
 */
public final class ReportWriter
{
    private ReportWriter()
    {
    }

    /**
     * Checks the target before any work is done.
     *
     * @param target the {@code --out} directory.
     * @throws FlowclashException (one line) when the target may not be written.
     */
    public static void checkTarget(final Path target)
    {
        final Path abs = target.toAbsolutePath().normalize();
        final Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent))
        {
            throw new FlowclashException("--out " + target + ": directory " + parent + " does not exist");
        }
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        if (Files.isSymbolicLink(abs) || !Files.isDirectory(abs))
        {
            throw new FlowclashException("--out " + target + ": exists and is not a directory; not touching it");
        }
        if (!isEmpty(abs) && !isReport(abs))
        {
            throw new FlowclashException("--out " + target + ": exists and is not an empty directory or an earlier " +
                "flowclash report (no results.json of " + ComparisonResults.SCHEMA + "); not touching it");
        }
    }

    /**
     * Renders and writes the whole report through {@link SafeOutput#writeDirectory} (a temporary folder beside the
     * target, renamed into place; removed on errors and on SIGINT/SIGTERM), then removes the charts and logs of an
     * earlier report in the same folder that the new one does not list.
     *
     * @param doc    the results document (from {@link ComparisonResults#build}); its {@code charts} are added here.
     * @param hlogs  histogram logs to write into {@code hlog/}, may be empty.
     * @param target the {@code --out} directory.
     * @return the parsed {@code results.json} as written.
     */
    public static JsonNode write(final ObjectNode doc, final List<Hlog> hlogs, final Path target)
    {
        checkTarget(target);
        final JsonNode[] written = new JsonNode[1];
        final Path dir = SafeOutput.writeDirectory(target, "report directory",
            tmp -> written[0] = writeInto(doc, hlogs, tmp));
        removeStale(dir, written[0]);
        return written[0];
    }

    /** Files in {@code charts/} and {@code hlog/} that the report just written does not name: an earlier run's. */
    private static void removeStale(final Path dir, final JsonNode written)
    {
        final Set<String> named = new HashSet<>();
        for (final JsonNode c : written.get("charts"))
        {
            named.add(c.get("svg").asText());
            named.add(c.get("png").asText());
        }
        for (final JsonNode h : written.get("hlogs"))
        {
            named.add(h.asText());
        }
        for (final String sub : List.of("charts", "hlog"))
        {
            try (Stream<Path> s = Files.list(dir.resolve(sub)))
            {
                for (final Path p : s.toList())
                {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) &&
                        !named.contains(sub + "/" + p.getFileName()))
                    {
                        Files.delete(p);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new FlowclashException("report directory '" + target(dir) + "': cannot remove an earlier " +
                    "report's " + sub + " file: " + SafeOutput.cause(ex), ex);
            }
        }
    }

    private static String target(final Path dir)
    {
        return dir.toString();
    }

    /** A histogram log of one scenario and design. @param name file name. @param content the log. */
    public record Hlog(String name, String content)
    {
    }

    static JsonNode writeInto(final ObjectNode doc, final List<Hlog> hlogs, final Path dir) throws IOException
    {
        final Path charts = Files.createDirectory(dir.resolve("charts"));
        final Path hlogDir = Files.createDirectory(dir.resolve("hlog"));
        final ArrayNode chartList = ReportCharts.draw(doc, charts);
        doc.set("charts", chartList);
        final ArrayNode hlogList = doc.putArray("hlogs");
        for (final Hlog h : hlogs)
        {
            Files.writeString(hlogDir.resolve(h.name()), h.content(), StandardCharsets.UTF_8);
            hlogList.add("hlog/" + h.name());
        }
        final byte[] json = ComparisonResults.mapper().writeValueAsBytes(doc);
        Files.write(dir.resolve("results.json"), json);
        // the pages are rendered from the file as written: every figure they show is one of the file's
        final JsonNode written = ComparisonResults.mapper().readTree(Files.readAllBytes(dir.resolve("results.json")));
        final List<ReportBlocks.Block> blocks = ReportBlocks.of(written);
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(blocks), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("index.html"), HtmlReport.render(blocks, dir), StandardCharsets.UTF_8);
        return written;
    }

    private static boolean isEmpty(final Path dir)
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean isReport(final Path dir)
    {
        final Path results = dir.resolve("results.json");
        if (!Files.isRegularFile(results, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        try
        {
            final JsonNode n = ComparisonResults.mapper().readTree(results.toFile());
            return n != null && ComparisonResults.SCHEMA.equals(n.path("schema").asText());
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
