package io.flowclash.jmh.datapath;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import io.flowclash.jmh.NearLimitReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DatapathBenchmark} measures what it names: its {@code design} parameter lists every registered design
 * (read from the annotation, as JMH reads it), and each benchmark method, run outside JMH on a small table, takes
 * the path it is named for in every design.
 */
class DatapathBenchmarkTest
{
    private static final int FLOWS = 1024;
    private static final int PACKETS = 3 * FLOWS;

    static Stream<String> designs()
    {
        final List<String> ids = new ArrayList<>();
        Designs.all().forEach(d -> ids.add(d.id()));
        ids.add(DatapathBenchmark.BASELINE);
        return ids.stream();
    }

    /**
     * The one check that a benchmark's {@code design} parameter lists every registered design, in registry order,
     * then the rows named (the baseline, the reference): read from the annotation, as JMH reads it. Every benchmark
     * with a design parameter calls this.
     *
     * @param benchmark the benchmark class.
     * @param after     the rows that follow the registry's ids.
     * @throws NoSuchFieldException if the class has no {@code design} field.
     */
    public static void assertListsEveryDesign(final Class<?> benchmark, final List<String> after)
        throws NoSuchFieldException
    {
        final Param param = benchmark.getDeclaredField("design").getAnnotation(Param.class);
        final List<String> ids = new ArrayList<>();
        Designs.all().forEach(d -> ids.add(d.id()));
        ids.addAll(after);
        assertThat(Arrays.asList(param.value())).as(benchmark.getSimpleName() + " design @Param")
            .containsExactlyElementsOf(ids);
    }

    @Test
    void shouldListEveryRegisteredDesignTheBaselineAndTheReferenceAsParams() throws NoSuchFieldException
    {
        final List<String> after = new ArrayList<>();
        after.add(DatapathBenchmark.BASELINE);
        after.addAll(NearLimitReference.IDS);
        assertListsEveryDesign(DatapathBenchmark.class, after);
    }

    @Test
    void shouldHitEveryKeyOnTheReferenceRows()
    {
        for (final String ref : NearLimitReference.IDS)
        {
            final DatapathBenchmark b = setUp(ref);
            final java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < PACKETS; i++)
            {
                final int value = i % 2 == 0 ? b.established() : b.newFlow();
                assertThat((long)value).as("%s get %d", ref, i).isNotEqualTo(NearLimitReference.MISSING);
                seen.add(value);
            }
            assertThat(seen).as(ref + ": every key visited").hasSize(FLOWS);
            b.endIteration(null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldCreateAFlowForEveryNewFlowPacket(final String design)
    {
        final DatapathBenchmark b = setUp(design);
        for (int i = 0; i < PACKETS; i++)
        {
            assertThat(Reason.of(b.newFlow())).as("%s packet %d", design, i).isEqualTo(Reason.ACCEPT_NEW);
        }
        b.checkPath(DatapathBenchmark.NEW_FLOW);
        if (design.equals("cilium-tc"))
        {
            assertThat(b.datapath.counters().get(Counter.MAP_UPDATE)).as("two CT map updates per new flow")
                .isEqualTo(2L * PACKETS);
        }
        b.datapath.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldFindTheEntryForEveryEstablishedPacket(final String design)
    {
        final DatapathBenchmark b = setUp(design);
        for (int i = 0; i < PACKETS; i++)
        {
            assertThat(Reason.of(b.established())).as("%s packet %d", design, i).isEqualTo(Reason.ACCEPT_ESTABLISHED);
        }
        b.checkPath(DatapathBenchmark.ESTABLISHED);
        b.datapath.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldFindTheEntryForEveryEstablishedPacketInABurst(final String design)
    {
        final DatapathBenchmark b = setUp(design);
        for (int i = 0; i < PACKETS; i += DatapathBenchmark.BURST)
        {
            b.establishedBurst();
            for (int p = 0; p < DatapathBenchmark.BURST; p++)
            {
                assertThat(b.burst[p].reason()).as("%s packet %d", design, i + p).isEqualTo(Reason.ACCEPT_ESTABLISHED);
            }
        }
        b.checkPath(DatapathBenchmark.ESTABLISHED_BURST);
        assertThat(b.datapath.counters().processed()).isEqualTo(PACKETS);
        b.datapath.close();
    }

    @Test
    void shouldFailTheIterationWhenThePathIsNotTheOneNamed()
    {
        final DatapathBenchmark b = setUp("nf-clash-insert");
        b.established();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.checkPath(DatapathBenchmark.NEW_FLOW))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("newFlow").hasMessageContaining("nf-clash-insert")
            .hasMessageContaining("established");
    }

    private static DatapathBenchmark setUp(final String design)
    {
        final DatapathBenchmark b = new DatapathBenchmark();
        b.design = design;
        b.flows = FLOWS;
        b.setUp();
        b.startIteration();
        return b;
    }
}
