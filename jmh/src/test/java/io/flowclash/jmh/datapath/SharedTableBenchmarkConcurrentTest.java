package io.flowclash.jmh.datapath;

import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SharedTableBenchmark} measures what it names on one shared table: run outside JMH on two real threads,
 * each a worker with its own disjoint flows (small tables), every {@code established} packet of either thread finds
 * its entry and every {@code newFlow} packet is new but for the rare clash with its own dying entry
 * ({@link SharedTableBenchmark#clashesAllowed}), for every design of its parameter; and the path check fails
 * when the path is not the one named, or when more packets clash than it allows. The threads meet at a barrier every
 * {@link SharedTableBenchmark#QUIESCENT_EVERY} packets, right after their quiescent states, so that a thread the
 * machine deschedules cannot hold grace periods up while the other empties the pool (in JMH each thread has a
 * core).
 */
class SharedTableBenchmarkConcurrentTest
{
    private static final int THREADS = 2;
    private static final int FLOWS = 1024;
    private static final int PACKETS = 20 * FLOWS;

    static Stream<String> designs() throws NoSuchFieldException
    {
        return Arrays.stream(SharedTableBenchmark.class.getDeclaredField("design").getAnnotation(Param.class).value());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldFindItsEntryForEveryEstablishedPacketOfEveryThread(final String design) throws Exception
    {
        final SharedTableBenchmark b = run(design, false);
        assertThat(b.datapath.counters().reason(Reason.ACCEPT_ESTABLISHED)).isEqualTo((long)THREADS * PACKETS);
        b.checkPath(DatapathBenchmark.ESTABLISHED);
        b.tearDown();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldCreateAFlowForEveryNewFlowPacketOfEveryThreadButARareClash(final String design) throws Exception
    {
        final SharedTableBenchmark b = run(design, true);
        final DatapathCounters counters = b.datapath.counters();
        final long clashes = counters.reason(Reason.DROP_CLASH) + counters.reason(Reason.ACCEPT_MERGED) +
            counters.reason(Reason.ACCEPT_CLASH_INSERTED);
        assertThat(counters.reason(Reason.ACCEPT_NEW) + clashes).isEqualTo((long)THREADS * PACKETS);
        assertThat(clashes).isLessThanOrEqualTo(b.datapath instanceof NetfilterDatapath ?
            SharedTableBenchmark.clashesAllowed(THREADS, THREADS * PACKETS) : 0);
        b.checkPath(DatapathBenchmark.NEW_FLOW);
        b.tearDown();
    }

    @Test
    void shouldFailTheIterationWhenThePathIsNotTheOneNamed() throws Exception
    {
        final SharedTableBenchmark b = run("nf-clash-insert", false);
        assertThatThrownBy(() -> b.checkPath(DatapathBenchmark.NEW_FLOW)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("newFlow").hasMessageContaining("shared by 2 threads")
            .hasMessageContaining("established");
        b.tearDown();
    }

    @Test
    void shouldFailANewFlowIterationWithMoreClashesThanTheRaceExplains()
    {
        final long packets = 250_000;
        final long allowed = SharedTableBenchmark.clashesAllowed(THREADS, packets);
        assertThat(allowed).isEqualTo(3);
        assertThat(SharedTableBenchmark.clashesAllowed(1, packets)).isZero();
        for (final Reason clash : new Reason[] {Reason.DROP_CLASH, Reason.ACCEPT_MERGED, Reason.ACCEPT_CLASH_INSERTED})
        {
            final DatapathCounters counters = counters(packets, clash, allowed);
            DatapathBenchmark.checkPath(DatapathBenchmark.NEW_FLOW, "x", counters, allowed);
            final DatapathCounters tooMany = counters(packets, clash, allowed + 1);
            assertThatThrownBy(() -> DatapathBenchmark.checkPath(DatapathBenchmark.NEW_FLOW, "x", tooMany, allowed))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most 3 clashes")
                .hasMessageContaining(clash.label() + "=4");
            assertThatThrownBy(() -> DatapathBenchmark.checkPath(DatapathBenchmark.ESTABLISHED, "x", counters, 0))
                .isInstanceOf(IllegalStateException.class);
        }
        final DatapathCounters full = counters(packets, Reason.DROP_TABLE_FULL, 1);
        assertThatThrownBy(() -> DatapathBenchmark.checkPath(DatapathBenchmark.NEW_FLOW, "x", full, allowed))
            .as("only a clash is allowed").isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("table_full=1");
    }

    /** Counters of {@code packets} new-flow packets of which {@code others} ended as {@code other}. */
    private static DatapathCounters counters(final long packets, final Reason other, final long others)
    {
        final DatapathCounters counters = new DatapathCounters(1);
        for (long p = 0; p < packets; p++)
        {
            counters.processed(0);
            counters.verdict(0, p < others ? other : Reason.ACCEPT_NEW);
        }
        return counters;
    }

    private static boolean isClash(final int verdict)
    {
        return verdict == Reason.DROP_CLASH.ordinal() || verdict == Reason.ACCEPT_MERGED.ordinal() ||
            verdict == Reason.ACCEPT_CLASH_INSERTED.ordinal();
    }

    /** Set up as JMH would (table, then each thread's worker on that thread), then run every thread's packets. */
    private static SharedTableBenchmark run(final String design, final boolean newFlows) throws Exception
    {
        final SharedTableBenchmark b = new SharedTableBenchmark();
        b.design = design;
        b.flows = FLOWS;
        b.setUp(THREADS);
        final boolean clashesPossible = newFlows && b.datapath instanceof NetfilterDatapath;
        final CyclicBarrier filled = new CyclicBarrier(THREADS, b::startIteration);
        final CyclicBarrier lockstep = new CyclicBarrier(THREADS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final int index = t;
            threads[t] = new Thread(() ->
            {
                try
                {
                    final SharedTableBenchmark.Worker w = new SharedTableBenchmark.Worker();
                    w.setUp(b, index);
                    filled.await();
                    for (int p = 0; p < PACKETS; p++)
                    {
                        final int verdict = newFlows ? b.newFlow(w) : b.established(w);
                        final Reason expected = newFlows ? Reason.ACCEPT_NEW : Reason.ACCEPT_ESTABLISHED;
                        if (verdict != expected.ordinal() && !(clashesPossible && isClash(verdict)))
                        {
                            throw new AssertionError(design + " worker " + index + " packet " + p + ": " +
                                Reason.of(verdict).label());
                        }
                        if (p % SharedTableBenchmark.QUIESCENT_EVERY == SharedTableBenchmark.QUIESCENT_EVERY - 1)
                        {
                            lockstep.await(); // both reported a quiescent state: no stalled thread holds grace up
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                    filled.reset(); // a thread still waiting gives up (BrokenBarrierException)
                    lockstep.reset();
                }
            });
            threads[t].start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        return b;
    }
}
