package io.flowclash.datapath.run;

/**
 * Options of one run, shared by every design of a side-by-side run.
 *
 * @param race          race mode for batches.
 * @param sameCpu       dispatch: true processes a batch on one worker in order (one sendmmsg through one softirq).
 * @param replyDelayNs  responder delay in virtual time.
 * @param sweepEveryNs  virtual time between gc sweeps.
 * @param seed          seed of the race-mode coin.
 */
public record RunOptions(RaceMode race, boolean sameCpu, long replyDelayNs, long sweepEveryNs, long seed)
{
}
