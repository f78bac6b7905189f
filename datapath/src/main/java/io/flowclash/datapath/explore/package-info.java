/**
 * The interleaving explorer: every order of the named steps of k racing packets and every backend choice, run
 * through a design's real step methods, with the exact set of outcomes.
 */
package io.flowclash.datapath.explore;
