package io.flowclash.datapath.resolver;

/**
 * What a resolver sees of the world in virtual time: it sends queries from a socket and asks to be woken at an
 * instant. The lookup driver implements it over a design (queries go through the datapath, replies come back
 * through it); unit tests implement it with a scripted network. Calls are made from the driver's single thread.
 */
public interface ResolverNetwork
{
    /**
     * Queries leaving one socket at one instant, in order: one {@code sendmmsg} (glibc) or one loop of
     * {@code sendto} (musl) is one batch. With both bits set the A query leaves first, then the AAAA query, as
     * glibc's {@code send_dg} (buf, then buf2) and musl's {@code name_from_dns} (A, then AAAA) order them.
     *
     * @param now     virtual time, ns.
     * @param client  the client (resolver state) sending.
     * @param cookie  the socket's cookie (a new one per socket).
     * @param hi      tuple high word, client to nameserver.
     * @param lo      tuple low word, client to nameserver.
     * @param queries {@link Resolver#A}, {@link Resolver#AAAA} or both.
     */
    void send(long now, int client, long cookie, long hi, long lo, int queries);

    /**
     * Wake the client's resolver at an instant ({@code poll} timing out). A later request does not cancel an
     * earlier one: the resolver ignores a token that is no longer its current one.
     *
     * @param at     virtual time, ns.
     * @param client the client.
     * @param token  passed back to {@link Resolver#timer}.
     */
    void timer(long at, int client, int token);
}
