package io.flowclash.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One cell of the compare matrix: every selected design on one stream of DNS lookups with one resolver, race mode,
 * backend count and workaround. It is exactly one {@code flowclash run} invocation, {@link #runArgs()}, so that a
 * reader can rerun any row of the report by hand and get the same figures: the lookups and the race coin are seeded.
 * Except under {@code race real}: there the pair's queries run on two threads released together, and the operating
 * system's scheduling decides which pairs overlap, so drops, clashes and slow lookups change from run to run (and
 * from design to design within one run).
 *
 * @param resolver    the resolver model and options.
 * @param race        the {@code --race} value.
 * @param backends    service backends.
 * @param workaround  the workaround applied.
 * @param workload    the {@code --workload} spec.
 * @param designs     the {@code --design} selection.
 * @param latencyLog  true to keep the run's lookup latency logs ({@code --hlog}) in the report.
 */
public record Scenario(Resolver resolver, String race, int backends, Workaround workaround, String workload,
    String designs, boolean latencyLog)
{
    /** @return this scenario, its latency logs kept. */
    public Scenario withLatencyLog()
    {
        return new Scenario(resolver, race, backends, workaround, workload, designs, true);
    }

    /** @return the family the verdicts group by: race mode and resolver. */
    public String family()
    {
        return "race " + race + ", " + resolver.label();
    }

    /** @return an id unique within a matrix, usable as a file name. */
    public String id()
    {
        return String.format(Locale.ROOT, "%s-%s-b%d-%s", resolver.id(), race.replace("=", "").replace(".", ""),
            backends, workaround.id());
    }

    /** @return the arguments of the {@code flowclash run} invocation this scenario is (without the subcommand). */
    public List<String> runArgs()
    {
        final List<String> args = new ArrayList<>(List.of("--design", designs, "--workload", workload,
            "--resolver", resolver.kind(), "--race", race, "--backends", Integer.toString(backends),
            "--selector", workaround.selector()));
        if (resolver.options() != null)
        {
            args.add("--resolv-options");
            args.add(resolver.options());
        }
        if (workaround.notrack())
        {
            args.add("--notrack");
        }
        return args;
    }

    /** @return the command line, for the report. */
    public String commandLine()
    {
        return "flowclash run " + String.join(" ", quoted(runArgs()));
    }

    private static List<String> quoted(final List<String> args)
    {
        final List<String> out = new ArrayList<>();
        for (final String a : args)
        {
            out.add(a.contains("*") || a.contains(",") ? "'" + a + "'" : a);
        }
        return out;
    }
}
