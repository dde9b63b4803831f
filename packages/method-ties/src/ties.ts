import type { Logger, ModelPool, Module } from '@mergebench/core';
import {
  type CombineRule,
  DEFAULT_SCALING_FACTOR,
  mergePoolTaskVectors,
  type TaskVectorMergeReport,
  tiesRules,
} from '@mergebench/task-vectors';

export interface TiesOptions {
  /** λ (default DEFAULT_SCALING_FACTOR, 0.3). */
  readonly scalingFactor?: number;
  /**
   * k: the share of each task vector's largest magnitudes kept (default 20): a percentage above 1
   * (20 keeps 20%), a fraction up to 1 (0.2 keeps 20%), as FusionBench reads it.
   */
  readonly threshold?: number;
  /** How the entries agreeing with the elected sign are combined (default `sum`). */
  readonly mergeFunc?: CombineRule;
  /** Parameters that keep θ₀'s value: names, globs or /regular expressions/ (default none). */
  readonly excludeKeys?: readonly string[];
  readonly logger?: Logger;
}

/**
 * The percentage a threshold keeps. Values up to 1 are fractions, as in FusionBench's
 * `topk_values_mask`, so that a FusionBench setting such as 0.2 keeps 20% here too rather than
 * silently keeping 0.2%.
 */
export function thresholdPercent(threshold: number): number {
  return threshold <= 1 ? threshold * 100 : threshold;
}

/**
 * TIES-merging of the pool's fine-tuned models: trim every task vector to its top-k% magnitudes
 * (over the whole model), elect a sign per parameter, merge the agreeing entries, and write
 * θ₀ + λ·merged into the pool's pretrained model.
 */
export function mergeTies(
  pool: ModelPool,
  options: TiesOptions = {},
): Promise<{ model: Module; report: TaskVectorMergeReport }> {
  const rules = tiesRules({
    scalingFactor: options.scalingFactor ?? DEFAULT_SCALING_FACTOR,
    percent: thresholdPercent(options.threshold ?? 20),
    combine: options.mergeFunc ?? 'sum',
    excludeKeys: options.excludeKeys ?? [],
  });
  return mergePoolTaskVectors(pool, rules, {
    what: 'method ties',
    excludeKeysName: 'method.exclude_keys',
    logger: options.logger,
  });
}
