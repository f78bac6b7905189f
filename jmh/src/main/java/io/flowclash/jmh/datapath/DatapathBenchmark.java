package io.flowclash.jmh.datapath;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.jmh.NearLimitReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * The per-packet path of every design on one core: {@code established} (every packet hits an existing entry:
 * lookup, refresh, NAT binding applied) and {@code newFlow} (every packet is a new flow: lookup
 * miss, allocate, DNAT, null binding with tuple_taken, confirm). For a design whose entries expire in virtual time
 * (the netfilter designs, the socket LB's host conntrack, the baseline) virtual time advances so that each flow's
 * previous entry has just expired when its tuple comes round again, and the lookup reclaims it: insert and expiry
 * balance, the table neither fills nor empties. Each tuple keeps its socket (cookie = flow index): the socket LB's
 * rev-NAT entry of that socket is found and not rewritten, and its backend (cookie % n) stays the same, so the
 * conntrack tuple comes round again (a new socket per flow would move it to another backend, a tuple the lookup
 * never reclaims, and fill the table). A design whose entries never expire in virtual time (the tc LB:
 * Cilium's CT map is emptied by the agent's gc, which is not modelled) gets a tuple never seen before for each
 * packet instead, computed from a running counter; its LRU map stays full and evicts. Which of the two applies is
 * asked of the design itself ({@link #entriesExpire}), not listed by id. {@code chm-baseline} is
 * {@link ConcurrentHashMapConntrack}. The last two rows are the near-limit reference ({@link NearLimitReference}: a
 * bare Agrona map get over as many keys as {@code flows}, arrival and random order), in the same {@code @Param} run
 * so that every ratio to it comes from one run; both methods run the same get for them, and every row, design or
 * reference, pays the same one predictable branch on {@code reference} first.
 *
 * <p>Each iteration checks at its end that the path it names is the path that ran ({@link #checkPath}): every
 * packet must have finished {@code new} in {@code newFlow} and {@code established} in {@code established} and
 * {@code establishedBurst};
 * otherwise the iteration fails with the verdicts seen. The {@code design} parameter lists the registry's ids
 * ({@code DatapathBenchmarkTest} checks it against {@link Designs#all()}).
 *
 * <p>{@code establishedBurst} runs the established packets {@value #BURST} at a time through
 * {@link Datapath#processBurst} (the DPDK bulk-lookup shape), scored per packet; compare it with the
 * {@code ref-agrona-random} row at 1 M flows.
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar DatapathBenchmark -prof gc}; the burst against the
 * reference alone: {@code java -jar jmh/target/benchmarks.jar 'DatapathBenchmark.established' -p flows=1048576
 * -p design=nf-clash-insert,ref-agrona-random}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, BuildInfo.JVM_CHRONICLE_1, BuildInfo.JVM_CHRONICLE_2,
    BuildInfo.JVM_CHRONICLE_3, BuildInfo.JVM_CHRONICLE_4, BuildInfo.JVM_CHRONICLE_5, BuildInfo.JVM_CHRONICLE_6,
    BuildInfo.JVM_CHRONICLE_7, "-Xms2g", "-Xmx2g"})
public class DatapathBenchmark
{
    /** Id of the baseline, not a registered design. */
    static final String BASELINE = "chm-baseline";
    /** Benchmark method name: new flows. */
    static final String NEW_FLOW = "newFlow";
    /** Benchmark method name: established flows. */
    static final String ESTABLISHED = "established";
    /** Benchmark method name: established flows in bursts of {@link #BURST}. */
    static final String ESTABLISHED_BURST = "establishedBurst";
    /** Packets per {@link Datapath#processBurst} in {@link #establishedBurst}. */
    static final int BURST = 32;

    private static final long UNREPLIED_NS = 30_000_000_000L;
    private static final int CLIENT_BASE = 0x0AF40000 + 1;
    private static final int VIP = 0x0A60000A;

    // every id of Designs.all(), in registry order, then the baseline, then NearLimitReference.IDS
    // (DatapathBenchmarkTest keeps them equal)
    @Param({"nf-drop", "nf-nonat-merge-4.7", "nf-nonat-merge", "nf-merge", "nf-same-origin", "nf-clash-insert-5.6",
        "nf-clash-insert-5.9", "nf-clash-insert-5.10", "nf-clash-insert-5.15", "nf-clash-insert", "nf-reverse-merge",
        "cilium-socklb", "cilium-tc", "chm-baseline", "ref-agrona-arrival", "ref-agrona-random"})
    String design;

    @Param({"65536", "1048576"})
    int flows;

    NearLimitReference reference;
    Datapath datapath;
    PacketContext ctx;
    PacketContext[] burst;
    long[] his;
    long[] los;
    int cursor;
    int mask;
    long now;
    long step;
    boolean freshTuples;
    long fresh;

    static Datapath create(final String id, final DatapathConfig config)
    {
        return id.equals(BASELINE) ? new ConcurrentHashMapConntrack(config) : Designs.get(id).create(config);
    }

    /** @param n flow number. @return its tuple's high word (client 10.244.0.1 + n / 16384 to the VIP). */
    static long hiOf(final long n)
    {
        return Tuple.hi(CLIENT_BASE + (int)(n >>> 14), VIP);
    }

    /** @param n flow number. @return its tuple's low word (source port 1024 + n % 16384, port 53, UDP). */
    static long loOf(final long n)
    {
        return Tuple.lo(1024 + (int)(n & 16383), 53, Tuple.PROTO_UDP);
    }

    /**
     * Ask the design (a scratch instance) whether a flow's entry expires in virtual time: a flow's second packet
     * one unreplied timeout after its first is {@code new} if it does, {@code established} if it does not.
     *
     * @param id design id.
     * @return true if entries expire.
     */
    static boolean entriesExpire(final String id)
    {
        try (Datapath probe = create(id, DatapathConfig.builder().backends(1).maxEntries(16).mapEntries(64).build()))
        {
            final PacketContext c = probe.newContext(0);
            for (final long t : new long[]{1_000_000_000L, 1_000_000_001L + UNREPLIED_NS})
            {
                probe.begin(c, t, hiOf(0), loOf(0), PacketRecordDescriptor.DIR_ORIGINAL, 1);
                probe.process(c);
            }
            return c.reason() == Reason.ACCEPT_NEW;
        }
    }

    /**
     * A benchmark state set up outside JMH, as a trial would be (the latency harness drives it).
     *
     * @param design a row of the {@code design} parameter.
     * @param flows  flows, a power of two.
     * @return the state, counting from zero.
     */
    public static DatapathBenchmark prepared(final String design, final int flows)
    {
        final DatapathBenchmark b = new DatapathBenchmark();
        b.design = design;
        b.flows = flows;
        b.setUp();
        b.startIteration();
        return b;
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        if (Integer.bitCount(flows) != 1)
        {
            throw new IllegalArgumentException("flows must be a power of two: " + flows);
        }
        if (NearLimitReference.isReference(design))
        {
            reference = NearLimitReference.of(design, flows);
            return;
        }
        freshTuples = !entriesExpire(design);
        datapath = create(design, DatapathConfig.builder().backends(3).maxEntries(flows + flows / 4)
            .mapEntries(2 * flows + flows / 2).seed(7).build());
        ctx = datapath.newContext(0);
        burst = new PacketContext[BURST];
        for (int b = 0; b < BURST; b++)
        {
            burst[b] = datapath.newContext(0, 1 + b);
        }
        his = new long[flows];
        los = new long[flows];
        for (int i = 0; i < flows; i++)
        {
            his[i] = hiOf(i);
            los[i] = loOf(i);
        }
        mask = flows - 1;
        // one full round of the flows plus a bit spans the unreplied timeout: each entry expires just before reuse
        step = UNREPLIED_NS / flows + 1;
        now = 1_000_000_000L;
        for (int i = 0; i < flows; i++)
        {
            datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
            datapath.process(ctx);
        }
        fresh = flows;
    }

    /** Count this iteration's verdicts from zero. */
    @Setup(Level.Iteration)
    public void startIteration()
    {
        if (reference != null)
        {
            return;
        }
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
        if (reference != null)
        {
            return;
        }
        final String benchmark = params.getBenchmark();
        checkPath(benchmark.substring(benchmark.lastIndexOf('.') + 1));
    }

    /**
     * @param method {@link #NEW_FLOW}, {@link #ESTABLISHED} or {@link #ESTABLISHED_BURST}.
     * @throws IllegalStateException naming the verdicts seen if any packet since {@link #startIteration} did not
     * end as the method's path.
     */
    public void checkPath(final String method)
    {
        checkPath(method, design, datapath.counters());
    }

    /**
     * The one path check of the datapath benchmarks: every packet counted since the counters' reset ended as the
     * method's path ({@code new} for {@link #NEW_FLOW}, {@code established} otherwise).
     *
     * @param method   benchmark method name.
     * @param what     what ran, for the message (the design, how it ran).
     * @param counters the design's counters.
     * @throws IllegalStateException naming the verdicts seen if a packet ended otherwise, or if none ran.
     */
    static void checkPath(final String method, final String what, final DatapathCounters counters)
    {
        checkPath(method, what, counters, 0);
    }

    /**
     * {@link #checkPath(String, String, DatapathCounters)}, where up to {@code clashesAllowed} {@link #NEW_FLOW}
     * packets may instead end in a clash ({@code insert_failed}, {@code clash_merged} or {@code clash_inserted}):
     * the one other outcome a new flow can meet on a table shared by threads (see
     * {@link SharedTableBenchmark#clashesAllowed}).
     *
     * @param method         benchmark method name.
     * @param what           what ran, for the message.
     * @param counters       the design's counters.
     * @param clashesAllowed how many new-flow packets may end in a clash instead (0 on one thread).
     * @throws IllegalStateException naming the verdicts seen if a packet ended otherwise, if more clashed than
     * allowed, or if none ran.
     */
    static void checkPath(final String method, final String what, final DatapathCounters counters,
        final long clashesAllowed)
    {
        final boolean newFlow = method.equals(NEW_FLOW);
        final Reason expected = newFlow ? Reason.ACCEPT_NEW : Reason.ACCEPT_ESTABLISHED;
        final long processed = counters.processed();
        final long clashes = newFlow ? counters.reason(Reason.DROP_CLASH) + counters.reason(Reason.ACCEPT_MERGED) +
            counters.reason(Reason.ACCEPT_CLASH_INSERTED) : 0;
        if (processed == 0 || clashes > clashesAllowed || counters.reason(expected) + clashes != processed)
        {
            final StringBuilder seen = new StringBuilder();
            for (int r = 0; r < Reason.count(); r++)
            {
                final long n = counters.reason(Reason.of(r));
                if (n != 0)
                {
                    seen.append(' ').append(Reason.of(r).label()).append('=').append(n);
                }
            }
            throw new IllegalStateException(method + " on " + what + ": " + processed + " packets, expected all " +
                expected.label() + (clashesAllowed > 0 ? " but at most " + clashesAllowed + " clashes" : "") +
                ", saw" + seen);
        }
    }

    /** A packet of an existing flow (virtual time stands still: nothing expires). */
    @Benchmark
    public int established()
    {
        if (reference != null)
        {
            return (int)reference.get();
        }
        final int i = cursor++ & mask;
        final PacketContext ctx = this.ctx;
        datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
        datapath.process(ctx);
        return ctx.reason().ordinal();
    }

    /**
     * {@link #BURST} packets of existing flows (the next ones in the same order as {@link #established}) through
     * {@link Datapath#processBurst}: the bulk-lookup shape, where a design can overlap the cache misses of several
     * packets. Scores are per packet ({@code OperationsPerInvocation}); the reference rows run {@link #BURST} gets.
     *
     * @return the last packet's verdict (all are checked at the iteration's end).
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int establishedBurst()
    {
        if (reference != null)
        {
            long sum = 0;
            for (int b = 0; b < BURST; b++)
            {
                sum += reference.get();
            }
            return (int)sum;
        }
        final PacketContext[] burst = this.burst;
        for (int b = 0; b < BURST; b++)
        {
            final int i = cursor++ & mask;
            datapath.begin(burst[b], now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
        }
        datapath.processBurst(burst, BURST);
        return burst[BURST - 1].reason().ordinal();
    }

    /** A new flow's first packet; its tuple's previous entry expired a moment ago, or it never had one. */
    @Benchmark
    public int newFlow()
    {
        if (reference != null)
        {
            return (int)reference.get();
        }
        final PacketContext ctx = this.ctx;
        now += step;
        if (freshTuples)
        {
            final long n = fresh++;
            datapath.begin(ctx, now + UNREPLIED_NS, hiOf(n), loOf(n), PacketRecordDescriptor.DIR_ORIGINAL, n);
        }
        else
        {
            final int i = cursor++ & mask;
            datapath.begin(ctx, now + UNREPLIED_NS, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
        }
        datapath.process(ctx);
        return ctx.reason().ordinal();
    }
}
