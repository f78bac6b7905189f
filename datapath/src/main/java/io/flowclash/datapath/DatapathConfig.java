package io.flowclash.datapath;

import io.flowclash.datapath.flow.Ipv4;

/**
 * What every design is built from: the service (VIP, port, backends), the backend selector, NOTRACK, table
 * bounds, workers and seed. Immutable; build with {@link #builder()}.
 */
public final class DatapathConfig
{
    /** Most service backends a design accepts (the builder's limit; the CLI's help shows it). */
    public static final int MAX_BACKENDS = 250;
    /** Most workers ("CPUs"). */
    public static final int MAX_WORKERS = 64;
    /** Largest {@code nf_conntrack_max}. */
    public static final int MAX_CONNTRACK_ENTRIES = 1 << 28;
    /** Largest {@code max_entries} of a BPF map. */
    public static final int MAX_MAP_ENTRIES = 1 << 24;

    /** Default {@code nf_conntrack_max}. */
    public static final int DEFAULT_MAX_ENTRIES = 262_144;
    /** Default first backend address: 10.0.0.2 (backends are consecutive, as in the kernel lab). */
    public static final int DEFAULT_FIRST_BACKEND = Ipv4.parse("10.0.0.2");

    private final int serviceAddress;
    private final int servicePort;
    private final int backends;
    private final int firstBackendAddress;
    private final int backendPort;
    private final String selector;
    private final boolean notrack;
    private final int maxEntries;
    private final int buckets;
    private final int lockStripes;
    private final int workers;
    private final long seed;
    private final int mapEntries;
    private final boolean mapLru;
    private final java.nio.file.Path pinDirectory;

    private DatapathConfig(final Builder b)
    {
        this.mapEntries = b.mapEntries;
        this.mapLru = b.mapLru;
        this.pinDirectory = b.pinDirectory;
        this.serviceAddress = b.serviceAddress;
        this.servicePort = b.servicePort;
        this.backends = b.backends;
        this.firstBackendAddress = b.firstBackendAddress;
        this.backendPort = b.backendPort;
        this.selector = b.selector;
        this.notrack = b.notrack;
        this.maxEntries = b.maxEntries;
        this.buckets = b.buckets > 0 ? b.buckets : defaultBuckets(b.maxEntries);
        this.lockStripes = b.lockStripes;
        this.workers = b.workers;
        this.seed = b.seed;
    }

    private static int defaultBuckets(final int maxEntries)
    {
        // two nodes per entry; about one node per bucket at the limit, a power of two
        final int want = Math.max(16, maxEntries);
        return Integer.highestOneBit(want - 1) << 1;
    }

