package io.flowclash.datapath.schedule;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every registered design allocates nothing per packet: 1 M packets on the established path and 1 M on the new-flow
 * path, driven through the {@link StepScheduler} as the runner drives them (one lane on worker 0, each packet begun
 * and finished, quiescent states reported by the scheduler), allocate 0 bytes on the driving thread
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, which counts the bytes of every object
 * the thread allocated, TLAB or not). Each path is first run for as many packets to warm up (classes loaded, code
 * compiled: the interpreter allocates what compiled code keeps in registers), and each measured run checks that
 * every packet took the path it names. No slack: the probe itself allocates nothing (checked first).
 * Both paths run a second time in bursts ({@link Datapath#processBurst}, 32 packets on worker 0's own contexts,
 * then its quiescent state), the shape of DPDK's bulk lookup: the burst allocates nothing either.
 *
 * <p>The flows are those of the JMH {@code DatapathBenchmark}: a fixed set of tuples, virtual time standing still
 * on the established path; on the new-flow path time advances so that each flow's entry has just expired when its
 * tuple comes round again and the lookup reclaims it; a design whose entries never expire in virtual time (the tc
 * LB's CT map) gets a tuple never seen before per packet instead, and its LRU map evicts.
 */
class DatapathAllocationTest
{
    private static final int FLOWS = 1 << 16;
    private static final int PACKETS = 1_000_000;
    /** Packets per {@link Datapath#processBurst} (a multiple of it makes {@link #PACKETS}). */
    private static final int BURST = 32;
    private static final long UNREPLIED_NS = 30_000_000_000L;
    private static final int CLIENT_BASE = 0x0AF40000 + 1;
    private static final int VIP = 0x0A60000A;

    private static com.sun.management.ThreadMXBean bean;
    /** Where {@link #theProbeSeesOneSmallArray} keeps its array, so that it escapes. */
    static long[] sink;

    static Stream<String> designs()
    {
        return Designs.all().stream().map(Designs.Design::id);
    }

    @BeforeAll
    static void probe()
    {
        bean = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        bean.setThreadAllocatedMemoryEnabled(true);
    }

    @Test
    void theProbeItselfAllocatesNothing()
    {
        long most = 0;
        for (int i = 0; i < 1000; i++)
        {
            final long before = bean.getCurrentThreadAllocatedBytes();
            most = Math.max(most, bean.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(most).isZero();
    }

    @Test
    void theProbeSeesOneSmallArray()
    {
        final long before = bean.getCurrentThreadAllocatedBytes();
        sink = new long[16];
        assertThat(bean.getCurrentThreadAllocatedBytes() - before).isGreaterThanOrEqualTo(16L * Long.BYTES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void establishedPathAllocatesNothing(final String design)
    {
        try (Driver d = new Driver(design))
        {
            d.established(PACKETS);
            d.counters().reset();
            final long before = bean.getCurrentThreadAllocatedBytes();
            d.established(PACKETS);
            final long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            d.requireAll(Reason.ACCEPT_ESTABLISHED);
            assertThat(bytes).as("%s: bytes allocated over %d established packets", design, PACKETS).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void newFlowPathAllocatesNothing(final String design)
    {
        try (Driver d = new Driver(design))
        {
            d.newFlows(PACKETS);
            d.counters().reset();
            final long before = bean.getCurrentThreadAllocatedBytes();
            d.newFlows(PACKETS);
            final long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            d.requireAll(Reason.ACCEPT_NEW);
            assertThat(bytes).as("%s: bytes allocated over %d new-flow packets", design, PACKETS).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void establishedBurstPathAllocatesNothing(final String design)
    {
        try (Driver d = new Driver(design))
        {
            d.burst(PACKETS, false);
            d.counters().reset();
            final long before = bean.getCurrentThreadAllocatedBytes();
            d.burst(PACKETS, false);
            final long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            d.requireAll(Reason.ACCEPT_ESTABLISHED);
            assertThat(bytes).as("%s: bytes allocated over %d established packets in bursts of %d", design, PACKETS,
                BURST).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void newFlowBurstPathAllocatesNothing(final String design)
    {
        try (Driver d = new Driver(design))
        {
            d.burst(PACKETS, true);
            d.counters().reset();
            final long before = bean.getCurrentThreadAllocatedBytes();
            d.burst(PACKETS, true);
            final long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            d.requireAll(Reason.ACCEPT_NEW);
            assertThat(bytes).as("%s: bytes allocated over %d new-flow packets in bursts of %d", design, PACKETS,
                BURST).isZero();
        }
    }

    /** One design behind a one-lane scheduler, filled with {@link #FLOWS} flows. */
    private static final class Driver implements AutoCloseable
    {
        private final String design;
        private final Datapath datapath;
        private final StepScheduler scheduler;
        private final PacketContext[] burst = new PacketContext[BURST];
        private final long[] his = new long[FLOWS];
        private final long[] los = new long[FLOWS];
        private final boolean freshTuples;
        private final long step = UNREPLIED_NS / FLOWS + 1;
        private long now = 1_000_000_000L;
        private long fresh = FLOWS;
        private int cursor;

        Driver(final String design)
        {
            this.design = design;
            this.freshTuples = !entriesExpire(design);
            this.datapath = Designs.get(design).create(DatapathConfig.builder().backends(3)
                .maxEntries(FLOWS + FLOWS / 4).mapEntries(2 * FLOWS + FLOWS / 2).seed(7).build());
            this.scheduler = new StepScheduler(datapath, 1);
            for (int b = 0; b < BURST; b++)
            {
                burst[b] = datapath.newContext(0, 1 + b);
            }
            for (int i = 0; i < FLOWS; i++)
            {
                his[i] = hiOf(i);
                los[i] = loOf(i);
                send(now, his[i], los[i], i);
            }
        }

        private static long hiOf(final long n)
        {
            return Tuple.hi(CLIENT_BASE + (int)(n >>> 14), VIP);
        }

        private static long loOf(final long n)
        {
            return Tuple.lo(1024 + (int)(n & 16383), 53, Tuple.PROTO_UDP);
        }

        /** A flow's second packet one unreplied timeout after its first is new if entries expire. */
        private static boolean entriesExpire(final String design)
        {
            try (Datapath probe = Designs.get(design).create(DatapathConfig.builder().backends(1).maxEntries(16)
                .mapEntries(64).build()))
            {
                final StepScheduler s = new StepScheduler(probe, 1);
                for (final long t : new long[]{1_000_000_000L, 1_000_000_001L + UNREPLIED_NS})
                {
                    s.begin(0, t, hiOf(0), loOf(0), PacketRecordDescriptor.DIR_ORIGINAL, 1);
                    s.finish(0);
                }
                return s.context(0).reason() == Reason.ACCEPT_NEW;
            }
        }

        private void send(final long t, final long hi, final long lo, final long cookie)
        {
            scheduler.begin(0, t, hi, lo, PacketRecordDescriptor.DIR_ORIGINAL, cookie);
            scheduler.finish(0);
        }

        void established(final int packets)
        {
            for (int p = 0; p < packets; p++)
            {
                final int i = cursor++ & (FLOWS - 1);
                send(now, his[i], los[i], i);
            }
        }

        void newFlows(final int packets)
        {
            for (int p = 0; p < packets; p++)
            {
                now += step;
                if (freshTuples)
                {
                    final long n = fresh++;
                    send(now + UNREPLIED_NS, hiOf(n), loOf(n), n);
                }
                else
                {
                    final int i = cursor++ & (FLOWS - 1);
                    send(now + UNREPLIED_NS, his[i], los[i], i);
                }
            }
        }

        /**
         * The packets in bursts of {@link #BURST} through {@link Datapath#processBurst} on worker 0's own contexts
         * (begun, then the burst, then the worker's quiescent state), established or new flows as above.
         */
        void burst(final int packets, final boolean newFlows)
        {
            for (int p = 0; p < packets; p += BURST)
            {
                for (int b = 0; b < BURST; b++)
                {
                    final PacketContext ctx = burst[b];
                    if (!newFlows)
                    {
                        final int i = cursor++ & (FLOWS - 1);
                        datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
                        continue;
                    }
                    now += step;
                    if (freshTuples)
                    {
                        final long n = fresh++;
                        datapath.begin(ctx, now + UNREPLIED_NS, hiOf(n), loOf(n), PacketRecordDescriptor.DIR_ORIGINAL,
                            n);
                    }
                    else
                    {
                        final int i = cursor++ & (FLOWS - 1);
                        datapath.begin(ctx, now + UNREPLIED_NS, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
                    }
                }
                datapath.processBurst(burst, BURST);
                datapath.quiescent(0);
            }
        }

        DatapathCounters counters()
        {
            return datapath.counters();
        }

        void requireAll(final Reason expected)
        {
            final DatapathCounters c = datapath.counters();
            assertThat(c.reason(expected)).as("%s: packets ending %s", design, expected.label())
                .isEqualTo(c.processed()).isEqualTo((long)PACKETS);
        }

        @Override
        public void close()
        {
            scheduler.close();
            datapath.close();
        }
    }
}
