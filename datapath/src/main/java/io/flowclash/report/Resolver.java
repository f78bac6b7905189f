package io.flowclash.report;

import java.util.List;

/**
 * A resolver as the scenario runs it: the model ({@code --resolver glibc|musl}) and its resolv.conf options
 * ({@code --resolv-options}).
 *
 * @param id       short id used in scenario ids.
 * @param label    for people.
 * @param kind     the {@code --resolver} value.
 * @param options  the {@code --resolv-options} value, or null for none (timeout:5 attempts:2).
 */
public record Resolver(String id, String label, String kind, String options)
{
    /** glibc, default options: A and AAAA at once on one socket. */
    public static final Resolver GLIBC = new Resolver("glibc", "glibc", "glibc", null);
    /** glibc with single-request: A, then AAAA after its answer. */
    public static final Resolver GLIBC_SINGLE_REQUEST =
        new Resolver("glibc-sr", "glibc single-request", "glibc", "single-request");
    /** glibc with single-request-reopen: a new socket for the second query after a timeout. */
    public static final Resolver GLIBC_SINGLE_REQUEST_REOPEN =
        new Resolver("glibc-srr", "glibc single-request-reopen", "glibc", "single-request-reopen");
    /** musl: every query in parallel, retried every timeout/attempts. */
    public static final Resolver MUSL = new Resolver("musl", "musl", "musl", null);

    /** @return every resolver, glibc default first. */
    public static List<Resolver> all()
    {
        return List.of(GLIBC, GLIBC_SINGLE_REQUEST, GLIBC_SINGLE_REQUEST_REOPEN, MUSL);
    }
}
