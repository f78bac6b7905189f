package io.flowclash.lab;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kernel of this machine (Linux 5.10+, root; run by {@code ./mvnw verify -Pkernel-lab}): the relations
 * {@code shared/reference/kernel-lab.md} found to hold in every run, asserted on fresh namespaces per case. No
 * timing is asserted; clash rates only where the reference saw them far from any bound (spin > 75 %).
 */
class KernelLabIT
{
    private static final int PAIRS = 2000;

    @BeforeAll
    static void prerequisites()
    {
        KernelLab.checkPrerequisites();
        KernelLab.cleanup();
    }

    private static KernelLab.Readings run(final String placement, final int backends, final String mode,
        final boolean replies, final boolean notrack, final String emulate, final int pairs)
    {
        // runs that drop queries wait 5 ms per lost reply (so they stay short next to the 1 s NAT_CLASH lifetime);
        // runs that must lose nothing give a reply 200 ms, far beyond any scheduling blip on 2 busy cores
        final int timeoutMs = emulate.equals("none") ? 200 : 5;
        return KernelLab.run(new KernelLab.Options(placement, pairs, backends, mode, replies, timeoutMs, notrack,
            emulate));
    }

    private static void assertKernelInvariants(final KernelLab.Readings k, final int pairs)
    {
        assertThat(k.stat().get("drop")).as("drop").isZero();
        assertThat(k.stat().get("insert_failed")).as("insert_failed").isZero();
        assertThat(k.entriesListed()).as("conntrack -L lists one entry per pair (unique ports)").isEqualTo(pairs);
        assertThat(k.dnatCounter()).as("nft DNAT counter = pairs + clash_resolve")
            .isEqualTo(pairs + k.clashResolve());
        // every datagram reached a backend host; one the responder was too slow to take is counted by the kernel
        assertThat(k.received() + k.rcvbufErrors()).as("every datagram reached a backend").isEqualTo(2L * pairs);
    }

    @ParameterizedTest(name = "spin, out, {0} backend(s)")
    @ValueSource(ints = {1, 2, 4})
    void shouldSplitClashesAsTheLoserDrawsItsBackend(final int backends)
    {
        final KernelLab.Readings k = run("out", backends, "spin", false, false, "none", PAIRS);
        assertKernelInvariants(k, PAIRS);
        final long clashes = k.clashResolve();
        final long split = k.entriesCount() - PAIRS;
        assertThat(clashes).as("spin release makes the pairs race").isGreaterThan(PAIRS / 4);
        // two independent measures of the split pairs: hidden NAT_CLASH entries and the responder's own count
        assertThat(split).as("entries - pairs vs responder split").isBetween(k.split() - 2, k.split());
        final double expected = (backends - 1) / (double)backends;
        final double sd = Math.sqrt(clashes * expected * (1 - expected));
        assertThat((double)split).as("split ~ (n-1)/n of %d clashes", clashes)
            .isBetween(clashes * expected - 5 * sd - 2, clashes * expected + 5 * sd + 2);
        // the model beside it: at the kernel's clash rate the model splits the same share
        final ModelComparison c = ModelComparison.of(k);
        assertThat(c.model().dropped()).isZero();
        assertThat(c.predictedSameOriginDrops()).isEqualTo(split);
        assertThat(c.predictedDropEraDrops()).isEqualTo(clashes);
    }

    @Test
    void shouldCountSplitPairsFromASourceThatDoesNotExpireOnLongRuns()
    {
        // 20,000 spin pairs take longer than the 1 s NAT_CLASH lifetime: conntrack -C minus pairs loses the early
        // hidden entries, the responder (and the nft counter on NAT_CLASH packets) do not
        final int pairs = 20_000;
        final KernelLab.Readings k = run("out", 2, "spin", false, false, "none", pairs);
        final ModelComparison c = ModelComparison.of(k);
        assertThat(k.split()).as("responder split").isPositive();
        assertThat(c.kernelSplit()).as("the lab's split reading vs the responder's").isEqualTo(k.split());
    }

    @Test
    void shouldNeverClashWhenOneThreadSendsBoth()
    {
        final KernelLab.Readings k = run("out", 2, "one-thread", false, false, "none", PAIRS);
        assertKernelInvariants(k, PAIRS);
        assertThat(k.clashResolve()).isZero();
        assertThat(k.entriesCount()).isEqualTo(PAIRS);
    }

    @Test
    void shouldDeliverEveryReplyFromTheVipInThePodPlacement()
    {
        final KernelLab.Readings k = run("pre", 2, "spin", true, false, "none", PAIRS);
        assertKernelInvariants(k, PAIRS);
        assertThat(k.lostReplies()).as("lost replies").isZero();
        assertThat(k.badSource()).as("replies not from the VIP").isZero();
        assertThat(k.replies()).isEqualTo(2L * PAIRS);
    }

