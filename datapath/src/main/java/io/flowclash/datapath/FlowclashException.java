package io.flowclash.datapath;

/**
 * A problem the user can fix (a bad file, an unknown id, a bad value, a missing privilege). The command prints
 * its message as one line and exits 2; it is never shown as a stack trace. The message must say what and where.
 */
public class FlowclashException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message one line: what is wrong and where. */
    public FlowclashException(final String message)
    {
        super(message);
    }

    /**
     * @param message one line: what is wrong and where.
     * @param cause   underlying failure.
     */
    public FlowclashException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
