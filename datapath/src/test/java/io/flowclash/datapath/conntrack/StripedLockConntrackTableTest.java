package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.memory.PoolCensus;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table's reclamation contract with callers that are no worker ({@code Datapath}: sweeps and listings may run
 * beside packets, from any thread), and its census. Deterministic: one thread plays the listing thread and, from
 * inside the listing's visitor, the workers.
 */
class StripedLockConntrackTableTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 10 * S;

    private static NetfilterDatapath datapath(final int maxEntries)
    {
        return (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).workers(2).maxEntries(maxEntries).build());
    }

    private static void newFlow(final NetfilterDatapath dp, final PacketContext ctx, final long now, final int port)
    {
        dp.begin(ctx, now, Tuple.hi(0x0AF40005, 0x0A60000A), Tuple.lo(port, 53, Tuple.PROTO_UDP),
            PacketRecordDescriptor.DIR_ORIGINAL, port);
        dp.process(ctx);
    }

    /**
     * A listing from a thread that is no worker stands on an entry; worker 0 kills it (retired), both workers pass
     * quiescent states and worker 0 allocates new entries. None of them may be the entry the listing stands on
     * until the listing is done. (Before the guest slot, the grace period ignored the listing thread and the very
     * next allocation reused the entry.)
     */
    @Test
    void shouldNotReuseAnEntryUnderAListingFromAThreadThatIsNoWorker()
    {
        final NetfilterDatapath dp = datapath(64);
        final StripedLockConntrackTable table = dp.table();
        newFlow(dp, dp.newContext(0), T0, 40000);
        final List<Integer> reused = new ArrayList<>();
        final int[] visited = new int[1];
        final int[] held = new int[1];
        table.forEach(T0, (c, hidden) ->
        {
            visited[0]++;
            held[0] = c;
            assertThat(table.kill(c, 0)).isTrue();
            for (int round = 0; round < 4; round++)
            {
                table.quiescent(0);
                table.quiescent(1);
                table.processGrace(0);
                final int fresh = table.allocate(Tuple.hi(0x0AF40006, 0x0A60000A),
                    Tuple.lo(41000 + round, 53, Tuple.PROTO_UDP), T0, 0);
                if (fresh == c)
                {
                    reused.add(fresh);
                }
                table.freeUnconfirmed(fresh, 0);
            }
        });
        assertThat(visited[0]).isEqualTo(1);
        assertThat(reused).as("entry %d reused while the listing stood on it", held[0]).isEmpty();
        table.quiescent(0);
        table.quiescent(1);
        table.processGrace(0);
        assertThat(table.allocate(Tuple.hi(0x0AF40006, 0x0A60000A), Tuple.lo(42000, 53, Tuple.PROTO_UDP), T0, 0))
            .as("free again once the listing is done").isEqualTo(held[0]);
    }

    /** Live, free and retired indices always add up to the pool; once everything expired and was swept: whole. */
    @Test
    void shouldAccountForEveryIndexAndBeWholeAfterEverythingExpired()
    {
        final NetfilterDatapath dp = datapath(100);
        final PacketContext ctx = dp.newContext(0);
        for (int i = 0; i < 150; i++)
        {
            newFlow(dp, ctx, T0 + i, 20000 + i); // 50 more than nf_conntrack_max: early_drop makes room
            dp.quiescent(0);
        }
        PoolCensus census = dp.table().census();
        assertThat(census.live()).isEqualTo(100);
        assertThat(census.leaked()).isZero();
        assertThat(census.whole()).isFalse();
        assertThat(census.available()).isZero();
        assertThat(dp.sweep(T0 + 3600 * S, -1)).as("every flow expired").isEqualTo(100);
        dp.quiescent(0);
        dp.offline(1);
        dp.sweep(T0 + 3600 * S, 0);
        census = dp.census().get(0);
        assertThat(census.leaked()).isZero();
        assertThat(census.whole()).as(census.toString()).isTrue();
        assertThat(census.available()).as("free = nf_conntrack_max").isEqualTo(100);
    }
    /**
     * {@code ____nf_conntrack_find} (4.7+, f330a7fdbe16): every expired node the walk meets is reclaimed
     * ({@code nf_ct_gc_expired}) and skipped before its key is compared, not only a node whose tuple matches. 2
     * buckets, one refreshed flow B and 40 flows created after it (so linked ahead of it) that expire first: B's
     * lookup at 40 s finds B and kills every expired flow ahead of it in its chain.
     */
    @Test
    void shouldReclaimEveryExpiredNodeTheLookupWalksPast()
    {
        final NetfilterDatapath dp = (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).workers(1).maxEntries(64).buckets(2).build());
        final StripedLockConntrackTable table = dp.table();
        final PacketContext ctx = dp.newContext(0);
        newFlow(dp, ctx, T0, 40000);
        for (int i = 1; i <= 40; i++)
        {
            newFlow(dp, ctx, T0 + S, 40000 + i); // unreplied: 30 s, expire at T0 + 31 s
        }
        newFlow(dp, ctx, T0 + 20 * S, 40000); // B refreshed: expires at T0 + 50 s
        assertThat(table.count()).isEqualTo(41);
        final long hi = Tuple.hi(0x0AF40005, 0x0A60000A);
        final long lo = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
        assertThat(table.find(hi, lo, T0 + 40 * S, 0)).as("B is live").isNotEqualTo(StripedLockConntrackTable.NIL);
        assertThat(table.count()).as("expired entries ahead of B in its chain were reclaimed").isLessThan(41);
        assertThat(table.count()).as("B itself lives").isGreaterThanOrEqualTo(1);
    }
}
