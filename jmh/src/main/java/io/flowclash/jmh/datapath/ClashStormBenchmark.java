package io.flowclash.jmh.datapath;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A clash storm: two threads of one {@code @Group}, each a worker ("CPU") of one design, send the first packet of
 * the same new flow at the same moment, round after round, as glibc's A and AAAA queries leave one socket
 * together (each side in its own round order: the sides never share the scheduler's batch methods). Each round is a fresh flow (its tuple's previous entry expired a moment ago, as in
 * {@link DatapathBenchmark}; a fresh tuple for a design whose entries never expire). The two sides meet at the
 * start of each round (each publishes its round and waits, spinning, until the other has reached it; a side that
 * is told to stop measuring stops waiting), then race through the design's steps on real threads, driven by one
 * {@link StepScheduler} (lane 0 on worker 0, lane 1 on worker 1) as the runner drives them. The score is rounds per
 * microsecond per side; {@link Outcomes} reports, per second, the racing packets dropped, merged into the winner's
 * entry, and inserted reply-only (NAT_CLASH). Which of the three a clash ends in is the era's rule; how many rounds
 * clash at all depends on how close the two threads run (the machine, its load).
 *
 * <p>At the end of the trial ({@link Storm#checkRaced}) the race must have happened: for a design with kernel
 * conntrack (every {@code nf-*} era and the socket LB's host conntrack) drops + merges + reply-only inserts must not
 * all be zero; for the tc LB (BPF_ANY upsert, the last writer wins) no packet may have been dropped. Otherwise the
 * trial fails with the counts. The {@code design} parameter lists every registered design (checked against the
 * registry by {@code ClashStormBenchmarkTest}).
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar ClashStormBenchmark} (two threads per group; the
 * figures mean something only where two cores are free).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, BuildInfo.JVM_CHRONICLE_1, BuildInfo.JVM_CHRONICLE_2,
    BuildInfo.JVM_CHRONICLE_3, BuildInfo.JVM_CHRONICLE_4, BuildInfo.JVM_CHRONICLE_5, BuildInfo.JVM_CHRONICLE_6,
    BuildInfo.JVM_CHRONICLE_7, "-Xms2g", "-Xmx2g"})
public class ClashStormBenchmark
{
    static final int FLOWS = 1 << 16;
    private static final long UNREPLIED_NS = 30_000_000_000L;
    private static final int CLIENT_BASE = 0x0AF40000 + 1;
    private static final int VIP = 0x0A60000A;
    /** Spins before a waiting side yields its core (the machine may have fewer free cores than threads). */
    private static final int SPINS = 1 << 10;

    /** The design both sides race through, and the meeting point of the rounds. */
    @State(Scope.Group)
    public static class Storm
    {
        // every id of Designs.all(), in registry order (ClashStormBenchmarkTest keeps them equal)
        @Param({"nf-drop", "nf-nonat-merge-4.7", "nf-nonat-merge", "nf-merge", "nf-same-origin", "nf-clash-insert-5.6",
            "nf-clash-insert-5.9", "nf-clash-insert-5.10", "nf-clash-insert-5.15", "nf-clash-insert",
            "nf-reverse-merge", "cilium-socklb", "cilium-tc"})
        String design;

        Datapath datapath;
        StepScheduler scheduler;
        boolean freshTuples;
        boolean eraClashes;
        final long step = UNREPLIED_NS / FLOWS + 1;
        /** Round published by side 0 at index 0, by side 1 at index {@code PAD} (a cache line or more apart). */
        private final AtomicLongArray published = new AtomicLongArray(2 * PAD);
        private static final int PAD = 16;
        private final long[] round = new long[2 * PAD];

        /** The design with two workers and two backends, one lane per side. */
        @Setup(Level.Trial)
        public void setUp()
        {
            freshTuples = !DatapathBenchmark.entriesExpire(design);
            eraClashes = Designs.get(design).era() != null;
            datapath = Designs.get(design).create(DatapathConfig.builder().backends(2).workers(2)
                .maxEntries(2 * FLOWS).mapEntries(4 * FLOWS).seed(11).build());
            scheduler = new StepScheduler(datapath, new int[]{0, 1});
        }

        /**
         * One round of side {@code side}: publish it, meet the other side, send the round's packet.
         *
         * @param side     0 or 1 (lane and worker).
         * @param outcomes this side's counts.
         * @param control  JMH's, to stop waiting when the iteration ends.
         * @return the verdict's ordinal, or -1 if the side stopped waiting.
         */
        int race(final int side, final Outcomes outcomes, final Control control)
        {
            final long n = ++round[side * PAD];
            // two meetings: "arrived" (2n - 1), then "ready" (2n). A side that yielded its core while waiting to
            // meet publishes "ready" only once it runs again, and the other is then spinning for it: both leave
            // the second meeting within a cache-line transfer of each other.
            if (!meet(side, 2 * n - 1, control) || !meet(side, 2 * n, control))
            {
                return -1;
            }
            return send(side, n, outcomes);
        }

