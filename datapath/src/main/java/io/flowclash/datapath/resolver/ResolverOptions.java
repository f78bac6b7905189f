package io.flowclash.datapath.resolver;

import io.flowclash.datapath.FlowclashException;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code options} line of {@code resolv.conf} as one resolver reads it, after the library's own clamping:
 * glibc ({@code resolv/res_init.c}, {@code res_setoptions}) caps {@code timeout:} at {@code RES_MAXRETRANS} 30 and
 * {@code attempts:} at {@code RES_MAXRETRY} 5; musl ({@code src/network/resolvconf.c}) caps {@code timeout:} at
 * 30 and {@code attempts:} at 10. Defaults: timeout 5 s ({@code RES_TIMEOUT}), attempts 2 ({@code RES_DFLRETRY});
 * musl uses the same numbers. {@code single-request} ({@code RES_SNGLKUP}) and {@code single-request-reopen}
 * ({@code RES_SNGLKUPREOP}) are glibc options: musl parses only {@code ndots:}, {@code attempts:} and
 * {@code timeout:}, so giving one to musl is refused here rather than silently ignored.
 *
 * <p>Values the libraries would accept but that make no sense as a measurement are refused: a timeout below 1 s
 * (glibc's {@code send_dg} would raise 0 to 1 s, musl would send nothing at all) and fewer than 1 attempt.
 */
public final class ResolverOptions
{
    /** Options a user may give, for help and errors. */
    public static final String KNOWN = "single-request, single-request-reopen, timeout:N, attempts:N";
    /** glibc {@code RES_MAXRETRANS}. */
    public static final int GLIBC_MAX_TIMEOUT = 30;
    /** glibc {@code RES_MAXRETRY}. */
    public static final int GLIBC_MAX_ATTEMPTS = 5;
    /** musl: {@code x < 30 ? x*1000 : 30000}. */
    public static final int MUSL_MAX_TIMEOUT = 30;
    /** musl: {@code x < 10 ? x : 10}. */
    public static final int MUSL_MAX_ATTEMPTS = 10;

    private final ResolverKind kind;
    private final int timeoutSeconds;
    private final int attempts;
    private final boolean singleRequest;
    private final boolean singleRequestReopen;

    private ResolverOptions(final ResolverKind kind, final int timeoutSeconds, final int attempts,
        final boolean singleRequest, final boolean singleRequestReopen)
    {
        this.kind = kind;
        this.timeoutSeconds = timeoutSeconds;
        this.attempts = attempts;
        this.singleRequest = singleRequest;
        this.singleRequestReopen = singleRequestReopen;
    }

    /**
     * @param kind the resolver.
     * @return its defaults (no options line).
     */
    public static ResolverOptions defaults(final ResolverKind kind)
    {
        return new ResolverOptions(kind, 5, 2, false, false);
    }

    /**
     * @param kind    the resolver.
     * @param options option words separated by commas, plus signs or spaces, e.g. {@code single-request,timeout:2}; null or
     *                empty for none.
     * @return the options as the resolver would use them.
     * @throws FlowclashException naming the bad option.
     */
    public static ResolverOptions parse(final ResolverKind kind, final String options)
    {
        int timeout = 5;
        int attempts = 2;
        boolean single = false;
        boolean reopen = false;
        if (options != null)
        {
            for (final String raw : options.trim().split("[,+\\s]+"))
            {
                final String word = raw.trim();
                if (word.isEmpty())
                {
                    continue;
                }
                if (word.equals("single-request") || word.equals("single-request-reopen"))
                {
                    if (kind == ResolverKind.MUSL)
                    {
                        throw new FlowclashException("resolver option: musl does not support '" + word +
                            "' (musl reads only ndots:, attempts: and timeout: from resolv.conf options)");
                    }
                    if (word.equals("single-request"))
                    {
                        single = true;
                    }
                    else
                    {
                        reopen = true;
                    }
                }
                else if (word.startsWith("timeout:"))
                {
                    final int n = number(word, "timeout:");
                    timeout = Math.min(n, kind == ResolverKind.GLIBC ? GLIBC_MAX_TIMEOUT : MUSL_MAX_TIMEOUT);
                }
                else if (word.startsWith("attempts:"))
                {
                    final int n = number(word, "attempts:");
                    attempts = Math.min(n, kind == ResolverKind.GLIBC ? GLIBC_MAX_ATTEMPTS : MUSL_MAX_ATTEMPTS);
                }
                else
                {
                    throw new FlowclashException("resolver options: unknown option '" + word + "' (known: " +
                        KNOWN + ")");
                }
            }
        }
        return new ResolverOptions(kind, timeout, attempts, single, reopen);
    }

    private static int number(final String word, final String prefix)
    {
        final String digits = word.substring(prefix.length());
        final long n;
        try
        {
            n = Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new FlowclashException("resolver option '" + word + "': '" + digits + "' is not a whole number");
        }
        if (n < 1)
        {
            throw new FlowclashException("resolver option '" + word + "': must be at least 1");
        }
        return (int)Math.min(n, Integer.MAX_VALUE);
    }

    /** @return the resolver. */
    public ResolverKind kind()
    {
        return kind;
    }

    /** @return per-try timeout (glibc {@code retrans}) or whole-lookup budget (musl), seconds. */
    public int timeoutSeconds()
    {
        return timeoutSeconds;
    }

    /** @return glibc {@code retry} (tries), or musl {@code attempts} (sends per budget). */
    public int attempts()
    {
        return attempts;
    }

    /** @return {@code single-request} given. */
    public boolean singleRequest()
    {
        return singleRequest;
    }

    /** @return {@code single-request-reopen} given. */
    public boolean singleRequestReopen()
    {
        return singleRequestReopen;
    }

    /** @return the options line that gives these values, e.g. {@code timeout:5 attempts:2 single-request}. */
    public String optionsLine()
    {
        final List<String> words = new ArrayList<>();
        words.add("timeout:" + timeoutSeconds);
        words.add("attempts:" + attempts);
        if (singleRequest)
        {
            words.add("single-request");
        }
        if (singleRequestReopen)
        {
            words.add("single-request-reopen");
        }
        return String.join(" ", words);
    }

    @Override
    public String toString()
    {
        return kind + " (" + optionsLine() + ")";
    }
}
