package io.flowclash.datapath.schedule;

import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler's contract on one thread: quiescence for every idle worker after a batch and none for a worker
 * with a packet in flight, lanes begun while others are in flight, explicit schedules, random streams per lane
 * independent of the worker count, and every lane processed exactly once on real threads.
 */
class StepSchedulerTest
{
    static final long T0 = 1_000_000_000L;
    static final long HI = Tuple.hi(Ipv4.parse("10.244.0.5"), Ipv4.parse("10.96.0.10"));
    static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);

    static CountingDatapath design(final String id, final int workers)
    {
        return new CountingDatapath(Designs.get(id).create(DatapathConfig.builder().backends(2).workers(workers)
            .seed(3).build()));
    }

    @Test
    void shouldReportEveryIdleWorkerQuiescentAfterABatch()
    {
        final CountingDatapath dp = design("nf-clash-insert", 4);
        final StepScheduler s = new StepScheduler(dp, new int[]{0, 1});
        s.begin(0, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        s.begin(1, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        s.runRoundRobin(0, 2);
        for (int w = 0; w < 4; w++)
        {
            assertThat(dp.quiescent.get(w)).as("worker %d, with or without a packet in the batch", w).isPositive();
        }
        assertThat(dp.completions.get()).isEqualTo(2);
    }

    @Test
    void shouldNotReportAWorkerWithAPacketInFlight()
    {
        final CountingDatapath dp = design("nf-clash-insert", 2);
        final StepScheduler s = new StepScheduler(dp, 2);
        s.begin(1, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        s.runSchedule("B"); // lookup only: B holds nothing yet, but is between its steps
        assertThat(s.inFlight(1)).isTrue();
        assertThat(dp.quiescent.get(1)).as("worker 1 is inside a packet").isZero();
        assertThat(dp.quiescent.get(0)).as("worker 0 is idle").isEqualTo(1);
        s.finish(1);
        assertThat(dp.quiescent.get(1)).as("worker 1 after its packet").isEqualTo(1);
    }

    @Test
    void shouldTakeAReplyWhileAnotherPacketIsBetweenItsSteps()
    {
        final CountingDatapath dp = design("nf-clash-insert", 2);
        final StepScheduler s = new StepScheduler(dp, new int[]{0, 0, 1});
        s.begin(0, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        s.runInOrder(0, 1);
        final PacketContext first = s.context(0);
        assertThat(first.reason()).isEqualTo(Reason.ACCEPT_NEW);
        final long idle = dp.quiescent.get(0);
        // a retry on lane 1 (same worker) is between its steps when the reply to the first query arrives on lane 2
        s.begin(1, T0 + 5_000_000_000L, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        s.step(1);
        s.begin(2, T0 + 5_000_000_001L, Tuple.invertHi(first.hi()), Tuple.invertLo(first.lo()),
            PacketRecordDescriptor.DIR_REPLY, 1);
        s.finish(2);
        assertThat(s.context(2).reason()).isEqualTo(Reason.ACCEPT_REPLY);
        assertThat(s.inFlight(1)).isTrue();
        assertThat(dp.quiescent.get(0)).as("worker 0 is inside the retry").isEqualTo(idle);
        s.finish(1);
        assertThat(dp.quiescent.get(0)).as("worker 0 after the retry").isEqualTo(idle + 1);
        assertThat(s.context(1).reason()).isEqualTo(Reason.ACCEPT_ESTABLISHED);
        assertThat(dp.counters().processed()).isEqualTo(3);
        assertThat(dp.counters().accepted() + dp.counters().dropped()).isEqualTo(3);
        assertThatThrownBy(() -> s.step(1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("lane 1 (B) has no packet in flight");
    }

    @Test
    void shouldRefuseToLoadALaneThatIsInFlight()
    {
        final StepScheduler s = new StepScheduler(design("nf-drop", 1), 1);
        s.begin(0, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
        assertThatThrownBy(() -> s.begin(0, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("still has a packet in flight");
    }

    @Test
    void shouldGiveEachLaneItsOwnRandomStreamWhateverTheWorkers()
    {
        final StepScheduler one = new StepScheduler(design("nf-clash-insert", 1), 4);
        final StepScheduler two = new StepScheduler(design("nf-clash-insert", 2), 4);
        assertThat(one.worker(1)).isEqualTo(0);
        assertThat(two.worker(1)).isEqualTo(1);
        for (int j = 0; j < 4; j++)
        {
            assertThat(one.context(j).random().nextLong()).as("lane %d", j)
                .isEqualTo(two.context(j).random().nextLong());
            assertThat(one.context(j).internalRandom().nextLong()).as("lane %d", j)
                .isEqualTo(two.context(j).internalRandom().nextLong());
        }
        final StepScheduler fresh = new StepScheduler(design("nf-clash-insert", 1), 2);
        assertThat(fresh.context(0).random().nextLong()).as("two lanes of one worker draw differently")
            .isNotEqualTo(fresh.context(1).random().nextLong());
    }

    @Test
    void shouldProcessEachLaneExactlyOnceOnRealThreads()
    {
        final CountingDatapath dp = design("nf-clash-insert", 3);
        final int[] sizes = {1, 2, 3, 5, 7, 2, 6};
        long expected = 0;
        try (StepScheduler s = new StepScheduler(dp, 8))
        {
            for (int round = 0; round < 700; round++)
            {
                final int size = sizes[round % sizes.length];
                for (int j = 0; j < size; j++)
                {
                    s.begin(j, T0 + round * 1_000_000L, HI, Tuple.lo(1024 + round, 53, Tuple.PROTO_UDP),
                        PacketRecordDescriptor.DIR_ORIGINAL, round + 1L);
                }
                s.runParallel(0, size);
                expected += size;
                for (int j = 0; j < size; j++)
                {
                    assertThat(s.inFlight(j)).isFalse();
                    assertThat(s.context(j).done()).isTrue();
                }
                assertThat(dp.completions.get()).as("round %d", round).isEqualTo(expected);
            }
        }
        assertThat(dp.stepsWhenDone.get()).isZero();
        assertThat(dp.beginsInFlight.get()).isZero();
        assertThat(dp.begins.get()).isEqualTo(expected);
        for (int w = 0; w < 3; w++)
        {
            assertThat(dp.quiescent.get(w)).as("worker %d reported every batch", w).isGreaterThanOrEqualTo(700);
            assertThat(dp.offline.get(w)).as("worker %d offline at close", w).isPositive();
        }
        assertThat(dp.counters().processed()).isEqualTo(expected);
        assertThat(dp.counters().accepted() + dp.counters().dropped()).isEqualTo(expected);
    }
}
