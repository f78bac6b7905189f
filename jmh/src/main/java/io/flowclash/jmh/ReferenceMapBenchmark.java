package io.flowclash.jmh;

import io.flowclash.datapath.BuildInfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The reference that table figures are divided by ({@link NearLimitReference}): a bare Agrona
 * {@code Long2LongHashMap.get} (open addressing,
 * one {@code long} key, no concurrency) over as many keys as the table benchmarks hold, all hits, visited in order
 * ({@code sequential}) or shuffled ({@code random}), as {@code ConntrackLookupBenchmark} visits its flows. Run it in
 * the same JMH run as the benchmark it is the reference for; absolute figures do not travel between machines.
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar 'ReferenceMapBenchmark|ConntrackLookupBenchmark'}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, "-Xms2g", "-Xmx2g"})
public class ReferenceMapBenchmark
{
    @Param({"65536", "1048576"})
    int flows;

    @Param({"sequential", "random"})
    String order;

    NearLimitReference reference;

    /** Fill the map with {@code flows} keys shaped like tuple words, and the visiting order. */
    @Setup(Level.Trial)
    public void setUp()
    {
        reference = new NearLimitReference(flows, order.equals("random"));
    }

    /** @return the value of the next key. */
    @Benchmark
    public long get()
    {
        return reference.get();
    }
}
