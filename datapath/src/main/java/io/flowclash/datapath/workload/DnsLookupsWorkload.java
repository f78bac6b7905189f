package io.flowclash.datapath.workload;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.resolver.Resolver;
import io.flowclash.datapath.resolver.ResolverKind;
import io.flowclash.datapath.resolver.ResolverOptions;
import io.flowclash.datapath.stream.PacketStream;

import java.util.Locale;

/**
 * {@code dns-lookups}: closed-loop clients calling {@code getaddrinfo}. Each of {@code clients} resolver states
 * (one pod's thread with its own {@code _res}) makes {@code lookups} lookups one after the other, {@code think}
 * apart (from one lookup's end to the next one's start); client {@code c} starts its first at
 * {@code c * stagger}. The resolver model ({@code resolver}, {@code options}) decides what leaves when: the
 * packets are made at run time by the resolvers and answered by the backends, so there is no stream to save
 * ({@link #generate} refuses). Deterministic: the same spec, run options and seeds give the same run.
 *
 * <p>Faults, for tests and what-ifs: {@code faulty} names a backend (its index, or {@code all}; with NOTRACK the
 * node-local cache is the one responder and counts under {@code all}) that answers only the families in
 * {@code answers} ({@code both}, {@code a}, {@code aaaa}, {@code none}) and after {@code delay} instead of the
 * run's reply delay.
 *
 * <p>Parameters: {@code clients} (1000), {@code lookups} per client (10), {@code think} (1s), {@code stagger}
 * (1ms), {@code resolver} (glibc), {@code options} resolv.conf options joined with {@code +} ({@code none}),
 * {@code vip} (10.96.0.10), {@code port} (53), {@code faulty} ({@code none}), {@code answers} (both),
 * {@code delay} (0 = the run's reply delay), {@code seed} (1).
 */
public final class DnsLookupsWorkload implements Workload
{
    /** Parameter names, for help and errors. */
    public static final String PARAMS =
        "clients, lookups, think, stagger, resolver, options, vip, port, faulty, answers, delay, seed";
    /** {@link #faultyBackend()}: no faulty backend. */
    public static final int FAULTY_NONE = -2;
    /** {@link #faultyBackend()}: every backend (and the node-local cache) is faulty. */
    public static final int FAULTY_ALL = -1;

    private final String spec;
    private final int clients;
    private final int lookups;
    private final long thinkNs;
    private final long staggerNs;
    private final ResolverKind resolver;
    private final String options;
    private final int vip;
    private final int port;
    private final int faulty;
    private final int answers;
    private final long delayNs;
    private final long seed;

    DnsLookupsWorkload(final WorkloadSpec spec)
    {
        this.clients = spec.intParam("clients", 1000, 1, 65534);
        this.lookups = spec.intParam("lookups", 10, 1, 100_000_000);
        this.thinkNs = spec.durationParam("think", 1_000_000_000L, 0);
        this.staggerNs = spec.durationParam("stagger", 1_000_000L, 0);
        final String kind = spec.stringParam("resolver", "glibc");
        try
        {
            this.resolver = ResolverKind.parse(kind);
        }
        catch (final FlowclashException ex)
        {
            throw spec.fault(ex.getMessage());
        }
        this.options = spec.stringParam("options", "none");
        try
        {
            resolverOptions(resolver, null);
        }
        catch (final FlowclashException ex)
        {
            throw spec.fault(ex.getMessage());
        }
        this.vip = spec.addressParam("vip", "10.96.0.10");
        this.port = spec.intParam("port", 53, 1, 65535);
        final String f = spec.stringParam("faulty", "none").toLowerCase(Locale.ROOT);
        if (f.equals("none"))
        {
            faulty = FAULTY_NONE;
        }
        else if (f.equals("all"))
        {
            faulty = FAULTY_ALL;
        }
        else
        {
            try
            {
                faulty = Integer.parseInt(f);
            }
            catch (final NumberFormatException ex)
            {
                throw spec.fault("faulty='" + f + "' is not none, all or a backend index");
            }
            if (faulty < 0)
            {
                throw spec.fault("faulty=" + faulty + " is not a backend index (0, 1, ...)");
            }
        }
        final String a = spec.stringParam("answers", "both").toLowerCase(Locale.ROOT);
        switch (a)
        {
            case "both":
                answers = Resolver.BOTH;
                break;
            case "a":
                answers = Resolver.A;
                break;
            case "aaaa":
                answers = Resolver.AAAA;
                break;
            case "none":
                answers = 0;
                break;
            default:
                throw spec.fault("answers='" + a + "' is not both, a, aaaa or none");
        }
        this.delayNs = spec.durationParam("delay", 0, 0);
        this.seed = spec.longParam("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        spec.checkAllUsed(PARAMS);
        if ((long)clients * lookups > Integer.MAX_VALUE)
        {
            throw spec.fault(clients + " clients x " + lookups + " lookups exceed " + Integer.MAX_VALUE);
        }
        this.spec = spec.canonical();
    }

    /**
     * The resolver options of this workload, combined with those given on the command line.
     *
     * @param kindOverride    {@code --resolver}, or null.
     * @param optionsOverride {@code --resolv-options}, or null.
     * @return the options.
     * @throws FlowclashException if a value is bad, or given both here and in the spec.
     */
    public ResolverOptions resolverOptions(final ResolverKind kindOverride, final String optionsOverride)
    {
        final ResolverKind k = kindOverride != null ? kindOverride : resolver;
        final String o = optionsOverride != null ? optionsOverride : options.equals("none") ? null : options;
        return ResolverOptions.parse(k, o);
    }

    /** @return the resolver named in the spec. */
    public ResolverKind resolver()
    {
        return resolver;
    }

    /** @return true if the spec gives options other than none. */
    public boolean hasOptions()
    {
        return !options.equals("none");
    }

    /** @return clients. */
    public int clients()
    {
        return clients;
    }

    /** @return lookups per client. */
    public int lookupsPerClient()
    {
        return lookups;
    }

    /** @return total lookups. */
    public long totalLookups()
    {
        return (long)clients * lookups;
    }

    /** @return time from one lookup's end to the client's next start, ns. */
    public long thinkNs()
    {
        return thinkNs;
    }

    /** @return offset between clients' first lookups, ns. */
    public long staggerNs()
    {
        return staggerNs;
    }

    /** @return {@link #FAULTY_NONE}, {@link #FAULTY_ALL} or a backend index. */
    public int faultyBackend()
    {
        return faulty;
    }

    /** @return the queries a faulty backend answers ({@code Resolver.A}, {@code AAAA} bits). */
    public int faultyAnswers()
    {
        return answers;
    }

    /** @return a faulty backend's reply delay, ns; 0 for the run's. */
    public long faultyDelayNs()
    {
        return delayNs;
    }

    /** @return the first client's address, 10.244.0.1 (client c has 10.244.0.1 + c). */
    public int firstClientAddress()
    {
        return ClientSockets.POD_BASE + 1;
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public long seed()
    {
        return seed;
    }

    @Override
    public int recordCount()
    {
        return 0;
    }

    @Override
    public int serviceAddress()
    {
        return vip;
    }

    @Override
    public int servicePort()
    {
        return port;
    }

    @Override
    public void generate(final PacketStream stream)
    {
        throw new FlowclashException("workload 'dns-lookups' has no packet stream: its resolvers send at run time " +
            "(use it with flowclash run)");
    }
}