        private boolean meet(final int side, final long stage, final Control control)
        {
            published.set(side * PAD, stage);
            final int other = (1 - side) * PAD;
            int spins = 0;
            while (published.get(other) < stage)
            {
                if (control.stopMeasurement)
                {
                    return false;
                }
                if (++spins == SPINS)
                {
                    spins = 0;
                    Thread.yield();
                }
                Thread.onSpinWait();
            }
            return true;
        }

        /**
         * Load round {@code n}'s packet into the side's lane; the caller runs it.
         *
         * @param side 0 or 1.
         * @param n    round, from 1.
         */
        void load(final int side, final long n)
        {
            final long f = freshTuples ? n : n & (FLOWS - 1);
            final long hi = Tuple.hi(CLIENT_BASE + (int)(f >>> 14), VIP);
            final long lo = Tuple.lo(1024 + (int)(f & 16383), 53, Tuple.PROTO_UDP);
            scheduler.begin(side, 1_000_000_000L + n * step, hi, lo, PacketRecordDescriptor.DIR_ORIGINAL, f);
        }

        private int send(final int side, final long n, final Outcomes outcomes)
        {
            load(side, n);
            scheduler.finish(side);
            final Reason reason = scheduler.context(side).reason();
            outcomes.count(reason);
            return reason.ordinal();
        }

        /**
         * Fail the trial if the storm did not race: see the class comment.
         *
         * @throws IllegalStateException with the counts.
         */
        @TearDown(Level.Trial)
        public void checkRaced()
        {
            final DatapathCounters c = datapath.counters();
            final long drops = c.processed() - accepted(c);
            final long merges = c.reason(Reason.ACCEPT_MERGED);
            final long replyOnly = c.reason(Reason.ACCEPT_CLASH_INSERTED);
            final String counts = design + ": " + c.processed() + " packets, " + drops + " dropped, " + merges +
                " merged, " + replyOnly + " reply-only inserts";
            scheduler.close();
            datapath.close();
            if (c.processed() == 0 || (eraClashes ? drops + merges + replyOnly == 0 : drops != 0))
            {
                throw new IllegalStateException("the storm did not race as " + design + " must: " + counts);
            }
        }

        private static long accepted(final DatapathCounters c)
        {
            long n = 0;
            for (int r = 0; r < Reason.count(); r++)
            {
                if (Reason.of(r).accepted())
                {
                    n += c.reason(Reason.of(r));
                }
            }
            return n;
        }
    }

    /** One side's outcomes of racing packets, reported by JMH per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Outcomes
    {
        /** Racing packets dropped (insert_failed, or any other drop). */
        public long drops;
        /** Racing packets merged into the other's entry (clash_merged). */
        public long merges;
        /** Racing packets whose entry went in with its REPLY node only (clash_inserted, NAT_CLASH). */
        public long replyOnly;

        /** Count from zero each iteration (JMH does not reset auxiliary counters). */
        @Setup(Level.Iteration)
        public void reset()
        {
            drops = 0;
            merges = 0;
            replyOnly = 0;
        }

        void count(final Reason reason)
        {
            if (!reason.accepted())
            {
                drops++;
            }
            else if (reason == Reason.ACCEPT_MERGED)
            {
                merges++;
            }
            else if (reason == Reason.ACCEPT_CLASH_INSERTED)
            {
                replyOnly++;
            }
        }
    }

    /**
     * Side 0 (worker 0) of the pair.
     *
     * @param storm    the shared design.
     * @param outcomes this side's counts.
     * @param control  JMH's.
     * @return the verdict's ordinal.
     */
    @Benchmark
    @Group("storm")
    @GroupThreads(1)
    public int sideA(final Storm storm, final Outcomes outcomes, final Control control)
    {
        return storm.race(0, outcomes, control);
    }

    /**
     * Side 1 (worker 1) of the pair.
     *
     * @param storm    the shared design.
     * @param outcomes this side's counts.
     * @param control  JMH's.
     * @return the verdict's ordinal.
     */
    @Benchmark
    @Group("storm")
    @GroupThreads(1)
    public int sideB(final Storm storm, final Outcomes outcomes, final Control control)
    {
        return storm.race(1, outcomes, control);
    }
}
