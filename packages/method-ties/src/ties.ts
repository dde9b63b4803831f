import {
  type CombineRule,
  type Logger,
  type ModelPool,
  type Module,
  mergePoolTaskVectors,
  type TaskVectorMergeReport,
  tiesRules,
} from '@mergebench/core';

export interface TiesOptions {
  /** λ (default 0.3). */
  readonly scalingFactor?: number;
  /** k: the percentage of each task vector's largest magnitudes kept, in (0, 100] (default 20). */
  readonly threshold?: number;
  /** How the entries agreeing with the elected sign are combined (default `sum`). */
  readonly mergeFunc?: CombineRule;
  /** Parameters that keep θ₀'s value: names, globs or /regular expressions/ (default none). */
  readonly excludeKeys?: readonly string[];
  readonly logger?: Logger;
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
    scalingFactor: options.scalingFactor ?? 0.3,
    percent: options.threshold ?? 20,
    combine: options.mergeFunc ?? 'sum',
    excludeKeys: options.excludeKeys ?? [],
  });
  return mergePoolTaskVectors(pool, rules, {
    what: 'method ties',
    excludeKeysName: 'method.exclude_keys',
    logger: options.logger,
  });
}
