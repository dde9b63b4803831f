import { averagePool, type ModelPool, type Module } from '@mergebench/core';
import { type ModelWeights, resolveModelWeights } from './model-weights.js';

export interface WeightedAverageOptions {
  /** Per model in pool order, or by model name; none: every model weighs 1. */
  readonly weights?: ModelWeights | null;
  /** Divide the weights by their sum first (default true). */
  readonly normalize?: boolean;
}

/**
 * Σᵢ wᵢθᵢ over the pool's fine-tuned models (the pretrained model takes no part), streamed key by
 * key and written into the first model.
 */
export function mergeWeightedAverage(pool: ModelPool, options: WeightedAverageOptions = {}): Promise<Module> {
  const weights = resolveModelWeights(pool.modelNames, options.weights, options.normalize ?? true);
  return averagePool(pool, weights, { what: 'method weighted-average' });
}
