package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two packets of one socket flow (the A and AAAA queries of one lookup) through every era, in the three race
 * orders and without overlap. Expected verdicts and counters are the reference's summary table
 * (conntrack-eras.md section 12), one row per era and race; every case also checks conservation and the table.
 *
 * <p>Columns: design, schedule, A's backend, B's backend, B's verdict, insert_failed, drop, clash_resolve,
 * found (tuple_taken hits, one per nf_nat_used_tuple call; 3.x - 4.8 also count lookup hits), visible entries,
 * hidden entries.
 */
class NetfilterEraRaceTest
{
    private static final long T0 = 1_000_000_000L;

    @ParameterizedTest(name = "{0} {1} backends {2}/{3}: B {4}")
    @CsvSource({
        // era A (<= 4.6): every clash drops, insert_failed only
        "nf-drop,            ABABABABAB, 0, 0, DROP_CLASH,            1, 0, 0, 0, 1, 0",
        "nf-drop,            ABABABAABB, 0, 0, DROP_CLASH,            1, 0, 0, 2, 1, 0",
        "nf-drop,            ABABABABAB, 0, 1, DROP_CLASH,            1, 0, 0, 0, 1, 0",
        "nf-drop,            AAAAABBBB, 0, 1, ACCEPT_ESTABLISHED,    0, 0, 0, 1, 1, 0",
        // era B (4.7 - 4.18): the no-NAT merge never applies on a kube-proxy node; drop counted too
        "nf-nonat-merge,     ABABABABAB, 0, 0, DROP_CLASH,            1, 1, 0, 0, 1, 0",
        "nf-nonat-merge,     ABABABABAB, 0, 1, DROP_CLASH,            1, 1, 0, 0, 1, 0",
        // era B first releases (4.7 - 4.8): same verdicts; found also counts lookup hits (none in a race)
        "nf-nonat-merge-4.7, ABABABABAB, 0, 0, DROP_CLASH,            1, 1, 0, 0, 1, 0",
        "nf-nonat-merge-4.7, ABABABAABB, 0, 0, DROP_CLASH,            1, 1, 0, 2, 1, 0",
        "nf-nonat-merge-4.7, AAAAABBBB, 0, 1, ACCEPT_ESTABLISHED,    0, 0, 0, 1, 1, 0",
        // era C (4.19): race 1 merges; race 2 moved the SNAT port and drops: found=2, get_unique_tuple asks
        // nf_nat_used_tuple of the original tuple twice (step 1, then step 3) before the port search; race 3 drops
        "nf-merge,           ABABABABAB, 0, 0, ACCEPT_MERGED,         1, 0, 0, 0, 1, 0",
        "nf-merge,           ABABABAABB, 0, 0, DROP_CLASH,            1, 1, 0, 2, 1, 0",
        "nf-merge,           ABABABABAB, 0, 1, DROP_CLASH,            1, 1, 0, 0, 1, 0",
        "nf-merge,           AAAAABBBB, 0, 0, ACCEPT_ESTABLISHED,    0, 0, 0, 0, 1, 0",
        // era D (5.0 - 5.5): same-origin skip keeps the port: race 2 merges; race 3 still drops
        "nf-same-origin,     ABABABABAB, 0, 0, ACCEPT_MERGED,         1, 0, 0, 0, 1, 0",
        "nf-same-origin,     ABABABAABB, 0, 0, ACCEPT_MERGED,         1, 0, 0, 0, 1, 0",
        "nf-same-origin,     ABABABABAB, 0, 1, DROP_CLASH,            1, 1, 0, 0, 1, 0",
        // era E1 (5.6 - 5.8): reply-only insert for race 3, merges still counted as insert_failed
        "nf-clash-insert-5.6, ABABABABAB, 0, 0, ACCEPT_MERGED,        1, 0, 0, 0, 1, 0",
        "nf-clash-insert-5.6, ABABABAABB, 0, 0, ACCEPT_MERGED,        1, 0, 0, 0, 1, 0",
        "nf-clash-insert-5.6, ABABABABAB, 0, 1, ACCEPT_CLASH_INSERTED, 0, 0, 0, 0, 1, 1",
        // era E2 (5.8.8 - 5.9, c46172147ebb): as 5.6 for the race; the entry is only kept longer
        "nf-clash-insert-5.9, ABABABABAB, 0, 0, ACCEPT_MERGED,        1, 0, 0, 0, 1, 0",
        "nf-clash-insert-5.9, ABABABAABB, 0, 0, ACCEPT_MERGED,        1, 0, 0, 0, 1, 0",
        "nf-clash-insert-5.9, ABABABABAB, 0, 1, ACCEPT_CLASH_INSERTED, 0, 0, 0, 0, 1, 1",
        // era E3 (5.10 - 5.14, bc92470413f3) and E4 (5.15): clash_resolve counts both kinds of resolution
        "nf-clash-insert-5.10, ABABABABAB, 0, 0, ACCEPT_MERGED,       0, 0, 1, 0, 1, 0",
        "nf-clash-insert-5.10, ABABABABAB, 0, 1, ACCEPT_CLASH_INSERTED, 0, 0, 1, 0, 1, 1",
        "nf-clash-insert-5.15, ABABABAABB, 0, 0, ACCEPT_MERGED,       0, 0, 1, 0, 1, 0",
        "nf-clash-insert-5.15, ABABABABAB, 1, 0, ACCEPT_CLASH_INSERTED, 0, 0, 1, 0, 1, 1",
        // era E5 (5.16 - 6.11): clash_resolve counts both kinds of resolution, insert_failed stays 0
        "nf-clash-insert,    ABABABABAB, 0, 0, ACCEPT_MERGED,         0, 0, 1, 0, 1, 0",
        "nf-clash-insert,    ABABABAABB, 0, 0, ACCEPT_MERGED,         0, 0, 1, 0, 1, 0",
        "nf-clash-insert,    ABABABABAB, 0, 1, ACCEPT_CLASH_INSERTED, 0, 0, 1, 0, 1, 1",
        "nf-clash-insert,    ABABABAABB, 1, 0, ACCEPT_CLASH_INSERTED, 0, 0, 1, 0, 1, 1",
        "nf-clash-insert,    AAAAABBBB, 0, 1, ACCEPT_ESTABLISHED,    0, 0, 0, 0, 1, 0",
        // era F (6.12+): same outcomes for the same-direction DNS race
        "nf-reverse-merge,   ABABABABAB, 0, 0, ACCEPT_MERGED,         0, 0, 1, 0, 1, 0",
        "nf-reverse-merge,   ABABABABAB, 0, 1, ACCEPT_CLASH_INSERTED, 0, 0, 1, 0, 1, 1",
    })
    void shouldResolveTheRaceAsTheEraDoes(
        final String design, final String schedule, final int backendA, final int backendB, final Reason verdictB,
        final long insertFailed, final long drop, final long clashResolve, final long found, final int visible,
        final int hidden)
    {
        final RaceHarness h = new RaceHarness(design, 2);
        final PacketContext a = h.packet(T0, backendA);
        final PacketContext b = h.packet(T0, backendB);
        h.run(schedule);

        assertThat(a.reason()).as(h.trace.toString()).isEqualTo(Reason.ACCEPT_NEW);
        assertThat(b.reason()).as(h.trace.toString()).isEqualTo(verdictB);
        assertThat(h.counter(Counter.INSERT_FAILED)).as("insert_failed").isEqualTo(insertFailed);
        assertThat(h.counter(Counter.DROP)).as("drop").isEqualTo(drop);
        assertThat(h.counter(Counter.CLASH_RESOLVE)).as("clash_resolve").isEqualTo(clashResolve);
        assertThat(h.counter(Counter.FOUND)).as("found (tuple_taken; 3.x also lookup hits)").isEqualTo(found);
        assertThat(h.counter(Counter.CHAINTOOLONG)).isZero();
        h.assertConservation();

        final var entries = h.entries(T0);
        assertThat(entries.stream().filter(e -> e.startsWith("visible"))).hasSize(visible);
        assertThat(entries.stream().filter(e -> e.startsWith("hidden"))).hasSize(hidden);
        // the visible entry is always the winner's (A's) translation
        assertThat(entries.stream().filter(e -> e.startsWith("visible")).findFirst().orElseThrow())
            .contains("-> src=10.0.0." + (2 + backendA) + " dst=10.244.0.5 sport=53 dport=40000");
        // every accepted query left with the translation its own DNAT chose
        assertThat(a.hi()).isEqualTo(io.flowclash.datapath.flow.Tuple.hi(RaceHarness.CLIENT,
            h.datapath.config().backendAddress(backendA)));
        if (b.reason() == Reason.ACCEPT_ESTABLISHED)
        {
            // B matched A's entry: the rules did not run again, B follows A's binding whatever B would have drawn
            assertThat(io.flowclash.datapath.flow.Tuple.dstAddress(b.hi()))
                .isEqualTo(h.datapath.config().backendAddress(backendA));
        }
        else if (b.accepted())
        {
            assertThat(io.flowclash.datapath.flow.Tuple.dstAddress(b.hi()))
                .isEqualTo(h.datapath.config().backendAddress(backendB));
        }
    }

