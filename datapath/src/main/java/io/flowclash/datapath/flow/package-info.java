/**
 * Flow identity without objects: an IPv4 5-tuple packed into two {@code long}s ({@link io.flowclash.datapath.flow.Tuple}),
 * dotted-quad helpers ({@link io.flowclash.datapath.flow.Ipv4}).
 */
package io.flowclash.datapath.flow;
