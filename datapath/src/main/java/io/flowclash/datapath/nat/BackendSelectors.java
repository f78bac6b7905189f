package io.flowclash.datapath.nat;

import io.flowclash.datapath.FlowclashException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Registry of backend selectors by name.
 */
public final class BackendSelectors
{
    private static final Map<String, IntFunction<BackendSelector>> FACTORIES = new LinkedHashMap<>();
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static
    {
        register("random", IptablesStatisticSelector::new,
            "kube-proxy iptables: statistic --mode random, 1/(n-i) per rule, last rule unconditional");
        register("rr", IpvsRoundRobinSelector::new, "kube-proxy IPVS rr: next destination per new connection");
        register("sh", n -> new IpvsHashSelector(n, true), "IPVS sh: hash of the source address");
        register("dh", n -> new IpvsHashSelector(n, false), "IPVS dh: hash of the destination (the VIP)");
        register("maglev", MaglevSelector::new, "Maglev lookup table over the tuple hash (Cilium tc LB; IPVS mh)");
    }

    private BackendSelectors()
    {
    }

    private static void register(final String name, final IntFunction<BackendSelector> factory,
        final String description)
    {
        FACTORIES.put(name, factory);
        DESCRIPTIONS.put(name, description);
    }

    /** @return selector names with one-line descriptions. */
    public static Map<String, String> descriptions()
    {
        return DESCRIPTIONS;
    }

    /**
     * @param name     selector name.
     * @param backends backend count, at least 1.
     * @return a new selector.
     */
    public static BackendSelector create(final String name, final int backends)
    {
        final IntFunction<BackendSelector> factory = FACTORIES.get(name);
        if (factory == null)
        {
            throw new FlowclashException("unknown selector '" + name + "' (known: " +
                String.join(", ", FACTORIES.keySet()) + ")");
        }
        return factory.apply(Math.max(1, backends));
    }
}
