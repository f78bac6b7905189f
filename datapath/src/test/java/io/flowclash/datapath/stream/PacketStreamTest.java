package io.flowclash.datapath.stream;

import io.flowclash.datapath.flow.Tuple;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketStreamTest
{
    @Test
    void shouldPublishOnlyCommittedRecords()
    {
        final PacketStream stream = PacketStream.allocateDirect(2);
        final PacketRecord record = new PacketRecord();
        stream.claim(record).timestampNs(5).tuple(Tuple.hi(1, 2), Tuple.lo(3, 4, Tuple.PROTO_UDP)).socketCookie(9);
        assertThat(stream.count()).isZero();
        stream.commit();
        assertThat(stream.count()).isEqualTo(1);
        final PacketRecord read = stream.record(0, new PacketRecord());
        assertThat(read.timestampNs()).isEqualTo(5);
        assertThat(read.socketCookie()).isEqualTo(9);
        assertThat(Tuple.srcPort(read.tupleLo())).isEqualTo(3);
        stream.claim(record);
        stream.commit();
        assertThatThrownBy(() -> stream.claim(record)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("full");
    }

    @Test
    void shouldRoundTripEveryFieldThroughTheFlyweight()
    {
        final PacketStream stream = PacketStream.allocateDirect(1);
        final PacketRecord r = stream.claim(new PacketRecord());
        r.timestampNs(Long.MAX_VALUE).tuple(-1L, Tuple.lo(65535, 1, Tuple.PROTO_UDP)).socketCookie(-2).batchId(77)
            .lookupId(-5).queryId(65535).queryType(PacketRecordDescriptor.QTYPE_AAAA)
            .direction(PacketRecordDescriptor.DIR_REPLY).batch(254, 255)
            .flags(PacketRecordDescriptor.FLAG_RETRANSMIT).clearReserved();
        stream.commit();
        final PacketRecord read = stream.record(0, new PacketRecord());
        assertThat(read.timestampNs()).isEqualTo(Long.MAX_VALUE);
        assertThat(read.tupleHi()).isEqualTo(-1L);
        assertThat(Tuple.srcPort(read.tupleLo())).isEqualTo(65535);
        assertThat(read.socketCookie()).isEqualTo(-2);
        assertThat(read.batchId()).isEqualTo(77);
        assertThat(read.lookupId()).isEqualTo(-5);
        assertThat(read.queryId()).isEqualTo(65535);
        assertThat(read.queryType()).isEqualTo(PacketRecordDescriptor.QTYPE_AAAA);
        assertThat(read.direction()).isEqualTo(PacketRecordDescriptor.DIR_REPLY);
        assertThat(read.batchIndex()).isEqualTo(254);
        assertThat(read.batchSize()).isEqualTo(255);
        assertThat(read.flags()).isEqualTo(PacketRecordDescriptor.FLAG_RETRANSMIT);
        assertThat(read.reserved()).isZero();
        assertThat(read.toString()).contains("reply udp src=255.255.255.255").contains("qtype=AAAA");
    }
}
