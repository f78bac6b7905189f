package io.flowclash.jmh.conntrack;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import io.flowclash.datapath.conntrack.StripedLockConntrackTable;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
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
 * The conntrack table's lock-free lookup alone ({@code __nf_conntrack_find_get}: hash, bucket walk, key compare,
 * CONFIRMED/DYING/expiry checks) for established flows, all hits, in the order packets of the flows arrive
 * ({@code sequential}) or at random ({@code random}). {@link io.flowclash.jmh.datapath.DatapathBenchmark} measures
 * the whole per-packet path around it.
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar ConntrackLookupBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, "-Xms2g", "-Xmx2g"})
public class ConntrackLookupBenchmark
{
    @Param({"65536", "1048576"})
    int flows;

    @Param({"sequential", "random"})
    String order;

    StripedLockConntrackTable table;
    long[] his;
    long[] los;
    int[] visit;
    int cursor;
    int mask;
    long now;

    @Setup(Level.Trial)
    public void setUp()
    {
        final NetfilterDatapath dp = (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(3).maxEntries(flows + flows / 4).seed(7).build());
        final PacketContext ctx = dp.newContext(0);
        his = new long[flows];
        los = new long[flows];
        visit = new int[flows];
        now = 1_000_000_000L;
        for (int i = 0; i < flows; i++)
        {
            his[i] = Tuple.hi(0x0AF40000 + 1 + (i >>> 14), 0x0A60000A);
            los[i] = Tuple.lo(1024 + (i & 16383), 53, Tuple.PROTO_UDP);
            dp.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
            dp.process(ctx);
            visit[i] = i;
        }
        if (order.equals("random"))
        {
            final java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            for (int i = flows - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = visit[i];
                visit[i] = visit[j];
                visit[j] = t;
            }
        }
        table = dp.table();
        mask = flows - 1;
    }

    @Benchmark
    public int lookup()
    {
        final int i = visit[cursor++ & mask];
        return table.find(his[i], los[i], now, 0);
    }
}
