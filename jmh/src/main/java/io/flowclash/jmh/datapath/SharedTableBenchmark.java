package io.flowclash.jmh.datapath;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * The per-packet path on ONE table shared by every benchmark thread, as the kernel's CPUs share one conntrack
 * table: run it with {@code -t 1}, {@code -t 2} .. {@code -t N} (N = cores) and divide the scores (JMH sums the
 * threads' throughput) for the speed-up. The design is one {@code @State(Scope.Benchmark)} instance configured for
 * as many workers as JMH threads; each thread is a worker ({@link Worker}: its own context, worker index = JMH's thread
 * index, 0 .. threads - 1) with its own flows, disjoint from every other thread's, so that
 * {@code established} is all hits and {@code newFlow} all new flows on every thread (but for a rare clash,
 * {@link #clashesAllowed}), and the threads meet only
 * where the design makes them meet: the buckets, their locks, the free pool, the counters' lines, the grace periods.
 * Each worker reports a quiescent state every {@value #QUIESCENT_EVERY} packets (between packets, as the runner
 * does after a batch) and then runs the reclamation grace periods allow ({@link Datapath#reclaim}, the RCU
 * callbacks), so entries retired on one thread return to the pool while the others run: without it the pool ran
 * empty on {@code newFlow} (a grace period only started when it was empty, and the packet that found it so was
 * dropped, {@code table_full}). A worker that stops between two reports (descheduled for longer than the other
 * threads take to retire the pool's slack, about 3/8 of all flows) holds every grace period up, as a reader in
 * the kernel does, and the iteration fails with {@code table_full}: run on a machine with a core per thread.
 *
 * <p>The flows ({@link DatapathBenchmark#hiOf}) and virtual time are those of {@link DatapathBenchmark} per thread:
 * each thread keeps its own virtual clock ({@code newFlow} advances it so that a flow's previous entry has just
 * expired when its tuple comes round again; a design whose entries never expire gets a tuple never seen before); a
 * lookup that walks past another thread's entry and finds it expired in its own time kills it, which the other
 * thread's next packet of that flow then misses: it is new either way, except in the rare race where both threads
 * collect the same expired entry at once ({@link #clashesAllowed}). {@code established} keeps one fixed time on
 * every thread.
 *
 * <p>Each iteration checks at its end, on the counters of all threads, that the path it names is the path that ran
 * ({@link #checkPath}).
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar SharedTableBenchmark -t 1}, then the same with
 * {@code -t 2}; speed-up at 2 threads = score(-t 2) / score(-t 1), per design and method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, BuildInfo.JVM_CHRONICLE_1, BuildInfo.JVM_CHRONICLE_2,
    BuildInfo.JVM_CHRONICLE_3, BuildInfo.JVM_CHRONICLE_4, BuildInfo.JVM_CHRONICLE_5, BuildInfo.JVM_CHRONICLE_6,
    BuildInfo.JVM_CHRONICLE_7, "-Xms2g", "-Xmx2g"})
public class SharedTableBenchmark
{
    /** Packets between a worker's quiescent states. */
    static final int QUIESCENT_EVERY = 32;

    private static final long UNREPLIED_NS = 30_000_000_000L;

    /** Packets per clash allowed on a shared table's new flows ({@link #clashesAllowed}). */
    static final long CLASH_RARITY = 100_000;

    @Param({"nf-drop", "nf-clash-insert", "cilium-tc", DatapathBenchmark.BASELINE})
    String design;

    /** Flows per thread, a power of two. */
    @Param({"65536"})
    int flows;

    Datapath datapath;
    int threads;
    boolean freshTuples;

    /**
     * One table for all threads.
     *
     * @param params the run (its thread count).
     */
    @Setup(Level.Trial)
    public void setUp(final BenchmarkParams params)
    {
        setUp(params.getThreads());
    }

    /**
     * One table for that many workers (tests call this outside JMH).
     *
     * @param threads workers that will share it.
     */
    void setUp(final int threads)
    {
        if (Integer.bitCount(flows) != 1)
        {
            throw new IllegalArgumentException("flows must be a power of two: " + flows);
        }
        this.threads = threads;
        final int total = flows * threads;
        freshTuples = !DatapathBenchmark.entriesExpire(design);
        datapath = DatapathBenchmark.create(design, DatapathConfig.builder().backends(3).workers(threads)
            .maxEntries(total + total / 4).mapEntries(2 * total + total / 2).seed(7).build());
    }

    /** Count this iteration's verdicts from zero (JMH runs it before any thread starts the iteration). */
    @Setup(Level.Iteration)
    public void startIteration()
    {
        datapath.counters().reset();
    }

    /**
     * Fail the iteration if a packet took another path than the benchmark's name says.
     *
     * @param params the running benchmark (its method name).
     */
    @TearDown(Level.Iteration)
    public void endIteration(final BenchmarkParams params)
    {
        final String benchmark = params.getBenchmark();
        checkPath(benchmark.substring(benchmark.lastIndexOf('.') + 1));
    }

    /** Release the design. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        datapath.close();
    }

    /**
     * @param method {@link DatapathBenchmark#NEW_FLOW} or {@link DatapathBenchmark#ESTABLISHED}.
     * @throws IllegalStateException naming the verdicts seen if any packet of any thread since
     * {@link #startIteration} did not end as the method's path, beyond the clashes a netfilter design's
     * {@code newFlow} may meet on more than one thread ({@link #clashesAllowed}).
     */
    void checkPath(final String method)
    {
        final boolean clashes = method.equals(DatapathBenchmark.NEW_FLOW) && datapath instanceof NetfilterDatapath;
        DatapathBenchmark.checkPath(method, design + " shared by " + threads + " threads", datapath.counters(),
            clashes ? clashesAllowed(threads, datapath.counters().processed()) : 0);
    }

    /**
     * How many new-flow packets of an iteration of a netfilter design may end in a clash instead of {@code new}:
     * none on one thread; on more, one plus one per {@value #CLASH_RARITY} packets (other designs: none). A
     * worker's new packet reuses a tuple whose previous entry has just expired; when another thread's walk of that
     * bucket (its lookup, {@code nf_nat_used_tuple} or {@code early_drop}) meets the entry at the same moment, both
     * call {@code nf_ct_gc_expired} on it (before 4.7 the kernel's timer did the killing; the model's walk stands in
     * for it): the other sets {@code IPS_DYING} first ({@code nf_ct_delete}), so this worker's kill does nothing
     * and its lookup skips the entry, and if this worker's {@code __nf_conntrack_confirm} takes the bucket locks
     * before the other's {@code nf_ct_delete_from_lists} has unlinked it, confirm's walk (which tests the tuple and
     * {@code IPS_CONFIRMED}, not {@code IPS_DYING}) meets it: a clash with its own dying entry, which the era
     * resolves. Up to 6.11 {@code __nf_ct_resolve_clash} refuses a dying winner: 5.6 - 6.11 insert the loser
     * reply-only ({@code clash_inserted}) unless its REPLY tuple is the dying entry's too (same backend: dropped,
     * {@code insert_failed}), older eras drop it; 6.12+ have no dying test and merge it when the tuples match
     * ({@code clash_merged}). The kernel's CPUs can meet the same way; the model is not at fault. Seen once in
     * 894,973 packets of one {@code -t 2} iteration.
     *
     * @param threads   threads sharing the table.
     * @param processed packets of the iteration.
     * @return the clashes allowed.
     */
    static long clashesAllowed(final int threads, final long processed)
    {
        return threads == 1 ? 0 : 1 + processed / CLASH_RARITY;
    }

    /** One benchmark thread: a worker of the shared design, with its own flows. */
    @State(Scope.Thread)
    public static class Worker
    {
        int worker;
        PacketContext ctx;
        long[] his;
        long[] los;
        int cursor;
        int mask;
        long now;
        long step;
        long fresh;
        long firstFlow;
        int sinceQuiescent;

        /**
         * Become worker {@code thread index} and insert this thread's flows into the shared table (on this thread).
         *
         * @param shared the shared design.
         * @param thread this thread (its index).
         */
        @Setup(Level.Trial)
        public void setUp(final SharedTableBenchmark shared, final ThreadParams thread)
        {
            setUp(shared, thread.getThreadIndex());
        }

        /**
         * Become that worker and insert its flows (tests call this outside JMH, on the worker's thread).
         *
         * @param shared the shared design.
         * @param index  worker index, below the shared design's thread count.
         */
        void setUp(final SharedTableBenchmark shared, final int index)
        {
            worker = index;
            if (worker < 0 || worker >= shared.threads)
            {
                throw new IllegalStateException("worker " + worker + " of " + shared.threads + " threads");
            }
            final Datapath datapath = shared.datapath;
            final int flows = shared.flows;
            ctx = datapath.newContext(worker);
            his = new long[flows];
            los = new long[flows];
            // flows of thread w are numbers w * flows .. (w + 1) * flows - 1: disjoint tuples
            firstFlow = (long)worker * flows;
            for (int i = 0; i < flows; i++)
            {
                his[i] = DatapathBenchmark.hiOf(firstFlow + i);
                los[i] = DatapathBenchmark.loOf(firstFlow + i);
            }
            mask = flows - 1;
            step = UNREPLIED_NS / flows + 1;
            now = 1_000_000_000L;
            for (int i = 0; i < flows; i++)
            {
                datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, firstFlow + i);
                datapath.process(ctx);
            }
            datapath.quiescent(worker);
            // fresh tuples (a design whose entries never expire): thread w counts up from (w + 1) * 2^36, clients
            // (w + 1) * 2^22 and up, far from every thread's flows and from each other thread's fresh tuples
            fresh = (long)(worker + 1) << 36;
        }
    }

    private void quiescentNow(final Worker w)
    {
        if (++w.sinceQuiescent == QUIESCENT_EVERY)
        {
            w.sinceQuiescent = 0;
            datapath.quiescent(w.worker);
            datapath.reclaim(w.worker);
        }
    }

    /**
     * A packet of one of this thread's existing flows.
     *
     * @param w this thread.
     * @return its verdict.
     */
    @Benchmark
    public int established(final Worker w)
    {
        final int i = w.cursor++ & w.mask;
        final PacketContext ctx = w.ctx;
        datapath.begin(ctx, w.now, w.his[i], w.los[i], PacketRecordDescriptor.DIR_ORIGINAL, w.firstFlow + i);
        datapath.process(ctx);
        quiescentNow(w);
        return ctx.reason().ordinal();
    }

    /**
     * A new flow's first packet on this thread; its tuple's previous entry expired a moment ago in this thread's
     * time, or it never had one.
     *
     * @param w this thread.
     * @return its verdict.
     */
    @Benchmark
    public int newFlow(final Worker w)
    {
        final PacketContext ctx = w.ctx;
        w.now += w.step;
        if (freshTuples)
        {
            final long n = w.fresh++;
            datapath.begin(ctx, w.now + UNREPLIED_NS, DatapathBenchmark.hiOf(n), DatapathBenchmark.loOf(n),
                PacketRecordDescriptor.DIR_ORIGINAL, n);
        }
        else
        {
            final int i = w.cursor++ & w.mask;
            datapath.begin(ctx, w.now + UNREPLIED_NS, w.his[i], w.los[i], PacketRecordDescriptor.DIR_ORIGINAL,
                w.firstFlow + i);
        }
        datapath.process(ctx);
        quiescentNow(w);
        return ctx.reason().ordinal();
    }
}
