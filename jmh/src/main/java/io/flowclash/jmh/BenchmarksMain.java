package io.flowclash.jmh;

import io.flowclash.jmh.latency.PacketLatencyHarness;

/**
 * The entry point of {@code benchmarks.jar}: {@code java -jar benchmarks.jar packet-latency ARGS} runs the
 * {@link PacketLatencyHarness}; anything else goes to JMH's own {@code org.openjdk.jmh.Main} unchanged
 * ({@code java -jar benchmarks.jar DatapathBenchmark -rf json}). Launched with {@code -jar}, the jar's manifest
 * carries the JVM flags Agrona and Chronicle Map need, for both.
 */
public final class BenchmarksMain
{
    /** First argument that selects the latency harness. */
    public static final String PACKET_LATENCY = "packet-latency";

    private BenchmarksMain()
    {
    }

    /**
     * @param args {@code packet-latency} and its options, or JMH's arguments.
     * @throws Exception as JMH throws it.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals(PACKET_LATENCY))
        {
            PacketLatencyHarness.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        org.openjdk.jmh.Main.main(args);
    }
}
