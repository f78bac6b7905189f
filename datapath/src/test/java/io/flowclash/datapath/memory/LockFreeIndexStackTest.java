package io.flowclash.datapath.memory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LockFreeIndexStack} on one thread: order, empty, counting; concurrency is in the jcstress suite. */
class LockFreeIndexStackTest
{
    @Test
    void shouldHandOutEveryIndexOnceInOrderThenNone()
    {
        final LockFreeIndexStack stack = new LockFreeIndexStack(3, true);
        assertThat(stack.countWhenQuiescent()).isEqualTo(3);
        assertThat(stack.pop()).isEqualTo(0);
        assertThat(stack.pop()).isEqualTo(1);
        assertThat(stack.pop()).isEqualTo(2);
        assertThat(stack.pop()).isEqualTo(LockFreeIndexStack.NONE);
        assertThat(stack.countWhenQuiescent()).isZero();
        stack.push(1);
        stack.push(2);
        assertThat(stack.countWhenQuiescent()).isEqualTo(2);
        assertThat(stack.pop()).as("last in, first out").isEqualTo(2);
        assertThat(stack.pop()).isEqualTo(1);
        assertThat(stack.pop()).isEqualTo(LockFreeIndexStack.NONE);
    }

    @Test
    void shouldStartEmptyWhenAsked()
    {
        final LockFreeIndexStack stack = new LockFreeIndexStack(4, false);
        assertThat(stack.capacity()).isEqualTo(4);
        assertThat(stack.pop()).isEqualTo(LockFreeIndexStack.NONE);
        assertThatThrownBy(() -> new LockFreeIndexStack(0, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
