package io.flowclash.datapath.run;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real threads released together ({@code --race real}): whatever the interleavings, every packet is accounted for,
 * the fixed eras never drop, and the table holds exactly one visible entry per socket at the end.
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
}
