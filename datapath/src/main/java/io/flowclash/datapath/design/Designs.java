package io.flowclash.datapath.design;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.cilium.SocketLbDatapath;
import io.flowclash.datapath.cilium.TcLbDatapath;
import io.flowclash.datapath.conntrack.ConntrackEra;
import io.flowclash.datapath.conntrack.NetfilterDatapath;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one registry of datapath designs by id: the command, the tests, jcstress and JMH create designs only here.
 */
public final class Designs
{
    /**
     * One registered design. For the netfilter designs (and the socket LB's host conntrack) every fact but the id is
     * read from the {@link ConntrackEra}: the kernels, the clash rule, whether a clash can drop; nothing is written
     * twice.
     */
    public static final class Design
    {
        private final String id;
        private final String models;
        private final String clashRule;
        private final boolean canDropOnClash;
        private final ConntrackEra era;
        private final Function<DatapathConfig, Datapath> factory;

        Design(final String id, final String models, final String clashRule, final boolean canDropOnClash,
            final ConntrackEra era, final Function<DatapathConfig, Datapath> factory)
        {
            this.id = id;
            this.models = models;
            this.clashRule = clashRule;
            this.canDropOnClash = canDropOnClash;
            this.era = era;
            this.factory = factory;
        }

        /** @return the id. */
        public String id()
        {
            return id;
        }

        /** @return kernel versions or system modelled. */
        public String models()
        {
            return models;
        }

        /** @return one line on what a clash does. */
        public String clashRule()
        {
            return clashRule;
        }

        /** @return true if a racing packet of this design can be dropped (on a kube-proxy node). */
        public boolean canDropOnClash()
        {
            return canDropOnClash;
        }

        /** @return the conntrack era the design runs, or null for a design without kernel conntrack. */
        public ConntrackEra era()
        {
            return era;
        }

        /** @param config configuration. @return a new instance. */
        public Datapath create(final DatapathConfig config)
        {
            return factory.apply(config);
        }
    }

    private static final Map<String, Design> DESIGNS = new LinkedHashMap<>();

    static
    {
        nf("nf-drop", ConntrackEra.DROP);
        nf("nf-nonat-merge-4.7", ConntrackEra.NO_NAT_MERGE_4_7);
        nf("nf-nonat-merge", ConntrackEra.NO_NAT_MERGE);
        nf("nf-merge", ConntrackEra.MERGE);
        nf("nf-same-origin", ConntrackEra.SAME_ORIGIN);
        nf("nf-clash-insert-5.6", ConntrackEra.CLASH_INSERT_5_6);
        nf("nf-clash-insert-5.9", ConntrackEra.CLASH_INSERT_5_9);
        nf("nf-clash-insert-5.10", ConntrackEra.CLASH_INSERT_5_10);
        nf("nf-clash-insert-5.15", ConntrackEra.CLASH_INSERT_5_15);
        nf("nf-clash-insert", ConntrackEra.CLASH_INSERT);
        nf("nf-reverse-merge", ConntrackEra.REVERSE_MERGE);
        final ConntrackEra host = SocketLbDatapath.HOST_ERA;
        register(new Design("cilium-socklb", "Cilium socket LB (1.6+, cgroup sendmsg/recvmsg) on Linux " +
            host.kernels(), "no race: translated at the socket, backend = cookie % n; host conntrack without DNAT",
            host.canDropOnClash(), host, c -> new SocketLbDatapath("cilium-socklb", c)));
        register(new Design("cilium-tc", "Cilium tc service LB over a BPF CT map", TcLbDatapath.CLASH_RULE,
            TcLbDatapath.CAN_DROP_ON_CLASH, null, c -> new TcLbDatapath("cilium-tc", c)));
    }

    private Designs()
    {
    }

    private static void nf(final String id, final ConntrackEra era)
    {
        register(new Design(id, "Linux " + era.kernels(), era.clashRule(), era.canDropOnClash(), era,
            c -> new NetfilterDatapath(id, era, c)));
    }

    static void register(final Design design)
    {
        DESIGNS.put(design.id(), design);
    }

    /** @return every design, in registry order. */
    public static List<Design> all()
    {
        return new ArrayList<>(DESIGNS.values());
    }

    /**
     * @param id a design id.
     * @return the design.
     * @throws FlowclashException naming the known ids.
     */
    public static Design get(final String id)
    {
        final Design d = DESIGNS.get(id);
        if (d == null)
        {
            throw new FlowclashException("unknown design '" + id + "' (known: " + String.join(", ", DESIGNS.keySet()) +
                "; see 'flowclash designs')");
        }
        return d;
    }

    /**
     * Resolve a selection: a comma list of ids, {@code all}, or a prefix glob such as {@code nf-*}.
     *
     * @param selection the text.
     * @return the designs, in registry order, no duplicates.
     */
    public static List<Design> select(final String selection)
    {
        final List<Design> out = new ArrayList<>();
        for (final String part : selection.split(","))
        {
            final String p = part.trim();
            if (p.equals("all"))
            {
                addAll(out, DESIGNS.values());
            }
            else if (p.endsWith("*"))
            {
                final String prefix = p.substring(0, p.length() - 1);
                final List<Design> matched = new ArrayList<>();
                for (final Design d : DESIGNS.values())
                {
                    if (d.id().startsWith(prefix))
                    {
                        matched.add(d);
                    }
                }
                if (matched.isEmpty())
                {
                    throw new FlowclashException("no design matches '" + p + "' (known: " +
                        String.join(", ", DESIGNS.keySet()) + ")");
                }
                addAll(out, matched);
            }
            else
            {
                addAll(out, List.of(get(p)));
            }
        }
        return out;
    }

    private static void addAll(final List<Design> out, final Iterable<Design> designs)
    {
        for (final Design d : designs)
        {
            if (!out.contains(d))
            {
                out.add(d);
            }
        }
    }
}
