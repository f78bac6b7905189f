package io.flowclash.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The command's {@code --json} output, written through Jackson's streaming generator (escaping and number forms
 * are Jackson's): one builder so that every command writes its fields the same way. A non-finite double is written
 * as {@code null}. Not for hot paths.
 */
final class Json
{
    private static final JsonFactory FACTORY = new JsonFactory();

    private final StringWriter out = new StringWriter(256);
    private final JsonGenerator g;

    Json()
    {
        try
        {
            g = FACTORY.createGenerator(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** An action on the generator. */
    @FunctionalInterface
    private interface Write
    {
        void on(JsonGenerator g) throws IOException;
    }

    private Json write(final Write w)
    {
        try
        {
            w.on(g);
        }
        catch (final IOException ex)
        {
            // a StringWriter does not fail: this is a misuse of the builder (a value where a name is due)
            throw new IllegalStateException("JSON output: " + ex.getMessage(), ex);
        }
        return this;
    }

    Json beginObject()
    {
        return write(JsonGenerator::writeStartObject);
    }

    Json endObject()
    {
        return write(JsonGenerator::writeEndObject);
    }

    Json beginArray()
    {
        return write(JsonGenerator::writeStartArray);
    }

    Json endArray()
    {
        return write(JsonGenerator::writeEndArray);
    }

    Json name(final String name)
    {
        return write(gen -> gen.writeFieldName(name));
    }

    Json value(final String value)
    {
        return write(gen ->
        {
            if (value == null)
            {
                gen.writeNull();
            }
            else
            {
                gen.writeString(value);
            }
        });
    }

    Json value(final long value)
    {
        return write(gen -> gen.writeNumber(value));
    }

    Json value(final double value)
    {
        return write(gen ->
        {
            if (Double.isFinite(value))
            {
                gen.writeNumber(value);
            }
            else
            {
                gen.writeNull();
            }
        });
    }

    Json value(final boolean value)
    {
        return write(gen -> gen.writeBoolean(value));
    }

    Json field(final String name, final String value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final long value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final double value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return write(JsonGenerator::flush).out.toString();
    }
}
