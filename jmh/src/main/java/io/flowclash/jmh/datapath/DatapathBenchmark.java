package io.flowclash.jmh.datapath;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.Designs;
import io.flowclash.datapath.PacketContext;
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
 * The per-packet path of every design on one core: {@code established} (every packet hits an existing entry:
 * lookup, refresh, NAT binding applied) and {@code newFlow} (every packet is a new flow: lookup miss, allocate,
 * DNAT, null binding with tuple_taken, confirm; virtual time advances so that each flow's previous entry has just
 * expired when its tuple comes round again, and the lookup reclaims it: insert and expiry balance, the table
 * neither fills nor empties; the Cilium designs' LRU maps stay full and evict). {@code chm-baseline} is
 * {@link ConcurrentHashMapConntrack}. Each flow is its own socket (cookie = flow index).
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar DatapathBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, BuildInfo.JVM_CHRONICLE_1, BuildInfo.JVM_CHRONICLE_2,
    BuildInfo.JVM_CHRONICLE_3, BuildInfo.JVM_CHRONICLE_4, BuildInfo.JVM_CHRONICLE_5, BuildInfo.JVM_CHRONICLE_6,
    BuildInfo.JVM_CHRONICLE_7, "-Xms2g", "-Xmx2g"})
public class DatapathBenchmark
{
    private static final long UNREPLIED_NS = 30_000_000_000L;

    @Param({"nf-drop", "nf-merge", "nf-same-origin", "nf-clash-insert", "nf-reverse-merge", "cilium-socklb",
        "cilium-tc", "chm-baseline"})
    String design;

    @Param({"65536", "1048576"})
    int flows;

    Datapath datapath;
    PacketContext ctx;
    long[] his;
    long[] los;
    int cursor;
    int mask;
    long now;
    long step;

    static Datapath create(final String id, final DatapathConfig config)
    {
        return id.equals("chm-baseline") ? new ConcurrentHashMapConntrack(config) : Designs.get(id).create(config);
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        if (Integer.bitCount(flows) != 1)
        {
            throw new IllegalArgumentException("flows must be a power of two: " + flows);
        }
        datapath = create(design, DatapathConfig.builder().backends(3).maxEntries(flows + flows / 4)
            .mapEntries(2 * flows + flows / 2).seed(7).build());
        ctx = datapath.newContext(0);
        his = new long[flows];
        los = new long[flows];
        final int vip = 0x0A60000A;
        for (int i = 0; i < flows; i++)
        {
            his[i] = Tuple.hi(0x0AF40000 + 1 + (i >>> 14), vip);
            los[i] = Tuple.lo(1024 + (i & 16383), 53, Tuple.PROTO_UDP);
        }
        mask = flows - 1;
        // one full round of the flows plus a bit spans the unreplied timeout: each entry expires just before reuse
        step = UNREPLIED_NS / flows + 1;
        now = 1_000_000_000L;
        for (int i = 0; i < flows; i++)
        {
            datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
            datapath.process(ctx);
        }
    }

    /** A packet of an existing flow (virtual time stands still: nothing expires). */
    @Benchmark
    public int established()
    {
        final int i = cursor++ & mask;
        final PacketContext ctx = this.ctx;
        datapath.begin(ctx, now, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
        datapath.process(ctx);
        return ctx.reason().ordinal();
    }

    /** A new flow's first packet; its tuple's previous entry expired a moment ago. */
    @Benchmark
    public int newFlow()
    {
        final int i = cursor++ & mask;
        now += step;
        final PacketContext ctx = this.ctx;
        datapath.begin(ctx, now + UNREPLIED_NS, his[i], los[i], PacketRecordDescriptor.DIR_ORIGINAL, i);
        datapath.process(ctx);
        return ctx.reason().ordinal();
    }
}
