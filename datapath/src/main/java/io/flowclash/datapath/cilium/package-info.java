/**
 * Cilium-like datapaths: socket LB ({@link io.flowclash.datapath.cilium.SocketLbDatapath}, cgroup sendmsg/recvmsg
 * hooks with a reverse-NAT socket map) and tc service LB over a BPF CT map
 * ({@link io.flowclash.datapath.cilium.TcLbDatapath}). Semantics from shared/reference/cilium-and-peers.md, Part A.
 */
package io.flowclash.datapath.cilium;
