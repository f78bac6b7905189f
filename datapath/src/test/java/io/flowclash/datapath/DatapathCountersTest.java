package io.flowclash.datapath;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-worker counters and the guest row of threads that are no worker (a gc sweep from another thread). */
class DatapathCountersTest
{
    @Test
    void shouldSumWorkersAndTheGuestRowButReportWorkersAlone()
    {
        final DatapathCounters c = new DatapathCounters(2);
        c.increment(0, Counter.DELETE_LIST);
        c.increment(1, Counter.DELETE_LIST);
        c.increment(-1, Counter.DELETE_LIST);
        c.add(1, Counter.SEARCHED, 5);
        c.add(-1, Counter.SEARCHED, 2);
        assertThat(c.get(Counter.DELETE_LIST)).isEqualTo(3);
        assertThat(c.get(Counter.SEARCHED)).isEqualTo(7);
        assertThat(c.get(0, Counter.DELETE_LIST)).isEqualTo(1);
        assertThat(c.get(1, Counter.SEARCHED)).isEqualTo(5);
        c.reset();
        assertThat(c.get(Counter.SEARCHED)).isZero();
    }
}
