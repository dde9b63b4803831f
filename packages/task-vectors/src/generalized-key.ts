/**
 * mergekit's generalized task arithmetic on one tensor (task_arithmetic, ties, dare_linear,
 * dare_ties), computed in float32 in mergekit's order of operations:
 * δᵢ = θᵢ − θ₀; sparsify δᵢ (magnitude: top ⌊densityᵢ·n⌋ of this tensor; random: DARE);
 * wᵢδᵢ; with sign consensus, the elected sign is sign(Σᵢ wᵢδᵢ) (≥ 0 counts as +) and only entries
 * of that sign take part; mixed = Σ wᵢδᵢ, divided by Σ wᵢ over the taking-part models when
 * normalising (a zero divisor counts as 1); θ = θ₀ + λ·mixed.
 * Conventions that differ from the TIES paper's code (method-ties): density is a fraction of
 * each tensor (not a percentage of the whole model), weights are per model, and there is no
 * majority-sign fallback.
 */
import { check } from '@mergebench/core';
import { dareStream, dropAndRescale } from './dare-mask.js';
import { keepTopkExactly } from './exact-topk.js';
import type { KeyMerge, KeyMergeInputs } from './key-merge.js';

export type Sparsification = 'none' | 'magnitude' | 'random';

export interface GeneralizedMergeOptions {
  /** Per model, in input order. */
  readonly weights: readonly number[];
  /** Per model (default 1: no sparsification). */
  readonly densities?: readonly number[];
  readonly sparsification: Sparsification;
  readonly consensus: 'none' | 'sum';
  readonly normalize: boolean;
  /** λ (default 1). */
  readonly lambda?: number;
  /** DARE divides the survivors by density (default true, mergekit's `rescale`). */
  readonly rescale?: boolean;
  /** Seed of DARE's draws. */
  readonly seed?: number;
}

export function generalizedKeyMerge(options: GeneralizedMergeOptions): KeyMerge {
  const { weights, sparsification, consensus, normalize } = options;
  const densities = options.densities ?? weights.map(() => 1);
  check(densities.length === weights.length, 'one density per model is needed');
  const w = weights.map((x) => Math.fround(x));
  const lambda = options.lambda ?? 1;
  const lf = Math.fround(lambda);
  const seed = options.seed ?? 0;
  return ({ key, base, models }: KeyMergeInputs) => {
    check(base, `${key}: this method needs a base model`);
    check(models.length === w.length, () => `${key}: ${models.length} models for ${w.length} weights`);
    const n = base.length;
    const deltas = models.map((x, t) => {
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = x[i] - base[i];
      if (sparsification === 'magnitude') keepTopkExactly(d, densities[t], `density of model ${t + 1}`);
      else if (sparsification === 'random')
        dropAndRescale(d, densities[t], dareStream(seed, t, key), options.rescale ?? true);
      for (let i = 0; i < n; i++) d[i] = d[i] * w[t];
      return d;
    });
    const mixed = new Float32Array(n);
    const divisor = new Float32Array(n);
    if (consensus === 'sum') {
      for (const d of deltas) for (let i = 0; i < n; i++) mixed[i] += d[i];
      const sign = mixed.map((s) => (s >= 0 ? 1 : -1));
      mixed.fill(0);
      deltas.forEach((d, t) => {
        for (let i = 0; i < n; i++) {
          if (Math.sign(d[i]) !== sign[i]) continue;
          mixed[i] += d[i];
          divisor[i] += w[t];
        }
      });
      for (let i = 0; i < n; i++) if (divisor[i] === 0) divisor[i] = 1;
    } else {
      for (const d of deltas) for (let i = 0; i < n; i++) mixed[i] += d[i];
      let total = 0;
      for (const x of w) total = Math.fround(total + x);
      divisor.fill(Math.abs(total) < 1e-8 ? 1 : total);
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let m = normalize ? Math.fround(mixed[i] / divisor[i]) : mixed[i];
      if (lambda !== 1) m = Math.fround(m * lf);
      out[i] = base[i] + m;
    }
    return out;
  };
}