    /** @return a builder with the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return a builder starting from this config. */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.serviceAddress = serviceAddress;
        b.servicePort = servicePort;
        b.backends = backends;
        b.firstBackendAddress = firstBackendAddress;
        b.backendPort = backendPort;
        b.selector = selector;
        b.notrack = notrack;
        b.maxEntries = maxEntries;
        b.buckets = buckets;
        b.lockStripes = lockStripes;
        b.workers = workers;
        b.seed = seed;
        b.mapEntries = mapEntries;
        b.mapLru = mapLru;
        b.pinDirectory = pinDirectory;
        return b;
    }

    /** @return max_entries of the BPF maps of the Cilium designs (socket rev-NAT map, CT map). */
    public int mapEntries()
    {
        return mapEntries;
    }

    /** @return true for LRU hash maps (Cilium's default), false for plain hash maps (E2BIG when full). */
    public boolean mapLru()
    {
        return mapLru;
    }

    /** @return directory to pin BPF maps in (Chronicle Map engine), or null for the off-heap engine. */
    public java.nio.file.Path pinDirectory()
    {
        return pinDirectory;
    }

    /** @return service VIP, host order. */
    public int serviceAddress()
    {
        return serviceAddress;
    }

    /** @return service port. */
    public int servicePort()
    {
        return servicePort;
    }

    /** @return number of backends. */
    public int backends()
    {
        return backends;
    }

    /** @param index backend index. @return its address, host order. */
    public int backendAddress(final int index)
    {
        return firstBackendAddress + index;
    }

    /** @return the port backends listen on. */
    public int backendPort()
    {
        return backendPort;
    }

    /** @return backend selector name ({@code random}, {@code rr}, {@code sh}, {@code dh}). */
    public String selector()
    {
        return selector;
    }

    /** @return true if NOTRACK rules exempt service traffic from conntrack (NodeLocal DNSCache). */
    public boolean notrack()
    {
        return notrack;
    }

    /** @return entry limit ({@code nf_conntrack_max}, or a BPF map's max_entries). */
    public int maxEntries()
    {
        return maxEntries;
    }

    /** @return hash buckets, a power of two. */
    public int buckets()
    {
        return buckets;
    }

    /** @return lock stripes over buckets (CONNTRACK_LOCKS), a power of two. */
    public int lockStripes()
    {
        return lockStripes;
    }

    /** @return number of workers. */
    public int workers()
    {
        return workers;
    }

    /**
     * A new context for a worker of a design with this configuration.
     *
     * @param worker worker index.
     * @return the context.
     * @throws IllegalArgumentException for a worker outside 0..workers-1.
     */
    public PacketContext newContext(final int worker)
    {
        return newContext(worker, worker);
    }

    /**
     * A new context for a worker of a design with this configuration, with its own random stream.
     *
     * @param worker worker index.
     * @param stream random stream index (independent of the worker).
     * @return the context.
     * @throws IllegalArgumentException for a worker outside 0..workers-1 or a negative stream.
     */
    public PacketContext newContext(final int worker, final int stream)
    {
        if (worker < 0 || worker >= workers)
        {
            throw new IllegalArgumentException("worker " + worker + " outside 0.." + (workers - 1));
        }
        if (stream < 0)
        {
            throw new IllegalArgumentException("random stream " + stream + " is negative");
        }
        return new PacketContext(worker, stream, seed);
    }

    /** @return seed of table hashing and workers' random sources. */
    public long seed()
    {
        return seed;
    }

    /** Builder. */
    public static final class Builder
    {
        private int serviceAddress = Ipv4.parse("10.96.0.10");
        private int servicePort = 53;
        private int backends = 2;
        private int firstBackendAddress = DEFAULT_FIRST_BACKEND;
        private int backendPort = 53;
        private String selector = "random";
        private boolean notrack;
        private int maxEntries = DEFAULT_MAX_ENTRIES;
        private int buckets;
        private int lockStripes = 1024;
        private int workers = 1;
        private long seed = 1;
        private int mapEntries = 262_144;
        private boolean mapLru = true;
        private java.nio.file.Path pinDirectory;

        /** @param n BPF map max_entries (Cilium's LB4_REVERSE_NAT_SK_MAP_SIZE is 262144). @return this. */
        public Builder mapEntries(final int n)
        {
            if (n < 1 || n > MAX_MAP_ENTRIES)
            {
                throw new FlowclashException("map entries must be 1.." + MAX_MAP_ENTRIES + ", got " + n);
            }
            this.mapEntries = n;
            return this;
        }

        /** @param lru LRU hash maps (true) or plain hash maps. @return this. */
        public Builder mapLru(final boolean lru)
        {
            this.mapLru = lru;
            return this;
        }

        /** @param dir pin BPF maps in Chronicle Map files there, or null for off-heap maps. @return this. */
        public Builder pinDirectory(final java.nio.file.Path dir)
        {
            this.pinDirectory = dir;
            return this;
        }

        /** @param address VIP. @param port port. @return this. */
        public Builder service(final int address, final int port)
        {
            this.serviceAddress = address;
            this.servicePort = port;
            return this;
        }

        /** @param n backends, 0..250. @return this. */
        public Builder backends(final int n)
        {
            if (n < 0 || n > MAX_BACKENDS)
            {
                throw new FlowclashException("backends must be 0.." + MAX_BACKENDS + ", got " + n);
            }
            this.backends = n;
            return this;
        }

        /** @param address first backend address. @param port backend port. @return this. */
        public Builder firstBackend(final int address, final int port)
        {
            this.firstBackendAddress = address;
            this.backendPort = port;
            return this;
        }

        /** @param name selector name. @return this. */
        public Builder selector(final String name)
        {
            this.selector = name;
            return this;
        }

        /** @param on NOTRACK for service traffic. @return this. */
        public Builder notrack(final boolean on)
        {
            this.notrack = on;
            return this;
        }

        /** @param max entry limit, at least 1. @return this. */
        public Builder maxEntries(final int max)
        {
            if (max < 1 || max > MAX_CONNTRACK_ENTRIES)
            {
                throw new FlowclashException("max entries must be 1.." + MAX_CONNTRACK_ENTRIES + ", got " + max);
            }
            this.maxEntries = max;
            return this;
        }

        /** @param n buckets, a power of two, or 0 for the default. @return this. */
        public Builder buckets(final int n)
        {
            if (n != 0 && (n < 2 || Integer.bitCount(n) != 1))
            {
                throw new FlowclashException("buckets must be a power of two >= 2, got " + n);
            }
            this.buckets = n;
            return this;
        }

        /** @param n lock stripes, a power of two. @return this. */
        public Builder lockStripes(final int n)
        {
            if (n < 1 || Integer.bitCount(n) != 1)
            {
                throw new FlowclashException("lock stripes must be a power of two, got " + n);
            }
            this.lockStripes = n;
            return this;
        }

        /** @param n workers, 1..64. @return this. */
        public Builder workers(final int n)
        {
            if (n < 1 || n > MAX_WORKERS)
            {
                throw new FlowclashException("workers must be 1.." + MAX_WORKERS + ", got " + n);
            }
            this.workers = n;
            return this;
        }

        /** @param s seed. @return this. */
        public Builder seed(final long s)
        {
            this.seed = s;
            return this;
        }

        /** @return the config. */
        public DatapathConfig build()
        {
            return new DatapathConfig(this);
        }
    }
}
