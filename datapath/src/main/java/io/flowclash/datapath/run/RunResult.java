package io.flowclash.datapath.run;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.resolver.LookupStats;

/**
 * What one design did with one stream: counters (kernel names), verdicts by reason, table contents at the end,
 * what the clients saw, and wall time. A snapshot: plain values, safe to keep after the design is gone.
 */
public final class RunResult
{
    final String design;
    final long[] counters = new long[Counter.count()];
    final long[] reasons = new long[Reason.count()];
    long processed;
    long accepted;
    long dropped;
    long queries;
    long replies;
    long lookups;
    long lookupsComplete;
    long lookupsStalled;
    long racedBatches;
    long clashedBatches;
    long swept;
    long entries;
    long hiddenEntries;
    long wallNs;
    long endNs;
    LookupStats lookupStats;
    long sockets;

    RunResult(final String design)
    {
        this.design = design;
    }

    /**
     * The result of a closed-loop lookup run ({@code dns-lookups}): the design's counters and table at the end,
     * and what the resolvers saw.
     *
     * @param datapath       the design, after the run.
     * @param stats          lookup latency and outcomes.
     * @param queries        queries the resolvers sent.
     * @param replies        replies the backends sent.
     * @param sockets        sockets the resolvers opened.
     * @param racedBatches   batches whose packets raced.
     * @param clashedBatches batches whose two queries met in the table (a clash reason, or both created it).
     * @param endNs          virtual time of the last event.
     * @param wallNs         wall time of the run.
     * @return the snapshot.
     */
    public static RunResult ofLookups(final Datapath datapath, final LookupStats stats, final long queries,
        final long replies, final long sockets, final long racedBatches, final long clashedBatches, final long endNs,
        final long wallNs)
    {
        final RunResult r = new RunResult(datapath.id());
        r.capture(datapath.counters());
        r.lookupStats = stats;
        r.queries = queries;
        r.replies = replies;
        r.sockets = sockets;
        r.racedBatches = racedBatches;
        r.clashedBatches = clashedBatches;
        r.lookups = stats.total();
        r.lookupsComplete = stats.answered();
        r.lookupsStalled = stats.slow(); // what a user calls a stall: over 1 s
        r.endNs = endNs;
        r.wallNs = wallNs;
        datapath.forEachEntry(endNs, (oh, ol, rh, rl, status, expires, hidden) ->
        {
            if (hidden)
            {
                r.hiddenEntries++;
            }
            else
            {
                r.entries++;
            }
        });
        return r;
    }

    /** @return the lookup latency and outcomes of a {@code dns-lookups} run, or null for a packet stream run. */
    public LookupStats lookupStats()
    {
        return lookupStats;
    }

    /** @return sockets the resolvers opened ({@code dns-lookups} runs; 0 otherwise). */
    public long sockets()
    {
        return sockets;
    }

    void capture(final DatapathCounters c)
    {
        for (int i = 0; i < Counter.count(); i++)
        {
            counters[i] = c.get(Counter.of(i));
        }
        for (int i = 0; i < Reason.count(); i++)
        {
            reasons[i] = c.reason(Reason.of(i));
        }
        processed = c.processed();
        accepted = c.accepted();
        dropped = c.dropped();
    }

    /** @return design id. */
    public String design()
    {
        return design;
    }

    /** @param c counter. @return its value. */
    public long counter(final Counter c)
    {
        return counters[c.ordinal()];
    }

    /** @param r reason. @return packets finished with it. */
    public long reason(final Reason r)
    {
        return reasons[r.ordinal()];
    }

    /** @return packets processed (queries and replies). */
    public long processed()
    {
        return processed;
    }

    /** @return packets accepted. */
    public long accepted()
    {
        return accepted;
    }

    /** @return packets dropped. */
    public long dropped()
    {
        return dropped;
    }

    /** @return client queries fed from the stream. */
    public long queries()
    {
        return queries;
    }

    /** @return replies the responder sent. */
    public long replies()
    {
        return replies;
    }

    /** @return DNS lookups in the stream. */
    public long lookups()
    {
        return lookups;
    }

    /** @return lookups whose every query got a translated reply. */
    public long lookupsComplete()
    {
        return lookupsComplete;
    }

    /** @return lookups with a query dropped or a reply the client ignores: the resolver waits for its timeout. */
    public long lookupsStalled()
    {
        return lookupsStalled;
    }

    /** @return batches whose packets raced (interleaved or run on threads released together). */
    public long racedBatches()
    {
        return racedBatches;
    }

    /**
     * @return batches of a {@code dns-lookups} run whose two queries met in the table: one lost the insert race
     *     (insert_failed, merged, inserted reply-only) or both created the entry. Under {@code race real} a batch
     *     released on two threads races only if the threads overlap: this, not {@link #racedBatches}, says whether
     *     the race happened. 0 for a packet stream run (its batches hold packets of different flows).
     */
    public long clashedBatches()
    {
        return clashedBatches;
    }

    /** @return entries the gc reclaimed during the run (expired ones; what each sweep returned, summed). */
    public long swept()
    {
        return swept;
    }

    /** @return entries listed at the end (visible). */
    public long entries()
    {
        return entries;
    }

    /** @return reply-only entries at the end (hidden from listings). */
    public long hiddenEntries()
    {
        return hiddenEntries;
    }

    /** @return virtual time of the last packet, ns. */
    public long endNs()
    {
        return endNs;
    }

    /** @return wall time of the run, ns. */
    public long wallNs()
    {
        return wallNs;
    }
}
