/**
 * mergekit's `linear`: Σᵢ wᵢθᵢ, divided by Σᵢ wᵢ when normalising (its default), in float32 and
 * in model order. The base model takes part only if it is one of the listed models.
 */
import { check } from '@mergebench/core';
import type { KeyMerge } from './key-merge.js';

export function linearKeyMerge(weights: readonly number[], normalize = true): KeyMerge {
  const w = weights.map((x) => Math.fround(x));
  let total = 0;
  for (const x of w) total = Math.fround(total + x);
  return ({ key, models }, output) => {
    check(models.length === w.length, () => `${key}: ${models.length} models for ${w.length} weights`);
    const n = models[0].length;
    const out = output ?? new Float32Array(n);
    out.fill(0);
    models.forEach((x, t) => {
      for (let i = 0; i < n; i++) out[i] += Math.fround(x[i] * w[t]);
    });
    if (normalize) for (let i = 0; i < n; i++) out[i] = out[i] / total;
    return out;
  };
}
