package io.flowclash.datapath.schedule;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.PacketContext;

/**
 * Drives one design's step machine for a fixed set of <em>lanes</em>: a lane is one {@link PacketContext} bound to
 * one worker (a "CPU") with its own random stream, reused for every packet it carries. Packets are loaded into
 * lanes with {@link #begin} and advanced in a chosen order: one step of one lane ({@link #step}), a lane to its
 * verdict ({@link #finish}), lanes one after the other ({@link #runInOrder}), one step of each in turn
 * ({@link #runRoundRobin}), an explicit schedule of lane letters ({@link #runSchedule}), or on real threads, each
 * worker running its own lanes, released together ({@link #runParallel}). This is the only code that calls
 * {@link Datapath#step}, {@link Datapath#quiescent} and {@link Datapath#offline} for the runner, the interleaving
 * explorer, the tests' race harness and the jcstress race states.
 *
 * <p>Lanes may be begun at any virtual instant and while other lanes are in flight (a reply arriving while a retry
 * is still between its steps is one more lane begun): the scheduler keeps, per worker, the number of lanes in
 * flight, and reports a quiescent state ({@link Datapath#quiescent}) for a worker whenever it has none: when a
 * lane method finishes the worker's last packet, and for <em>every</em> idle worker at the end of each batch method
 * ({@link #quiesce}). Freed entries are therefore reused whatever the number of workers and whichever workers a
 * batch touched.
 *
 * <p>The random stream of a lane depends on the design's seed and the lane index only, never on the worker count:
 * two lanes on one worker draw differently, and a run with one worker draws as a run with two.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>Lane methods ({@link #begin}, {@link #step}, {@link #finish}) on lanes of one worker are called by one
 *     thread at a time (the thread acting as that worker); lanes of different workers may be driven from
 *     different threads at once (jcstress actors do). Per-worker bookkeeping is then single-writer.</li>
 *     <li>Batch methods ({@link #runInOrder}, {@link #runRoundRobin}, {@link #runSchedule}, {@link #runParallel},
 *     {@link #quiesce}, {@link #close}) are called from one thread, the <em>driver</em>, while no other thread
 *     calls lane methods. The driver acts as every worker in the serial methods and as worker 0 in
 *     {@link #runParallel}.</li>
 *     <li>{@link #runParallel}: the driver writes the batch range, then publishes it with a volatile write of a
 *     sequence number; each worker thread reads the sequence with a volatile read, then the range, runs its lanes,
 *     reports its quiescent state and counts down; the driver returns once the count is zero (the last decrement
 *     happens-before the driver's read of zero). So every worker, whether or not it had a lane in the batch, counts
 *     down exactly once per sequence number; a worker never reads a range other than the one published with the
 *     sequence it saw (the driver cannot publish the next range before every worker has counted down); each lane
 *     is processed exactly once; and after the call every context is safe to read from the driver.</li>
 *     <li>Waiting: a worker spins while there are at least as many processors as workers, then parks; with more
 *     workers than processors (where spinning only steals the processor the others need) it parks almost at
 *     once. A parked thread is unparked by the thread that changes what it waits for (Dekker pairing of volatile
 *     flags, so no wake-up is lost).</li>
 *     <li>Nothing is allocated per packet or per batch once the worker threads are started (on the first
 *     {@link #runParallel}).</li>
 * </ol>
 */
public final class StepScheduler implements AutoCloseable
{
    /** Padding, in ints, between the in-flight counters of two workers (two cache lines). */
    private static final int PAD = 32;

    private final Datapath datapath;
    private final int workers;
    private final PacketContext[] contexts;
    private final int[] workerOf;
    private final int[][] lanesOf;
    private final boolean[] pending;
    private final int[] inFlight;
    private ParallelCrew crew;

    /**
     * Lane {@code j} on worker {@code j % workers}, with random stream {@code j}.
     *
     * @param datapath the design (its {@code config().workers()} workers).
     * @param lanes    number of lanes, at least 1.
     */
    public StepScheduler(final Datapath datapath, final int lanes)
    {
        this(datapath, roundRobin(lanes, datapath.config().workers()));
    }

