package io.flowclash.jcstress.memory;

import io.flowclash.datapath.memory.LockFreeIndexStack;
import io.flowclash.datapath.memory.QuiescentStateReclaimer;
import io.flowclash.jcstress.MustObserve;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The contract of {@link QuiescentStateReclaimer}: an index retired while a reader may still hold it is not reused
 * (popped from the free stack) before that reader has passed a quiescent state or gone offline, whether the reader
 * is a worker (online from the start, {@code quiescent} after its packet) or a guest (a sweep from a thread that is
 * no worker: {@code online} ... {@code offline}).
 *
 * <p>Shape of both tests: index 0 is published in a shared slot and its data word says 1. The writer unpublishes it
 * (the unlink), retires it, and then tries a bounded number of times to reclaim and pop it; when it gets index 0
 * back it writes 2 into the data word (reuse). The reader reads the slot and, if it found index 0, reads the data
 * word twice before its quiescent state. r1, r2 = the reader's two reads (-1: it found nothing), r3 = 1 if the
 * writer reused the index. A reader that found the index must read 1 both times.
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t QuiescentStateReclaimerTests}
 */
public class QuiescentStateReclaimerTests
{
    /** Opaque access to the data word, so that the compiler neither merges the reader's two reads nor moves them. */
    static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    /** Reclaim attempts of the writer before it gives up for this sample. */
    static final int ATTEMPTS = 256;
    /** Spins the reader holds the index between its two reads (long enough for a wrong reuse to land between). */
    static final int HOLD = 16;

    /** The shared part: a free stack of one index, the published slot and the index's data word. */
    abstract static class Shared
    {
        final LockFreeIndexStack free = new LockFreeIndexStack(1, false);
        final QuiescentStateReclaimer reclaimer;
        final int[] data = {1};
        volatile int published;

        Shared(final int workers, final int guests)
        {
            reclaimer = new QuiescentStateReclaimer(free, workers, guests);
        }

        /** Unlink, retire, then try to reuse: the writer, as worker {@code self}. */
        void unlinkRetireReuse(final int self, final III_Result r)
        {
            published = -1;
            reclaimer.retire(0);
            for (int i = 0; i < ATTEMPTS; i++)
            {
                reclaimer.reclaim(self);
                final int index = free.pop();
                if (index == 0)
                {
                    INTS.setOpaque(data, 0, 2);
                    r.r3 = 1;
                    return;
                }
                Thread.onSpinWait();
            }
        }

        /** Read the slot and the data word twice. */
        void read(final III_Result r)
        {
            final int p = published;
            if (p < 0)
            {
                r.r1 = -1;
                r.r2 = -1;
                return;
            }
            r.r1 = (int)INTS.getOpaque(data, p);
            for (int i = 0; i < HOLD; i++)
            {
                Thread.onSpinWait();
            }
            r.r2 = (int)INTS.getOpaque(data, p);
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * WorkerReader: worker 0 reads, then passes its quiescent state; worker 1 writes.
     */
    @JCStressTest
    @Description("A retired index is not reused while an online worker may hold it.")
    @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "Reader held the index; reuse (if any) after.")
    @Outcome(id = {"-1, -1, 0", "-1, -1, 1"}, expect = ACCEPTABLE, desc = "Reader came after the unlink.")
    @Outcome(expect = FORBIDDEN, desc = "The index was reused while the reader held it.")
    @MustObserve(value = "1, 1, 1|-1, -1, 1", why = "the writer must get the index back after a grace period")
    @State
    public static class WorkerReader extends Shared
    {
        public WorkerReader()
        {
            super(2, 0);
        }

        @Actor
        public void reader(final III_Result r)
        {
            read(r);
            reclaimer.quiescent(0);
        }

        @Actor
        public void writer(final III_Result r)
        {
            unlinkRetireReuse(1, r);
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * GuestReader: a thread that is no worker reads between online and offline (a sweep from another thread); the
     * only worker writes. The guest goes online while the writer may already be taking its snapshot: the full fence
     * after online makes the guest either be waited for or see the unlink.
     */
    @JCStressTest
    @Description("A retired index is not reused while a guest (non-worker sweeper) may hold it.")
    @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "Guest held the index; reuse (if any) after.")
    @Outcome(id = {"-1, -1, 0", "-1, -1, 1"}, expect = ACCEPTABLE, desc = "Guest came after the unlink.")
    @Outcome(expect = FORBIDDEN, desc = "The index was reused while the guest held it.")
    @MustObserve(value = "1, 1, 1|-1, -1, 1", why = "the writer must get the index back after a grace period")
    @State
    public static class GuestReader extends Shared
    {
        public GuestReader()
        {
            super(1, 1);
        }

        @Actor
        public void guest(final III_Result r)
        {
            reclaimer.online(1);
            read(r);
            reclaimer.offline(1);
        }

        @Actor
        public void writer(final III_Result r)
        {
            unlinkRetireReuse(0, r);
        }
    }
}
