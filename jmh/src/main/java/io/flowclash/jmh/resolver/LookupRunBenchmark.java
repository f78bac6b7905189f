package io.flowclash.jmh.resolver;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.resolver.LookupRun;
import io.flowclash.datapath.resolver.ResolverKind;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.workload.DnsLookupsWorkload;
import io.flowclash.datapath.workload.Workloads;
import org.agrona.collections.Long2LongHashMap;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One million lookups of the default {@code dns-lookups} workload shape (1,000 clients x 1,000 lookups, think
 * 1 s) through {@code nf-clash-insert} in virtual time, {@code --race always}, 2 backends: the wall time of the
 * whole closed loop (resolver state machines, event queue, the design's steps on the scheduler, replies, gc
 * sweeps). Reference in the same run: {@link #reference4MMapGets}, one bare Agrona {@code Long2LongHashMap.get}
 * per packet of the run (4 M: two queries and two replies per lookup), so that the ratio travels between
 * machines. A single shot per iteration: each is one whole run.
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar LookupRunBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, "-Xms2g", "-Xmx2g"})
public class LookupRunBenchmark
{
    private static final int PACKETS = 4_000_000;

    @Param({"glibc", "musl"})
    String resolver;

    DnsLookupsWorkload workload;
    Long2LongHashMap map;
    long[] keys;

    @Setup(Level.Trial)
    public void setUp()
    {
        workload = (DnsLookupsWorkload)Workloads.parse("dns-lookups:clients=1000,lookups=1000");
        map = new Long2LongHashMap(-1);
        keys = new long[65_536];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = 0x0AF4_0000_0000_0000L + i * 0x9E37_79B9L;
            map.put(keys[i], i);
        }
    }

    /** @return lookups answered (1,000,000 when the run is whole). */
    @Benchmark
    public long million()
    {
        final DatapathConfig config = DatapathConfig.builder().backends(2).workers(2).seed(1)
            .service(workload.serviceAddress(), workload.servicePort()).build();
        try (Datapath dp = Designs.get("nf-clash-insert").create(config))
        {
            final RunResult r = LookupRun.run(dp, new RunOptions(RaceMode.parse("always"), false, 200_000L,
                1_000_000_000L, 1), workload, workload.resolverOptions(ResolverKind.parse(resolver), null));
            if (r.lookupStats().total() != 1_000_000 || r.processed() != PACKETS)
            {
                throw new IllegalStateException("not the run this benchmark names: " + r.lookupStats().total() +
                    " lookups, " + r.processed() + " packets");
            }
            return r.lookupStats().answered();
        }
    }

    /** @return a sum, so that the gets are not removed. */
    @Benchmark
    public long reference4MMapGets()
    {
        long sum = 0;
        final long[] k = keys;
        for (int i = 0; i < PACKETS; i++)
        {
            sum += map.get(k[i & (k.length - 1)]);
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        map.clear();
    }
}
