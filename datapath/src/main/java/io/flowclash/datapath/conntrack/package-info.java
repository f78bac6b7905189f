/**
 * The netfilter conntrack model, one class per kernel file or role: the table
 * ({@link io.flowclash.datapath.conntrack.StripedLockConntrackTable}), the kernel era as a policy
 * ({@link io.flowclash.datapath.conntrack.ConntrackEra}), the way in ({@code ConntrackIn}: nf_conntrack_in,
 * resolve_normal_ct, init_conntrack), the UDP tracker ({@code UdpTracker}: nf_conntrack_proto_udp.c), NAT
 * ({@code NatCore}: nf_nat_core.c), confirm and clash resolution ({@code ConfirmAndClash}: __nf_conntrack_confirm,
 * nf_ct_resolve_clash, _harder), and the step machine that calls them
 * ({@link io.flowclash.datapath.conntrack.NetfilterDatapath}). See {@code docs/conntrack-model.md} for which kernel
 * function each step stands for.
 */
package io.flowclash.datapath.conntrack;
