package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.datapath.FlowclashException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the report folder: everything goes into a fresh temporary directory beside the target, which is renamed
 * onto the target only once complete, so that a failure (or a signal) never leaves a half-written report. The target
 * must be a new path in an existing directory, an empty directory, or an earlier report (a directory whose
 * {@code results.json} carries {@link ComparisonResults#SCHEMA}); anything else is refused, untouched.
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
     * Renders and writes the whole report, then puts it in place of the target.
     *
     * @param doc    the results document (from {@link ComparisonResults#build}); its {@code charts} are added here.
     * @param hlogs  histogram logs to copy into {@code hlog/} (name -> content), may be empty.
     * @param target the {@code --out} directory.
     * @return the parsed {@code results.json} as written.
     */
    public static JsonNode write(final ObjectNode doc, final List<Hlog> hlogs, final Path target)
    {
        checkTarget(target);
        final Path abs = target.toAbsolutePath().normalize();
        final Path parent = abs.getParent();
        final Path tmp;
        try
        {
            tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("--out " + target + ": cannot create a directory in " + parent + " (" +
                ex.getMessage() + ")");
        }
        final Thread cleanup = new Thread(() -> deleteQuietly(tmp), "report-tmp-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean done = false;
        try
        {
            final JsonNode written = writeInto(doc, hlogs, tmp);
            replace(tmp, abs, target);
            done = true;
            return written;
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("--out " + target + ": " + ex.getMessage());
        }
        finally
        {
            if (!done)
            {
                deleteQuietly(tmp);
            }
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook runs and deletes what is left
            }
        }
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

    private static void replace(final Path tmp, final Path abs, final Path target) throws IOException
    {
        Path old = null;
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS))
        {
            checkTarget(target);
            old = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".old-");
            Files.delete(old);
            move(abs, old);
        }
        try
        {
            move(tmp, abs);
        }
        catch (final IOException ex)
        {
            if (old != null)
            {
                move(old, abs);
            }
            throw ex;
        }
        if (old != null)
        {
            deleteQuietly(old);
        }
    }

    private static void move(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(from, to);
        }
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

    static void deleteQuietly(final Path dir)
    {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ignore)
                {
                    // best effort: a leftover temp directory is named .NAME.tmp-* beside the target
                }
            });
        }
        catch (final IOException | UncheckedIOException ignore)
        {
            // best effort, as above
        }
    }
}
