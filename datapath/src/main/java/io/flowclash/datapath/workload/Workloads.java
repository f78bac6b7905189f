package io.flowclash.datapath.workload;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.stream.PacketStream;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of workloads by name: the CLI, tests and benchmarks create workloads only through here.
 */
public final class Workloads
{
    /** The default workload spec of the command. */
    public static final String DEFAULT_SPEC = "dns-pairs";

    /** One registered workload. */
    public static final class Entry
    {
        private final String name;
        private final String params;
        private final String description;
        private final Function<WorkloadSpec, Workload> factory;

        Entry(final String name, final String params, final String description,
            final Function<WorkloadSpec, Workload> factory)
        {
            this.name = name;
            this.params = params;
            this.description = description;
            this.factory = factory;
        }

        /** @return the name used in specs. */
        public String name()
        {
            return name;
        }

        /** @return the parameter names. */
        public String params()
        {
            return params;
        }

        /** @return one line on what it generates. */
        public String description()
        {
            return description;
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static
    {
        register(new Entry("dns-pairs", DnsPairsWorkload.PARAMS,
            "sockets each sending A+AAAA at the same instant to a service VIP (the DNS race)", DnsPairsWorkload::new));
        register(new Entry("pairs-storm", PairsStormWorkload.PARAMS,
            "a new socket per A+AAAA pair, back to back (new-flow throughput)", PairsStormWorkload::new));
        register(new Entry("established", EstablishedWorkload.PARAMS,
            "long-lived flows sending round-robin (lookup-hit path)", EstablishedWorkload::new));
        register(new Entry("dns-lookups", DnsLookupsWorkload.PARAMS,
            "clients calling getaddrinfo through a glibc or musl resolver model, closed loop (lookup latency)",
            DnsLookupsWorkload::new));
    }

    private Workloads()
    {
    }

    private static void register(final Entry entry)
    {
        ENTRIES.put(entry.name, entry);
    }

    /** @return all workloads, in registration order. */
    public static Iterable<Entry> entries()
    {
        return ENTRIES.values();
    }

    /**
     * @param spec such as {@code dns-pairs:sockets=10}.
     * @return the workload.
     * @throws FlowclashException for an unknown name or a bad parameter.
     */
    public static Workload parse(final String spec)
    {
        final WorkloadSpec parsed = WorkloadSpec.parse(spec);
        final Entry entry = ENTRIES.get(parsed.name());
        if (entry == null)
        {
            throw new FlowclashException("unknown workload '" + parsed.name() + "' (known: " +
                String.join(", ", ENTRIES.keySet()) + ")");
        }
        return entry.factory.apply(parsed);
    }

    /**
     * @param spec     workload spec.
     * @param seedOverride seed to use instead of the spec's, or null.
     * @return the workload.
     */
    public static Workload parse(final String spec, final Long seedOverride)
    {
        if (seedOverride == null)
        {
            return parse(spec);
        }
        final WorkloadSpec parsed = WorkloadSpec.parse(spec);
        if (parsed.has("seed"))
        {
            throw parsed.fault("seed given both in the spec and as --seed: give it once");
        }
        return parse(spec + (spec.contains(":") ? "," : ":") + "seed=" + seedOverride);
    }

    /**
     * Generate a workload into a new direct stream.
     *
     * @param workload to generate.
     * @return the stream, all records published.
     */
    public static PacketStream generate(final Workload workload)
    {
        final PacketStream stream = PacketStream.allocateDirect(workload.recordCount());
        workload.generate(stream);
        return stream;
    }
}
