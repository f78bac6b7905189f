/**
 * Memory management shared by the tables: a lock-free stack of free element indices
 * ({@link io.flowclash.datapath.memory.LockFreeIndexStack}), quiescent-state-based reclamation that returns retired
 * indices to it only after a grace period ({@link io.flowclash.datapath.memory.QuiescentStateReclaimer}), and a census
 * of a pool for leak checks ({@link io.flowclash.datapath.memory.PoolCensus}). Nothing here allocates after
 * construction.
 */
package io.flowclash.datapath.memory;
