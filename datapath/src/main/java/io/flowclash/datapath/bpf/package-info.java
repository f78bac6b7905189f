/**
 * BPF hash map semantics ({@link io.flowclash.datapath.bpf.BpfHashMap}): update flags, errors, bounded capacity,
 * LRU eviction, per-bucket writer locks and lock-free lookups, with two storage engines: Agrona off-heap memory
 * ({@link io.flowclash.datapath.bpf.OffHeapBpfHashMap}) and a Chronicle Map persisted to a file, the "pinned" map
 * ({@link io.flowclash.datapath.bpf.ChronicleBpfHashMap}).
 */
package io.flowclash.datapath.bpf;
