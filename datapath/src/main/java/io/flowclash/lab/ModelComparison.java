package io.flowclash.lab;

import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.run.RaceMode;
import io.flowclash.datapath.run.RunOptions;
import io.flowclash.datapath.run.RunResult;
import io.flowclash.datapath.run.Runner;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.workload.Workloads;

import java.util.Locale;

/**
 * Sets the model beside a kernel-lab run: the same pairs and backends through the design that models this kernel
 * (the kernel-version table's design for {@code uname -r}), racing with the clash rate the kernel showed, and, for the old eras, the
 * drops each model design predicts for the clashes the kernel saw (5.0 - 5.5 drop the split ones; <= 4.18 drop
 * every clash).
 *
 * @param kernel       the lab's readings.
 * @param model        the model run (this kernel's era) with race probability = the kernel's clash rate.
 * @param sameOrigin   the model run of {@code nf-same-origin} with the same race probability.
 * @param drop         the model run of {@code nf-nonat-merge} (4.7 - 4.18 on a NAT node) with the same probability.
 */
public record ModelComparison(KernelLab.Readings kernel, RunResult model, RunResult sameOrigin, RunResult drop)
{
    /**
     * The design that models the kernel this lab runs on: the kernel-version table's answer for {@code uname -r}
     * ({@code io.flowclash.datapath.kernel}).
     */
    public static final String THIS_KERNEL = LookupPrediction.thisKernel().designId();

    /** @return the design of {@code uname -r}, its era, and why the table is unsure if it is. */
    public static String thisKernelNote()
    {
        final io.flowclash.datapath.kernel.KernelMatch m = LookupPrediction.thisKernel();
        return m.designId() + " (" + m.era() + (m.isUncertain() ? "; uncertain: " + String.join("; ",
            m.uncertain()) : "") + ")";
    }

    /** @param kernel readings. @return the comparison. */
    public static ModelComparison of(final KernelLab.Readings kernel)
    {
        final KernelLab.Options o = kernel.options();
        final double p = o.pairs() == 0 ? 0 : Math.min(1.0, (double)kernel.clashResolve() / o.pairs());
        // all pairs within well under a second of virtual time, as the lab's run: hidden entries all still counted
        final PacketStream stream = Workloads.generate(Workloads.parse(
            "dns-pairs:sockets=" + o.pairs() + ",interval=1us,clients=1000"));
        return new ModelComparison(kernel, run(THIS_KERNEL, o, p, stream), run("nf-same-origin", o, p, stream),
            run("nf-nonat-merge", o, p, stream));
    }

    private static RunResult run(final String design, final KernelLab.Options o, final double p,
        final PacketStream stream)
    {
        try (Datapath dp = Designs.get(design).create(DatapathConfig.builder().backends(o.backends()).workers(2)
            .notrack(o.notrack()).seed(1).build()))
        {
            return new Runner(dp, new RunOptions(RaceMode.parse(String.format(Locale.ROOT, "p=%.6f", p)),
                o.mode().equals("one-thread"), 200_000, 1_000_000_000L, 1)).run(stream);
        }
    }

    /** @return clashes the kernel merged onto the winner (same backend). */
    public long kernelMerged()
    {
        return kernel.clashResolve() - kernelSplit();
    }

    /**
     * @return clashes split across backends: the nft counter of packets on NAT_CLASH entries (one per split loser),
     * which does not expire; {@code conntrack -C} minus pairs loses the 1 s NAT_CLASH entries on runs longer than
     * that, so it is shown only as the hidden entries still counted.
     */
    public long kernelSplit()
    {
        return kernel.natclash();
    }

    /** @return drops 5.0 - 5.5 would have made for the kernel's clashes: the split ones. */
    public long predictedSameOriginDrops()
    {
        return kernelSplit();
    }

    /** @return drops 4.7 - 4.18 (and <= 4.6) would have made: every clash. */
    public long predictedDropEraDrops()
    {
        return kernel.clashResolve();
    }
}
