package io.flowclash.jmh.datapath;

import io.flowclash.datapath.DatapathCounters;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.infra.Control;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ClashStormBenchmark} races what it names: its {@code design} parameter lists every registered design; the
 * two packets of a round are one flow (interleaved step by step, one of them clashes in every design with kernel
 * conntrack); two real threads running the two sides outside JMH make the design clash within a bounded number of
 * rounds (the trial check passes); a storm that never raced fails the check.
 */
class ClashStormBenchmarkTest
{
    private static final int MAX_ROUNDS = 1_000_000;

    static Stream<String> designs()
    {
        return Designs.all().stream().map(Designs.Design::id);
    }

    @Test
    void shouldListEveryRegisteredDesignAsParams() throws NoSuchFieldException
    {
        DatapathBenchmarkTest.assertListsEveryDesign(ClashStormBenchmark.Storm.class, List.of());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldClashWhenTheRoundsTwoPacketsInterleave(final String design)
    {
        // the two packets of one round, one step of each in turn: every lookup before any confirm (race 1)
        final ClashStormBenchmark.Storm storm = storm(design);
        for (long n = 1; n <= 100; n++)
        {
            storm.load(0, n);
            storm.load(1, n);
            storm.scheduler.runRoundRobin(0, 2);
        }
        final DatapathCounters c = storm.datapath.counters();
        final long clashed = c.processed() - c.reason(Reason.ACCEPT_NEW) - c.reason(Reason.ACCEPT_SOCKET_TRANSLATED);
        if (Designs.get(design).era() != null)
        {
            assertThat(clashed).as("%s: one packet of each round clashed", design).isEqualTo(100L);
        }
        storm.checkRaced();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldRaceTheSameFlowOnTwoThreads(final String design) throws InterruptedException
    {
        // two real threads until the first clash, or at most MAX_ROUNDS rounds each (a loaded machine may keep
        // the two threads apart for a while)
        final ClashStormBenchmark.Storm storm = storm(design);
        final Control control = new Control();
        final ClashStormBenchmark.Outcomes[] outcomes = {new ClashStormBenchmark.Outcomes(),
            new ClashStormBenchmark.Outcomes()};
        final boolean clashes = Designs.get(design).era() != null;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] sides = new Thread[2];
        for (int s = 0; s < 2; s++)
        {
            final int side = s;
            sides[s] = new Thread(() ->
            {
                try
                {
                    for (int r = 0; r < MAX_ROUNDS && !control.stopMeasurement; r++)
                    {
                        storm.race(side, outcomes[side], control);
                        final ClashStormBenchmark.Outcomes o = outcomes[side];
                        if (o.drops + o.merges + o.replyOnly > 0 || (!clashes && r >= 1000))
                        {
                            control.stopMeasurement = true;
                        }
                    }
                    control.stopMeasurement = true;
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                    control.stopMeasurement = true;
                }
            }, "storm-" + s);
            sides[s].start();
        }
        for (final Thread t : sides)
        {
            t.join();
        }
        assertThat(failure.get()).isNull();
        final long counted = outcomes[0].drops + outcomes[0].merges + outcomes[0].replyOnly + outcomes[1].drops +
            outcomes[1].merges + outcomes[1].replyOnly;
        if (clashes)
        {
            assertThat(counted).as("%s: racing packets counted by the sides", design).isPositive();
        }
        storm.checkRaced();
    }

    private static ClashStormBenchmark.Storm storm(final String design)
    {
        final ClashStormBenchmark.Storm storm = new ClashStormBenchmark.Storm();
        storm.design = design;
        storm.setUp();
        return storm;
    }

    @Test
    void shouldFailTheTrialWhenNothingRaced()
    {
        final ClashStormBenchmark.Storm storm = new ClashStormBenchmark.Storm();
        storm.design = "nf-clash-insert";
        storm.setUp();
        final ClashStormBenchmark.Outcomes o = new ClashStormBenchmark.Outcomes();
        final Control control = new Control();
        // one side alone, the other never publishing: the side stops waiting once told to stop measuring
        control.stopMeasurement = true;
        assertThat(storm.race(0, o, control)).isEqualTo(-1);
        assertThatThrownBy(storm::checkRaced).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("nf-clash-insert").hasMessageContaining("0 packets");
        assertThat(Reason.ACCEPT_MERGED.accepted()).isTrue();
    }
}
