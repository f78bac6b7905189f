package io.flowclash.jcstress.bpf;

import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.OffHeapBpfHashMap;
import io.flowclash.datapath.flow.Tuple;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.J_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The lock-free lookup contract of {@link OffHeapBpfHashMap}: a lookup returns a value only together with the key
 * it was written for, whole, even while a writer replaces, deletes and reuses elements; and its writer contract
 * under several writers: a lookup (which sets the LRU reference bit) never brings a deleted element back, and the
 * LRU hand never evicts an element another writer is linking into another bucket.
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t BpfHashMapTests}
 */
public class BpfHashMapTests
{
    /*
     * ----------------------------------------------------------------------------------------------------------
     * LookupDuringUpdate: key 1 holds 100; the writer updates it to 200 (BPF_EXIST, in place, under the bucket lock,
     * bracketed by the element's sequence). A reader sees 100 or 200, never anything else.
     */
    @JCStressTest
    @Description("A value being updated is read as the old or the new value.")
    @Outcome(id = "100", expect = ACCEPTABLE, desc = "The old value.")
    @Outcome(id = "200", expect = ACCEPTABLE, desc = "The new value.")
    @Outcome(expect = FORBIDDEN, desc = "Missing, torn or foreign value.")
    @State
    public static class LookupDuringUpdate
    {
        final BpfHashMap map = new OffHeapBpfHashMap(4, false, 1);
        final long[] out = new long[1];

        public LookupDuringUpdate()
        {
            map.update(1, 1, 100, BpfHashMap.BPF_ANY);
        }

        @Actor
        public void writer()
        {
            map.update(1, 1, 200, BpfHashMap.BPF_EXIST);
        }

