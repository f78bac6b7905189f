package io.flowclash.datapath.resolver;

import io.flowclash.datapath.FlowclashException;

import java.util.Locale;

/**
 * The stub resolvers modelled: which C library's {@code getaddrinfo} sends the A and AAAA queries of a lookup.
 */
public enum ResolverKind
{
    /** glibc: {@code resolv/res_send.c} {@code __res_context_send} and {@code send_dg}. */
    GLIBC("glibc"),
    /** musl: {@code src/network/res_msend.c} {@code __res_msend_rc} and {@code lookup_name.c}. */
    MUSL("musl");

    private final String id;

    ResolverKind(final String id)
    {
        this.id = id;
    }

    /** @return the name used on the command line. */
    public String id()
    {
        return id;
    }

    /**
     * @param text {@code glibc} or {@code musl}.
     * @return the kind.
     * @throws FlowclashException for any other name.
     */
    public static ResolverKind parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        for (final ResolverKind k : values())
        {
            if (k.id.equals(t))
            {
                return k;
            }
        }
        throw new FlowclashException("unknown resolver '" + text + "' (known: glibc, musl)");
    }

    @Override
    public String toString()
    {
        return id;
    }
}
