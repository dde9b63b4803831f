/**
 * The three steps of a generalized task-vector merge, after TIES-merging and mergekit:
 * trim each task vector τᵢ = θᵢ − θ₀, elect a sign per coordinate, combine the entries, and
 * apply θ = θ₀ + λ·merged. Task arithmetic is the plain case: no trim, no election, sum.
 */
import { check } from '@mergebench/core';
import { assertTopkPercent } from './topk-mask.js';

/**
 * `none`, or keep the top-k% magnitudes of each task vector over the whole model (all merged
 * tensors together), zeroing the rest; entries tied at the threshold all survive.
 */
export type TrimRule = { readonly kind: 'none' } | { readonly kind: 'magnitude'; readonly percent: number };

/**
 * `none`, or `sign`: the sign of the sum of the trimmed entries; where that sum is zero, the
 * majority sign of the whole merge, sign(Σ over all coordinates of their elected signs), as the
 * reference TIES code does (see pending-signs.ts).
 */
export type ElectRule = 'none' | 'sign';

/**
 * How the (agreeing, when a sign is elected) entries of a coordinate become one:
 * `sum`; `mean` over the non-zero entries (divided by at least 1); `max`, the entry of largest
 * magnitude.
 */
export type CombineRule = 'sum' | 'mean' | 'max';

export const COMBINE_RULES: readonly CombineRule[] = ['sum', 'mean', 'max'];

export interface TaskVectorMergeRules {
  readonly trim: TrimRule;
  readonly elect: ElectRule;
  readonly combine: CombineRule;
  /** λ in θ₀ + λ·merged. */
  readonly scalingFactor: number;
  /** Parameter-name patterns (see key-patterns.ts) that keep θ₀'s value and take no part. */
  readonly excludeKeys?: readonly string[];
}

/** θ₀ + λ·Στᵢ. */
export function taskArithmeticRules(
  scalingFactor: number,
  excludeKeys: readonly string[] = [],
): TaskVectorMergeRules {
  return { trim: { kind: 'none' }, elect: 'none', combine: 'sum', scalingFactor, excludeKeys };
}

/** TIES-merging: trim to the top-k%, elect by the sign of the sum, disjoint merge. */
export function tiesRules(options: {
  readonly scalingFactor: number;
  readonly percent: number;
  readonly combine: CombineRule;
  readonly excludeKeys?: readonly string[];
}): TaskVectorMergeRules {
  return {
    trim: { kind: 'magnitude', percent: options.percent },
    elect: 'sign',
    combine: options.combine,
    scalingFactor: options.scalingFactor,
    excludeKeys: options.excludeKeys ?? [],
  };
}

/** Rules a TypeScript caller could get wrong (a config is validated against the params first). */
export function assertMergeRules(rules: TaskVectorMergeRules): void {
  check(
    Number.isFinite(rules.scalingFactor),
    () => `scaling factor must be a finite number, got ${rules.scalingFactor}`,
  );
  if (rules.trim.kind === 'magnitude') assertTopkPercent(rules.trim.percent);
  else
    check(
      rules.trim.kind === 'none',
      () => `unknown trim rule '${(rules.trim as { kind: string }).kind}': expected none or magnitude`,
    );
  check(
    rules.elect === 'none' || rules.elect === 'sign',
    () => `unknown elect rule '${rules.elect}': expected none or sign`,
  );
  check(
    COMBINE_RULES.includes(rules.combine),
    () => `unknown combine rule '${rules.combine}': expected sum, mean or max`,
  );
}
