import type { ModelPool, Module } from '@mergebench/core';
import { check } from '@mergebench/core';
import { generalizedKeyMerge, mergePoolKeys } from '@mergebench/task-vectors';

export interface DareOptions {
  /** p: the share of each task vector's entries dropped (one, or one per model in pool order). */
  readonly dropRate: number | readonly number[];
  /** wᵢ, one per model in pool order (default 1 each). */
  readonly weights?: readonly number[];
  /** λ in θ₀ + λ·merged (default 1). */
  readonly scalingFactor?: number;
  /** Elect a sign per entry and keep the agreeing entries (DARE-TIES). */
  readonly signConsensus: boolean;
  /** Divide by the sum of the weights taking part (mergekit's `normalize`, default false). */
  readonly normalize?: boolean;
  readonly seed: number;
  readonly what?: string;
}

/** Per-model values from one number or a list, checked against the pool's size. */
function perModel(value: number | readonly number[], count: number, name: string): number[] {
  const list = typeof value === 'number' ? Array.from({ length: count }, () => value) : [...value];
  check(list.length === count, () => `${name}: expected one value per model (${count}), got ${list.length}`);
  return list;
}

/**
 * DARE (Yu et al., 2024): each task vector τᵢ = θᵢ − θ₀ keeps each entry with probability 1 − p,
 * rescaled by 1/(1 − p); then task arithmetic (or TIES' sign election) over the weighted results.
 * mergekit's dare_linear and dare_ties (see @mergebench/task-vectors generalized-key.ts).
 */
export async function mergeDare(pool: ModelPool, options: DareOptions): Promise<Module> {
  const what = options.what ?? (options.signConsensus ? 'method dare-ties' : 'method dare');
  const count = pool.modelNames.length;
  const dropRates = perModel(options.dropRate, count, `${what}: drop_rate`);
  for (const p of dropRates)
    check(p >= 0 && p < 1, () => `${what}: drop_rate must be in [0, 1) (the share dropped), got ${p}`);
  return mergePoolKeys(
    pool,
    generalizedKeyMerge({
      weights: perModel(options.weights ?? 1, count, `${what}: weights`),
      densities: dropRates.map((p) => 1 - p),
      sparsification: 'random',
      consensus: options.signConsensus ? 'sum' : 'none',
      normalize: options.normalize ?? false,
      lambda: options.scalingFactor ?? 1,
      rescale: true,
      seed: options.seed,
    }),
    { what },
  );
}
