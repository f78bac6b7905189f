/**
 * The one scheduler of flowclash: {@link io.flowclash.datapath.schedule.StepScheduler} drives a design's step
 * machine for a fixed set of lanes (contexts, each bound to a worker), in a chosen order or on real threads, and
 * reports quiescence for every worker. The runner, the interleaving explorer, the tests' race harness and the
 * jcstress race states all use it.
 */
package io.flowclash.datapath.schedule;
