package io.flowclash.datapath.resolver;

/**
 * How one {@code getaddrinfo} call ended. Every lookup ends in exactly one.
 */
public enum LookupOutcome
{
    /** Both the A and the AAAA answer arrived. */
    ANSWERED("answered"),
    /**
     * glibc only: {@code send_dg} gave up waiting for the second answer after both fallbacks and returned the
     * first alone ({@code *resplen2 = 1}): {@code getaddrinfo} succeeds with one family's addresses.
     */
    PARTIAL("partial"),
    /**
     * No usable answer: glibc ran out of tries with no answer; musl ran out of its budget with any query
     * unanswered ({@code name_from_dns} returns {@code EAI_AGAIN} if any answer is missing).
     */
    FAILED("failed");

    private final String label;

    LookupOutcome(final String label)
    {
        this.label = label;
    }

    /** @return the name used in output. */
    public String label()
    {
        return label;
    }
}
