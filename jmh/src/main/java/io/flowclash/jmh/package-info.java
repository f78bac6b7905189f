/**
 * JMH benchmarks of flowclash ({@code XxxBenchmark}). Build: {@code ./mvnw -pl jmh -am package -DskipTests};
 * run: {@code java -jar jmh/target/benchmarks.jar [regex] -prof gc}. Forks get the project's JVM flags through
 * {@code @Fork(jvmArgsAppend = {BuildInfo.JVM_AGRONA, ...})}; a {@code -jvmArgsAppend} on the command line replaces them.
 */
package io.flowclash.jmh;
