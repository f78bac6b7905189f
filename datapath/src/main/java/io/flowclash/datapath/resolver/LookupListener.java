package io.flowclash.datapath.resolver;

/**
 * Told when a lookup ends.
 */
public interface LookupListener
{
    /**
     * @param client  the client.
     * @param startNs when {@code getaddrinfo} was called, virtual ns.
     * @param endNs   when it returned, virtual ns.
     * @param outcome how it ended.
     */
    void lookupDone(int client, long startNs, long endNs, LookupOutcome outcome);
}
