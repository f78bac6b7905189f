package io.flowclash.datapath.run;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a packet stream through one design, in virtual time: batches (packets sent together) in stream order, each
 * raced as the {@link RaceMode} says; a responder answers every query that got through after a fixed delay, and
 * its reply takes the design's reply path; the gc sweeps every so often. One runner per run; not thread safe
 * itself (it owns its worker threads in {@code real} mode).
 *
 * <p>Packets go through a {@link StepScheduler}: the packets of a batch take lanes {@code 0..size-1} (lane {@code j}
 * on worker {@code j % workers}, or all on worker 0 with {@code sameCpu}), each lane with its own random stream;
 * replies take a lane of their own on worker 0. In {@code real} mode the calling thread is worker 0 and the
 * scheduler's lockstep releases the workers together; it returns once every worker has finished and reported a
 * quiescent state, so replies and sweeps never run beside packets. In every mode every worker reports a quiescent
 * state after each batch, so entries freed by the gc come back to the pool whatever the number of workers.
 */
public final class Runner
{
    private static final byte ASKED_A = 1;
    private static final byte ASKED_AAAA = 2;
    private static final byte ANSWERED_A = 4;
    private static final byte ANSWERED_AAAA = 8;
    private static final byte LOST = 16;

    private final Datapath datapath;
    private final RunOptions options;
    /** Lanes for the packets of one batch; lane {@code BATCH_LANES} carries replies. */
    static final int BATCH_LANES = 256;

    private final StepScheduler scheduler;
    private final PacketRecord record = new PacketRecord();
    private final SplittableRandom coin;

    private long[] replyTime = new long[1024];
    private long[] replyHi = new long[1024];
    private long[] replyLo = new long[1024];
    private int[] replyLookup = new int[1024];
    private long[] replyCookie = new long[1024];
    private byte[] replyType = new byte[1024];
    private int replyHead;
    private int replyTail;
    private byte[] lookups;
    /** Packets fed so far: written by the run's thread once per batch (release), read by a progress reporter. */
    private final AtomicLong fed = new AtomicLong();

    /**
     * @param datapath the design (fresh).
     * @param options  run options.
     */
    public Runner(final Datapath datapath, final RunOptions options)
    {
        this.datapath = datapath;
        this.options = options;
        final int workers = datapath.config().workers();
        final int[] workerOfLane = new int[BATCH_LANES + 1];
        for (int j = 0; j < BATCH_LANES; j++)
        {
            workerOfLane[j] = options.sameCpu() ? 0 : j % workers;
        }
        this.scheduler = new StepScheduler(datapath, workerOfLane);
        this.coin = new SplittableRandom(options.seed());
    }

    /**
     * @return packets of the stream fed so far (safe to read from any thread, for a progress line).
     */
    public long packetsFed()
    {
        return fed.get();
    }

    /**
     * Run the whole stream.
     *
     * @param stream the packets (client queries).
     * @return what happened.
     */
    public RunResult run(final PacketStream stream)
    {
        final RunResult result = new RunResult(datapath.id());
        final int count = stream.count();
        int maxLookup = 0;
        for (int i = 0; i < count; i++)
        {
            maxLookup = Math.max(maxLookup, stream.record(i, record).lookupId());
        }
        lookups = new byte[maxLookup + 1];
        final boolean threads = options.race().kind() == RaceMode.Kind.REAL && !options.sameCpu() &&
            datapath.config().workers() > 1;

        final long start = System.nanoTime();
        long lastSweep = Long.MIN_VALUE;
        long now = 0;
        try
        {
            int i = 0;
            while (i < count)
            {
                stream.record(i, record);
                now = record.timestampNs();
                final int size = Math.max(1, Math.min(Math.min(record.batchSize(), BATCH_LANES), count - i));
                drainReplies(now, result);
                if (lastSweep == Long.MIN_VALUE)
                {
                    lastSweep = now;
                }
                else if (now - lastSweep >= options.sweepEveryNs())
                {
                    result.swept += datapath.sweep(now, 0);
                    lastSweep = now;
                }
                for (int j = 0; j < size; j++)
                {
                    stream.record(i + j, record);
                    final int lookup = record.lookupId();
                    lookups[lookup] |= record.queryType() == PacketRecordDescriptor.QTYPE_AAAA ? ASKED_AAAA : ASKED_A;
                    scheduler.begin(j, record.timestampNs(), record.tupleHi(), record.tupleLo(), record.direction(),
                        record.socketCookie());
                }
                if (size == 1 || options.sameCpu())
                {
                    scheduler.runInOrder(0, size);
                }
                else if (threads)
                {
                    scheduler.runParallel(0, size);
                    result.racedBatches++;
                }
                else if (options.race().kind() == RaceMode.Kind.ALWAYS ||
                    (options.race().kind() == RaceMode.Kind.PROBABILITY && coin.nextDouble() < options.race().probability()))
                {
                    scheduler.runRoundRobin(0, size);
                    result.racedBatches++;
                }
                else
                {
                    scheduler.runInOrder(0, size);
                }
                for (int j = 0; j < size; j++)
                {
                    afterQuery(scheduler.context(j), stream.record(i + j, record), result);
                }
                i += size;
                fed.lazySet(i);
            }
            drainReplies(Long.MAX_VALUE, result);
        }
        finally
        {
            scheduler.close();
        }
        result.wallNs = System.nanoTime() - start;
        result.capture(datapath.counters());
        for (final byte state : lookups)
        {
            if ((state & (ASKED_A | ASKED_AAAA)) == 0)
            {
                continue;
            }
            result.lookups++;
            final boolean complete = (state & LOST) == 0 &&
                ((state & ASKED_A) == 0 || (state & ANSWERED_A) != 0) &&
                ((state & ASKED_AAAA) == 0 || (state & ANSWERED_AAAA) != 0);
            if (complete)
            {
                result.lookupsComplete++;
            }
            else
            {
                result.lookupsStalled++;
            }
        }
        final long end = now;
        result.endNs = end;
        datapath.forEachEntry(end, (oh, ol, rh, rl, status, expires, hidden) ->
        {
            if (hidden)
            {
                result.hiddenEntries++;
            }
            else
            {
                result.entries++;
            }
        });
        return result;
    }

