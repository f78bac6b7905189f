package io.flowclash.datapath.workload;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkloadTest
{
    private static byte[] bytes(final PacketStream stream)
    {
        final byte[] out = new byte[stream.count() * PacketRecordDescriptor.RECORD_LENGTH];
        stream.buffer().getBytes(0, out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dns-pairs:sockets=300,lookups=3", "pairs-storm:sockets=500", "established:flows=64"})
    void shouldGiveIdenticalBytesForTheSameSpecAndSeed(final String spec)
    {
        final byte[] first = bytes(Workloads.generate(Workloads.parse(spec + ",seed=7")));
        final byte[] second = bytes(Workloads.generate(Workloads.parse(spec + ",seed=7")));
        final byte[] other = bytes(Workloads.generate(Workloads.parse(spec + ",seed=8")));
        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Test
    void shouldSendEachLookupAsOneBatchOfAAndAaaaOnOneTuple()
    {
        final Workload workload = Workloads.parse("dns-pairs:sockets=50,lookups=2,interval=2ms,vip=10.96.0.10");
        final PacketStream stream = Workloads.generate(workload);
        assertThat(stream.count()).isEqualTo(200).isEqualTo(workload.recordCount());
        final PacketRecord a = new PacketRecord();
        final PacketRecord b = new PacketRecord();
        final Set<Long> tuples = new HashSet<>();
        for (int i = 0; i < stream.count(); i += 2)
        {
            stream.record(i, a);
            stream.record(i + 1, b);
            assertThat(a.queryType()).isEqualTo(PacketRecordDescriptor.QTYPE_A);
            assertThat(b.queryType()).isEqualTo(PacketRecordDescriptor.QTYPE_AAAA);
            assertThat(b.tupleHi()).isEqualTo(a.tupleHi());
            assertThat(b.tupleLo()).isEqualTo(a.tupleLo());
            assertThat(b.timestampNs()).isEqualTo(a.timestampNs()).isEqualTo((i / 2) * 2_000_000L);
            assertThat(b.batchId()).isEqualTo(a.batchId());
            assertThat(a.batchIndex()).isZero();
            assertThat(b.batchIndex()).isEqualTo(1);
            assertThat(a.batchSize()).isEqualTo(2);
            assertThat(Tuple.dstPort(a.tupleLo())).isEqualTo(53);
            assertThat(Tuple.protocol(a.tupleLo())).isEqualTo(Tuple.PROTO_UDP);
            tuples.add(a.tupleHi() ^ (a.tupleLo() * 31));
        }
        // 50 sockets, two lookups each on the same socket: exactly 50 distinct tuples
        assertThat(tuples).hasSize(50);
    }

    @Test
    void shouldWriteCanonicalSpecWithEveryDefault()
    {
        assertThat(Workloads.parse("dns-pairs").spec())
            .isEqualTo("dns-pairs:sockets=1000,lookups=1,interval=1ms,vip=10.96.0.10,port=53,clients=100,seed=1");
        assertThat(Workloads.parse("dns-pairs:interval=1000us", 9L).spec()).contains("interval=1ms").endsWith("seed=9");
    }

    @Test
    void shouldRejectBadSpecsNamingTheFault()
    {
        assertThatThrownBy(() -> Workloads.parse("dns-pair")).isInstanceOf(FlowclashException.class)
            .hasMessageContaining("unknown workload 'dns-pair'").hasMessageContaining("dns-pairs");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:sokets=3")).hasMessageContaining("unknown parameter 'sokets'");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:sockets=abc")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:sockets=0")).hasMessageContaining("outside");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:interval=5")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:vip=10.96.0")).hasMessageContaining("not an IPv4");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:sockets")).hasMessageContaining("not key=value");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:seed=1", 2L)).hasMessageContaining("give it once");
        assertThatThrownBy(() -> Workloads.parse("dns-pairs:sockets=60000,clients=1"))
            .hasMessageContaining("raise clients");
    }

    @Test
    void shouldParseDurations()
    {
        assertThat(Durations.parseNs("500ns")).isEqualTo(500);
        assertThat(Durations.parseNs("100us")).isEqualTo(100_000);
        assertThat(Durations.parseNs("1ms")).isEqualTo(1_000_000);
        assertThat(Durations.parseNs("5s")).isEqualTo(5_000_000_000L);
        assertThat(Durations.format(2_500_000_000L)).isEqualTo("2500ms");
        assertThatThrownBy(() -> Durations.parseNs("-1ms")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parseNs("1h")).isInstanceOf(IllegalArgumentException.class);
    }
}
