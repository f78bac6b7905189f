package io.flowclash.jcstress;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An outcome a jcstress test must produce at least once in a run, or {@link JcstressGate} fails the build: the
 * proof of presence beside jcstress's own proof of absence (FORBIDDEN). Put it on a test whose race is the point:
 * a racy design whose race was never exercised proves nothing.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(MustObserve.List.class)
public @interface MustObserve
{
    /** @return the outcome id, exactly as in {@code @Outcome(id = ...)}; several ids separated by {@code |} mean any of them. */
    String value();

    /** @return why it must be reachable. */
    String why();

    /** Container. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List
    {
        /** @return the outcomes. */
        MustObserve[] value();
    }
}