    /**
     * Two CPUs collect one expired entry at once ({@code nf_ct_gc_expired}): the other CPU has set
     * {@code IPS_DYING} ({@code nf_ct_delete}) but not yet unlinked it ({@code nf_ct_delete_from_lists} waits for
     * the bucket locks) when this CPU's new packet of the same tuple arrives. Its lookup skips the dying entry
     * ({@code nf_ct_should_gc} refuses it) and misses; {@code __nf_conntrack_confirm}'s walk tests the tuple and
     * {@code IPS_CONFIRMED}, not {@code IPS_DYING}, so it meets the entry: a clash. Up to 6.11
     * {@code __nf_ct_resolve_clash} refuses a dying winner: before 5.6 the packet is dropped; 5.6 - 6.11 insert the
     * loser reply-only unless its REPLY tuple is the dying entry's too (same backend:
     * {@code nf_ct_resolve_clash_harder} finds it, drop). 6.12+ (a4e6a1031e77) test no dying bit: same backend,
     * the tuples match and the packet merges onto the dying entry. Without the other CPU the same packet is new.
     * This is the rare outcome {@code SharedTableBenchmark} allows its threads.
     */
    @ParameterizedTest(name = "{0} backend {1}: {2}")
    @CsvSource({
        "nf-drop,         1, DROP_CLASH",
        "nf-merge,        0, DROP_CLASH",
        "nf-clash-insert, 0, DROP_CLASH",
        "nf-clash-insert, 1, ACCEPT_CLASH_INSERTED",
        "nf-reverse-merge, 0, ACCEPT_MERGED",
        "nf-reverse-merge, 1, ACCEPT_CLASH_INSERTED",
    })
    void shouldClashWithItsOwnExpiredEntryWhileAnotherCpuKillsIt(
        final String design, final int backend, final Reason verdict)
    {
        final long later = T0 + 31_000_000_000L; // past the 30 s unreplied timeout
        for (final boolean otherCpu : new boolean[] {false, true})
        {
            final RaceHarness h = new RaceHarness(design, 2);
            h.packet(T0, 0);
            h.run("AAAAA");
            assertThat(h.contexts.get(0).reason()).isEqualTo(Reason.ACCEPT_NEW);
            if (otherCpu)
            {
                final StripedLockConntrackTable table = ((NetfilterDatapath)h.datapath).table();
                final int node = table.find(RaceHarness.HI, RaceHarness.LO, T0, 0);
                assertThat(node).isNotEqualTo(StripedLockConntrackTable.NIL);
                table.setStatus(node >> 1, ConnDescriptor.IPS_DYING); // nf_ct_delete's set_bit, before the unlink
            }
            final PacketContext b = h.packet(later, backend);
            h.run("BBBBB");
            assertThat(b.reason()).as("other CPU killing it: %s", otherCpu)
                .isEqualTo(otherCpu ? verdict : Reason.ACCEPT_NEW);
            h.assertConservation();
        }
    }
}