    /**
     * Lane {@code j} on worker {@code workerOfLane[j]}, with random stream {@code j}.
     *
     * @param datapath     the design.
     * @param workerOfLane the worker of each lane, each in {@code 0..config().workers()-1}.
     * @throws IllegalArgumentException for no lanes or a worker out of range.
     */
    public StepScheduler(final Datapath datapath, final int[] workerOfLane)
    {
        if (workerOfLane.length == 0)
        {
            throw new IllegalArgumentException("a scheduler needs at least one lane");
        }
        this.datapath = datapath;
        this.workers = datapath.config().workers();
        this.workerOf = workerOfLane.clone();
        this.contexts = new PacketContext[workerOf.length];
        this.pending = new boolean[workerOf.length];
        this.inFlight = new int[(workers + 1) * PAD];
        final int[] perWorker = new int[workers];
        for (int j = 0; j < workerOf.length; j++)
        {
            final int w = workerOf[j];
            if (w < 0 || w >= workers)
            {
                throw new IllegalArgumentException("lane " + j + ": worker " + w + " outside 0.." + (workers - 1));
            }
            contexts[j] = datapath.newContext(w, j);
            perWorker[w]++;
        }
        this.lanesOf = new int[workers][];
        for (int w = 0; w < workers; w++)
        {
            lanesOf[w] = new int[perWorker[w]];
            perWorker[w] = 0;
        }
        for (int j = 0; j < workerOf.length; j++)
        {
            final int w = workerOf[j];
            lanesOf[w][perWorker[w]++] = j;
        }
    }

    private static int[] roundRobin(final int lanes, final int workers)
    {
        final int[] map = new int[Math.max(0, lanes)];
        for (int j = 0; j < map.length; j++)
        {
            map[j] = j % workers;
        }
        return map;
    }

    /** @return the design. */
    public Datapath datapath()
    {
        return datapath;
    }

    /** @return number of lanes. */
    public int lanes()
    {
        return contexts.length;
    }

    /** @return number of workers (the design's). */
    public int workers()
    {
        return workers;
    }

    /**
     * @param lane lane index.
     * @return its context (read it once the lane is done; force a backend on it before {@link #begin}).
     */
    public PacketContext context(final int lane)
    {
        return contexts[lane];
    }

    /**
     * @param lane lane index.
     * @return its worker.
     */
    public int worker(final int lane)
    {
        return workerOf[lane];
    }

    /**
     * @param lane lane index.
     * @return true if a packet is loaded in the lane and has steps left.
     */
    public boolean inFlight(final int lane)
    {
        return pending[lane];
    }

    /**
     * @param lane lane index.
     * @return the design's name of the lane's next step.
     * @throws IllegalStateException if the lane has no packet in flight.
     */
    public String nextStepName(final int lane)
    {
        requireInFlight(lane);
        return datapath.stepName(contexts[lane].step());
    }

    /**
     * Load a packet into a lane ({@link Datapath#begin}). The design may finish it at once (NOTRACK).
     *
     * @param lane         lane index.
     * @param now          virtual time, ns.
     * @param hi           tuple high word as sent.
     * @param lo           tuple low word as sent.
     * @param direction    {@code DIR_ORIGINAL} or {@code DIR_REPLY}.
     * @param socketCookie the sending (or, for a reply, the receiving) socket.
     * @throws IllegalStateException if the lane still has a packet in flight.
     */
    public void begin(final int lane, final long now, final long hi, final long lo, final byte direction,
        final long socketCookie)
    {
        if (pending[lane])
        {
            throw new IllegalStateException("lane " + lane + " still has a packet in flight");
        }
        final PacketContext ctx = contexts[lane];
        datapath.begin(ctx, now, hi, lo, direction, socketCookie);
        if (ctx.done())
        {
            final int w = workerOf[lane];
            if (inFlight[(w + 1) * PAD] == 0)
            {
                datapath.quiescent(w);
            }
        }
        else
        {
            pending[lane] = true;
            inFlight[(workerOf[lane] + 1) * PAD]++;
        }
    }

    /**
     * Run the lane's next step.
     *
     * @param lane lane index.
     * @throws IllegalStateException if the lane has no packet in flight.
     */
    public void step(final int lane)
    {
        requireInFlight(lane);
        final PacketContext ctx = contexts[lane];
        datapath.step(ctx);
        if (ctx.done())
        {
            complete(lane);
        }
    }

