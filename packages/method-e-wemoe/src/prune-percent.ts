import { check } from '@mergebench/core';

/**
 * The top-k percentage that keeps what a prune ratio leaves: 100·(1 − ratio), rounded to 12
 * significant digits so that 0.9 keeps exactly 10% (not 9.999999999999998%, which would floor
 * one entry fewer in core's top-k rule).
 */
export function keepPercent(pruneRatio: number): number {
  check(
    Number.isFinite(pruneRatio) && pruneRatio >= 0 && pruneRatio < 1,
    () =>
      `method.tv_prune_ratio ${pruneRatio} must be in [0, 1): the share of every task vector's entries pruned`,
  );
  return Number((100 * (1 - pruneRatio)).toPrecision(12));
}
