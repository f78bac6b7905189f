/**
 * The kernel lab: network namespaces, veth pairs and nft DNAT rules on the local machine, real datagrams raced
 * through the real kernel, its conntrack counters read and set beside the model's. Linux and root only; every
 * address lives inside namespaces the run creates, and everything is torn down, also on Ctrl-C.
 */
package io.flowclash.lab;
