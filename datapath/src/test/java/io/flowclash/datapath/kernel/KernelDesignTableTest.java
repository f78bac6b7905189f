package io.flowclash.datapath.kernel;

import io.flowclash.datapath.design.Designs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel release table: mainline by the first release of each deciding commit, stable branches by their
 * backports (4.9.y, 4.14.y, 4.19.y, 5.4.y, 5.8.y), Ubuntu 4.15.0-56+ by its SRU, and uncertainty said, never guessed.
 */
class KernelDesignTableTest
{
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "3.10, nf-drop, false",
        "4.4, nf-drop, false",
        "4.7, nf-nonat-merge-4.7, false",
        "4.8.17, nf-nonat-merge-4.7, true",
        "4.9.0, nf-nonat-merge, true",
        "4.9.300, nf-nonat-merge, true",
        "4.14.100, nf-nonat-merge, false",
        "4.14.200, nf-same-origin, false",
        "4.15.0-56-generic, nf-same-origin, false",
        "4.15.0-55-generic, nf-nonat-merge, false",
        "4.19.0, nf-merge, false",
        "4.19.250, nf-same-origin, false",
        "5.4, nf-same-origin, false",
        "5.4.250, nf-same-origin, false",
        "5.8.7, nf-clash-insert-5.6, false",
        "5.8.8, nf-clash-insert-5.9, false",
        "5.9.16, nf-clash-insert-5.9, false",
        "5.10, nf-clash-insert-5.10, false",
        "5.10.0-28-amd64, nf-clash-insert-5.10, false",
        "5.14.21, nf-clash-insert-5.10, false",
        "5.15, nf-clash-insert-5.15, false",
        "5.16, nf-clash-insert, false",
        "6.1, nf-clash-insert, false",
        "6.6, nf-clash-insert, false",
        "6.11, nf-clash-insert, false",
        "6.12, nf-reverse-merge, false",
        "6.18, nf-reverse-merge, false",
        "6.18.44-fc-v1045, nf-reverse-merge, false"})
    void shouldMapReleasesToTheirDesign(final String release, final String design, final boolean uncertain)
    {
        final KernelMatch m = KernelDesignTable.resolve(release);
        assertThat(m.designId()).as("%s: %s", release, m).isEqualTo(design);
        assertThat(m.isUncertain()).as("%s uncertain: %s", release, m.uncertain()).isEqualTo(uncertain);
    }

    @Test
    void shouldNameTheCommitsThatDecide()
    {
        final KernelMatch late414 = KernelDesignTable.resolve("4.14.200");
        assertThat(late414.has()).contains(KernelCommit.CLASH_RESOLUTION, KernelCommit.MATCH_MERGE,
            KernelCommit.SAME_ORIGIN_SKIP).doesNotContain(KernelCommit.CLASH_INSERT);
        final KernelMatch early414 = KernelDesignTable.resolve("4.14.150");
        assertThat(early414.has()).contains(KernelCommit.SAME_ORIGIN_SKIP).doesNotContain(KernelCommit.MATCH_MERGE);
        assertThat(early414.designId()).isEqualTo(KernelDesignTable.NF_NONAT_MERGE);
        final KernelMatch late49 = KernelDesignTable.resolve("4.9.300");
        assertThat(late49.has()).contains(KernelCommit.SAME_ORIGIN_SKIP).doesNotContain(KernelCommit.MATCH_MERGE);
        assertThat(String.join(" ", late49.notes())).contains("4e35c1cb9460").contains("still");
        final KernelMatch k587 = KernelDesignTable.resolve("5.8.7");
        assertThat(k587.lacks()).contains(KernelCommit.KEEP_CLASH_ENTRY);
        assertThat(KernelDesignTable.resolve("5.8.8").has()).contains(KernelCommit.KEEP_CLASH_ENTRY)
            .doesNotContain(KernelCommit.CLASH_RESOLVE_COUNTER);
        assertThat(KernelDesignTable.resolve("5.15.120").has()).contains(KernelCommit.CHAIN_LIMIT)
            .doesNotContain(KernelCommit.ASSURED_IN_STREAM);
        assertThat(KernelDesignTable.resolve("6.12").has()).contains(KernelCommit.REVERSE_MERGE,
            KernelCommit.REVERSE_PORT_KEEP);
        for (final String r : List.of("3.10", "5.4", "6.6", "6.18"))
        {
            final KernelMatch m = KernelDesignTable.resolve(r);
            final List<KernelCommit> all = new ArrayList<>(m.has());
            all.addAll(m.lacks());
            assertThat(all).as(r).containsExactlyInAnyOrder(KernelCommit.values());
        }
    }

    @ParameterizedTest(name = "{0} uncertain")
    @CsvSource({
        "4.14.173, nf-same-origin, 4.14.173",
        "4.14.172, nf-nonat-merge, 4.14.173",
        "4.19.29, nf-same-origin, 4.19.29",
        "4.19.28, nf-merge, 4.19.29",
        "5.8, nf-clash-insert-5.6, 5.8.8",
        "6.11.5, nf-clash-insert, AUTOSEL",
        "4.19.0-21-amd64, nf-same-origin, Debian",
        "4.9.0-19-amd64, nf-nonat-merge, sublevel",
        "3.10.0-1160.el7.x86_64, nf-drop, RHEL",
        "4.18.0-348.7.1.el8_5.x86_64, nf-nonat-merge, RHEL",
        "5.4.0-150-generic, nf-same-origin, Ubuntu",
        "7.2, nf-reverse-merge, newer"})
    void shouldSayWhyAReleaseIsUncertain(final String release, final String design, final String reason)
    {
        final KernelMatch m = KernelDesignTable.resolve(release);
        assertThat(m.designId()).isEqualTo(design);
        assertThat(m.isUncertain()).isTrue();
        assertThat(String.join(" ", m.uncertain())).contains(reason);
    }

    @Test
    void shouldGiveEachReleaseItsCounterLayout()
    {
        assertThat(KernelDesignTable.resolve("4.4").layout()).isEqualTo(StatLayout.ALL_STATS);
        assertThat(KernelDesignTable.resolve("4.8").layout()).isEqualTo(StatLayout.ALL_STATS);
        assertThat(KernelDesignTable.resolve("4.9").layout()).isEqualTo(StatLayout.HOTPATH_REMOVED);
        assertThat(KernelDesignTable.resolve("4.19.250").layout()).isEqualTo(StatLayout.HOTPATH_REMOVED);
        assertThat(KernelDesignTable.resolve("5.9").layout()).isEqualTo(StatLayout.HOTPATH_REMOVED);
        assertThat(KernelDesignTable.resolve("5.10").layout()).isEqualTo(StatLayout.CLASHRES);
        assertThat(KernelDesignTable.resolve("5.14").layout()).isEqualTo(StatLayout.CLASHRES);
        assertThat(KernelDesignTable.resolve("5.15").layout()).isEqualTo(StatLayout.CHAINLENGTH);
        assertThat(KernelDesignTable.resolve("6.18").layout()).isEqualTo(StatLayout.CHAINLENGTH);
    }

    @Test
    void shouldAnswerForTheRunningKernel()
    {
        final KernelMatch m = KernelDesignTable.resolve(System.getProperty("os.version"));
        assertThat(KernelDesignTable.DESIGN_IDS).contains(m.designId());
        assertThat(m.era()).isNotEmpty();
    }

    @Test
    void shouldOnlyNameDesignsOfTheRegistry()
    {
        final List<String> registered = new ArrayList<>();
        for (final Designs.Design d : Designs.all())
        {
            registered.add(d.id());
        }
        assertThat(registered).containsAll(KernelDesignTable.DESIGN_IDS);
    }
}
