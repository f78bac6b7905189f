/**
 * Seeded workload generators, described by compact spec strings such as
 * {@code dns-pairs:sockets=1000,interval=1ms,seed=7}, chosen by name from {@link io.flowclash.datapath.workload.Workloads}.
 * The same spec always gives a byte-identical stream.
 */
package io.flowclash.datapath.workload;
