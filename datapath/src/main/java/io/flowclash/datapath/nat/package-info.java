/**
 * Service backend selection as the kube-proxy modes do it: iptables {@code statistic --mode random} chains and the
 * IPVS {@code rr}, {@code sh}, {@code dh} schedulers, chosen by name from {@link io.flowclash.datapath.nat.BackendSelectors}.
 */
package io.flowclash.datapath.nat;
