package io.flowclash.datapath.stream;

import io.flowclash.datapath.FlowclashException;

import java.nio.file.Path;

/**
 * A stream file that cannot be used: truncated, corrupt, foreign or of a newer format. The message names the file,
 * the byte offset and what was expected there, in one line.
 */
public final class StreamFormatException extends FlowclashException
{
    private static final long serialVersionUID = 1L;

    private final long offset;

    /**
     * @param file   the file.
     * @param offset byte offset the problem was found at.
     * @param what   what was expected and what was found.
     */
    public StreamFormatException(final Path file, final long offset, final String what)
    {
        super("stream file '" + file + "': offset " + offset + ": " + what);
        this.offset = offset;
    }

    /** @return the byte offset the problem was found at. */
    public long offset()
    {
        return offset;
    }
}