    private void afterQuery(final PacketContext ctx, final PacketRecord r, final RunResult result)
    {
        result.queries++;
        final int lookup = r.lookupId();
        if (!ctx.accepted())
        {
            lookups[lookup] |= LOST;
            return;
        }
        // the responder (a backend, or the node-local cache for NOTRACK) answers to where the query came from
        enqueueReply(r.timestampNs() + options.replyDelayNs(), Tuple.invertHi(ctx.hi()), Tuple.invertLo(ctx.lo()),
            lookup, r.queryType() == PacketRecordDescriptor.QTYPE_AAAA ? ANSWERED_AAAA : ANSWERED_A, r.socketCookie());
    }

    private void enqueueReply(final long t, final long hi, final long lo, final int lookup, final byte type,
        final long cookie)
    {
        if (replyTail - replyHead == replyTime.length)
        {
            growReplies();
        }
        final int slot = replyTail++ & (replyTime.length - 1);
        replyTime[slot] = t;
        replyHi[slot] = hi;
        replyLo[slot] = lo;
        replyLookup[slot] = lookup;
        replyType[slot] = type;
        replyCookie[slot] = cookie; // the reply is received by the socket that sent the query
    }

    private void growReplies()
    {
        final int n = replyTime.length;
        final long[] t = new long[n * 2];
        final long[] h = new long[n * 2];
        final long[] l = new long[n * 2];
        final int[] k = new int[n * 2];
        final byte[] y = new byte[n * 2];
        final long[] c = new long[n * 2];
        for (int i = 0; i < n; i++)
        {
            final int from = (replyHead + i) & (n - 1);
            t[i] = replyTime[from];
            h[i] = replyHi[from];
            l[i] = replyLo[from];
            k[i] = replyLookup[from];
            y[i] = replyType[from];
            c[i] = replyCookie[from];
        }
        replyTime = t;
        replyHi = h;
        replyLo = l;
        replyLookup = k;
        replyType = y;
        replyCookie = c;
        replyTail = n;
        replyHead = 0;
    }

    /** Replies come back in time order (constant delay over a time-ordered stream): a FIFO is enough. */
    private void drainReplies(final long upTo, final RunResult result)
    {
        final int mask = replyTime.length - 1;
        while (replyHead != replyTail && replyTime[replyHead & mask] <= upTo)
        {
            final int slot = replyHead++ & mask;
            scheduler.begin(BATCH_LANES, replyTime[slot], replyHi[slot], replyLo[slot],
                PacketRecordDescriptor.DIR_REPLY, replyCookie[slot]);
            scheduler.finish(BATCH_LANES); // worker 0's quiescent state follows its last packet
            result.replies++;
            final Reason reason = scheduler.context(BATCH_LANES).reason();
            if (reason == Reason.ACCEPT_REPLY || reason == Reason.ACCEPT_NOTRACK)
            {
                lookups[replyLookup[slot]] |= replyType[slot];
            }
        }
    }
}
