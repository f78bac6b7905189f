package io.flowclash.datapath.resolver;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.workload.DnsLookupsWorkload;

/**
 * One {@code dns-lookups} run through one design: the workload's clients, the chosen resolver model, the lookup
 * driver over the design's steps on the one scheduler.
 */
public final class LookupRun
{
    private LookupRun()
    {
    }

    /**
     * @param datapath the design (fresh; the caller closes it).
     * @param options  run options (race mode, dispatch, reply delay, sweeps, seed).
     * @param workload the lookups.
     * @param resolver the resolver options.
     * @return the design's result with its lookup latency.
     */
    public static RunResult run(final Datapath datapath, final RunOptions options, final DnsLookupsWorkload workload,
        final ResolverOptions resolver)
    {
        return run(datapath, options, workload, resolver, null);
    }

    /**
     * @param datapath the design (fresh; the caller closes it).
     * @param options  run options.
     * @param workload the lookups.
     * @param resolver the resolver options.
     * @param observer also told of every lookup's end, or null.
     * @return the design's result with its lookup latency.
     */
    public static RunResult run(final Datapath datapath, final RunOptions options, final DnsLookupsWorkload workload,
        final ResolverOptions resolver, final LookupListener observer)
    {
        try (SchedulerLookupPath path = new SchedulerLookupPath(datapath, options))
        {
            final Resolver r = Resolver.create(resolver, workload.clients(), workload.firstClientAddress(),
                workload.serviceAddress(), workload.servicePort(), workload.seed());
            final LookupDriver driver = new LookupDriver(r, path, workload.serviceAddress(), workload.servicePort(),
                options.replyDelayNs(), workload.lookupsPerClient(), workload.thinkNs(), workload.staggerNs(),
                datapath.config().backendAddress(0), datapath.config().backends(), workload.faultyBackend(),
                workload.faultyAnswers(), workload.faultyDelayNs()).observe(observer);
            final long start = System.nanoTime();
            final LookupStats stats = driver.run();
            final long wall = System.nanoTime() - start;
            return RunResult.ofLookups(datapath, stats, driver.queries(), driver.repliesSent(), driver.sockets(),
                path.racedBatches(), path.clashedBatches(), driver.endNs(), wall);
        }
    }
}