    @Test
    void shouldDropExactlyTheSplitClashesWhenEmulating50()
    {
        final KernelLab.Readings k = run("out", 2, "spin", true, false, "same-origin", 1000);
        // the NAT_CLASH entries are inserted before the chain drops; conntrack -C can lag by up to 2 (gc reaping
        // expired ones), as the reference saw
        final long split = k.entriesCount() - 1000;
        assertThat(k.natclashDrops()).as("emulated 5.0-5.5 drops = split clashes").isBetween(split, split + 2);
        assertThat(k.natclashDrops()).isPositive();
        assertThat(ModelComparison.of(k).predictedSameOriginDrops()).isEqualTo(split);
        assertThat(k.senderEperm()).as("in the out placement the sender sees EPERM").isEqualTo(k.natclashDrops());
        // exact: the backends got every query but the dropped ones; a client with a 5 ms timeout may also count a
        // late reply as lost, so lost replies are at least the drops
        assertThat(k.received() + k.rcvbufErrors()).isEqualTo(2000 - k.natclashDrops());
        assertThat(k.lostReplies()).as("each dropped query is a lost reply").isGreaterThanOrEqualTo(k.natclashDrops());
    }

    @Test
    void shouldDropEveryClashWhenEmulatingThe418Kernels()
    {
        final KernelLab.Readings k = run("out", 2, "park", true, false, "drop", PAIRS);
        final long dropped = k.natclashDrops() + k.mergedDrops();
        assertThat(dropped).as("emulated <= 4.18 drops = clash_resolve").isEqualTo(k.clashResolve());
        assertThat(ModelComparison.of(k).predictedDropEraDrops()).isEqualTo(dropped);
        assertThat(k.received() + k.rcvbufErrors()).isEqualTo(2L * PAIRS - dropped);
        assertThat(k.lostReplies()).isGreaterThanOrEqualTo(dropped);
    }

    @Test
    void shouldKeepNotrackTrafficOutOfConntrack()
    {
        final KernelLab.Readings k = run("pre", 2, "spin", true, true, "none", 1000);
        assertThat(k.clashResolve()).isZero();
        assertThat(k.entriesListed()).as("no conntrack entry for DNS").isZero();
        assertThat(k.dnatCounter()).as("no DNAT").isZero();
        assertThat(k.lostReplies()).isZero();
        assertThat(k.badSource()).as("the local server answers from the VIP").isZero();
    }

    @Test
    void shouldResolveThroughTheVipWithRealGlibcLookups()
    {
        final KernelLab.Readings plain = KernelLab.run(new KernelLab.Options("out", 500, 2, "spin", true, 200, false,
            "none", 500, "default"));
        final java.util.Map<String, String> r = KernelLab.keyValues(plain.resolverLine());
        assertThat(r.get("failed")).as("failed lookups").isEqualTo("0");
        assertThat(r.get("partial")).as("lookups missing A or AAAA").isEqualTo("0");
        assertThat(plain.stat().get("drop")).isZero();
        assertThat(plain.stat().get("insert_failed")).isZero();
        assertThat(plain.entriesCount()).as("one entry per new source port")
            .isEqualTo(plain.dnatCounter() - plain.clashResolve()).isPositive().isLessThanOrEqualTo(500);
        // single-request-reopen sends the AAAA from a new socket: about twice the entries
        final KernelLab.Readings reopen = KernelLab.run(new KernelLab.Options("out", 500, 2, "spin", true, 200, false,
            "none", 500, "single-request-reopen"));
        assertThat(KernelLab.keyValues(reopen.resolverLine()).get("failed")).isEqualTo("0");
        assertThat(reopen.entriesCount()).isGreaterThan(plain.entriesCount() * 3 / 2);
    }

    @Test
    void shouldRunTwoLabsAtOnceWithoutColliding() throws Exception
    {
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try
        {
            final var first = pool.submit(() -> run("out", 2, "one-thread", true, false, "none", 1000));
            final var second = pool.submit(() -> run("pre", 2, "one-thread", true, false, "none", 1000));
            final KernelLab.Readings a = first.get();
            final KernelLab.Readings b = second.get();
            assertThat(a.name()).isNotEqualTo(b.name());
            for (final KernelLab.Readings k : List.of(a, b))
            {
                assertKernelInvariants(k, 1000);
                assertThat(k.lostReplies()).isZero();
                assertThat(k.clashResolve()).isZero();
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldCleanUpLeftoversByPrefix()
    {
        Shell.run("ip", "netns", "add", KernelLab.PREFIX + "abcdef-cli");
        assertThat(KernelLab.cleanup()).contains(KernelLab.PREFIX + "abcdef-cli");
        assertThat(Shell.run("ip", "netns", "list")).doesNotContain(KernelLab.PREFIX + "abcdef");
    }

    @AfterAll
    static void nothingLeft()
    {
        assertThat(Shell.run("ip", "netns", "list")).as("namespaces left").doesNotContain(KernelLab.PREFIX);
        assertThat(Shell.run("nft", "list", "tables")).as("nft tables left in the root namespace")
            .doesNotContain(KernelLab.PREFIX);
        final java.io.File[] etc = new java.io.File("/etc/netns").listFiles();
        assertThat(etc == null ? new java.io.File[0] : etc).as("/etc/netns entries left")
            .noneMatch(f -> f.getName().startsWith(KernelLab.PREFIX));
        final List<ProcessHandle> alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
        assertThat(alive).as("child processes left").isEmpty();
    }
}
