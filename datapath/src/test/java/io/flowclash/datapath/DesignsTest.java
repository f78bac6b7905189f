package io.flowclash.datapath;

import io.flowclash.datapath.design.Designs;

import io.flowclash.datapath.conntrack.ConntrackEra;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry's facts come from one place: a netfilter design's kernels, clash rule and "can drop" are its era's,
 * and the instance it creates runs that era.
 */
class DesignsTest
{
    @Test
    void shouldDeriveEveryNetfilterDesignsFactsFromItsEra()
    {
        for (final Designs.Design d : Designs.all())
        {
            final ConntrackEra era = d.era();
            if (era == null)
            {
                assertThat(d.id()).as("only the tc LB runs without kernel conntrack").isEqualTo("cilium-tc");
                assertThat(d.canDropOnClash()).isFalse();
                continue;
            }
            assertThat(d.canDropOnClash()).as(d.id()).isEqualTo(era.canDropOnClash());
            assertThat(d.models()).as(d.id()).contains("Linux " + era.kernels());
            if (d.id().startsWith("nf-"))
            {
                assertThat(d.clashRule()).as(d.id()).isEqualTo(era.clashRule()).isNotEmpty();
                try (Datapath dp = d.create(DatapathConfig.builder().build()))
                {
                    assertThat(((NetfilterDatapath)dp).era()).as(d.id()).isSameAs(era);
                    assertThat(dp.id()).isEqualTo(d.id());
                }
            }
        }
    }

    @Test
    void shouldDropOnAClashExactlyBeforeTheReplyOnlyInsert()
    {
        // 6a757c07e51f (5.6): from it on an unresolved clash of one flow inserts the loser instead of dropping it
        assertThat(ConntrackEra.DROP.canDropOnClash()).isTrue();
        assertThat(ConntrackEra.SAME_ORIGIN.canDropOnClash()).isTrue();
        assertThat(ConntrackEra.CLASH_INSERT_5_6.canDropOnClash()).isFalse();
        assertThat(ConntrackEra.REVERSE_MERGE.canDropOnClash()).isFalse();
    }

    @Test
    void shouldNameTheKnownIdsForAnUnknownOne()
    {
        assertThatThrownBy(() -> Designs.get("nf-nope")).isInstanceOf(FlowclashException.class)
            .hasMessageContaining("nf-drop").hasMessageContaining("cilium-tc");
    }
}
