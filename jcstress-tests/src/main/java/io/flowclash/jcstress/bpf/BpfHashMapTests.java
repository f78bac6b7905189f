package io.flowclash.jcstress.bpf;

import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.OffHeapBpfHashMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The lock-free lookup contract of {@link OffHeapBpfHashMap}: a lookup returns a value only together with the key
 * it was written for, whole, even while a writer replaces, deletes and reuses elements.
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
}