        @Actor
        public void reader(final J_Result r)
        {
            r.r1 = map.lookup(1, 1, out) ? out[0] : -1;
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * LookupDuringReuse: a one-element map holds key 1 = 100; the writer deletes it and inserts key 2 = 200, which
     * reuses the same element (possibly in another bucket). A reader of key 1 sees 100 or nothing; it must never
     * see key 2's value (200) under key 1.
     */
    @JCStressTest
    @Description("A deleted element reused for another key never answers for the old key.")
    @Outcome(id = "100", expect = ACCEPTABLE, desc = "Looked up before the delete.")
    @Outcome(id = "-1", expect = ACCEPTABLE_INTERESTING, desc = "Deleted (or being reused): not found.")
    @Outcome(id = "200", expect = FORBIDDEN, desc = "Another key's value returned for key 1.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class LookupDuringReuse
    {
        final BpfHashMap map = new OffHeapBpfHashMap(1, false, 7);
        final long[] out = new long[1];

        public LookupDuringReuse()
        {
            map.update(1, 1, 100, BpfHashMap.BPF_ANY);
        }

        @Actor
        public void writer()
        {
            map.delete(1, 1);
            map.update(2, 2, 200, BpfHashMap.BPF_NOEXIST);
        }

        @Actor
        public void reader(final J_Result r)
        {
            r.r1 = map.lookup(1, 1, out) ? out[0] : -1;
        }
    }

    /** Map of {@link DeleteDuringLookup} and {@link UpdateDuringEvict}: 2 elements, 2 buckets, LRU. */
    static final long SEED = 3;

    /** @return a key (k, k) of the given bucket in a 2-bucket map of {@link #SEED}, at least {@code from}. */
    static long keyIn(final int bucket, final long from)
    {
        long k = from;
        while (((int)Tuple.hash(k, k, SEED) & 1) != bucket)
        {
            k++;
        }
        return k;
    }

    /**
     * The map after the test: 1 if what {@code forEach} lists is what {@code size} counts, each listed key is found
     * with the value listed, and listed + free elements = max_entries (nothing leaked, nothing listed twice).
     */
    static int consistent(final OffHeapBpfHashMap map)
    {
        final long[] listed = new long[1];
        final boolean[] ok = {true};
        final long[] out = new long[1];
        map.forEach((k0, k1, v) ->
        {
            listed[0]++;
            ok[0] &= map.lookup(k0, k1, out) && out[0] == v;
        });
        return ok[0] && listed[0] == map.size() && listed[0] + map.freeElements() == map.maxEntries() ? 1 : 0;
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * DeleteDuringLookup: key 1 holds 100 in an LRU map; one actor deletes it, the other looks it up (a hit sets the
     * element's reference bit). Afterwards the key is gone whatever the order: forEach lists nothing (r3 = entries
     * listed) and the map is consistent (r4). A lookup that wrote back a stale flags word would list the deleted
     * key again ("0, 100, 1").
     */
    @JCStressTest
    @Description("A lookup racing a delete never brings the deleted key back.")
    @Outcome(id = "0, 100, 0, 1", expect = ACCEPTABLE, desc = "Lookup before (or during) the delete; key gone.")
    @Outcome(id = "0, -1, 0, 1", expect = ACCEPTABLE, desc = "Lookup after the delete; key gone.")
    @Outcome(id = "0, 100, 1, .*", expect = FORBIDDEN, desc = "The deleted key is listed again (resurrected).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class DeleteDuringLookup
    {
        final OffHeapBpfHashMap map = new OffHeapBpfHashMap(2, true, SEED);
        final long[] out = new long[1];

        public DeleteDuringLookup()
        {
            map.update(1, 1, 100, BpfHashMap.BPF_ANY);
        }

        @Actor
        public void delete(final IIII_Result r)
        {
            r.r1 = map.delete(1, 1);
        }

        @Actor
        public void lookup(final IIII_Result r)
        {
            r.r2 = map.lookup(1, 1, out) ? (int)out[0] : -1;
        }

        @Arbiter
        public void after(final IIII_Result r)
        {
            final int[] listed = new int[1];
            map.forEach((k0, k1, v) -> listed[0]++);
            r.r3 = listed[0];
            r.r4 = consistent(map);
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * UpdateDuringEvict: a full 2-element LRU map. Key A (bucket 0) was inserted and deleted, so its element is
     * free but still says bucket 0; key B (bucket 1) holds the other element. Writer 1 inserts C (bucket 1): it takes
     * A's old element. Writer 2 inserts D (bucket 0): with nothing free it evicts, and the hand starts at A's old
     * element. The evictor must never act on the element under the bucket it was in before (r1/r2 = each writer's
     * result, EXCEPTION if it threw), and the map must end consistent (r3).
     */
    @JCStressTest
    @Description("The LRU hand never unlinks an element from a bucket it is no longer in.")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "C took the free element, D evicted one.")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "D took the free element, C evicted one.")
    @Outcome(id = "-100, .*", expect = FORBIDDEN, desc = "Writer 1 threw (element not in bucket).")
    @Outcome(id = ".*, -100, .*", expect = FORBIDDEN, desc = "Writer 2 threw (element not in bucket).")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class UpdateDuringEvict
    {
        /** Result of a writer that threw. */
        static final int EXCEPTION = -100;
        static final long A = keyIn(0, 10);
        static final long B = keyIn(1, 10);
        static final long C = keyIn(1, B + 1);
        static final long D = keyIn(0, A + 1);

        final OffHeapBpfHashMap map = new OffHeapBpfHashMap(2, true, SEED);

        public UpdateDuringEvict()
        {
            map.update(A, A, 1, BpfHashMap.BPF_NOEXIST);
            map.update(B, B, 2, BpfHashMap.BPF_NOEXIST);
            map.delete(A, A);
        }

        private int update(final long k)
        {
            try
            {
                return map.update(k, k, k, BpfHashMap.BPF_NOEXIST);
            }
            catch (final IllegalStateException e)
            {
                return EXCEPTION;
            }
        }

        @Actor
        public void writer1(final III_Result r)
        {
            r.r1 = update(C);
        }

        @Actor
        public void writer2(final III_Result r)
        {
            r.r2 = update(D);
        }

        @Arbiter
        public void after(final III_Result r)
        {
            r.r3 = consistent(map);
        }
    }
}
