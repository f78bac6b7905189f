/**
 * The runner behind {@code flowclash run}: feeds a packet stream through a design with workers standing for
 * CPUs, a race mode for packets sent together, and a responder model whose replies take the design's reply path.
 */
package io.flowclash.datapath.run;
