package io.flowclash.datapath.resolver;

import org.HdrHistogram.Histogram;

/**
 * What the clients of one design saw: every lookup's duration (virtual ns) in an HdrHistogram, and how each ended.
 * Conservation: {@code total = answered + partial + failed}. Recording allocates nothing.
 */
public final class LookupStats implements LookupListener
{
    /** A lookup slower than this counts in {@link #slowShare()}: 1 s. */
    public static final long SLOW_NS = 1_000_000_000L;
    /** Longest duration tracked: one hour (glibc at its limits takes at most (5 + 2) x 30 s). */
    public static final long HIGHEST_NS = 3_600_000_000_000L;

    /** 4 significant digits: a 5.0004 s lookup reads 5000.6 ms, not 5003.8 ms as with 3 (about 3.8 MB). */
    private final Histogram histogram = new Histogram(1, HIGHEST_NS, 4);
    private long total;
    private long answered;
    private long partial;
    private long failed;
    private long slow;
    private long maxNs;
    private long firstStartNs = Long.MAX_VALUE;
    private long lastEndNs;

    @Override
    public void lookupDone(final int client, final long startNs, final long endNs, final LookupOutcome outcome)
    {
        final long d = endNs - startNs;
        histogram.recordValue(Math.max(1, Math.min(HIGHEST_NS, d)));
        total++;
        switch (outcome)
        {
            case ANSWERED:
                answered++;
                break;
            case PARTIAL:
                partial++;
                break;
            default:
                failed++;
                break;
        }
        if (d > SLOW_NS)
        {
            slow++;
        }
        maxNs = Math.max(maxNs, d);
        firstStartNs = Math.min(firstStartNs, startNs);
        lastEndNs = Math.max(lastEndNs, endNs);
    }

    /** @return lookups ended. */
    public long total()
    {
        return total;
    }

    /** @return lookups with both answers. */
    public long answered()
    {
        return answered;
    }

    /** @return glibc lookups that returned one family only. */
    public long partial()
    {
        return partial;
    }

    /** @return lookups with no usable answer. */
    public long failed()
    {
        return failed;
    }

    /** @return lookups over {@link #SLOW_NS}. */
    public long slow()
    {
        return slow;
    }

    /** @return share of lookups over 1 s (0 when there were none). */
    public double slowShare()
    {
        return total == 0 ? 0 : (double)slow / total;
    }

    /**
     * @param percentile 0..100.
     * @return the duration at it, ms (HdrHistogram's value: the top of its bucket, 4 significant digits).
     */
    public double percentileMs(final double percentile)
    {
        // the top of the bucket, but never above the exact maximum
        return total == 0 ? 0 : Math.min(histogram.getValueAtPercentile(percentile), maxNs) / 1e6;
    }

    /** @return the longest lookup, ms (exact, not rounded to the histogram's precision). */
    public double maxMs()
    {
        return maxNs / 1e6;
    }

    /** @return the longest lookup, ns. */
    public long maxNs()
    {
        return maxNs;
    }

    /**
     * @param lowNs  lower bound, inclusive.
     * @param highNs upper bound, inclusive.
     * @return lookups whose duration is in the range (to HdrHistogram's precision).
     */
    public long countBetween(final long lowNs, final long highNs)
    {
        return histogram.getCountBetweenValues(lowNs, highNs);
    }

    /** @return the histogram (durations in ns); the caller must not change it. */
    public Histogram histogram()
    {
        return histogram;
    }

    /** @return start of the first lookup, virtual ns. */
    public long firstStartNs()
    {
        return total == 0 ? 0 : firstStartNs;
    }

    /** @return end of the last lookup, virtual ns. */
    public long lastEndNs()
    {
        return lastEndNs;
    }
}
