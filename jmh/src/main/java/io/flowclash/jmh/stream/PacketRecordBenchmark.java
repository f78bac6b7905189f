package io.flowclash.jmh.stream;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.workload.Workloads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Writing and reading one packet record through the {@link PacketRecord} flyweight: the per-packet cost of the
 * shared stream. Must allocate nothing ({@code -prof gc}: {@code gc.alloc.rate.norm} = 0 B/op).
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar PacketRecordBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BuildInfo.JVM_AGRONA)
public class PacketRecordBenchmark
{
    /** Records in the stream the cursor walks (64 MiB at 1 M: larger than the caches). */
    @Param({"1048576"})
    int records;

    PacketStream stream;
    PacketRecord record;
    int cursor;
    int mask;
    long hi;
    long lo;

    @Setup
    public void setUp()
    {
        if (Integer.bitCount(records) != 1)
        {
            throw new IllegalArgumentException("records must be a power of two: " + records);
        }
        stream = Workloads.generate(Workloads.parse("pairs-storm:sockets=" + records / 2));
        record = new PacketRecord();
        mask = records - 1;
        hi = Tuple.hi(0x0AF40001, 0x0A60000A);
        lo = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
    }

    /** Write every field of the next record. */
    @Benchmark
    public PacketRecord write()
    {
        final int i = cursor++ & mask;
        return stream.record(i, record)
            .timestampNs(i)
            .tuple(hi, lo)
            .socketCookie(i)
            .batchId(i >> 1)
            .lookupId(i >> 1)
            .queryId(i)
            .queryType(PacketRecordDescriptor.QTYPE_A)
            .direction(PacketRecordDescriptor.DIR_ORIGINAL)
            .batch(i & 1, 2)
            .flags(0);
    }

    /** Read the fields a datapath needs from the next record and combine them (so none is dead code). */
    @Benchmark
    public long read()
    {
        final PacketRecord r = stream.record(cursor++ & mask, record);
        return r.timestampNs() ^ r.tupleHi() ^ r.tupleLo() ^ r.socketCookie() ^ r.batchId() ^
            r.queryType() ^ r.direction() ^ r.batchSize();
    }
}
