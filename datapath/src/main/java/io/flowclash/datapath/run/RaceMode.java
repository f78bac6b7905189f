package io.flowclash.datapath.run;

import io.flowclash.datapath.FlowclashException;

/**
 * How packets sent at the same instant (one batch) meet the datapath.
 * <ul>
 *     <li>{@code real}: each goes to its own worker thread, all released at the same moment: the race is real and
 *     its outcome depends on the machine.</li>
 *     <li>{@code always}: interleaved step by step on one thread (each packet's lookup before any confirm): the
 *     race always happens (race 1), reproducibly.</li>
 *     <li>{@code never}: one after the other: the race never happens.</li>
 *     <li>{@code p=X}: per batch, {@code always} with probability X (seeded), else {@code never}.</li>
 * </ul>
 */
public final class RaceMode
{
    /** Kind of mode. */
    public enum Kind
    {
        /** Threads released together. */
        REAL,
        /** Always interleaved. */
        ALWAYS,
        /** Never interleaved. */
        NEVER,
        /** Interleaved with probability p. */
        PROBABILITY
    }

    private final Kind kind;
    private final double probability;

    private RaceMode(final Kind kind, final double probability)
    {
        this.kind = kind;
        this.probability = probability;
    }

    /**
     * @param text {@code real}, {@code always}, {@code never} or {@code p=X} with 0 <= X <= 1.
     * @return the mode.
     */
    public static RaceMode parse(final String text)
    {
        switch (text)
        {
            case "real":
                return new RaceMode(Kind.REAL, 0);
            case "always":
                return new RaceMode(Kind.ALWAYS, 1);
            case "never":
                return new RaceMode(Kind.NEVER, 0);
            default:
                if (text.startsWith("p="))
                {
                    try
                    {
                        final double p = Double.parseDouble(text.substring(2));
                        if (p >= 0 && p <= 1)
                        {
                            return new RaceMode(Kind.PROBABILITY, p);
                        }
                    }
                    catch (final NumberFormatException ignore)
                    {
                        // fall through to the error
                    }
                }
                throw new FlowclashException("race mode '" + text + "' is not real, always, never or p=X (0 <= X <= 1)");
        }
    }

    /** @return the kind. */
    public Kind kind()
    {
        return kind;
    }

    /** @return the interleaving probability (PROBABILITY kind). */
    public double probability()
    {
        return probability;
    }

    @Override
    public String toString()
    {
        return kind == Kind.PROBABILITY ? "p=" + probability : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
