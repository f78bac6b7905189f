package io.flowclash.cli;

/**
 * A minimal streaming JSON writer for the command's {@code --json} output (no dependency for a few objects).
 * Not for hot paths.
 */
final class Json
{
    private final StringBuilder sb = new StringBuilder(256);
    private boolean needComma;

    Json beginObject()
    {
        comma();
        sb.append('{');
        needComma = false;
        return this;
    }

    Json endObject()
    {
        sb.append('}');
        needComma = true;
        return this;
    }

    Json beginArray()
    {
        comma();
        sb.append('[');
        needComma = false;
        return this;
    }

    Json endArray()
    {
        sb.append(']');
        needComma = true;
        return this;
    }

    Json name(final String name)
    {
        comma();
        string(name);
        sb.append(':');
        needComma = false;
        return this;
    }

    Json value(final String value)
    {
        comma();
        if (value == null)
        {
            sb.append("null");
        }
        else
        {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json value(final long value)
    {
        comma();
        sb.append(value);
        needComma = true;
        return this;
    }

    Json value(final double value)
    {
        comma();
        if (Double.isFinite(value))
        {
            sb.append(value);
        }
        else
        {
            sb.append("null");
        }
        needComma = true;
        return this;
    }

    Json value(final boolean value)
    {
        comma();
        sb.append(value);
        needComma = true;
        return this;
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

    private void comma()
    {
        if (needComma)
        {
            sb.append(',');
        }
    }

    private void string(final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString()
    {
        return sb.toString();
    }
}
