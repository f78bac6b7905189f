package io.flowclash.datapath.run;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.CountingDatapath;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Real threads released together ({@code --race real}): whatever the interleavings, every packet is accounted for,
 * the fixed eras never drop, and the table holds exactly one visible entry per socket at the end; batches of any
 * size, with any number of workers, process each packet exactly once.
 */
class RunnerConcurrentTest
{
    @ParameterizedTest
    @ValueSource(strings = {"nf-drop", "nf-merge", "nf-same-origin", "nf-clash-insert", "nf-reverse-merge"})
    void shouldAccountForEveryPacketUnderRealRaces(final String design)
    {
        final PacketStream stream = Workloads.generate(Workloads.parse("dns-pairs:sockets=5000,lookups=2,interval=100us"));
        final Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(2).workers(2).build());
        final RunResult r = new Runner(dp, new RunOptions(RaceMode.parse("real"), false, 200_000, 1_000_000_000L, 1))
            .run(stream);
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
        assertThat(r.queries()).isEqualTo(20_000);
        assertThat(r.processed()).isEqualTo(r.queries() + r.replies());
        assertThat(r.replies()).as("one reply per accepted query").isEqualTo(r.queries() - r.dropped());
        assertThat(r.entries()).as("one visible entry per socket").isEqualTo(5000);
        assertThat(r.racedBatches()).isEqualTo(10_000);
        assertThat(r.lookupsComplete() + r.lookupsStalled()).isEqualTo(10_000);
        if (!Designs.get(design).canDropOnClash())
        {
            assertThat(r.dropped()).isZero();
            assertThat(r.lookupsStalled()).isZero();
            assertThat(r.reason(Reason.ACCEPT_REPLY_UNTRANSLATED)).isZero();
        }
        else
        {
            assertThat(r.dropped()).isEqualTo(r.reason(Reason.DROP_CLASH));
            assertThat(r.lookupsStalled()).isEqualTo(r.dropped());
        }
    }

    /**
     * Batches of the given sizes in turn, each a batch of queries of one socket flow at one instant (A, AAAA, A,
     * ...), one lookup per batch.
     */
    static PacketStream batches(final int batchCount, final int... sizes)
    {
        int total = 0;
        for (int b = 0; b < batchCount; b++)
        {
            total += sizes[b % sizes.length];
        }
        final PacketStream stream = PacketStream.allocateDirect(total);
        final PacketRecord record = new PacketRecord();
        final int client = Ipv4.parse("10.244.0.5");
        final int vip = Ipv4.parse("10.96.0.10");
        int i = 0;
        for (int b = 0; b < batchCount; b++)
        {
            final int size = sizes[b % sizes.length];
            final long hi = Tuple.hi(client, vip);
            final long lo = Tuple.lo(1024 + b % 60000, 53, Tuple.PROTO_UDP);
            for (int q = 0; q < size; q++)
            {
                stream.record(i++, record)
                    .timestampNs(1_000_000_000L + b * 1_000_000L)
                    .tuple(hi, lo)
                    .socketCookie(b + 1L)
                    .batchId(b)
                    .lookupId(b)
                    .queryId(q)
                    .queryType(q % 2 == 0 ? PacketRecordDescriptor.QTYPE_A : PacketRecordDescriptor.QTYPE_AAAA)
                    .direction(PacketRecordDescriptor.DIR_ORIGINAL)
                    .batch(q, size)
                    .flags(0)
                    .clearReserved();
            }
        }
        stream.publish(total);
        return stream;
    }

    @ParameterizedTest(name = "{0} workers, batches of {1}")
    @CsvSource({"2, 3", "2, 5", "3, 2;3;1;4", "4, 1;2;3;5;2", "3, 6;2"})
    void shouldProcessEveryPacketOfEveryBatchExactlyOnce(final int workers, final String sizes)
    {
        final int[] batchSizes = java.util.Arrays.stream(sizes.split(";")).mapToInt(Integer::parseInt).toArray();
        final PacketStream stream = batches(1000, batchSizes);
        final CountingDatapath dp = new CountingDatapath(Designs.get("nf-clash-insert")
            .create(DatapathConfig.builder().backends(2).workers(workers).build()));
        final RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(120), () ->
            new Runner(dp, new RunOptions(RaceMode.parse("real"), false, 200_000, 1_000_000_000L, 1)).run(stream),
            "the lockstep hung");
        assertThat(dp.stepsWhenDone.get()).as("steps on a finished packet").isZero();
        assertThat(dp.beginsInFlight.get()).as("packets loaded over one still in flight").isZero();
        assertThat(dp.begins.get()).as("packets begun").isEqualTo(r.queries() + r.replies());
        assertThat(dp.completions.get()).as("packets finished").isEqualTo(dp.begins.get());
        assertThat(r.queries()).isEqualTo(stream.count());
        assertThat(r.processed()).isEqualTo(r.queries() + r.replies());
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
        assertThat(r.dropped()).isZero();
        assertThat(r.entries()).as("one visible entry per socket").isEqualTo(1000);
    }

    @Test
    void shouldFinishWithMoreWorkersThanProcessors()
    {
        final int workers = 4 * Runtime.getRuntime().availableProcessors() + 1;
        final PacketStream stream = Workloads.generate(Workloads.parse("dns-pairs:sockets=500,interval=10ms"));
        final Datapath dp = Designs.get("nf-clash-insert").create(DatapathConfig.builder().backends(2)
            .workers(workers).build());
        // a hang guard, not a speed figure: parked workers must be woken for every batch
        final RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(120), () ->
            new Runner(dp, new RunOptions(RaceMode.parse("real"), false, 200_000, 1_000_000_000L, 1)).run(stream));
        assertThat(r.queries()).isEqualTo(1000);
        assertThat(r.processed()).isEqualTo(r.accepted() + r.dropped());
        assertThat(r.dropped()).isZero();
        assertThat(r.entries()).isEqualTo(500);
    }
}
