package io.flowclash.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowclash.datapath.FlowclashException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a JSON file given on the command line, and checking its fields, with errors that name the option, the
 * file and the field ({@code --jmh a.json: [3].primaryMetric.score: expected a number, found "x"}).
 */
final class JsonInput
{
    private final String option;
    private final Path file;

    private JsonInput(final String option, final Path file)
    {
        this.option = option;
        this.file = file;
    }

    /**
     * @param option the option that named the file, for messages.
     * @param file   the file.
     * @param mapper the mapper.
     * @return the reader with the parsed document, {@link #root()}.
     * @throws FlowclashException if the file is missing, not a regular file, unreadable or not JSON.
     */
    static Parsed parse(final String option, final Path file, final ObjectMapper mapper)
    {
        final JsonInput in = new JsonInput(option, file);
        if (!Files.exists(file))
        {
            throw in.error("no such file");
        }
        if (!Files.isRegularFile(file))
        {
            throw in.error("not a regular file");
        }
        try
        {
            final JsonNode root = mapper.readTree(Files.readAllBytes(file));
            if (root == null || root.isMissingNode())
            {
                throw in.error("empty, not JSON");
            }
            return new Parsed(in, root);
        }
        catch (final NoSuchFileException ex)
        {
            throw in.error("no such file");
        }
        catch (final JsonProcessingException ex)
        {
            throw in.error("not JSON (" + ex.getOriginalMessage() + " at line " +
                (ex.getLocation() == null ? "?" : ex.getLocation().getLineNr()) + ")");
        }
        catch (final IOException ex)
        {
            throw in.error("cannot read (" + ex.getMessage() + ")");
        }
    }

    FlowclashException error(final String what)
    {
        return new FlowclashException(option + " " + file + ": " + what);
    }

    FlowclashException error(final String field, final String what)
    {
        return new FlowclashException(option + " " + file + ": " + field + ": " + what);
    }

    /** A parsed document and checked accessors on it. */
    static final class Parsed
    {
        private final JsonInput in;
        private final JsonNode root;

        Parsed(final JsonInput in, final JsonNode root)
        {
            this.in = in;
            this.root = root;
        }

        JsonNode root()
        {
            return root;
        }

        FlowclashException error(final String field, final String what)
        {
            return in.error(field, what);
        }

        JsonNode object(final JsonNode node, final String path)
        {
            if (node == null || node.isMissingNode() || node.isNull())
            {
                throw in.error(path, "missing");
            }
            if (!node.isObject())
            {
                throw in.error(path, "expected an object, found " + describe(node));
            }
            return node;
        }

        JsonNode array(final JsonNode node, final String path)
        {
            if (node == null || node.isMissingNode() || node.isNull())
            {
                throw in.error(path, "missing");
            }
            if (!node.isArray())
            {
                throw in.error(path, "expected an array, found " + describe(node));
            }
            return node;
        }

        String text(final JsonNode parent, final String path, final String name)
        {
            final JsonNode n = parent.get(name);
            if (n == null || n.isNull())
            {
                throw in.error(path + name, "missing");
            }
            if (!n.isTextual())
            {
                throw in.error(path + name, "expected a string, found " + describe(n));
            }
            return n.asText();
        }

        double number(final JsonNode parent, final String path, final String name)
        {
            final JsonNode n = parent.get(name);
            if (n == null || n.isNull())
            {
                throw in.error(path + name, "missing");
            }
            if (!n.isNumber() || !Double.isFinite(n.asDouble()))
            {
                throw in.error(path + name, "expected a number, found " + describe(n));
            }
            return n.asDouble();
        }

        long count(final JsonNode parent, final String path, final String name)
        {
            final JsonNode n = parent.get(name);
            if (n == null || n.isNull())
            {
                throw in.error(path + name, "missing");
            }
            if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0)
            {
                throw in.error(path + name, "expected a count (integer >= 0), found " + describe(n));
            }
            return n.asLong();
        }

        private static String describe(final JsonNode n)
        {
            final String s = n.toString();
            return s.length() > 40 ? s.substring(0, 37) + "..." : s;
        }
    }
}
