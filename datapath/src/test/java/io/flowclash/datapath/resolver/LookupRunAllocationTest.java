package io.flowclash.datapath.resolver;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.workload.DnsLookupsWorkload;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closed loop allocates nothing per lookup or per packet: ten times the lookups (same clients, so the same
 * number of events in flight) allocate the same on the driving thread, up to a small slack for one-off growth.
 */
class LookupRunAllocationTest
{
    private static long allocatedBy(final String resolver, final int lookups)
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final DnsLookupsWorkload w = (DnsLookupsWorkload)Workloads.parse("dns-lookups:clients=200,lookups=" + lookups);
        final DatapathConfig config = DatapathConfig.builder().backends(2).workers(2).seed(1).maxEntries(65_536)
            .service(w.serviceAddress(), w.servicePort()).build();
        try (Datapath dp = Designs.get("nf-same-origin").create(config))
        {
            final long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            LookupRun.run(dp, new RunOptions(RaceMode.parse("always"), false, 200_000L, 1_000_000_000L, 1), w,
                ResolverOptions.parse(ResolverKind.parse(resolver), null));
            return bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        }
    }

    @Test
    void tenTimesTheLookupsAllocateNoMore()
    {
        for (final String resolver : new String[]{"glibc", "musl"})
        {
            allocatedBy(resolver, 20); // warm up: classes loaded, code compiled
            final long small = allocatedBy(resolver, 20);
            final long large = allocatedBy(resolver, 200);
            // 36,000 more lookups and about 150,000 more packets: one byte each would be 150 KB
            assertThat(large - small).as(resolver + ": %d vs %d bytes", large, small).isLessThan(64 * 1024);
        }
    }
}