    /**
     * Run the lane's remaining steps ({@link Datapath#process}); nothing if it has none.
     *
     * @param lane lane index.
     */
    public void finish(final int lane)
    {
        if (pending[lane])
        {
            datapath.process(contexts[lane]);
            complete(lane);
        }
    }

    /**
     * Lanes {@code first..first+count-1}, each to its verdict before the next starts (no race), then
     * {@link #quiesce}.
     *
     * @param first first lane.
     * @param count lanes.
     */
    public void runInOrder(final int first, final int count)
    {
        for (int j = first; j < first + count; j++)
        {
            finish(j);
        }
        quiesce();
    }

    /**
     * One step of each lane in flight of {@code first..first+count-1} in turn until all are done: every lookup
     * before any confirm (race 1 for two packets), then {@link #quiesce}.
     *
     * @param first first lane.
     * @param count lanes.
     */
    public void runRoundRobin(final int first, final int count)
    {
        boolean more = true;
        while (more)
        {
            more = false;
            for (int j = first; j < first + count; j++)
            {
                if (pending[j])
                {
                    step(j);
                    more |= pending[j];
                }
            }
        }
        quiesce();
    }

    /**
     * One step per letter: {@code 'A'} is lane 0, {@code 'B'} lane 1, and so on; then {@link #quiesce}. Lanes the
     * schedule leaves unfinished stay in flight.
     *
     * @param schedule lane letters.
     * @throws IllegalStateException if a letter names a lane with no packet in flight.
     */
    public void runSchedule(final CharSequence schedule)
    {
        for (int i = 0; i < schedule.length(); i++)
        {
            step(schedule.charAt(i) - 'A');
        }
        quiesce();
    }

    /**
     * Race lanes {@code first..first+count-1} on real threads: the driver is worker 0, one thread per other worker
     * (started on the first call); each runs its own lanes in flight to their verdicts, all released at the same
     * moment. Returns when every lane is done and every worker has reported a quiescent state.
     *
     * @param first first lane.
     * @param count lanes.
     * @throws IllegalStateException carrying a worker thread's failure, if one failed.
     */
    public void runParallel(final int first, final int count)
    {
        if (workers == 1)
        {
            runInOrder(first, count);
            return;
        }
        if (crew == null)
        {
            crew = new ParallelCrew(this, Runtime.getRuntime().availableProcessors());
        }
        crew.run(first, first + count);
    }

    /** Report a quiescent state for every worker that has no packet in flight. */
    public void quiesce()
    {
        for (int w = 0; w < workers; w++)
        {
            if (inFlight[(w + 1) * PAD] == 0)
            {
                datapath.quiescent(w);
            }
        }
    }

    /**
     * The run is over: stop the worker threads, if any (each reports itself offline), then report every worker
     * offline ({@link Datapath#offline}), so that sweeps from any thread afterwards free what they reclaim without
     * waiting for workers that will take no more packets. Idempotent. The design stays usable: a worker that takes
     * a packet again comes back online with its next quiescent state.
     */
    @Override
    public void close()
    {
        if (crew != null)
        {
            crew.stop();
            crew = null;
        }
        for (int w = 0; w < workers; w++)
        {
            datapath.offline(w);
        }
    }

    /** Worker {@code worker}'s share of a parallel batch: its lanes in the range, then its quiescent state. */
    void runWorker(final int worker, final int from, final int to)
    {
        final int[] mine = lanesOf[worker];
        for (final int lane : mine)
        {
            if (lane >= from && lane < to)
            {
                finish(lane);
            }
        }
        if (inFlight[(worker + 1) * PAD] == 0)
        {
            datapath.quiescent(worker);
        }
    }

    private void complete(final int lane)
    {
        pending[lane] = false;
        final int index = (workerOf[lane] + 1) * PAD;
        if (--inFlight[index] == 0)
        {
            datapath.quiescent(workerOf[lane]);
        }
    }

    private void requireInFlight(final int lane)
    {
        if (!pending[lane])
        {
            throw new IllegalStateException("lane " + lane + " (" + (char)('A' + lane) + ") has no packet in flight");
        }
    }
}
