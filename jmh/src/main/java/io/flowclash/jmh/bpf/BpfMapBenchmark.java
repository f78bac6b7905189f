package io.flowclash.jmh.bpf;

import io.flowclash.datapath.BuildInfo;
import io.flowclash.datapath.bpf.BpfHashMap;
import io.flowclash.datapath.bpf.ChronicleBpfHashMap;
import io.flowclash.datapath.bpf.OffHeapBpfHashMap;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The two storage engines of the BPF hash map on one core: {@code lookup} (all hits) and {@code update}
 * ({@code BPF_ANY} of existing keys) over the largest power of two of keys up to 75 % of {@code max_entries}
 * (32,768 keys in 65,536 entries: half full). The off-heap engine must allocate nothing
 * ({@code -prof gc}); the Chronicle engine copies keys and values into arrays by design.
 *
 * <p>HOW TO RUN: {@code java -jar jmh/target/benchmarks.jar BpfMapBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BuildInfo.JVM_AGRONA, BuildInfo.JVM_CHRONICLE_1, BuildInfo.JVM_CHRONICLE_2,
    BuildInfo.JVM_CHRONICLE_3, BuildInfo.JVM_CHRONICLE_4, BuildInfo.JVM_CHRONICLE_5, BuildInfo.JVM_CHRONICLE_6,
    BuildInfo.JVM_CHRONICLE_7, "-Xms2g", "-Xmx2g"})
public class BpfMapBenchmark
{
    @Param({"offheap", "chronicle"})
    String engine;

    @Param({"65536"})
    int maxEntries;

    BpfHashMap map;
    Path dir;
    long[] keys;
    long[] out;
    int cursor;
    int mask;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        if (engine.equals("offheap"))
        {
            map = new OffHeapBpfHashMap(maxEntries, true, 1);
        }
        else
        {
            dir = Files.createTempDirectory("flowclash-jmh-pin");
            map = ChronicleBpfHashMap.pin(dir.resolve("map.cm"), maxEntries, true);
        }
        final int n = Integer.highestOneBit(maxEntries * 3 / 4);
        keys = new long[n];
        mask = n - 1;
        out = new long[1];
        for (int i = 0; i < n; i++)
        {
            keys[i] = 0x0AF4_0000_0000_0000L | ((long)i * 0x9E37_79B9L & 0xFFFF_FFFFL);
            map.update(keys[i], ~keys[i], i, BpfHashMap.BPF_ANY);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        map.close();
        if (dir != null)
        {
            try (var files = Files.list(dir))
            {
                for (final Path p : (Iterable<Path>)files::iterator)
                {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Benchmark
    public long lookup()
    {
        final long k = keys[cursor++ & mask];
        return map.lookup(k, ~k, out) ? out[0] : -1;
    }

    @Benchmark
    public int update()
    {
        final int i = cursor++ & mask;
        final long k = keys[i];
        return map.update(k, ~k, i + cursor, BpfHashMap.BPF_ANY);
    }
}
