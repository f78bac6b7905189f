package io.flowclash.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenario matrices of {@code flowclash compare}: race modes x backends x workarounds, every design in each
 * cell. Quick finishes in well under a minute on 2 cores; full is for big machines (more sockets, more race
 * probabilities, round robin as well).
 */
public final class ScenarioMatrix
{
    /** The designs every scenario runs. */
    public static final String DESIGNS = "all";

    private ScenarioMatrix()
    {
    }

    /** @return the quick matrix. */
    public static List<Scenario> quick()
    {
        final List<Scenario> out = build(List.of("always", "p=0.05"), "dns-pairs:sockets=1000");
        // a real race costs a thread hand-off per pair (two spinning workers), and a scheduler quantum when the
        // machine is loaded: fewer pairs, 2 backends, and neither IPVS dh (one VIP: one backend, as one replica)
        // nor NOTRACK (nothing enters the table, whatever the timing)
        for (final Scenario s : build(List.of("real"), "dns-pairs:sockets=100"))
        {
            if (s.backends() != 3 && s.workaround() != Workaround.IPVS_DH && s.workaround() != Workaround.NOTRACK)
            {
                out.add(s);
            }
        }
        return out;
    }

    /** @return the full matrix. */
    public static List<Scenario> full()
    {
        return build(List.of("always", "p=0.01", "p=0.05", "p=0.5", "real"), "dns-pairs:sockets=20000,clients=1000");
    }

    /**
     * @param races    race modes, one family each.
     * @param workload workload spec.
     * @return every race x (one replica, or 2 and 3 backends x each other workaround).
     */
    public static List<Scenario> build(final List<String> races, final String workload)
    {
        final List<Scenario> out = new ArrayList<>();
        for (final String race : races)
        {
            final String family = "race " + race;
            for (final Workaround w : Workaround.all())
            {
                if (w.backends() != 0)
                {
                    out.add(new Scenario(family, race, w.backends(), w, workload, DESIGNS));
                    continue;
                }
                for (final int backends : new int[]{2, 3})
                {
                    out.add(new Scenario(family, race, backends, w, workload, DESIGNS));
                }
            }
        }
        return out;
    }
}
