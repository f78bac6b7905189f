package io.flowclash.lab;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.kernel.KernelDesignTable;
import io.flowclash.datapath.kernel.KernelMatch;
import io.flowclash.datapath.resolver.LookupRun;
import io.flowclash.datapath.resolver.LookupStats;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.workload.DnsLookupsWorkload;
import io.flowclash.datapath.workload.Workloads;
import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The model's prediction for a lookup scenario, beside the real row: the same lookups through the resolver model
 * in virtual time ({@code io.flowclash.datapath.resolver}: glibc or musl with the scenario's resolv.conf options)
 * over the design of the era the scenario runs: the emulated era's design ({@code drop}: {@code nf-nonat-merge},
 * 4.7-4.18 on a NAT node; {@code same-origin}: {@code nf-same-origin}, 5.0-5.5), or the design the kernel-version
 * table gives for this kernel's {@code uname -r}. The raced lookups (the injector's share) race ({@code always}),
 * the others do not ({@code never}); each lookup has its own client (a fresh resolver, as the lab's fresh
 * processes). Under the socket LB the model has one backend: the kernel sees identical tuples (no DNAT), which is
 * the one-backend case of the DNAT designs. NOTRACK is the model's {@code notrack}. The model's reply delay is
 * 100 us, about this machine's lookup RTT.
 *
 * @param design   the model design used.
 * @param racing   lookups that race in the model.
 * @param stalled  lookups over 1 s in the model.
 * @param clashes  the model's clash_resolve.
 * @param timerUs  the resolver's retry timer for one lost query, microseconds (glibc: timeout; musl:
 *                 timeout / attempts), for the note.
 * @param latency  the model's lookup latencies, microseconds.
 */
public record LookupPrediction(String design, long racing, long stalled, long clashes, long timerUs,
    Histogram latency)
{
    /** The model's reply delay (the lab's RTT on this machine is 0.1-3 ms). */
    static final long REPLY_DELAY_NS = 100_000;

    /** @return the design of this kernel ({@code uname -r}) from the kernel-version table. */
    public static KernelMatch thisKernel()
    {
        return KernelDesignTable.resolve(System.getProperty("os.version"));
    }

    /**
     * @param o the scenario.
     * @return the prediction.
     */
    public static LookupPrediction of(final KernelLab.Options o)
    {
        return of(o, o.racedLookups());
    }

    /**
     * @param k a lookup run.
     * @return the prediction for the lookups the injector actually raced (the chooser hashes source ports, so a
     * share below 1 races a binomial number of them).
     */
    public static LookupPrediction of(final KernelLab.Readings k)
    {
        return of(k.options(), k.options().raceShare() > 0 ? k.injector("raced") : 0);
    }

    /**
     * @param o      the scenario.
     * @param heldLookups lookups whose first query the injector held.
     * @return the prediction.
     */
    static LookupPrediction of(final KernelLab.Options o, final long heldLookups)
    {
        final String design = switch (o.emulate())
        {
            case "drop" -> "nf-nonat-merge";
            case "same-origin" -> "nf-same-origin";
            default -> thisKernel().designId();
        };
        final long racing = o.notrack() ? 0 : Math.min(heldLookups, o.lookups());
        final Histogram latency = new Histogram(LookupStats.HIGHEST_NS / 1000, 3);
        long stalled = 0;
        long clashes = 0;
        for (final boolean raced : new boolean[]{true, false})
        {
            final long n = raced ? racing : o.lookups() - racing;
            if (n == 0)
            {
                continue;
            }
            final DnsLookupsWorkload w = (DnsLookupsWorkload)Workloads.parse("dns-lookups:clients=" + n +
                ",lookups=1,resolver=" + o.resolverName() + ",options=" + (o.resolvOptions().equals("default") ?
                "none" : o.resolvOptions().replace(' ', '+')));
            try (Datapath dp = Designs.get(design).create(DatapathConfig.builder()
                .backends(o.lb().equals("socket") ? 1 : o.backends()).workers(2).notrack(o.notrack()).seed(1)
                .service(w.serviceAddress(), w.servicePort()).build()))
            {
                final RunResult r = LookupRun.run(dp, new RunOptions(RaceMode.parse(raced ? "always" : "never"),
                    false, REPLY_DELAY_NS, 1_000_000_000L, 1), w, w.resolverOptions(null, null));
                final LookupStats s = r.lookupStats();
                stalled += s.slow();
                clashes += r.counter(Counter.CLASH_RESOLVE);
                final Histogram ns = s.histogram();
                for (final org.HdrHistogram.HistogramIterationValue v : ns.recordedValues())
                {
                    latency.recordValueWithCount(Math.min(latency.getHighestTrackableValue(),
                        v.getValueIteratedTo() / 1000), v.getCountAtValueIteratedTo());
                }
            }
        }
        return new LookupPrediction(design, racing, stalled, clashes, timerUs(o), latency);
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
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + key + ":(\\d+)").matcher(options);
        return m.find() ? Long.parseLong(m.group(1)) : otherwise;
    }

    /** @return the outcome class and the model's latencies. */
    public String outcome()
    {
        return String.format(Locale.ROOT, "%s, p50 %.1f max %.1f ms", stalled == 0 ? "no stall" :
            stalled + " stall(s)", latency.getValueAtPercentile(50) / 1e3, latency.getMaxValue() / 1e3);
    }
}
