/**
 * The one registry of datapath designs ({@link io.flowclash.datapath.design.Designs}): every design id, what it
 * models and its facts (kernel range, clash rule, whether a clash can drop), read from the design's era policy.
 * The command, the tests, jcstress and JMH create designs only through it.
 */
package io.flowclash.datapath.design;
