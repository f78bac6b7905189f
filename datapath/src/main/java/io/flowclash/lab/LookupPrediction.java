package io.flowclash.lab;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.Designs;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.run.Runner;
import io.flowclash.datapath.workload.Workloads;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model's prediction for a lookup scenario, beside the real row. The clashes come from the model design of the
 * era the scenario runs (the emulated era's design, or this kernel's), run by the real runner on as many
 * A/AAAA pairs as the injector races, all racing ({@code always}), with one backend under the socket LB (the
 * tuples the kernel sees are identical: no DNAT) and the scenario's backends under the nft DNAT. A raced pair
 * races only if the resolver sends both queries before the first reply: not with glibc's {@code single-request}
 * or {@code single-request-reopen}, and never under NOTRACK. Each query the model drops is one lookup that waits
 * for its resolver's retry timer: glibc's {@code timeout} (5 s; then it retries alone and succeeds), musl's
 * {@code timeout / attempts} (2.5 s; it retransmits the unanswered query). The timers are read from the
 * scenario's resolv.conf options here, as an assumption stated in the row ("timer"), until the resolver models in
 * virtual time (package {@code io.flowclash.datapath.resolver}) are on main.
 *
 * @param design   the model design used.
 * @param racing   pairs that race in the model.
 * @param stalled  lookups predicted to lose a query and wait for the retry timer.
 * @param clashes  the model's clash_resolve.
 * @param timerUs  the retry timer of a stalled lookup, microseconds.
 */
public record LookupPrediction(String design, long racing, long stalled, long clashes, long timerUs)
{
    /**
     * @param o the scenario.
     * @return the prediction.
     */
    public static LookupPrediction of(final KernelLab.Options o)
    {
        final String design = switch (o.emulate())
        {
            case "drop" -> "nf-nonat-merge";
            case "same-origin" -> "nf-same-origin";
            default -> ModelComparison.THIS_KERNEL;
        };
        final boolean sequential = o.resolverName().equals("glibc") && o.resolvOptions().contains("single-request");
        final long racing = o.notrack() || sequential ? 0 : o.racedLookups();
        long stalled = 0;
        long clashes = 0;
        if (racing > 0)
        {
            try (Datapath dp = Designs.get(design).create(DatapathConfig.builder()
                .backends(o.lb().equals("socket") ? 1 : o.backends()).workers(2).seed(1).build()))
            {
                final RunResult r = new Runner(dp, new RunOptions(RaceMode.parse("always"), false, 200_000,
                    1_000_000_000L, 1)).run(Workloads.generate(Workloads.parse("dns-pairs:sockets=" + racing +
                    ",interval=1us,clients=1000")));
                stalled = r.dropped();
                clashes = r.counter(Counter.CLASH_RESOLVE);
            }
        }
        return new LookupPrediction(design, racing, stalled, clashes, timerUs(o));
    }

    /** @return the retry timer of a lookup that lost one query, from the resolver and its options. */
    static long timerUs(final KernelLab.Options o)
    {
        final long timeoutS = option(o.resolvOptions(), "timeout", 5);
        final long attempts = option(o.resolvOptions(), "attempts", 2);
        // musl: retry interval = timeout / attempts (res_msend.c); glibc: the whole timeout (send_dg's poll)
        return o.resolverName().equals("musl") ? timeoutS * 1_000_000L / Math.max(1, attempts) :
            timeoutS * 1_000_000L;
    }

    private static long option(final String options, final String key, final long otherwise)
    {
        final Matcher m = Pattern.compile("\\b" + key + ":(\\d+)").matcher(options);
        return m.find() ? Long.parseLong(m.group(1)) : otherwise;
    }

    /** @return the outcome class: stall (every or some raced lookup waits the timer) or none. */
    public String outcome()
    {
        return stalled == 0 ? "no stall" : String.format(java.util.Locale.ROOT, "%d stall(s) of ~%.1f s", stalled,
            timerUs / 1e6);
    }
}
