package io.flowclash.jcstress.conntrack;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The DNS race through the Cilium designs, on real threads: as {@link ConntrackRaceTests}, but no outcome may
 * drop. Socket LB translates at {@code sendmsg} (both queries of a socket to one backend); the host conntrack may
 * still see the identical-tuple clash and merge it. tc LB creates its CT entry with {@code BPF_ANY}: both packets
 * can end {@code new} (the last writer's backend wins for later packets).
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t CiliumRaceTests}
 */
public class CiliumRaceTests
{
    /*
     * ----------------------------------------------------------------------------------------------------------
     * cilium-socklb with two backends: the cookie picks one backend for both queries; no drop, no reply-only entry.
     */
    @JCStressTest
    @Description("cilium-socklb, 2 backends: A and AAAA of one socket race.")
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE, desc = "No overlap.")
    @Outcome(id = {"new, clash_merged, ok", "clash_merged, new, ok"}, expect = ACCEPTABLE_INTERESTING,
        desc = "Host conntrack saw the identical-tuple race and merged it (4.19+): no DNAT, same backend.")
    @Outcome(id = {"new, insert_failed, ok", "insert_failed, new, ok"}, expect = FORBIDDEN,
        desc = "A dropped query: socket LB must never lose one.")
    @Outcome(id = {"new, clash_inserted, ok", "clash_inserted, new, ok"}, expect = FORBIDDEN,
        desc = "Different translations: impossible when the socket chose the backend.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class SocketLbTwoBackends extends RaceState
    {
        public SocketLbTwoBackends()
        {
            super("cilium-socklb", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * cilium-tc with two backends: each packet that misses the CT map selects a backend and writes the entry with
     * BPF_ANY; nothing fails, the last writer wins.
     */
    @JCStressTest
    @Description("cilium-tc, 2 backends: A and AAAA of one socket race.")
    @Outcome(id = {"new, established, ok", "established, new, ok"}, expect = ACCEPTABLE, desc = "No overlap.")
    @Outcome(id = "new, new, ok", expect = ACCEPTABLE_INTERESTING,
        desc = "Both missed the CT map and both created the entry (BPF_ANY): last writer wins, nobody dropped.")
    @Outcome(id = {"new, map_update_failed, ok", "map_update_failed, new, ok"}, expect = FORBIDDEN,
        desc = "A failed CT create: impossible in an LRU map.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class TcLbTwoBackends extends RaceState
    {
        public TcLbTwoBackends()
        {
            super("cilium-tc", 2);
        }

        @Actor
        public void queryA()
        {
            send(a);
        }

        @Actor
        public void queryAaaa()
        {
            send(b);
        }

        @Arbiter
        public void arbiter(final LLL_Result r)
        {
            r.r1 = verdict(a);
            r.r2 = verdict(b);
            r.r3 = check();
        }
    }
}
