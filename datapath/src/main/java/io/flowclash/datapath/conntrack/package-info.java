/**
 * The netfilter conntrack model: one table ({@link io.flowclash.datapath.conntrack.StripedLockConntrackTable}),
 * the kernel era as a policy ({@link io.flowclash.datapath.conntrack.ConntrackEra}), and the step machine of a
 * packet through conntrack and NAT ({@link io.flowclash.datapath.conntrack.NetfilterDatapath}). See
 * {@code docs/conntrack-model.md} for which kernel function each step stands for.
 */
package io.flowclash.datapath.conntrack;
