import type { Logger, ModelPool, Module } from '@mergebench/core';
import {
  DEFAULT_SCALING_FACTOR,
  mergePoolTaskVectors,
  type TaskVectorMergeReport,
  taskArithmeticRules,
} from '@mergebench/task-vectors';

export interface TaskArithmeticOptions {
  /** λ (default DEFAULT_SCALING_FACTOR, 0.3). */
  readonly scalingFactor?: number;
  /** Parameters that keep θ₀'s value: names, globs or /regular expressions/ (default none). */
  readonly excludeKeys?: readonly string[];
  readonly logger?: Logger;
}

/**
 * θ = θ₀ + λ·Σᵢ(θᵢ − θ₀) over the pool's fine-tuned models, streamed key by key and written into
 * the pool's pretrained model.
 */
export function mergeTaskArithmetic(
  pool: ModelPool,
  options: TaskArithmeticOptions = {},
): Promise<{ model: Module; report: TaskVectorMergeReport }> {
  const rules = taskArithmeticRules(
    options.scalingFactor ?? DEFAULT_SCALING_FACTOR,
    options.excludeKeys ?? [],
  );
  return mergePoolTaskVectors(pool, rules, {
    what: 'method task-arithmetic',
    excludeKeysName: 'method.exclude_keys',
    logger: options.logger,
  });
}
