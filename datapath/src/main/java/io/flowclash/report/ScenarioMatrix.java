package io.flowclash.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenario matrices of {@code flowclash compare}: resolvers x race modes x backends x workarounds, every design
 * in each cell. Quick finishes in about a minute on a loaded 2-core machine and keeps the latency logs of the
 * scenarios the latency charts draw; full is the whole product on more lookups with every log, for big machines.
 */
public final class ScenarioMatrix
{
    /** The designs every scenario runs. */
    public static final String DESIGNS = "all";
    /** Quick: lookups of the always and p= families. */
    public static final String QUICK_LOOKUPS = "dns-lookups:clients=200,lookups=5";
    /** Quick: lookups of the real family (each racing batch is a hand-off between two spinning workers). */
    public static final String QUICK_REAL_LOOKUPS = "dns-lookups:clients=50,lookups=2";
    /** Full: lookups of every family. */
    public static final String FULL_LOOKUPS = "dns-lookups:clients=1000,lookups=20";

    private ScenarioMatrix()
    {
    }

    /**
     * @return the quick matrix: race always for every resolver; p=0.05 for glibc and musl; real for glibc and musl
     *     at 2 backends without a workaround only (a real race is a hand-off between two spinning workers per
     *     batch, which on a loaded 2-core machine waits for the scheduler: the cost of the quick matrix is there).
     */
    public static List<Scenario> quick()
    {
        final List<Scenario> out = new ArrayList<>();
        // latency logs (each a set of files written safely, flushed to disk) for what the latency charts draw
        for (final Scenario s : build(Resolver.all(), List.of("always"), QUICK_LOOKUPS))
        {
            out.add(s.workaround() == Workaround.NONE && s.backends() == 2 ? s.withLatencyLog() : s);
        }
        out.addAll(build(List.of(Resolver.GLIBC, Resolver.MUSL), List.of("p=0.05"), QUICK_LOOKUPS));
        for (final Scenario s : build(List.of(Resolver.GLIBC, Resolver.MUSL), List.of("real"), QUICK_REAL_LOOKUPS))
        {
            if (s.backends() == 2 && s.workaround() == Workaround.NONE)
            {
                out.add(s);
            }
        }
        return out;
    }

    /** @return the full matrix: every resolver x always, p=0.01, p=0.05, p=0.5, real x every workaround. */
    public static List<Scenario> full()
    {
        final List<Scenario> out = new ArrayList<>();
        for (final Scenario s : build(Resolver.all(), List.of("always", "p=0.01", "p=0.05", "p=0.5", "real"),
            FULL_LOOKUPS))
        {
            out.add(s.withLatencyLog());
        }
        return out;
    }

    /**
     * @param resolvers resolvers.
     * @param races     race modes.
     * @param workload  workload spec.
     * @return every resolver x race x (one replica, or 2 and 3 backends x each other workaround).
     */
    public static List<Scenario> build(final List<Resolver> resolvers, final List<String> races,
        final String workload)
    {
        final List<Scenario> out = new ArrayList<>();
        for (final Resolver r : resolvers)
        {
            for (final String race : races)
            {
                for (final Workaround w : Workaround.all())
                {
                    if (w.backends() != 0)
                    {
                        out.add(new Scenario(r, race, w.backends(), w, workload, DESIGNS, false));
                        continue;
                    }
                    for (final int backends : new int[]{2, 3})
                    {
                        out.add(new Scenario(r, race, backends, w, workload, DESIGNS, false));
                    }
                }
            }
        }
        return out;
    }
}
