package io.flowclash.jcstress.memory;

import io.flowclash.datapath.memory.LockFreeIndexStack;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The contract of {@link LockFreeIndexStack}: no index is handed out twice without a push in between, and every
 * index is either handed out or in the stack (none lost), even when a pop races a pop-and-push of the same index
 * (the ABA case the tag is for).
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t LockFreeIndexStackTests}
 */
public class LockFreeIndexStackTests
{
    /*
     * ----------------------------------------------------------------------------------------------------------
     * PopPop: two free indices, two poppers. Each gets one, never the same.
     */
    @JCStressTest
    @Description("Two pops of a two-index stack get different indices.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = "Each popper got its own index.")
    @Outcome(expect = FORBIDDEN, desc = "An index handed out twice, or one lost.")
    @State
    public static class PopPop
    {
        final LockFreeIndexStack stack = new LockFreeIndexStack(2, true);

        @Actor
        public void popper1(final II_Result r)
        {
            r.r1 = stack.pop();
        }

        @Actor
        public void popper2(final II_Result r)
        {
            r.r2 = stack.pop();
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * PopPushRacesTwoPops: stack [0, 1]. Actor 1 pops an index and pushes it back (the ABA pattern: the top is the
     * same index again, with other links); actor 2 pops twice. r1, r2 = actor 2's pops (-1 = empty), r3 = indices
     * left in the stack afterwards. Actor 2 never gets one index twice, and nothing is lost: the indices it holds
     * plus those left make 2.
     */
    @JCStressTest
    @Description("A pop-push of one index racing two pops neither duplicates nor loses an index.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "Actor 2 popped 0 and 1 (before, after or around actor 1).")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Actor 1 held 0; actor 2 popped 1, then 0 once pushed back.")
    @Outcome(id = "1, -1, 1", expect = ACCEPTABLE, desc = "Actor 1 held 0 over both pops; 0 pushed back afterwards.")
    @Outcome(id = "0, -1, 1", expect = ACCEPTABLE, desc = "Actor 1 held 1 over the second pop; 1 pushed back.")
    @Outcome(expect = FORBIDDEN, desc = "An index handed out twice, or lost.")
    @State
    public static class PopPushRacesTwoPops
    {
        final LockFreeIndexStack stack = new LockFreeIndexStack(2, true);

        @Actor
        public void popPush()
        {
            final int a = stack.pop();
            if (a != LockFreeIndexStack.NONE)
            {
                stack.push(a);
            }
        }

        @Actor
        public void popTwice(final III_Result r)
        {
            r.r1 = stack.pop();
            r.r2 = stack.pop();
        }

        @Arbiter
        public void left(final III_Result r)
        {
            r.r3 = stack.countWhenQuiescent();
        }
    }
}
