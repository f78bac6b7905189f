/**
 * Which kernel is the user's node: a kernel release string ({@code uname -r}) parsed into
 * {@link io.flowclash.datapath.kernel.KernelRelease}, mapped by one table
 * ({@link io.flowclash.datapath.kernel.KernelDesignTable}) to the design that models it, with the commits that decide
 * it ({@link io.flowclash.datapath.kernel.KernelCommit}) and what is uncertain; that kernel's counter files
 * ({@link io.flowclash.datapath.kernel.StatLayout}: {@code /proc/net/stat/nf_conntrack} and {@code conntrack -S});
 * and the reading of a node's own counters ({@link io.flowclash.datapath.kernel.ConntrackStatsParser},
 * {@link io.flowclash.datapath.kernel.NodeDiagnosis}). See {@code docs/conntrack-model.md}, "Eras by release".
 */
package io.flowclash.datapath.kernel;
