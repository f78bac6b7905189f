package io.flowclash.datapath.flow;

/**
 * IPv4 addresses as {@code int}s in host order ({@code 10.0.0.1 == 0x0A000001}), parsed and formatted without
 * a resolver: a string that is not a dotted quad is rejected, never looked up.
 */
public final class Ipv4
{
    private Ipv4()
    {
    }

    /**
     * Parse a dotted quad.
     *
     * @param text such as {@code 10.96.0.10}.
     * @return the address in host order.
     * @throws IllegalArgumentException naming the text when it is not a dotted quad of 0..255.
     */
    public static int parse(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected a.b.c.d)");
        }
        int address = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit))
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected a.b.c.d)");
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (octet " + octet + " > 255)");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /**
     * Format as a dotted quad.
     *
     * @param address in host order.
     * @return such as {@code 10.96.0.10}.
     */
    public static String format(final int address)
    {
        return appendTo(new StringBuilder(15), address).toString();
    }

    /**
     * Append the dotted quad to a builder.
     *
     * @param sb      to append to.
     * @param address in host order.
     * @return the builder.
     */
    public static StringBuilder appendTo(final StringBuilder sb, final int address)
    {
        return sb.append((address >>> 24) & 0xFF).append('.')
            .append((address >>> 16) & 0xFF).append('.')
            .append((address >>> 8) & 0xFF).append('.')
            .append(address & 0xFF);
    }
}
