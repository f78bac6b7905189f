package io.flowclash.datapath.run;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a packet stream through one design, in virtual time: batches (packets sent together) in stream order, each
 * raced as the {@link RaceMode} says; a responder answers every query that got through after a fixed delay, and
 * its reply takes the design's reply path; the gc sweeps every so often. One runner per run; not thread safe
 * itself (it owns its worker threads in {@code real} mode).
 *
 * <p>In {@code real} mode the calling thread is worker 0 and drives a lockstep: it publishes a batch (store-release
 * of a sequence number), each worker spins for it (load-acquire), processes its packets, and counts down; the
 * caller waits for the count to reach zero before reading the contexts, responding and sweeping, so replies and
 * sweeps never run beside packets (every worker is quiescent then).
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
    private final int workers;
    private final PacketContext[] contexts = new PacketContext[256];
    private final PacketContext replyContext;
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
        this.workers = datapath.config().workers();
        for (int j = 0; j < contexts.length; j++)
        {
            contexts[j] = datapath.newContext(j % workers);
        }
        this.replyContext = datapath.newContext(0);
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
        final boolean threads = options.race().kind() == RaceMode.Kind.REAL && !options.sameCpu() && workers > 1;
        final Lockstep lockstep = threads ? new Lockstep(stream) : null;

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
                final int size = Math.max(1, Math.min(record.batchSize(), count - i));
                drainReplies(now, result);
                if (lastSweep == Long.MIN_VALUE)
                {
                    lastSweep = now;
                }
                else if (now - lastSweep >= options.sweepEveryNs())
                {
                    datapath.sweep(now, 0);
                    lastSweep = now;
                }
                for (int j = 0; j < size; j++)
                {
                    stream.record(i + j, record);
                    final int lookup = record.lookupId();
                    lookups[lookup] |= record.queryType() == PacketRecordDescriptor.QTYPE_AAAA ? ASKED_AAAA : ASKED_A;
                }
                if (size == 1 || options.sameCpu())
                {
                    processInOrder(stream, i, size);
                }
                else if (threads)
                {
                    lockstep.run(i, size);
                    result.racedBatches++;
                }
                else if (options.race().kind() == RaceMode.Kind.ALWAYS ||
                    (options.race().kind() == RaceMode.Kind.PROBABILITY && coin.nextDouble() < options.race().probability()))
                {
                    processInterleaved(stream, i, size);
                    result.racedBatches++;
                }
                else
                {
                    processInOrder(stream, i, size);
                }
                for (int j = 0; j < size; j++)
                {
                    afterQuery(contexts[j], stream.record(i + j, record), result);
                }
                i += size;
                fed.lazySet(i);
            }
            drainReplies(Long.MAX_VALUE, result);
        }
        finally
        {
            if (lockstep != null)
            {
                lockstep.stop();
            }
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

    private void begin(final PacketContext ctx, final PacketRecord r)
    {
        datapath.begin(ctx, r.timestampNs(), r.tupleHi(), r.tupleLo(), r.direction(), r.socketCookie());
    }

    private void processInOrder(final PacketStream stream, final int first, final int size)
    {
        for (int j = 0; j < size; j++)
        {
            final PacketContext ctx = contexts[j];
            begin(ctx, stream.record(first + j, record));
            datapath.process(ctx);
        }
    }

    /** Every packet's next step in turn: all lookups before any confirm (race 1 for two packets). */
    private void processInterleaved(final PacketStream stream, final int first, final int size)
    {
        for (int j = 0; j < size; j++)
        {
            begin(contexts[j], stream.record(first + j, record));
        }
        boolean more = true;
        while (more)
        {
            more = false;
            for (int j = 0; j < size; j++)
            {
                final PacketContext ctx = contexts[j];
                if (!ctx.done())
                {
                    datapath.step(ctx);
                    more |= !ctx.done();
                }
            }
        }
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
            datapath.begin(replyContext, replyTime[slot], replyHi[slot], replyLo[slot],
                PacketRecordDescriptor.DIR_REPLY, replyCookie[slot]);
            datapath.process(replyContext);
            datapath.quiescent(0);
            result.replies++;
            final Reason reason = replyContext.reason();
            if (reason == Reason.ACCEPT_REPLY || reason == Reason.ACCEPT_NOTRACK)
            {
                lookups[replyLookup[slot]] |= replyType[slot];
            }
        }
    }

    /** The threads of {@code real} mode; the caller is worker 0. */
    private final class Lockstep
    {
        private final VarHandle seqHandle;
        private final PacketStream stream;
        private final Thread[] threads;
        private final AtomicInteger remaining = new AtomicInteger();
        private final PacketRecord leaderRecord = new PacketRecord();
        private volatile boolean stop;
        @SuppressWarnings("unused")
        private long seq;
        private int first;
        private int size;

        Lockstep(final PacketStream stream)
        {
            this.stream = stream;
            try
            {
                seqHandle = MethodHandles.lookup().findVarHandle(Lockstep.class, "seq", long.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new IllegalStateException(ex);
            }
            threads = new Thread[workers];
            for (int w = 1; w < workers; w++)
            {
                final int worker = w;
                threads[w] = new Thread(() -> loop(worker), "flowclash-worker-" + w);
                threads[w].setDaemon(true);
                threads[w].start();
            }
        }

        void run(final int first, final int size)
        {
            this.first = first;
            this.size = size;
            remaining.set(Math.min(size, workers) - 1);
            seqHandle.setRelease(this, (long)seqHandle.get(this) + 1); // sr: batch fields before the go
            work(0, leaderRecord);
            while (remaining.get() != 0)
            {
                Thread.onSpinWait();
            }
        }

        private void work(final int worker, final PacketRecord r)
        {
            for (int j = worker; j < size; j += workers)
            {
                final PacketContext ctx = contexts[j];
                begin(ctx, stream.record(first + j, r));
                datapath.process(ctx);
            }
            datapath.quiescent(worker);
        }

        private void loop(final int worker)
        {
            final PacketRecord r = new PacketRecord();
            long seen = 0;
            while (true)
            {
                long s;
                while ((s = (long)seqHandle.getAcquire(this)) == seen)
                {
                    if (stop)
                    {
                        datapath.offline(worker);
                        return;
                    }
                    Thread.onSpinWait();
                }
                seen = s;
                if (worker < size)
                {
                    work(worker, r);
                    remaining.decrementAndGet();
                }
                else
                {
                    datapath.quiescent(worker);
                }
            }
        }

        void stop()
        {
            stop = true;
            for (int w = 1; w < workers; w++)
            {
                try
                {
                    threads[w].join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
