package io.flowclash.datapath.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flowclash.datapath.kernel.StatLayoutTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a node's counters mean per era, each case following the kernel function that counts:
 * {@code __nf_conntrack_confirm} (&lt; 4.7: insert_failed, drop not counted), {@code nf_ct_resolve_clash}
 * (71d8c47fc653, 4.7: insert_failed on every clash, drop when unresolved), {@code nf_ct_resolve_clash_harder}
 * (6a757c07e51f, 5.6: the reply-only insert counts nothing), bc92470413f3 (5.10: clash_resolve, insert_failed only
 * unresolved) and d7e7747ac5c2 (5.15: chaintoolong with insert_failed, without drop).
 */
class NodeDiagnosisTest
{
    private static ConntrackStatsSnapshot snap(final String text)
    {
        return ConntrackStatsParser.parse(text, "t").get(0);
    }

    private static NodeDiagnosis twoSnapshots(final String kernel, final String file, final double seconds)
    {
        final List<ConntrackStatsSnapshot> s = ConntrackStatsParser.parse(resource(file), file);
        return NodeDiagnosis.of(KernelDesignTable.resolve(kernel), s.get(0), s.get(1), seconds);
    }

    @Test
    void shouldReadRisingInsertFailedWithDropAsLostPacketsOn50To55()
    {
        final ConntrackStatsSnapshot a = snap("cpu=0   \tfound=0 invalid=0 ignore=0 insert=0 insert_failed=10 " +
            "drop=10 early_drop=0 error=0 search_restart=0 \n");
        final ConntrackStatsSnapshot b = snap("cpu=0   \tfound=0 invalid=0 ignore=0 insert=0 insert_failed=30 " +
            "drop=25 early_drop=0 error=0 search_restart=0 \n");
        final NodeDiagnosis d = NodeDiagnosis.of(KernelDesignTable.resolve("5.4.0"), a, b, 10);
        assertThat(d.clashes()).isEqualTo(20);
        assertThat(d.lost()).isEqualTo(15);
        assertThat(d.harmless()).isEqualTo(5);
        assertThat(d.warnings()).isEmpty();
        assertThat(d.toText()).contains("lost packets: 15 (1.500/s)").contains("nf-same-origin");
    }

    @Test
    void shouldReadInsertFailedWithoutDropAsHarmlessMergesOn419()
    {
        final NodeDiagnosis d = twoSnapshots("4.19.0", "conntrack-S-4.x-two-snapshots.txt", 10);
        assertThat(d.match().designId()).isEqualTo(KernelDesignTable.NF_MERGE);
        assertThat(d.clashes()).isEqualTo(20);
        assertThat(d.harmless()).isEqualTo(17);
        assertThat(d.lost()).isEqualTo(3);
        assertThat(d.toText()).contains("merged onto the winner (nothing lost)");
    }

    @Test
    void shouldCountEveryClashAsALostPacketBefore47()
    {
        final NodeDiagnosis d = twoSnapshots("4.4", "conntrack-S-4.x-two-snapshots.txt", 10);
        assertThat(d.match().designId()).isEqualTo(KernelDesignTable.NF_DROP);
        assertThat(d.lost()).isEqualTo(20);
        assertThat(d.harmless()).isZero();
        assertThat(d.warnings()).as("4.4 sends searched .. delete_list: the names fit").isEmpty();
        assertThat(d.toText()).contains("each one dropped the losing packet");
    }

    @Test
    void shouldSayClashesResolvedByTheReplyOnlyInsertAreNotCountedOn56To59()
    {
        final ConntrackStatsSnapshot a = snap("cpu=0   \tfound=0 invalid=0 ignore=0 insert=0 insert_failed=4 drop=1 " +
            "early_drop=0 error=0 search_restart=0 \n");
        final NodeDiagnosis d = NodeDiagnosis.of(KernelDesignTable.resolve("5.8.8"), a, null, 0);
        assertThat(d.clashes()).isEqualTo(-1);
        assertThat(d.harmless()).isEqualTo(3);
        assertThat(d.lost()).isEqualTo(1);
        assertThat(d.toText()).contains("does not count clashes resolved by the reply-only insert");
    }

    @Test
    void shouldReadClashResolveAsResolvedAndChaintoolongAsLostOn515()
    {
        final ConntrackStatsSnapshot s = snap(resource("conntrack-S-5.15-one-snapshot.txt"));
        final NodeDiagnosis d = NodeDiagnosis.of(KernelDesignTable.resolve("5.15.0-91-generic"), s, null, 0);
        assertThat(d.harmless()).isEqualTo(552);
        assertThat(d.lost()).as("17 unresolved (drop) + 1 chaintoolong (insert_failed, no drop)").isEqualTo(18);
        assertThat(d.clashes()).isEqualTo(552 + 17);
        assertThat(d.warnings()).isEmpty();
        assertThat(d.toText()).contains("chaintoolong").contains("one snapshot");
    }

    @Test
    void shouldWarnWhenTheFileIsOfAnotherEraThanTheKernelNamed()
    {
        final ConntrackStatsSnapshot s = snap(resource("conntrack-S-5.15-one-snapshot.txt"));
        final NodeDiagnosis d = NodeDiagnosis.of(KernelDesignTable.resolve("5.4"), s, null, 0);
        assertThat(String.join(" ", d.warnings())).contains("has clash_resolve chaintoolong").contains("ignore");
        final ConntrackStatsSnapshot proc = snap(resource("proc-6.18-this-machine.txt"));
        assertThat(NodeDiagnosis.of(KernelDesignTable.resolve("6.18.44"), proc, null, 0).warnings()).isEmpty();
        assertThat(NodeDiagnosis.of(KernelDesignTable.resolve("4.19.250"), proc, null, 0).warnings()).isNotEmpty();
    }
}
