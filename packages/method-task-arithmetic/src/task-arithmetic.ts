import {
  type Logger,
  type ModelPool,
  type Module,
  mergePoolTaskVectors,
  type TaskVectorMergeReport,
  taskArithmeticRules,
} from '@mergebench/core';

export interface TaskArithmeticOptions {
  /** λ (default 0.3). */
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
  const rules = taskArithmeticRules(options.scalingFactor ?? 0.3, options.excludeKeys ?? []);
  return mergePoolTaskVectors(pool, rules, {
    what: 'method task-arithmetic',
    excludeKeysName: 'method.exclude_keys',
    logger: options.logger,
  });
}
