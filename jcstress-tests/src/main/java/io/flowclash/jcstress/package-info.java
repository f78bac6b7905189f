/**
 * jcstress suites of flowclash, one file per component ({@code XxxTests}, one nested test per operation or
 * design), and {@link io.flowclash.jcstress.JcstressGate}, which runs them in {@code mvn verify} and fails the build
 * on a FORBIDDEN or ERROR result, on "no matching tests", and on a {@link io.flowclash.jcstress.MustObserve}
 * outcome that was never seen.
 */
package io.flowclash.jcstress;
