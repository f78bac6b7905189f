package io.flowclash.lab;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The clash count is read correctly on kernels with and without the {@code clashres} column (5.10+). */
class ReadingsTest
{
    private static KernelLab.Readings readings(final Map<String, Long> stat, final long dnat, final long entries)
    {
        return new KernelLab.Readings("fcl000000", new KernelLab.Options("out", 2000, 2, "spin", false, 50, false,
            "none"), stat, entries, 2000, dnat, 0, 0, 0, 0, 0, "", 0, 0, 0, 0, 0, 0, null, null, null, null);
    }

    @Test
    void shouldReadClashResolveWhereTheKernelCountsIt()
    {
        final KernelLab.Readings k = readings(Map.of("clashres", 37L, "entries", 2010L), 2037, 2010);
        assertThat(k.clashResolve()).isEqualTo(37);
        assertThat(k.clashResolveSource()).isEqualTo("clashres");
    }

    @Test
    void shouldDeriveClashesFromTheDnatCounterOnKernelsWithoutClashres()
    {
        // 5.6-5.9 layout: no clashres column; 2,000 pairs made 2,037 new conntracks: 2,000 listed, 20 of the clashes
        // still counted as hidden NAT_CLASH entries (conntrack -C 2,020), which must not hide them
        final KernelLab.Readings k = readings(Map.of("insert_failed", 0L, "entries", 2020L), 2037, 2020);
        assertThat(k.clashResolve()).isEqualTo(37);
        assertThat(k.clashResolveSource()).isEqualTo("nft DNAT counter - conntrack -L");
    }
}
