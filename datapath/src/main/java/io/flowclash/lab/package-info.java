/**
 * The kernel lab: network namespaces, veth pairs and nft DNAT rules on the local machine, real datagrams raced
 * through the real kernel, its conntrack counters read and set beside the model's; real glibc and musl lookups
 * raced by an NFQUEUE race injector, and a cgroup BPF socket LB beside the DNAT. Linux and root only; every
 * address lives inside namespaces the run creates, everything made is recorded first and torn down, also on
 * SIGINT and SIGTERM, and {@code --cleanup} removes what a SIGKILLed run left.
 */
package io.flowclash.lab;
