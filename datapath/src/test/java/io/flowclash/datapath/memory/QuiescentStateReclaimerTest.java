package io.flowclash.datapath.memory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link QuiescentStateReclaimer} step by step on one thread (the participants' calls made in a chosen order):
 * when a retired index becomes free again. The races are in the jcstress suite.
 */
class QuiescentStateReclaimerTest
{
    @Test
    void shouldFreeOnlyAfterEveryOtherOnlineWorkerPassedAQuiescentState()
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(4, false);
        final QuiescentStateReclaimer r = new QuiescentStateReclaimer(free, 3, 0);
        r.retire(2);
        assertThat(r.reclaim(0)).as("workers 1 and 2 may still hold it").isZero();
        assertThat(free.pop()).isEqualTo(LockFreeIndexStack.NONE);
        assertThat(r.retiredWhenQuiescent()).isEqualTo(1);
        r.quiescent(1);
        assertThat(r.reclaim(0)).as("worker 2 may still hold it").isZero();
        r.offline(2);
        assertThat(r.reclaim(0)).as("worker 2 went offline: no reader is left").isEqualTo(1);
        assertThat(free.pop()).isEqualTo(2);
        assertThat(r.retiredWhenQuiescent()).isZero();
    }

    @Test
    void shouldFreeAtOnceWhenTheCallerIsTheOnlyOnlineWorker()
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(4, false);
        final QuiescentStateReclaimer r = new QuiescentStateReclaimer(free, 2, 1);
        r.offline(1);
        r.retire(0);
        r.retire(3);
        assertThat(r.reclaim(0)).isEqualTo(2);
        assertThat(free.countWhenQuiescent()).isEqualTo(2);
    }

    @Test
    void shouldWaitForAnOnlineGuestUntilItGoesOffline()
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(2, false);
        final QuiescentStateReclaimer r = new QuiescentStateReclaimer(free, 1, 1);
        assertThat(r.participants()).isEqualTo(2);
        r.online(1);            // a sweep from another thread starts
        r.retire(1);            // worker 0 kills an entry the sweep may stand on
        assertThat(r.reclaim(0)).isZero();
        r.quiescent(0);
        assertThat(r.reclaim(0)).as("the guest is still online").isZero();
        r.offline(1);
        assertThat(r.reclaim(0)).isEqualTo(1);
        assertThat(free.pop()).isEqualTo(1);
    }

    @Test
    void shouldNotWaitForAGuestThatIsOffline()
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(2, false);
        final QuiescentStateReclaimer r = new QuiescentStateReclaimer(free, 1, 1);
        r.retire(0);
        assertThat(r.reclaim(0)).isEqualTo(1);
    }

    @Test
    void shouldKeepEveryIndexWhileAllGracePeriodsWait()
    {
        final int n = QuiescentStateReclaimer.BATCHES + 3;
        final LockFreeIndexStack free = new LockFreeIndexStack(n, false);
        final QuiescentStateReclaimer r = new QuiescentStateReclaimer(free, 2, 0);
        for (int i = 0; i < n; i++)
        {
            r.retire(i);
            assertThat(r.reclaim(0)).isZero(); // worker 1 never passes a quiescent state
        }
        assertThat(r.retiredWhenQuiescent()).as("nothing lost while every batch waits").isEqualTo(n);
        r.quiescent(1);
        int freed = 0;
        for (int i = 0; i < 3; i++)
        {
            freed += r.reclaim(0);
            r.quiescent(1);
        }
        assertThat(freed).isEqualTo(n);
        assertThat(free.countWhenQuiescent()).isEqualTo(n);
        assertThat(r.retiredWhenQuiescent()).isZero();
    }
}
